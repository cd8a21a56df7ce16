// Redis server logs and MONITOR output (logstash-patterns-core's redis file).

import type { PatternSet } from "./types.js";

const r = String.raw;

export const legacy: PatternSet = {
  REDISTIMESTAMP: "%{MONTHDAY} %{MONTH} %{TIME}",
  REDISLOG: r`\[%{POSINT:pid}\] %{REDISTIMESTAMP:timestamp} \* `,
  REDISMONLOG: r`%{NUMBER:timestamp} \[%{INT:database} %{IP:client}:%{NUMBER:port}\] "%{WORD:command}"\s?%{GREEDYDATA:params}`,
};

export const ecs: PatternSet = {
  REDISTIMESTAMP: "%{MONTHDAY} %{MONTH} %{TIME}",
  REDISLOG: r`\[%{POSINT:[process][pid]:int}\] %{REDISTIMESTAMP:timestamp} \*`,
  REDISMONLOG: r`%{NUMBER:timestamp} \[%{INT:[redis][database][id]} %{IP:[client][ip]}:%{POSINT:[client][port]:int}\] "%{WORD:[redis][command][name]}"\s?%{GREEDYDATA:[redis][command][args]}`,
};
