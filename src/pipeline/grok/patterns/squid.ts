// Squid 3 native access log (logstash-patterns-core's squid file).

import type { PatternSet } from "./types.js";

const r = String.raw;

export const legacy: PatternSet = {
  SQUID3: r`%{NUMBER:timestamp}\s+%{NUMBER:duration}\s%{IP:client_address}\s%{WORD:cache_result}/%{NONNEGINT:status_code}\s%{NUMBER:bytes}\s%{WORD:request_method}\s%{NOTSPACE:url}\s(?:%{NOTSPACE:user}|-)\s%{WORD:hierarchy_code}/(?:%{IPORHOST:server}|-)\s%{NOTSPACE:content_type}`,
};

export const ecs: PatternSet = {
  SQUID3_STATUS: "(?:%{POSINT:[http][response][status_code]:int}|0|000)",
  SQUID3: r`%{NUMBER:timestamp}\s+%{NUMBER:[squid][request][duration]:int}\s%{IP:[source][ip]}\s%{WORD:[event][action]}/%{SQUID3_STATUS}\s%{INT:[http][response][bytes]:int}\s%{WORD:[http][request][method]}\s%{NOTSPACE:[url][original]}\s(?:-|%{NOTSPACE:[user][name]})\s%{WORD:[squid][hierarchy_code]}/(?:-|%{IPORHOST:[destination][address]})\s(?:-|%{NOTSPACE:[http][response][mime_type]})`,
};
