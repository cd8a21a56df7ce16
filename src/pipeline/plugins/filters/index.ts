// Every filter Sluice ships, for the registry.

import type { FilterSpec } from "../api.js";
import { aggregateFilter } from "./aggregate.js";
import { cidrFilter } from "./cidr.js";
import { cloneFilter } from "./clone.js";
import { csvFilter } from "./csv.js";
import { dateFilter } from "./date.js";
import { dissectFilter } from "./dissect.js";
import { dnsFilter } from "./dns.js";
import { dropFilter } from "./drop.js";
import { elapsedFilter } from "./elapsed.js";
import { elasticsearchFilter } from "./elasticsearch.js";
import { fingerprintFilter } from "./fingerprint.js";
import { geoipFilter } from "./geoip.js";
import { grokFilter } from "./grok.js";
import { httpFilter } from "./http.js";
import { jsonFilter } from "./json.js";
import { jsonEncodeFilter } from "./json_encode.js";
import { kvFilter } from "./kv.js";
import { memcachedFilter } from "./memcached.js";
import { mutateFilter } from "./mutate.js";
import { pruneFilter } from "./prune.js";
import { rubyFilter } from "./ruby.js";
import { sleepFilter } from "./sleep.js";
import { splitFilter } from "./split.js";
import { syslogPriFilter } from "./syslog_pri.js";
import { throttleFilter } from "./throttle.js";
import { tldFilter } from "./tld.js";
import { translateFilter } from "./translate.js";
import { truncateFilter } from "./truncate.js";
import { urldecodeFilter } from "./urldecode.js";
import { useragentFilter } from "./useragent.js";
import { uuidFilter } from "./uuid.js";
import { xmlFilter } from "./xml.js";

export const filterSpecs: readonly FilterSpec[] = [
  cidrFilter,
  cloneFilter,
  csvFilter,
  dateFilter,
  dissectFilter,
  dnsFilter,
  dropFilter,
  elasticsearchFilter,
  elapsedFilter,
  fingerprintFilter,
  geoipFilter,
  grokFilter,
  httpFilter,
  jsonEncodeFilter,
  jsonFilter,
  kvFilter,
  memcachedFilter,
  mutateFilter,
  pruneFilter,
  rubyFilter,
  sleepFilter,
  splitFilter,
  syslogPriFilter,
  throttleFilter,
  translateFilter,
  truncateFilter,
  urldecodeFilter,
  useragentFilter,
  uuidFilter,
  xmlFilter,
  aggregateFilter,
  tldFilter,
];
