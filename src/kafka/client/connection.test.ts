import { createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { decodeRequest, encodeResponse } from "../protocol/index.js";
import { Connection } from "./connection.js";
import { KafkaTransportError } from "./errors.js";
import { negotiate, type VersionRange } from "./versions.js";

/** A fake broker: answers ApiVersions v0 with a fixed range, ignores everything else (to provoke timeouts). */
async function fakeBroker(): Promise<{ server: Server; port: number; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    let pending = Buffer.alloc(0);
    socket.on("data", (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
        const frame = pending.subarray(4, 4 + pending.readInt32BE(0));
        pending = pending.subarray(4 + frame.length);
        const { header } = decodeRequest(frame);
        if (header.apiKey !== 18) continue;
        for (const b of encodeResponse(header, {
          errorCode: 0,
          apiKeys: [{ apiKey: 3, minVersion: 0, maxVersion: 4 }],
          throttleTimeMs: 0,
        })) {
          socket.write(b);
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return { server, port: address.port, sockets };
}

const opened: Array<{ server: Server; sockets: Socket[] }> = [];
afterEach(async () => {
  for (const { server, sockets } of opened.splice(0)) {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
});

const options = (port: number, requestTimeoutMs = 2_000) => ({
  host: "127.0.0.1",
  port,
  clientId: "test",
  connectTimeoutMs: 2_000,
  requestTimeoutMs,
});

describe("Connection", () => {
  it("pipelines requests and matches each answer to its request", async () => {
    const broker = await fakeBroker();
    opened.push(broker);
    const connection = await Connection.open(options(broker.port));
    const answers = (await Promise.all([0, 1, 2, 3].map(() => connection.send(18, 0, {})))) as Array<{
      apiKeys: unknown[];
    }>;
    expect(answers).toHaveLength(4);
    for (const a of answers) expect(a.apiKeys).toEqual([{ apiKey: 3, minVersion: 0, maxVersion: 4 }]);
    connection.close();
    expect(connection.isClosed).toBe(true);
  });

  it("fails a request that gets no answer in time, and every later one", async () => {
    const broker = await fakeBroker();
    opened.push(broker);
    const connection = await Connection.open(options(broker.port, 200));
    await expect(connection.send(3, 1, { topics: null })).rejects.toThrow(/timed out after 200 ms/);
    await expect(connection.send(18, 0, {})).rejects.toBeInstanceOf(KafkaTransportError);
  });

  it("reports an unreachable broker as a transport error", async () => {
    const broker = await fakeBroker();
    const port = broker.port;
    await new Promise((resolve) => broker.server.close(resolve));
    await expect(Connection.open(options(port))).rejects.toBeInstanceOf(KafkaTransportError);
  });
});

describe("version negotiation", () => {
  const broker = new Map<number, VersionRange>([
    [3, { min: 0, max: 4 }],
    [1, { min: 13, max: 16 }],
  ]);

  it("uses the highest version both sides support", () => {
    expect(negotiate(3, broker, "b:1")).toBe(4);
  });

  it("fails with UNSUPPORTED_VERSION when the ranges do not meet", () => {
    expect(() => negotiate(1, broker, "b:1")).toThrow(/UNSUPPORTED_VERSION/);
    expect(() => negotiate(0, broker, "b:1")).toThrow(/UNSUPPORTED_VERSION/);
  });
});
