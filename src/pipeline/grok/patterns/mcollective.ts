// MCollective daemon and audit logs (logstash-patterns-core's mcollective and mcollective-patterns files).

import type { PatternSet } from "./types.js";

const r = String.raw;

export const legacy: PatternSet = {
  MCOLLECTIVE: r`., \[%{TIMESTAMP_ISO8601:timestamp} #%{POSINT:pid}\]%{SPACE}%{LOGLEVEL:event_level}`,
  MCOLLECTIVEAUDIT: "%{TIMESTAMP_ISO8601:timestamp}:",
};

export const ecs: PatternSet = {
  MCOLLECTIVE: r`., \[%{TIMESTAMP_ISO8601:timestamp} #%{POSINT:[process][pid]:int}\]%{SPACE}%{LOGLEVEL:[log][level]}`,
  MCOLLECTIVEAUDIT: "%{TIMESTAMP_ISO8601:timestamp}:",
};
