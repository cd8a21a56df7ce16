import { describe, expect, it } from "vitest";
import { ResolvedOptions } from "../options.js";
import { userPasswordAuthorization } from "./http-auth.js";
import {
  httpClientMixinOptions,
  httpClientMixinSettings,
  sslClientOptions,
  withDocs,
} from "./http-options.js";

const defaults = () =>
  Object.fromEntries(
    Object.entries(httpClientMixinOptions).flatMap(([name, spec]) =>
      spec.default === undefined ? [] : [[name, spec.default]],
    ),
  );

describe("withDocs", () => {
  it("replaces only the named docs and keeps the rest of each spec and the order", () => {
    const out = withDocs(sslClientOptions, { ssl_key: "Mine." });
    expect(out.ssl_key).toEqual({ type: "path", doc: "Mine." });
    expect(out.ssl_certificate).toBe(sslClientOptions.ssl_certificate);
    expect(Object.keys(out)).toEqual(Object.keys(sslClientOptions));
    expect(sslClientOptions.ssl_key?.doc).toBe("Key of `ssl_certificate` (PEM).");
  });

  it("refuses a name the specs do not have", () => {
    expect(() => withDocs(sslClientOptions, { ssl_nothing: "x" })).toThrow(/no option ssl_nothing/);
  });
});

describe("httpClientMixinSettings", () => {
  it("reads Logstash's defaults with the plugin's conversion to milliseconds", () => {
    const tls = { rejectUnauthorized: true };
    const settings = httpClientMixinSettings(ResolvedOptions.of(defaults()), tls, (s) => s * 1000);
    expect(settings).toEqual({
      connectTimeoutMs: 10_000,
      socketTimeoutMs: 10_000,
      requestTimeoutMs: 60_000,
      followRedirects: true,
      automaticRetries: 1,
      retryNonIdempotent: false,
      keepalive: true,
      poolMax: 50,
      poolMaxPerRoute: 25,
      tls,
    });
  });

  it("keeps pools at one connection or more and retries at zero or more", () => {
    const options = ResolvedOptions.of({
      ...defaults(),
      pool_max: 0,
      pool_max_per_route: -3,
      automatic_retries: -1,
      connect_timeout: 2,
    });
    const settings = httpClientMixinSettings(options, { rejectUnauthorized: false }, (s) => s + 0.5);
    expect(settings.poolMax).toBe(1);
    expect(settings.poolMaxPerRoute).toBe(1);
    expect(settings.automaticRetries).toBe(0);
    expect(settings.connectTimeoutMs).toBe(2.5);
  });
});

describe("userPasswordAuthorization", () => {
  it("is none without a user, basic with one, and refuses a user without a password", () => {
    expect(userPasswordAuthorization(ResolvedOptions.of({}))).toBeUndefined();
    expect(userPasswordAuthorization(ResolvedOptions.of({ user: "u", password: "p" }))).toBe(
      `Basic ${Buffer.from("u:p").toString("base64")}`,
    );
    expect(() => userPasswordAuthorization(ResolvedOptions.of({ user: "u" }))).toThrow(
      "User 'u' specified without password!",
    );
  });
});
