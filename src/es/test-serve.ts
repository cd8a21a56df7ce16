// Test fixture (not built into dist): runs the store server in its own process (for kill -9 tests) and prints `ready PORT`.

import { createLogger } from "../common/logger.js";
import { startStoreServer } from "./server.js";

const dataDir = process.argv[2];
if (!dataDir) throw new Error("usage: serve.ts DATA_DIR");
const server = await startStoreServer({ port: 0, dataDir, logger: createLogger({ level: "warn" }) });
process.stdout.write(`ready ${server.port}\n`);
process.once("SIGTERM", () => {
  server.close().then(() => process.exit(0));
});
