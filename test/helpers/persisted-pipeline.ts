// A pipeline with a persisted queue for the crash test: http input on a port → file output (flushed per batch),
// built in-process with createPipeline because `sluice run` cannot select a persisted queue yet.
// Usage: node --import tsx test/helpers/persisted-pipeline.ts <data dir> <port> <output file>

import { createLogger } from "../../src/common/logger.js";
import { buildPlan } from "../../src/pipeline/config/index.js";
import { defaultRegistry } from "../../src/pipeline/plugins/index.js";
import { createPipeline } from "../../src/pipeline/runtime/index.js";

const [dataDir, port, output] = process.argv.slice(2);
if (dataDir === undefined || port === undefined || output === undefined)
  throw new Error("usage: persisted-pipeline.ts <data dir> <port> <output file>");

const config = `input { http { host => "127.0.0.1" port => ${Number(port)} } }
output { file { path => ${JSON.stringify(output)} flush_interval => 0 codec => json_lines } }`;
const { plan, diagnostics } = buildPlan([{ file: "crash.conf", text: config }]);
if (diagnostics.some((d) => d.severity === "error")) throw new Error(JSON.stringify(diagnostics));
const pipeline = createPipeline(plan, defaultRegistry, {
  queueType: "persisted",
  dataDir,
  workers: 2,
  batchSize: 50,
  queuePageCapacityBytes: 256 * 1024,
  logger: createLogger({ write: (line) => process.stderr.write(line) }),
});
process.on("SIGTERM", () => void pipeline.stop());
await pipeline.run();
