// The general-purpose grok names (logstash-patterns-core's grok-patterns file): numbers, words, network
// addresses, paths, URIs, dates and times, syslog basics. Written here from what each name is documented to match.

import type { PatternSet } from "./types.js";

const r = String.raw;
const backquote = "`";

/** One IPv4 octet, 0 to 255, leading zeros allowed as Logstash's IPV4 allows them. */
const octet = r`(?:25[0-5]|2[0-4][0-9]|[01]?[0-9]{1,2})`;
const ipv4Body = r`${octet}\.${octet}\.${octet}\.${octet}`;
/** IPv6 built from RFC 3986's IPv6address grammar; an optional `%zone` follows. */
// One to four hex digits, longest first as `{1,4}` tries them, spelled without a count: a count nested in IPV6's
// `{0,6}` would take the regex past what V8's linear engine accepts.
const hex = "[0-9A-Fa-f]";
const h16 = `${hex}(?:${hex}(?:${hex}${hex}?)?)?`;
const ls32 = `(?:${h16}:${h16}|${ipv4Body})`;
const ipv6Body = [
  `(?:${h16}:){6}${ls32}`,
  `::(?:${h16}:){5}${ls32}`,
  `(?:${h16})?::(?:${h16}:){4}${ls32}`,
  `(?:(?:${h16}:){0,1}${h16})?::(?:${h16}:){3}${ls32}`,
  `(?:(?:${h16}:){0,2}${h16})?::(?:${h16}:){2}${ls32}`,
  `(?:(?:${h16}:){0,3}${h16})?::${h16}:${ls32}`,
  `(?:(?:${h16}:){0,4}${h16})?::${ls32}`,
  `(?:(?:${h16}:){0,5}${h16})?::${h16}`,
  `(?:(?:${h16}:){0,6}${h16})?::`,
].join("|");

/**
 * `atom` zero to `n` times, longest first as `{0,n}` tries them, spelled as nested optional groups: counts above
 * 16 are refused by V8's linear engine, and this spelling matches exactly the same text in the same order.
 */
const upTo = (atom: string, n: number): string => (n === 0 ? "" : `(?:${atom}${upTo(atom, n - 1)})?`);
const hostLabel = `[0-9A-Za-z]${upTo("[0-9A-Za-z-]", 62)}`;

