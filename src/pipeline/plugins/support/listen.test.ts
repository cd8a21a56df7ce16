import dgram from "node:dgram";
import net from "node:net";
import { describe, expect, it } from "vitest";
import { bindUdp, listenTcp } from "./listen.js";

const close = (server: net.Server) => new Promise((resolve) => server.close(resolve));

describe("listenTcp", () => {
  it("gives the bound address, rejects a port in use, and passes later errors to onError", async () => {
    const errors: Error[] = [];
    const first = net.createServer();
    const address = await listenTcp(first, 0, "127.0.0.1", (err) => errors.push(err));
    expect(address.port).toBeGreaterThan(0);
    expect(address.address).toBe("127.0.0.1");
    const second = net.createServer();
    await expect(listenTcp(second, address.port, "127.0.0.1", () => {})).rejects.toMatchObject({
      code: "EADDRINUSE",
    });
    first.emit("error", new Error("later"));
    expect(errors.map((e) => e.message)).toEqual(["later"]);
    await close(first);
  });
});

describe("bindUdp", () => {
  it("binds, rejects a port in use, and passes later errors to onError", async () => {
    const errors: Error[] = [];
    const first = dgram.createSocket("udp4");
    await bindUdp(first, 0, "127.0.0.1", (err) => errors.push(err));
    const { port } = first.address();
    expect(port).toBeGreaterThan(0);
    const second = dgram.createSocket("udp4");
    await expect(bindUdp(second, port, "127.0.0.1", () => {})).rejects.toMatchObject({ code: "EADDRINUSE" });
    first.emit("error", new Error("later"));
    expect(errors.map((e) => e.message)).toEqual(["later"]);
    second.close();
    first.close();
  });
});
