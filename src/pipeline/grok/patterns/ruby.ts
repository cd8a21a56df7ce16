// Ruby's standard Logger lines (logstash-patterns-core's ruby file).

import type { PatternSet } from "./types.js";

const r = String.raw;
const level = "(?:DEBUG|FATAL|ERROR|WARN|INFO)";

export const legacy: PatternSet = {
  RUBY_LOGLEVEL: level,
  RUBY_LOGGER: r`[DFEWI], \[%{TIMESTAMP_ISO8601:timestamp} #%{POSINT:pid}\] *%{RUBY_LOGLEVEL:loglevel} -- +%{DATA:progname}: %{GREEDYDATA:message}`,
};

export const ecs: PatternSet = {
  RUBY_LOGLEVEL: level,
  RUBY_LOGGER: r`[DFEWI], \[%{TIMESTAMP_ISO8601:timestamp} #%{POSINT:[process][pid]:int}\] *%{RUBY_LOGLEVEL:[log][level]} -- +%{DATA:[process][name]}: %{GREEDYDATA:message}`,
};
