import http from "node:http";
import type https from "node:https";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AgentPool, armTimeouts, withAutomaticRetries } from "./http-transport.js";

let server: http.Server;
let base: string;

beforeAll(async () => {
  // Answers /fast at once and never answers anything else.
  server = http.createServer((request, response) => {
    if (request.url === "/fast") response.end("ok");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const pool = () =>
  new AgentPool({ keepalive: true, poolMax: 4, poolMaxPerRoute: 2, tls: { rejectUnauthorized: true } });

describe("AgentPool", () => {
  it("routes http and https to their own agents sized by the pool settings, and nothing else", () => {
    const agents = pool();
    const plain = agents.route(new URL("http://h/"));
    const secure = agents.route(new URL("https://h/"));
    if (plain === undefined || secure === undefined) throw new Error("http and https must route");
    expect(plain.transport).toBe(http);
    expect(plain.agent.maxSockets).toBe(2);
    expect(plain.agent.maxTotalSockets).toBe(4);
    expect(secure.agent).not.toBe(plain.agent);
    expect((secure.agent as https.Agent).options).toMatchObject({
      rejectUnauthorized: true,
      keepAlive: true,
    });
    expect(agents.route(new URL("ftp://h/"))).toBeUndefined();
    agents.destroy();
  });
});

function timedRequest(path: string, requestTimeoutMs: number): Promise<string> {
  const agents = pool();
  const route = agents.route(new URL(base))!;
  return new Promise<string>((resolve) => {
    const request = route.transport.request(`${base}${path}`, { agent: route.agent });
    const overall = armTimeouts(request, { connectTimeoutMs: 1000, requestTimeoutMs }, (reason) => {
      request.destroy();
      resolve(reason);
    });
    request.on("error", () => {});
    request.on("response", (response) => {
      response.resume();
      response.on("end", () => {
        clearTimeout(overall);
        resolve(`status ${response.statusCode}`);
      });
    });
    request.end();
  }).finally(() => agents.destroy());
}

describe("armTimeouts", () => {
  it("fails a request that takes longer than the whole-request timeout", async () => {
    expect(await timedRequest("/never", 100)).toBe("request timed out after 100 ms");
  });

  it("lets a request that answers in time finish", async () => {
    expect(await timedRequest("/fast", 2000)).toBe("status 200");
  });
});

describe("withAutomaticRetries", () => {
  class Dropped extends Error {}
  const failingTimes = (failures: number, error: () => Error = () => new Dropped("reset")) => {
    let calls = 0;
    const send = async () => {
      calls++;
      if (calls <= failures) throw error();
      return `answered on call ${calls}`;
    };
    return { send, calls: () => calls };
  };
  const isDropped = (err: unknown) => err instanceof Dropped;

  it("repeats an idempotent request after connection failures, up to automaticRetries more times", async () => {
    const once = failingTimes(2);
    const settings = { automaticRetries: 2, retryNonIdempotent: false };
    expect(await withAutomaticRetries("GET", settings, isDropped, once.send)).toBe("answered on call 3");
    const tooMany = failingTimes(3);
    await expect(withAutomaticRetries("PUT", settings, isDropped, tooMany.send)).rejects.toThrow("reset");
    expect(tooMany.calls()).toBe(3);
  });

  it("repeats POST only with retryNonIdempotent, and never other errors", async () => {
    const post = failingTimes(1);
    await expect(
      withAutomaticRetries("POST", { automaticRetries: 3, retryNonIdempotent: false }, isDropped, post.send),
    ).rejects.toThrow("reset");
    expect(post.calls()).toBe(1);
    const allowed = failingTimes(1);
    expect(
      await withAutomaticRetries(
        "POST",
        { automaticRetries: 3, retryNonIdempotent: true },
        isDropped,
        allowed.send,
      ),
    ).toBe("answered on call 2");
    const other = failingTimes(1, () => new Error("bad"));
    await expect(
      withAutomaticRetries("GET", { automaticRetries: 3, retryNonIdempotent: true }, isDropped, other.send),
    ).rejects.toThrow("bad");
    expect(other.calls()).toBe(1);
  });
});
