// BIND 9 query log lines (logstash-patterns-core's bind file).

import type { PatternSet } from "./types.js";

const r = String.raw;

export const legacy: PatternSet = {
  BIND9_TIMESTAMP: "%{MONTHDAY}[-]%{MONTH}[-]%{YEAR} %{TIME}",
  BIND9: r`%{BIND9_TIMESTAMP:timestamp} queries: %{LOGLEVEL:loglevel}: client(?::? @0x(?:[0-9A-Fa-f]+))? %{IP:clientip}#%{POSINT:clientport} \(%{GREEDYDATA:query}\): query: %{GREEDYDATA:query} IN %{GREEDYDATA:querytype} \(%{IP:dns}\)`,
};

export const ecs: PatternSet = {
  BIND9_TIMESTAMP: "%{MONTHDAY}[-]%{MONTH}[-]%{YEAR} %{TIME}",
  BIND9_DNSTYPE:
    "(?:A|AAAA|CAA|CDNSKEY|CDS|CERT|CNAME|CSYNC|DLV|DNAME|DNSKEY|DS|HINFO|LOC|MX|NAPTR|NS|NSEC|NSEC3|OPENPGPKEY|PTR|RRSIG|RP|SIG|SMIMEA|SOA|SRV|TSIG|TXT|URI)",
  BIND9_CATEGORY: "(?:queries)",
  BIND9_QUERYLOGBASE: r`client(?::? @0x(?:[0-9A-Fa-f]+))? %{IP:[client][ip]}#%{POSINT:[client][port]:int} \(%{GREEDYDATA:[bind][log][question][name]}\): query: %{GREEDYDATA:[dns][question][name]} (?<[dns][question][class]>IN) %{BIND9_DNSTYPE:[dns][question][type]}(?::? %{DATA:[bind][log][question][flags]})? \(%{IP:[server][ip]}\)`,
  // Upstream spells the category field [bing][...]; kept, since configs and dashboards see that name.
  BIND9_QUERYLOG:
    "%{BIND9_TIMESTAMP:timestamp} %{BIND9_CATEGORY:[bing][log][category]}: %{LOGLEVEL:[log][level]}: %{BIND9_QUERYLOGBASE}",
  BIND9: "%{BIND9_QUERYLOG}",
};
