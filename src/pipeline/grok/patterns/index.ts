// The built-in pattern library in its two flavours: legacy field names (ecs_compatibility => disabled) and
// ECS v1 field names (v1 and v8, as Logstash uses the v1 set for v8 too).

import type { EcsCompatibility } from "../../event/index.js";
import * as aws from "./aws.js";
import * as bind from "./bind.js";
import * as core from "./core.js";
import * as exim from "./exim.js";
import * as haproxy from "./haproxy.js";
import * as httpd from "./httpd.js";
import * as java from "./java.js";
import * as junos from "./junos.js";
import * as linuxSyslog from "./linux-syslog.js";
import * as maven from "./maven.js";
import * as mcollective from "./mcollective.js";
import * as mongodb from "./mongodb.js";
import * as postgresql from "./postgresql.js";
import * as redis from "./redis.js";
import * as ruby from "./ruby.js";
import * as squid from "./squid.js";
import type { PatternSet } from "./types.js";
import * as zeek from "./zeek.js";

export type { PatternSet } from "./types.js";

const modules = [
  core,
  httpd,
  linuxSyslog,
  java,
  redis,
  ruby,
  postgresql,
  mongodb,
  maven,
  mcollective,
  squid,
  haproxy,
  bind,
  junos,
  aws,
  exim,
  zeek,
];

const legacyLibrary: PatternSet = Object.assign({}, ...modules.map((m) => m.legacy));
const ecsLibrary: PatternSet = Object.assign({}, ...modules.map((m) => m.ecs));

/** The built-in patterns for an ECS compatibility mode. */
export function builtinPatterns(mode: EcsCompatibility): PatternSet {
  return mode === "disabled" ? legacyLibrary : ecsLibrary;
}