const shared: PatternSet = {
  USERNAME: "[a-zA-Z0-9._-]+",
  USER: "%{USERNAME}",
  EMAILADDRESS: "%{EMAILLOCALPART}@%{HOSTNAME}",
  INT: "(?:[+-]?(?:[0-9]+))",
  // Logstash makes the number atomic; plain alternation keeps the regex in V8's linear engine and only differs
  // when a later part of the pattern would need the number cut short.
  BASE10NUM: r`(?<![0-9.+-])(?:[+-]?(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+))`,
  NUMBER: "(?:%{BASE10NUM})",
  BASE16NUM: "(?<![0-9A-Fa-f])(?:[+-]?(?:0x)?(?:[0-9A-Fa-f]+))",
  BASE16FLOAT: r`\b(?<![0-9A-Fa-f.])(?:[+-]?(?:0x)?(?:[0-9A-Fa-f]+(?:\.[0-9A-Fa-f]*)?|\.[0-9A-Fa-f]+))\b`,
  POSINT: r`\b(?:[1-9][0-9]*)\b`,
  NONNEGINT: r`\b(?:[0-9]+)\b`,
  WORD: r`\b\w+\b`,
  NOTSPACE: r`\S+`,
  SPACE: r`\s*`,
  DATA: ".*?",
  GREEDYDATA: ".*",
  // Double, single or back quotes with backslash escapes; an empty pair matches too.
  QUOTEDSTRING: r`(?<!\\)(?:"(?:\\.|[^\\"])*"|'(?:\\.|[^\\'])*'|${backquote}(?:\\.|[^\\${backquote}])*${backquote})`,
  UUID: "[A-Fa-f0-9]{8}-(?:[A-Fa-f0-9]{4}-){3}[A-Fa-f0-9]{12}",
  URN: "urn:[0-9A-Za-z][0-9A-Za-z-]{0,31}:(?:%[0-9a-fA-F]{2}|[0-9A-Za-z()+,.:=@;$_!*'/?#-])+",
  MAC: "(?:%{CISCOMAC}|%{WINDOWSMAC}|%{COMMONMAC})",
  CISCOMAC: r`(?:(?:[A-Fa-f0-9]{4}\.){2}[A-Fa-f0-9]{4})`,
  WINDOWSMAC: "(?:(?:[A-Fa-f0-9]{2}-){5}[A-Fa-f0-9]{2})",
  COMMONMAC: "(?:(?:[A-Fa-f0-9]{2}:){5}[A-Fa-f0-9]{2})",
  IPV6: `(?:${ipv6Body})(?:%.+)?`,
  IPV4: `(?<![0-9])(?:${ipv4Body})(?![0-9])`,
  IP: "(?:%{IPV6}|%{IPV4})",
  // Labels of 1 to 63 characters (Logstash: `[0-9A-Za-z][0-9A-Za-z-]{0,62}`).
  HOSTNAME: r`\b(?:${hostLabel})(?:\.(?:${hostLabel}))*(?:\.?|\b)`,
  IPORHOST: "(?:%{IP}|%{HOSTNAME})",
  HOSTPORT: "%{IPORHOST}:%{POSINT}",
  PATH: "(?:%{UNIXPATH}|%{WINPATH})",
  UNIXPATH: "(?:/[[:alnum:]_%!$@:.,+~-]*)+",
  TTY: r`(?:/dev/(?:pts|tty(?:[pq])?)(?:\w+)?/?(?:[0-9]+))`,
  WINPATH: r`(?:[A-Za-z]+:|\\)(?:\\[^\\?*]*)+`,
  URIPROTO: r`[A-Za-z][A-Za-z0-9+\-.]+`,
  URIPATH: r`(?:/[A-Za-z0-9$.+!*'(){},~:;=@#%&_\-]*)+`,
  MONTH: r`\b(?:[Jj]an(?:uary|uar)?|[Ff]eb(?:ruary|ruar)?|[Mm](?:a|ä)?r(?:ch|z)?|[Aa]pr(?:il)?|[Mm]a(?:y|i)?|[Jj]un(?:e|i)?|[Jj]ul(?:y|i)?|[Aa]ug(?:ust)?|[Ss]ep(?:tember)?|[Oo](?:c|k)?t(?:ober)?|[Nn]ov(?:ember)?|[Dd]e(?:c|z)(?:ember)?)\b`,
  MONTHNUM: "(?:0?[1-9]|1[0-2])",
  MONTHNUM2: "(?:0[1-9]|1[0-2])",
  MONTHDAY: "(?:0[1-9]|[12][0-9]|3[01]|[1-9])",
  DAY: "(?:Mon(?:day)?|Tue(?:sday)?|Wed(?:nesday)?|Thu(?:rsday)?|Fri(?:day)?|Sat(?:urday)?|Sun(?:day)?)",
  // Two or four digits (an atomic pair changes nothing: each pair is fixed-length).
  YEAR: r`(?:\d\d){1,2}`,
  HOUR: "(?:2[0123]|[01]?[0-9])",
  MINUTE: "(?:[0-5][0-9])",
  SECOND: "(?:(?:[0-5]?[0-9]|60)(?:[:.,][0-9]+)?)",
  TIME: "%{HOUR}:%{MINUTE}(?::%{SECOND})(?![0-9])",
  DATE_US: "%{MONTHNUM}[/-]%{MONTHDAY}[/-]%{YEAR}",
  DATE_EU: "%{MONTHDAY}[./-]%{MONTHNUM}[./-]%{YEAR}",
  ISO8601_TIMEZONE: "(?:Z|[+-]%{HOUR}(?::?%{MINUTE}))",
  TIMESTAMP_ISO8601:
    "%{YEAR}-%{MONTHNUM}-%{MONTHDAY}[T ]%{HOUR}:?%{MINUTE}(?::?%{SECOND})?%{ISO8601_TIMEZONE}?",
  DATE: "%{DATE_US}|%{DATE_EU}",
  DATESTAMP: "%{DATE}[- ]%{TIME}",
  TZ: "(?:[APMCE][SD]T|UTC)",
  DATESTAMP_RFC822: "%{DAY} %{MONTH} %{MONTHDAY} %{YEAR} %{TIME} %{TZ}",
  DATESTAMP_RFC2822: "%{DAY}, %{MONTHDAY} %{MONTH} %{YEAR} %{TIME} %{ISO8601_TIMEZONE}",
  DATESTAMP_OTHER: "%{DAY} %{MONTH} %{MONTHDAY} %{TIME} %{TZ} %{YEAR}",
  DATESTAMP_EVENTLOG: "%{YEAR}%{MONTHNUM2}%{MONTHDAY}%{HOUR}%{MINUTE}%{SECOND}",
  SYSLOGTIMESTAMP: "%{MONTH} +%{MONTHDAY} %{TIME}",
  PROG: r`[\x21-\x5a\x5c\x5e-\x7e]+`,
  SYSLOGHOST: "%{IPORHOST}",
  HTTPDATE: "%{MONTHDAY}/%{MONTH}/%{YEAR}:%{TIME} %{INT}",
  QS: "%{QUOTEDSTRING}",
  LOGLEVEL:
    "(?:[Aa]lert|ALERT|[Tt]race|TRACE|[Dd]ebug|DEBUG|[Nn]otice|NOTICE|[Ii]nfo?(?:rmation)?|INFO?(?:RMATION)?|[Ww]arn?(?:ing)?|WARN?(?:ING)?|[Ee]rr?(?:or)?|ERR?(?:OR)?|[Cc]rit?(?:ical)?|CRIT?(?:ICAL)?|[Ff]atal|FATAL|[Ss]evere|SEVERE|EMERG(?:ENCY)?|[Ee]merg(?:ency)?)",
};

