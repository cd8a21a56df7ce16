// PostgreSQL log line prefix (logstash-patterns-core's postgresql file).

import type { PatternSet } from "./types.js";

export const legacy: PatternSet = {
  POSTGRESQL: "%{DATESTAMP:timestamp} %{TZ} %{DATA:user_id} %{GREEDYDATA:connection_id} %{POSINT:pid}",
};

export const ecs: PatternSet = {
  POSTGRESQL:
    "%{DATESTAMP:timestamp} %{TZ:[event][timezone]} %{DATA:[user][name]} %{GREEDYDATA:[postgresql][log][connection_id]} %{POSINT:[process][pid]:int}",
};
