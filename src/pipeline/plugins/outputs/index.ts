// Every output Sluice ships, for the registry.

import type { OutputSpec } from "../api.js";
import { fileOutput } from "./file.js";
import { httpOutput } from "./http.js";
import { nullOutput } from "./null.js";
import { stdoutOutput } from "./stdout.js";
import { tcpOutput } from "./tcp.js";

export const outputSpecs: readonly OutputSpec[] = [
  fileOutput,
  httpOutput,
  nullOutput,
  stdoutOutput,
  tcpOutput,
];