export const legacy: PatternSet = {
  ...shared,
  EMAILLOCALPART: "[a-zA-Z][a-zA-Z0-9_.+-=:]+",
  URIHOST: "%{IPORHOST}(?::%{POSINT:port})?",
  URIPARAM: r`\?[A-Za-z0-9$.+!*'|(){},~@#%&/=:;_?\-\[\]<>]*`,
  URIPATHPARAM: "%{URIPATH}(?:%{URIPARAM})?",
  URI: "%{URIPROTO}://(?:%{USER}(?::[^@]*)?@)?(?:%{URIHOST})?(?:%{URIPATHPARAM})?",
  ISO8601_SECOND: "(?:%{SECOND}|60)",
  SYSLOGPROG: r`%{PROG:program}(?:\[%{POSINT:pid}\])?`,
  SYSLOGFACILITY: "<%{NONNEGINT:facility}.%{NONNEGINT:priority}>",
  SYSLOGBASE: "%{SYSLOGTIMESTAMP:timestamp} (?:%{SYSLOGFACILITY} )?%{SYSLOGHOST:logsource} %{SYSLOGPROG}:",
};

const emailAtom = "[a-zA-Z0-9!#$%&'*+\\-/=?^_`{|}~]";

export const ecs: PatternSet = {
  ...shared,
  // Logstash: atom{1,64}(?:\.atom{1,62}){0,63}; the `{0,63}` is widened and checked at match time (bounded.ts).
  EMAILLOCALPART: `${emailAtom}${upTo(emailAtom, 63)}(?:\\.${emailAtom}${upTo(emailAtom, 61)}){0,63}`,
  URIHOST: "%{IPORHOST}(?::%{POSINT})?",
  URIQUERY: r`[A-Za-z0-9$.+!*'|(){},~@#%&/=:;_?\-\[\]<>]*`,
  URIPARAM: r`\?%{URIQUERY}`,
  URIPATHPARAM: r`%{URIPATH}(?:\?%{URIQUERY})?`,
  URI: r`%{URIPROTO}://(?:%{USER}(?::[^@]*)?@)?(?:%{URIHOST})?(?:%{URIPATH}(?:\?%{URIQUERY})?)?`,
  ISO8601_SECOND: "%{SECOND}",
  SYSLOGPROG: r`%{PROG:[process][name]}(?:\[%{POSINT:[process][pid]:int}\])?`,
  SYSLOGFACILITY: "<%{NONNEGINT:[log][syslog][facility][code]:int}.%{NONNEGINT:[log][syslog][priority]:int}>",
  SYSLOGBASE:
    "%{SYSLOGTIMESTAMP:timestamp} (?:%{SYSLOGFACILITY} )?%{SYSLOGHOST:[host][hostname]} %{SYSLOGPROG}:",
};
