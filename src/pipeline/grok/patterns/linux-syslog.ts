// Syslog lines (logstash-patterns-core's linux-syslog file): BSD syslog, RFC 5424, PAM sessions, cron.

import type { PatternSet } from "./types.js";

const r = String.raw;

const shared: PatternSet = {
  SYSLOG5424PRINTASCII: "[!-~]+",
  CRON_ACTION: "[A-Z ]+",
  SYSLOGLINE: "%{SYSLOGBASE2} %{GREEDYDATA:message}",
  SYSLOG5424SD: r`\[%{DATA}\]+`,
};

export const legacy: PatternSet = {
  ...shared,
  SYSLOGBASE2:
    "(?:%{SYSLOGTIMESTAMP:timestamp}|%{TIMESTAMP_ISO8601:timestamp8601}) (?:%{SYSLOGFACILITY} )?%{SYSLOGHOST:logsource}+(?: %{SYSLOGPROG}:|)",
  SYSLOGPAMSESSION: r`%{SYSLOGBASE} (?=%{GREEDYDATA:message})%{WORD:pam_module}\(%{DATA:pam_caller}\): session %{WORD:pam_session_state} for user %{USERNAME:username}(?: by %{GREEDYDATA:pam_by})?`,
  CRONLOG: r`%{SYSLOGBASE} \(%{USER:user}\) %{CRON_ACTION:action} \(%{DATA:message}\)`,
  SYSLOG5424PRI: "<%{NONNEGINT:syslog5424_pri}>",
  SYSLOG5424BASE:
    "%{SYSLOG5424PRI}%{NONNEGINT:syslog5424_ver} +(?:%{TIMESTAMP_ISO8601:syslog5424_ts}|-) +(?:%{IPORHOST:syslog5424_host}|-) +(?:-|%{SYSLOG5424PRINTASCII:syslog5424_app}) +(?:-|%{SYSLOG5424PRINTASCII:syslog5424_proc}) +(?:-|%{SYSLOG5424PRINTASCII:syslog5424_msgid}) +(?:%{SYSLOG5424SD:syslog5424_sd}|-|)",
  SYSLOG5424LINE: "%{SYSLOG5424BASE} +%{GREEDYDATA:syslog5424_msg}",
};

export const ecs: PatternSet = {
  ...shared,
  SYSLOGBASE2:
    "(?:%{SYSLOGTIMESTAMP:timestamp}|%{TIMESTAMP_ISO8601:timestamp})(?: %{SYSLOGFACILITY})?(?: %{SYSLOGHOST:[host][hostname]})?(?: %{SYSLOGPROG}:)?",
  SYSLOGPAMSESSION: r`%{SYSLOGBASE} (?=%{GREEDYDATA:message})%{WORD:[system][auth][pam][module]}\(%{DATA:[system][auth][pam][origin]}\): session %{WORD:[system][auth][pam][session_state]} for user %{USERNAME:[user][name]}(?: by %{GREEDYDATA})?`,
  CRONLOG: r`%{SYSLOGBASE} \(%{USER:[user][name]}\) %{CRON_ACTION:[system][cron][action]} \(%{DATA:message}\)`,
  SYSLOG5424PRI: "<%{NONNEGINT:[log][syslog][priority]:int}>",
  SYSLOG5424BASE:
    "%{SYSLOG5424PRI}%{NONNEGINT:[system][syslog][version]} +(?:-|%{TIMESTAMP_ISO8601:timestamp}) +(?:-|%{IPORHOST:[host][hostname]}) +(?:-|%{SYSLOG5424PRINTASCII:[process][name]}) +(?:-|%{POSINT:[process][pid]:int}) +(?:-|%{SYSLOG5424PRINTASCII:[event][code]}) +(?:-|%{SYSLOG5424SD:[system][syslog][structured_data]})?",
  SYSLOG5424LINE: "%{SYSLOG5424BASE} +%{GREEDYDATA:message}",
};
