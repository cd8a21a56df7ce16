// MongoDB logs: the 2.x syslog-like form, slow-query lines and the 3.x format (logstash-patterns-core's mongodb).

import type { PatternSet } from "./types.js";

const r = String.raw;

const shared: PatternSet = {
  // The query between `{ ` and ` } ntoreturn:`.
  MONGO_QUERY: r`\{ (?<=\{ ).*(?= \} ntoreturn:) \}`,
  MONGO_WORDDASH: r`\b[\w-]+\b`,
  MONGO3_SEVERITY: r`\w`,
};

export const legacy: PatternSet = {
  ...shared,
  MONGO_LOG: r`%{SYSLOGTIMESTAMP:timestamp} \[%{WORD:component}\] %{GREEDYDATA:message}`,
  MONGO_SLOWQUERY: r`%{WORD} %{MONGO_WORDDASH:database}\.%{MONGO_WORDDASH:collection} %{WORD}: %{MONGO_QUERY:query} %{WORD}:%{NONNEGINT:ntoreturn} %{WORD}:%{NONNEGINT:ntoskip} %{WORD}:%{NONNEGINT:nscanned}.*nreturned:%{NONNEGINT:nreturned}..+ (?<duration>[0-9]+)ms`,
  MONGO3_COMPONENT: "%{WORD}|-",
  MONGO3_LOG: r`%{TIMESTAMP_ISO8601:timestamp} %{MONGO3_SEVERITY:severity} %{MONGO3_COMPONENT:component}%{SPACE}(?:\[%{DATA:context}\])? %{GREEDYDATA:message}`,
};

export const ecs: PatternSet = {
  ...shared,
  MONGO_LOG: r`%{SYSLOGTIMESTAMP:timestamp} \[%{WORD:[mongodb][component]}\] %{GREEDYDATA:message}`,
  MONGO_SLOWQUERY: r`%{WORD:[mongodb][profile][op]} %{MONGO_WORDDASH:[mongodb][database]}\.%{MONGO_WORDDASH:[mongodb][collection]} %{WORD}: %{MONGO_QUERY:[mongodb][query][original]} ntoreturn:%{NONNEGINT:[mongodb][profile][ntoreturn]:int} ntoskip:%{NONNEGINT:[mongodb][profile][ntoskip]:int} nscanned:%{NONNEGINT:[mongodb][profile][nscanned]:int}.*? nreturned:%{NONNEGINT:[mongodb][profile][nreturned]:int}.*? %{INT:[mongodb][profile][duration]:int}ms`,
  MONGO3_COMPONENT: "%{WORD}",
  MONGO3_LOG: r`%{TIMESTAMP_ISO8601:timestamp} %{MONGO3_SEVERITY:[log][level]} (?:-|%{MONGO3_COMPONENT:[mongodb][component]})%{SPACE}(?:\[%{DATA:[mongodb][context]}\])? %{GREEDYDATA:message}`,
};
