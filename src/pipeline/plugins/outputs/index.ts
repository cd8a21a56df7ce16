// Every output Sluice ships, for the registry.

import type { OutputSpec } from "../api.js";
import { elasticsearchOutput } from "./elasticsearch.js";
import { fileOutput } from "./file.js";
import { httpOutput } from "./http.js";
import { kafkaOutput } from "./kafka.js";
import { nullOutput } from "./null.js";
import { pipeOutput } from "./pipe.js";
import { pipelineOutput } from "./pipeline.js";
import { rabbitmqOutput } from "./rabbitmq.js";
import { s3Output } from "./s3.js";
import { stdoutOutput } from "./stdout.js";
import { tcpOutput } from "./tcp.js";

export const outputSpecs: readonly OutputSpec[] = [
  elasticsearchOutput,
  fileOutput,
  httpOutput,
  kafkaOutput,
  nullOutput,
  pipelineOutput,
  stdoutOutput,
  tcpOutput,
  rabbitmqOutput,
  s3Output,
  pipeOutput,
];
