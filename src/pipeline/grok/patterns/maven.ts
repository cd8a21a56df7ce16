// Maven version strings (logstash-patterns-core's maven file).

import type { PatternSet } from "./types.js";

const r = String.raw;

export const legacy: PatternSet = {
  MAVEN_VERSION: r`(?:(?:\d+)\.)?(?:(?:\d+)\.)?(?:\*|\d+)(?:[.-](?:RELEASE|SNAPSHOT))?`,
};

export const ecs: PatternSet = legacy;
