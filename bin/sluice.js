#!/usr/bin/env node
// Entry point of the `sluice` command; the code lives in dist/ (built by `npm run build`).
import { main } from "../dist/cli/main.js";

main(process.argv).catch((err) => {
  process.stderr.write(`sluice: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
