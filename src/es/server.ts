// The embedded store's Elasticsearch-compatible HTTP server: startStoreServer opens the store under
// a data directory and answers the REST API on host:port until close().

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "../common/logger.js";
import { Store } from "../store/store.js";
import { EsError, errorBody, toEsError } from "./errors.js";
import { parseJsonBody, readBody, send } from "./http.js";
import { findRoute, type Request } from "./routes.js";

export interface StoreServerOptions {
  host?: string;
  port: number;
  dataDir: string;
  logger: Logger;
}

export interface StoreServer {
  port: number;
  store: Store;
  close(): Promise<void>;
}

export async function startStoreServer(options: StoreServerOptions): Promise<StoreServer> {
  const logger = options.logger;
  const store = await Store.open(options.dataDir, logger);
  const server = createServer({ keepAlive: true }, (req, res) => {
    handle(store, req, res, logger).catch((e) => {
      logger.error("store request failed", { error: e });
      if (!res.headersSent) send(req, res, 500, errorBody(toEsError(e)));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  logger.info("store listening", { port, dataDir: options.dataDir });
  let closed: Promise<void> | null = null;
  return {
    port,
    store,
    close() {
      closed ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await store.close();
      })();
      return closed;
    },
  };
}

async function handle(
  store: Store,
  req: IncomingMessage,
  res: ServerResponse,
  logger: Logger,
): Promise<void> {
  const url = new URL(req.url ?? "/", "http://localhost");
  const method = (req.method ?? "GET").toUpperCase();
  const path = url.pathname.replace(/\/{2,}/g, "/");
  let bodyText: string | null = null;
  const request: Request = {
    method,
    params: {},
    query: url.searchParams,
    raw: req,
    text: async () => {
      bodyText ??= await readBody(req);
      return bodyText;
    },
    json: async () => {
      bodyText ??= await readBody(req);
      return parseJsonBody(
        url.searchParams.has("source") ? String(url.searchParams.get("source")) : bodyText,
      );
    },
  };
  try {
    const found = findRoute(method, path);
    if (!found)
      throw new EsError(
        400,
        "illegal_argument_exception",
        `no handler found for uri [${url.pathname}${url.search}] and method [${method}]`,
      );
    request.params = found.params;
    const reply = await found.handler(store, request);
    send(req, res, reply.status, reply.body, url.searchParams);
  } catch (e) {
    const err = toEsError(e);
    if (err.status >= 500) logger.warn("store request error", { method, path, error: err.message });
    if (!bodyText && req.readable) req.resume();
    send(req, res, err.status, errorBody(err), url.searchParams);
  }
}
