// Every input Sluice ships, for the registry.

import type { InputSpec } from "../api.js";
import { azureEventHubsInput } from "./azure_event_hubs.js";
import { deadLetterQueueInput } from "./dead_letter_queue.js";
import { execInput } from "./exec.js";
import { fileInput } from "./file.js";
import { generatorInput } from "./generator.js";
import { heartbeatInput } from "./heartbeat.js";
import { httpInput } from "./http.js";
import { kafkaInput } from "./kafka.js";
import { pipeInput } from "./pipe.js";
import { pipelineInput } from "./pipeline.js";
import { rabbitmqInput } from "./rabbitmq.js";
import { stdinInput } from "./stdin.js";
import { syslogInput } from "./syslog.js";
import { tcpInput } from "./tcp.js";
import { twitterInput } from "./twitter.js";
import { udpInput } from "./udp.js";

export const inputSpecs: readonly InputSpec[] = [
  deadLetterQueueInput,
  execInput,
  fileInput,
  generatorInput,
  heartbeatInput,
  httpInput,
  kafkaInput,
  pipelineInput,
  stdinInput,
  tcpInput,
  udpInput,
  azureEventHubsInput,
  rabbitmqInput,
  twitterInput,
  pipeInput,
  syslogInput,
];
