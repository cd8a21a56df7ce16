import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type OptionValue, ResolvedOptions } from "../options.js";
import {
  pemTlsSettings,
  protocolRange,
  refuseJavaStores,
  requireCertificateWithKey,
  tlsSettings,
} from "./http-tls.js";

const dir = mkdtempSync(join(tmpdir(), "sluice-http-tls-"));
function pem(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}
const ca = pem("ca.pem", "CA");
const cert = pem("cert.pem", "CERT");
const key = pem("key.pem", "KEY");

const options = (values: Record<string, OptionValue>) =>
  ResolvedOptions.of({ ssl_verification_mode: "full", ssl_supported_protocols: [], ...values });

describe("protocolRange", () => {
  it("is empty for no protocols and spans the lowest to the highest listed", () => {
    expect(protocolRange([])).toEqual({});
    expect(protocolRange(["TLSv1.3", "TLSv1.1"])).toEqual({ minVersion: "TLSv1.1", maxVersion: "TLSv1.3" });
    expect(protocolRange(["TLSv1.2"])).toEqual({ minVersion: "TLSv1.2", maxVersion: "TLSv1.2" });
  });

  it("refuses a name that is not a TLS version", () => {
    expect(() => protocolRange(["TLSv1.2", "SSLv3"])).toThrow(/got SSLv3/);
  });
});

describe("requireCertificateWithKey and refuseJavaStores", () => {
  it("throws the plugin's message when only one of certificate and key is given", () => {
    expect(() => requireCertificateWithKey(options({ ssl_certificate: cert }), "pair!")).toThrow("pair!");
    expect(() => requireCertificateWithKey(options({ ssl_key: key }), "pair!")).toThrow("pair!");
    expect(() =>
      requireCertificateWithKey(options({ ssl_certificate: cert, ssl_key: key }), "x"),
    ).not.toThrow();
    expect(() => requireCertificateWithKey(options({}), "x")).not.toThrow();
  });

  it("names the keystore or truststore it refuses", () => {
    expect(() => refuseJavaStores(options({ ssl_keystore_path: "/k.p12" }), "is refused")).toThrow(
      "ssl_keystore_path is refused",
    );
    expect(() => refuseJavaStores(options({ ssl_truststore_path: "/t.jks" }), "is refused")).toThrow(
      "ssl_truststore_path is refused",
    );
    expect(() => refuseJavaStores(options({}), "is refused")).not.toThrow();
  });
});

describe("pemTlsSettings", () => {
  it("reads every CA, the certificate and key, and sets verification and the protocol range", () => {
    const settings = pemTlsSettings(
      options({
        ssl_certificate_authorities: [ca, ca],
        ssl_certificate: cert,
        ssl_key: key,
        ssl_verification_mode: "none",
        ssl_supported_protocols: ["TLSv1.2", "TLSv1.3"],
      }),
    );
    expect(settings.rejectUnauthorized).toBe(false);
    expect((settings.ca as Buffer[]).map(String)).toEqual(["CA", "CA"]);
    expect(String(settings.cert)).toBe("CERT");
    expect(String(settings.key)).toBe("KEY");
    expect(settings.minVersion).toBe("TLSv1.2");
    expect(settings.maxVersion).toBe("TLSv1.3");
  });

  it("verifies by default and adds nothing that was not given", () => {
    expect(pemTlsSettings(options({}))).toEqual({ rejectUnauthorized: true });
  });
});

describe("tlsSettings (the full ssl client set)", () => {
  it("is plain verification when TLS is off", () => {
    expect(tlsSettings(options({ ssl_certificate: cert }), false)).toEqual({ rejectUnauthorized: true });
  });

  it("adds a PKCS#12 keystore with its password and the cipher list", () => {
    const store = pem("client.p12", "P12");
    const settings = tlsSettings(
      options({
        ssl_keystore_path: store,
        ssl_keystore_password: "secret",
        ssl_cipher_suites: ["AES128-SHA", "AES256-SHA"],
      }),
      true,
    );
    expect(String(settings.pfx)).toBe("P12");
    expect(settings.passphrase).toBe("secret");
    expect(settings.ciphers).toBe("AES128-SHA:AES256-SHA");
  });

  it("refuses what Logstash refuses: truststores, JKS, certificate with keystore, half a pair", () => {
    expect(() => tlsSettings(options({ ssl_truststore_path: "/t" }), true)).toThrow(/truststore_path/);
    expect(() => tlsSettings(options({ ssl_keystore_path: pem("k.jks", "J") }), true)).toThrow(/JKS/);
    expect(() =>
      tlsSettings(options({ ssl_keystore_path: "/k.p12", ssl_certificate: cert, ssl_key: key }), true),
    ).toThrow(/Use either/);
    expect(() => tlsSettings(options({ ssl_certificate: cert }), true)).toThrow(/requires an "ssl_key"/);
    expect(() => tlsSettings(options({ ssl_key: key }), true)).toThrow(/is required when using/);
  });
});
