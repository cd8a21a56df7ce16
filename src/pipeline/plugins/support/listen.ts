// Binding an input's listener: resolves once bound, rejects with the bind error (address in use, no permission),
// and from then on hands the listener's errors to the input, which logs them instead of crashing the process.

import type dgram from "node:dgram";
import type { EventEmitter } from "node:events";
import type net from "node:net";

/** Listens on `host:port` (0 for any free port) and gives the bound address. */
export async function listenTcp(
  server: net.Server,
  port: number,
  host: string,
  onError: (err: Error) => void,
): Promise<net.AddressInfo> {
  await bound(server, (done) => server.listen(port, host, done));
  server.on("error", onError);
  return server.address() as net.AddressInfo;
}

/** Binds a UDP socket to `host:port` (0 for any free port). */
export async function bindUdp(
  socket: dgram.Socket,
  port: number,
  host: string,
  onError: (err: Error) => void,
): Promise<void> {
  await bound(socket, (done) => socket.bind(port, host, done));
  socket.on("error", onError);
}

function bound(emitter: EventEmitter, start: (done: () => void) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    emitter.once("error", reject);
    start(() => {
      emitter.off("error", reject);
      resolve();
    });
  });
}
