// Java class names, stack trace lines and Tomcat/Catalina logs (logstash-patterns-core's java file).

import type { PatternSet } from "./types.js";

const r = String.raw;

const shared: PatternSet = {
  JAVACLASS: r`(?:[a-zA-Z$_][a-zA-Z$_0-9]*\.)*[a-zA-Z$_][a-zA-Z$_0-9]*`,
  JAVAFILE: "(?:[a-zA-Z$_0-9. -]+)",
  JAVAMETHOD: "(?:<(?:cl)?init>|[a-zA-Z$_][a-zA-Z$_0-9]*)",
  JAVATHREAD: r`(?:[A-Z]{2}-Processor[\d]+)`,
  JAVALOGMESSAGE: "(?:.*)",
};

export const legacy: PatternSet = {
  ...shared,
  JAVASTACKTRACEPART: r`%{SPACE}at %{JAVACLASS:class}\.%{JAVAMETHOD:method}\(%{JAVAFILE:file}(?::%{NUMBER:line})?\)`,
  CATALINA_DATESTAMP: "%{MONTH} %{MONTHDAY}, 20%{YEAR} %{HOUR}:?%{MINUTE}(?::?%{SECOND}) (?:AM|PM)",
  TOMCAT_DATESTAMP: "20%{YEAR}-%{MONTHNUM}-%{MONTHDAY} %{HOUR}:?%{MINUTE}(?::?%{SECOND}) %{ISO8601_TIMEZONE}",
  CATALINALOG: "%{CATALINA_DATESTAMP:timestamp} %{JAVACLASS:class} %{JAVALOGMESSAGE:logmessage}",
  TOMCATLOG: r`%{TOMCAT_DATESTAMP:timestamp} \| %{LOGLEVEL:level} \| %{JAVACLASS:class} - %{JAVALOGMESSAGE:logmessage}`,
};

export const ecs: PatternSet = {
  ...shared,
  JAVASTACKTRACEPART: r`%{SPACE}at %{JAVACLASS:[java][log][origin][class][name]}\.%{JAVAMETHOD:[log][origin][function]}\(%{JAVAFILE:[log][origin][file][name]}(?::%{INT:[log][origin][file][line]:int})?\)`,
  CATALINA7_DATESTAMP: "%{MONTH} %{MONTHDAY}, %{YEAR} %{HOUR}:%{MINUTE}:%{SECOND} (?:AM|PM)",
  CATALINA7_LOG: r`%{CATALINA7_DATESTAMP:timestamp} %{JAVACLASS:[java][log][origin][class][name]}(?: %{JAVAMETHOD:[log][origin][function]})?\s*(?:%{LOGLEVEL:[log][level]}:)? %{JAVALOGMESSAGE:message}`,
  CATALINA8_DATESTAMP: "%{MONTHDAY}-%{MONTH}-%{YEAR} %{HOUR}:%{MINUTE}:%{SECOND}",
  CATALINA8_LOG: r`%{CATALINA8_DATESTAMP:timestamp} %{LOGLEVEL:[log][level]} \[%{DATA:[java][log][origin][thread][name]}\] %{JAVACLASS:[java][log][origin][class][name]}\.(?:%{JAVAMETHOD:[log][origin][function]})? %{JAVALOGMESSAGE:message}`,
  CATALINA_DATESTAMP: "(?:%{CATALINA8_DATESTAMP})|(?:%{CATALINA7_DATESTAMP})",
  CATALINALOG: "(?:%{CATALINA8_LOG})|(?:%{CATALINA7_LOG})",
  TOMCAT7_LOG: "%{CATALINA7_LOG}",
  TOMCAT8_LOG: "%{CATALINA8_LOG}",
  TOMCATLEGACY_DATESTAMP:
    "%{YEAR}-%{MONTHNUM}-%{MONTHDAY} %{HOUR}:%{MINUTE}:%{SECOND}(?: %{ISO8601_TIMEZONE})?",
  TOMCATLEGACY_LOG: r`%{TOMCATLEGACY_DATESTAMP:timestamp} \| %{LOGLEVEL:[log][level]} \| %{JAVACLASS:[java][log][origin][class][name]} - %{JAVALOGMESSAGE:message}`,
  TOMCAT_DATESTAMP: "(?:%{CATALINA8_DATESTAMP})|(?:%{CATALINA7_DATESTAMP})|(?:%{TOMCATLEGACY_DATESTAMP})",
  TOMCATLOG: "(?:%{TOMCAT8_LOG})|(?:%{TOMCAT7_LOG})|(?:%{TOMCATLEGACY_LOG})",
};
