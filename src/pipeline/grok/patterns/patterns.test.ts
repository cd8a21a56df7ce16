import { describe, expect, it } from "vitest";
import { compileGrok } from "../compiler.js";
import { matchGrok } from "../matcher.js";
import { builtinPatterns } from "./index.js";

type Mode = "disabled" | "v1";

/**
 * What `%{NAME}` alone, anchored at both ends, must and must not match; every shipped name has a row. `open`
 * anchors only the start, for patterns that look past their end or end differently per mode.
 */
const cases: Record<string, { yes: string[]; no: string[]; open?: boolean }> = {
  USERNAME: { yes: ["john.doe-1_x"], no: ["john doe", "a@b"] },
  USER: { yes: ["root"], no: ["ro ot"] },
  EMAILLOCALPART: { yes: ["john.doe"], no: ["john doe"] },
  EMAILADDRESS: { yes: ["john.doe@example.com"], no: ["john.doe@", "@example.com"] },
  INT: { yes: ["42", "-7", "+3"], no: ["4.2", "x1"] },
  BASE10NUM: { yes: ["3.14", "-0.5", ".5", "12"], no: ["1.2.3", "abc"] },
  NUMBER: { yes: ["1.5", "-12", "+.25"], no: ["1e", "one"] },
  BASE16NUM: { yes: ["0xdeadBEEF", "ff", "-0x1"], no: ["0xg1", "zz"] },
  BASE16FLOAT: { yes: ["0x1.8", "ff.f", "1f"], no: ["0x1.8.8", "gg"] },
  POSINT: { yes: ["1", "907"], no: ["0", "-1", "012"] },
  NONNEGINT: { yes: ["0", "012", "77"], no: ["-1", "1.5"] },
  WORD: { yes: ["hello_1"], no: ["hello world", "a-b"] },
  NOTSPACE: { yes: ["a/b?c=d"], no: ["a b", ""] },
  SPACE: { yes: ["", "  \t"], no: ["x"] },
  DATA: { yes: ["", "any thing"], no: [] },
  GREEDYDATA: { yes: ["", "any\nthing"], no: [] },
  QUOTEDSTRING: { yes: ['"a \\"b\\" c"', "'it'", "`x`", '""'], no: ['"open', "plain"] },
  QS: { yes: ['"Mozilla/5.0"'], no: ["Mozilla"] },
  UUID: { yes: ["123e4567-e89b-12d3-a456-426614174000"], no: ["123e4567-e89b-12d3-a456-42661417400"] },
  URN: { yes: ["urn:isbn:0451450523", "urn:ietf:rfc:2648"], no: ["urn:", "isbn:0451450523"] },
  MAC: { yes: ["00:1b:63:84:45:e6", "00-1B-63-84-45-E6", "001b.6384.45e6"], no: ["00:1b:63:84:45"] },
  CISCOMAC: { yes: ["001b.6384.45e6"], no: ["00:1b:63:84:45:e6"] },
  WINDOWSMAC: { yes: ["00-1B-63-84-45-E6"], no: ["00:1b:63:84:45:e6"] },
  COMMONMAC: { yes: ["00:1b:63:84:45:e6"], no: ["00-1B-63-84-45-E6"] },
  IPV6: {
    yes: ["::1", "2001:db8::ff00:42:8329", "fe80::1%eth0", "::ffff:192.0.2.1", "1:2:3:4:5:6:7:8", "1::"],
    no: ["1:2:3:4:5:6:7:8:9", "2001:db8:::1", "12345::1"],
  },
  IPV4: { yes: ["192.168.1.10", "0.0.0.0", "255.255.255.255"], no: ["256.1.1.1", "1.2.3", "1.2.3.4.5"] },
  IP: { yes: ["10.0.0.1", "::1"], no: ["10.0.0", "host"] },
  HOSTNAME: { yes: ["example.com", "www-1.example.org.", "localhost"], no: ["-bad.example", "a..b"] },
  IPORHOST: { yes: ["10.1.2.3", "db01.local"], no: ["a b"] },
  HOSTPORT: { yes: ["example.com:8080", "10.0.0.1:22"], no: ["example.com", "example.com:0"] },
  PATH: { yes: ["/var/log/syslog", "C:\\Windows\\system32"], no: ["relative/path"] },
  UNIXPATH: { yes: ["/usr/local/bin", "/a_b/c.d"], no: ["usr/local", "/a b"] },
  TTY: { yes: ["/dev/pts/1", "/dev/tty0"], no: ["/dev/sda1"] },
  WINPATH: { yes: ["C:\\Program Files\\App", "\\\\server\\share"], no: ["/unix/path"] },
  URIPROTO: { yes: ["https", "svn+ssh"], no: ["1http", "h"] },
  URIHOST: { yes: ["example.com:443", "10.0.0.1"], no: ["example.com:"] },
  URIPATH: { yes: ["/index.html", "/a/b;c=d"], no: ["index.html", "/a b"] },
  URIPARAM: { yes: ["?a=1&b=2", "?"], no: ["a=1", "? x"] },
  URIQUERY: { yes: ["a=1&b=[2]"], no: ["a b"] },
  URIPATHPARAM: { yes: ["/search?q=grok", "/plain"], no: ["search?q"] },
  URI: {
    yes: ["http://user:pw@example.com:8080/path/x?q=1", "ftp://ftp.example.org/", "mailto://someone"],
    no: ["example.com/path", "http:/x"],
  },
  MONTH: { yes: ["Jan", "january", "Sept".slice(0, 3), "Dez", "Mär"], no: ["Foo", "13"] },
  MONTHNUM: { yes: ["1", "09", "12"], no: ["13", "00"] },
  MONTHNUM2: { yes: ["01", "12"], no: ["1", "13"] },
  MONTHDAY: { yes: ["1", "09", "31"], no: ["32", "00"] },
  DAY: { yes: ["Mon", "Thursday"], no: ["Thurs", "mon"] },
  YEAR: { yes: ["2024", "99"], no: ["199", "20245"] },
  HOUR: { yes: ["0", "09", "23"], no: ["24"] },
  MINUTE: { yes: ["00", "59"], no: ["60", "5"] },
  SECOND: { yes: ["00", "59", "60", "07.123", "07,5"], no: ["61", "a"] },
  TIME: { yes: ["12:34:56", "1:02:03.456"], no: ["12:34", "25:00:00"] },
  DATE_US: { yes: ["12/31/2024", "1-2-24"], no: ["31/12/2024"] },
  DATE_EU: { yes: ["31.12.2024", "1/2/24"], no: ["2024.12.31"] },
  ISO8601_TIMEZONE: { yes: ["Z", "+02:00", "-0500"], no: ["+2", "UTC"] },
  ISO8601_SECOND: { yes: ["59", "60", "05.5"], no: ["61"] },
  TIMESTAMP_ISO8601: {
    yes: ["2024-01-15T10:20:30.123Z", "2024-01-15 10:20:30+01:00", "2024-01-15T10:20"],
    no: ["2024-01-15", "15-01-2024T10:20:30"],
  },
  DATE: { yes: ["12/31/2024", "31.12.2024"], no: ["2024-12-31"] },
  DATESTAMP: { yes: ["12/31/2024 23:59:59", "31.12.2024-01:02:03"], no: ["12/31/2024"] },
  TZ: { yes: ["UTC", "PST", "CEST".slice(1)], no: ["GMT", "XST"] },
  DATESTAMP_RFC822: { yes: ["Mon Jan 15 2024 10:20:30 UTC"], no: ["Mon, 15 Jan 2024 10:20:30 +0000"] },
  DATESTAMP_RFC2822: { yes: ["Mon, 15 Jan 2024 10:20:30 +0000"], no: ["Mon Jan 15 2024 10:20:30 UTC"] },
  DATESTAMP_OTHER: { yes: ["Mon Jan 15 10:20:30 UTC 2024"], no: ["Mon Jan 15 10:20:30 2024"] },
  DATESTAMP_EVENTLOG: { yes: ["20240115102030"], no: ["2024-01-15"] },
  SYSLOGTIMESTAMP: { yes: ["Jan  5 10:20:30", "Dec 25 00:00:01"], no: ["2024-01-05 10:20:30"] },
  PROG: { yes: ["sshd", "postfix/smtpd"], no: ["ss hd", "a[1]"] },
  SYSLOGPROG: { yes: ["sshd[1234]", "cron"], no: ["sshd[12a]"] },
  SYSLOGHOST: { yes: ["web-01", "10.0.0.1"], no: ["a b"] },
  SYSLOGFACILITY: { yes: ["<4.6>"], no: ["<46>"] },
  HTTPDATE: { yes: ["04/Jan/2015:05:13:42 +0000"], no: ["2015-01-04 05:13:42"] },
  LOGLEVEL: {
    yes: ["INFO", "warn", "Warning", "ERROR", "err", "FATAL", "debug", "EMERG"],
    no: ["LOUD", "inf0"],
  },
  HTTPDUSER: { yes: ["frank", "frank@example.com", "-"], no: ["fr ank"] },
  HTTPDERROR_DATE: { yes: ["Wed Oct 11 14:32:52 2000"], no: ["Oct 11 14:32:52 2000"] },
  HTTPD_COMMONLOG: {
    yes: ['127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326'],
    no: ['127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" OK 2326'],
  },
  HTTPD_COMBINEDLOG: {
    yes: ['127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 - "-" "curl/8.0"'],
    no: ['127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 -'],
  },
  COMMONAPACHELOG: {
    yes: ['::1 - - [10/Oct/2000:13:55:36 -0700] "-" 408 -'],
    no: ['::1 - - [10/Oct/2000] "-" 408 -'],
  },
  COMBINEDAPACHELOG: {
    yes: ['10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "POST /x HTTP/2.0" 201 12 "http://a/" "ua"'],
    no: ["10.0.0.1 GET /x"],
  },
  HTTPD20_ERRORLOG: {
    yes: ["[Wed Oct 11 14:32:52 2000] [error] [client 127.0.0.1] client denied by server configuration"],
    no: ["[Wed Oct 11 14:32:52 2000] error client denied"],
  },
  HTTPD24_ERRORLOG: {
    yes: [
      "[Mon Dec 12 07:31:44 2016] [proxy:error] [pid 3012:tid 140] (111)Connection refused: AH00957: HTTP: attempt failed [client 10.0.0.1:5000] AH01114: failed",
      "[Mon Dec 12 07:31:44 2016] [:warn] [pid 42] message",
    ],
    no: ["[Mon Dec 12 07:31:44 2016] [warn] message"],
  },
  HTTPD_ERRORLOG: {
    yes: ["[Wed Oct 11 14:32:52 2000] [error] boom", "[Wed Oct 11 14:32:52 2000] [core:info] [pid 1] boom"],
    no: ["Wed Oct 11 14:32:52 2000 error boom"],
  },
  SYSLOG5424PRINTASCII: { yes: ["app-name!"], no: ["app name"] },
  SYSLOGBASE2: { yes: ["Jan  5 10:20:30 host sshd[1]:", "2024-01-05T10:20:30Z host"], no: ["host sshd:"] },
  SYSLOGPAMSESSION: {
    yes: ["Jan  5 10:20:30 host sshd[1]: pam_unix(sshd:session): session opened for user root by (uid=0)"],
    no: ["Jan  5 10:20:30 host sshd[1]: Accepted publickey for root"],
  },
  CRON_ACTION: { yes: ["CMD", "RELOAD CONFIG"], no: ["cmd"] },
  CRONLOG: {
    yes: ["Jan  5 10:20:01 host CRON[99]: (root) CMD (run-parts /etc/cron.hourly)"],
    no: ["(root) CMD (x)"],
  },
  SYSLOGLINE: { yes: ["Jan  5 10:20:30 host sshd[1]: Accepted publickey"], no: ["sshd: Accepted"] },
  SYSLOG5424PRI: { yes: ["<165>"], no: ["<a>"] },
  SYSLOG5424SD: { yes: ['[exampleSDID@32473 iut="3"]'], no: ["no brackets"] },
  SYSLOG5424BASE: {
    yes: ["<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog 1234 ID47 -"],
    no: ["<165> 2003-10-11T22:14:15.003Z"],
  },
  SYSLOG5424LINE: {
    yes: ['<165>1 2003-10-11T22:14:15.003Z host app 1234 ID47 [ex@1 a="b"] An application event'],
    no: ["<165>1 host app"],
  },
  SYSLOGBASE: {
    yes: ["Jan  5 10:20:30 host sshd[1]:", "Jan  5 10:20:30 <4.6> host cron:"],
    no: ["Jan 5 host"],
  },
  JAVACLASS: { yes: ["org.apache.Foo", "Main", "a.b$C"], no: ["1org.Foo", "org..Foo"] },
  JAVAFILE: { yes: ["Foo.java", "Native Method"], no: ["Foo(1).java"] },
  JAVAMETHOD: { yes: ["doGet", "<init>", "<clinit>"], no: ["1run", "<other>"] },
  JAVASTACKTRACEPART: {
    yes: ["  at org.example.Foo.bar(Foo.java:42)", "\tat Foo.<init>(Unknown Source)"],
    no: ["at org.example.Foo.bar", "  at Foo.bar Foo.java:42"],
  },
  JAVATHREAD: { yes: ["TP-Processor12"], no: ["tp-Processor1"] },
  JAVALOGMESSAGE: { yes: ["", "anything at all"], no: [] },
  CATALINA_DATESTAMP: { yes: ["Jan 9, 2014 7:13:13 AM"], no: ["2014-01-09 07:13:13"] },
  CATALINA7_DATESTAMP: { yes: ["Jan 9, 2014 7:13:13 AM"], no: ["Jan 9 2014 7:13:13"] },
  CATALINA8_DATESTAMP: { yes: ["31-Jul-2020 16:40:38.472"], no: ["Jul-31-2020 16:40:38"] },
  CATALINA7_LOG: {
    yes: ["Jan 9, 2014 7:13:13 AM org.apache.catalina.startup.Catalina start INFO: Server startup"],
    no: ["Jan 9, 2014 org.apache.X"],
  },
  CATALINA8_LOG: {
    yes: [
      "31-Jul-2020 16:40:38.472 INFO [main] org.apache.catalina.startup.VersionLoggerListener.log Server version",
    ],
    no: ["31-Jul-2020 INFO main"],
  },
  CATALINALOG: {
    yes: ["Jan 9, 2014 7:13:13 AM org.apache.catalina.startup.Catalina start"],
    no: ["catalina started"],
  },
  TOMCAT_DATESTAMP: { yes: ["2014-01-09 20:03:28,269 -0800"], no: ["Jan 9 2014"] },
  TOMCATLEGACY_DATESTAMP: {
    yes: ["2014-01-09 20:03:28,269 -0800", "2014-01-09 20:03:28"],
    no: ["2014-01-09"],
  },
  TOMCAT7_LOG: { yes: ["Jan 9, 2014 7:13:13 AM org.Foo start hello"], no: ["hello"] },
  TOMCAT8_LOG: { yes: ["31-Jul-2020 16:40:38.472 INFO [main] org.Foo.log hi"], no: ["hi"] },
  TOMCATLEGACY_LOG: {
    yes: ["2014-01-09 20:03:28,269 -0800 | ERROR | com.example.Foo - it broke"],
    no: ["it broke"],
  },
  REDISTIMESTAMP: { yes: ["14 Nov 07:01:22.119"], no: ["Nov 14 07:01:22"] },
  REDISLOG: {
    yes: ["[4018] 14 Nov 07:01:22.119 * Background saving"],
    no: ["4018 14 Nov 07:01:22.119 *"],
    open: true,
  },
  REDISMONLOG: { yes: ['1470637867.953466 [0 195.168.1.1:52500] "info"'], no: ['1470637867.95 [0] "info"'] },
  RUBY_LOGLEVEL: { yes: ["WARN", "FATAL"], no: ["warn", "NOTICE"] },
  RUBY_LOGGER: {
    yes: ["I, [2014-01-09T20:03:28.123456 #1234]  INFO -- main: Started"],
    no: ["[2014-01-09T20:03:28 #1234] INFO -- main: Started"],
  },
  POSTGRESQL: {
    yes: ["12/31/2024 23:59:59 UTC postgres 5f1a.2b 4242"],
    no: ["2024-12-31 23:59:59 UTC postgres"],
  },
  MONGO_QUERY: { yes: ["{ name: 1 } ntoreturn:0"], no: ["{ name: 1 }", "{name: 1} ntoreturn:0"], open: true },
  MONGO_WORDDASH: { yes: ["my-db_1"], no: ["my db"] },
  MONGO3_SEVERITY: { yes: ["I", "F"], no: ["II"] },
  MONGO3_COMPONENT: { yes: ["NETWORK"], no: ["NET WORK"] },
  MONGO_LOG: { yes: ["Jan  5 10:20:30 [initandlisten] waiting"], no: ["[initandlisten] waiting"] },
  MONGO_SLOWQUERY: {
    yes: [
      "query mydb.users query: { name: 1 } ntoreturn:0 ntoskip:0 nscanned:10 keyUpdates:0 nreturned:1 reslen:20 120ms",
    ],
    no: ["query mydb.users query: { name: 1 } 120ms"],
  },
  MONGO3_LOG: {
    yes: [
      "2014-11-03T18:28:32.450-0500 I NETWORK  [initandlisten] waiting for connections on port 27017",
      "2015-02-24T18:17:47.148+0000 I NETWORK  [conn11] Got signal",
    ],
    no: ["I NETWORK [initandlisten] waiting"],
  },
  MAVEN_VERSION: { yes: ["1.2.3", "1.1-SNAPSHOT", "2.0.RELEASE", "1.*"], no: ["v1.2", "1.2.3-BETA"] },
  MCOLLECTIVE: {
    yes: ["I, [2010-12-29T11:15:32.321744 #11479]  INFO"],
    no: ["[2010-12-29T11:15:32 #11479] INFO"],
  },
  MCOLLECTIVEAUDIT: { yes: ["2010-12-29T11:15:32.321744+0000:"], no: ["2010-12-29:"] },
  SQUID3_STATUS: { yes: ["200", "000", "0"], no: ["-1"] },
  SQUID3: {
    yes: [
      "1525344856.899  16867 10.170.72.111 TCP_TUNNEL/200 6256 CONNECT logs.example.com:443 - HIER_DIRECT/53.140.206.134 -",
    ],
    no: ["1525344856.899 TCP_TUNNEL/200 CONNECT"],
  },
  HAPROXYTIME: { yes: ["12:59:46"], no: ["12:59", "12:59:467"] },
  HAPROXYDATE: { yes: ["09/Dec/2013:12:59:46.633"], no: ["09/Dec/2013:12:59:46"] },
  HAPROXYCAPTUREDREQUESTHEADERS: { yes: ["docs.example.internal||"], no: [] },
  HAPROXYCAPTUREDRESPONSEHEADERS: { yes: ["|||"], no: [] },
  HAPROXYURI: { yes: ["http://192.168.0.12:8080/serv/login.php?lang=en", "/path"], no: ["a b"] },
  HAPROXYHTTPREQUESTLINE: { yes: ["GET /path HTTP/1.1", "<BADREQ>"], no: ["GET"] },
  HAPROXYHTTPBASE: {
    yes: [
      '127.0.0.1:39759 [09/Dec/2013:12:59:46.633] loadbalancer default/instance8 0/51536/1/48082/99627 200 83285 - - ---- 87/87/87/1/0 0/67 {77.24.148.74} "GET /path/to/image HTTP/1.1"',
    ],
    no: ["127.0.0.1:39759 [09/Dec/2013:12:59:46.633] loadbalancer"],
  },
  HAPROXYHTTP: {
    yes: [
      'Dec  9 13:01:26 localhost haproxy[28029]: 127.0.0.1:39759 [09/Dec/2013:12:59:46.633] loadbalancer default/instance8 0/51536/1/48082/99627 200 83285 - - ---- 87/87/87/1/0 0/67 {77.24.148.74} "GET /path/to/image HTTP/1.1"',
    ],
    no: ['Dec  9 13:01:26 localhost haproxy[28029]: "GET /path/to/image HTTP/1.1"'],
  },
  HAPROXYTCP: {
    yes: [
      "Sep 20 15:44:23 127.0.0.1 haproxy[25457]: 127.0.0.1:64956 [20/Sep/2017:15:44:23.285] main app/<NOSRV> -1/-1/0 0 SC 1/1/0/0/0 0/0",
    ],
    no: ["Sep 20 15:44:23 127.0.0.1 haproxy[25457]: 127.0.0.1:64956 main app"],
    open: true,
  },
  BIND9_TIMESTAMP: { yes: ["17-Feb-2018 23:06:56.326"], no: ["2018-02-17 23:06:56"] },
  BIND9_DNSTYPE: { yes: ["AAAA", "PTR"], no: ["XYZ"] },
  BIND9_CATEGORY: { yes: ["queries"], no: ["query"] },
  BIND9_QUERYLOGBASE: {
    yes: ["client 172.26.0.1#12345 (test.example.com): query: test.example.com IN A +E(0)K (172.26.0.3)"],
    no: ["client 172.26.0.1 (test.example.com)"],
  },
  BIND9_QUERYLOG: {
    yes: [
      "30-Jun-2018 15:50:00.999 queries: info: client @0x7f64500020ef 192.168.10.48#60061 (91.2.10.170.in-addr.internal): query: 91.2.10.170.in-addr.internal IN PTR + (192.168.2.2)",
    ],
    no: ["30-Jun-2018 15:50:00.999 queries: info: nothing"],
  },
  BIND9: {
    yes: [
      "17-Feb-2018 23:06:56.326 queries: info: client 172.26.0.1#12345 (test.example.com): query: test.example.com IN A +E(0)K (172.26.0.3)",
    ],
    no: ["17-Feb-2018 23:06:56.326 queries: info: client"],
  },
  RT_FLOW_TAG: { yes: ["RT_FLOW_SESSION_DENY"], no: ["RT_FLOW_SESSION"] },
  RT_FLOW_EVENT: { yes: [], no: ["RT_FLOW"] },
  RT_FLOW1: {
    yes: [
      "RT_FLOW_SESSION_CLOSE: session closed TCP FIN: 10.10.10.2/53836->10.10.10.1/22 junos-ssh 10.10.10.2/53836->10.10.10.1/22 None None 6 log-host-traffic untrust junos-host 5 78(6657) 122(13305) 45 UNKNOWN UNKNOWN N/A(N/A) ge-0/0/1.0 No ",
    ],
    no: ["RT_FLOW_SESSION_CLOSE: session closed"],
    open: true,
  },
  RT_FLOW2: {
    yes: [
      "RT_FLOW_SESSION_CREATE: session created 10.10.10.2/53836->10.10.10.1/22 junos-ssh 10.10.10.2/53836->10.10.10.1/22 None None 6 log-host-traffic untrust junos-host 5 N/A(N/A) ge-0/0/1.0",
    ],
    no: ["RT_FLOW_SESSION_CREATE: session created 10.10.10.2/53836"],
    open: true,
  },
  RT_FLOW3: {
    yes: [
      "RT_FLOW_SESSION_DENY: session denied 10.0.0.1/54924->192.168.1.1/53 junos-dns-udp 17(0) default-deny(global) trust trust UNKNOWN UNKNOWN N/A(N/A) ge-0/0/0.0 UNKNOWN policy deny",
    ],
    no: ["RT_FLOW_SESSION_DENY: session denied"],
    open: true,
  },
  S3_REQUEST_LINE: { yes: ["GET /mybucket?versioning HTTP/1.1"], no: [] },
  S3_ACCESS_LOG: {
    yes: [
      '79a5 mybucket [06/Feb/2014:00:00:38 +0000] 192.0.2.3 79a5 3E57427F3EXAMPLE REST.GET.VERSIONING - "GET /mybucket?versioning HTTP/1.1" 200 - 113 - 7 - "-" "S3Console/0.4" -',
    ],
    no: ["79a5 mybucket [06/Feb/2014:00:00:38 +0000] 192.0.2.3"],
  },
  ELB_URIHOST: { yes: ["www.example.com:443"], no: ["www.example.com:"] },
  ELB_URIPATHQUERY: { yes: ["/a/b?c=d"], no: ["a/b"] },
  ELB_URIPATHPARAM: { yes: ["/a/b?c=d"], no: ["a/b"] },
  ELB_URI: { yes: ["https://www.example.com:443/"], no: ["www.example.com/"] },
  ELB_REQUEST_LINE: { yes: ["GET http://www.example.com:80/ HTTP/1.1"], no: [] },
  ELB_V1_HTTP_LOG: {
    yes: [
      '2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.000086 0.001048 0.001337 200 200 0 57 "GET https://www.example.com:443/ HTTP/1.1" "curl/7.38.0 (#56-0ef1d4a5)" DHE-RSA-AES128-SHA TLSv1.2',
    ],
    no: ["2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817"],
  },
  ELB_ACCESS_LOG: {
    yes: [
      '2014-02-15T23:39:43.945958Z my-test-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.000073 0.001048 0.000057 200 200 0 29 "GET http://www.example.com:80/ HTTP/1.1"',
    ],
    no: ["2014-02-15T23:39:43.945958Z my-test-loadbalancer"],
  },
  CLOUDFRONT_ACCESS_LOG: {
    yes: [
      "2016-06-10\t18:41:39\tIAD53\t224281\t192.168.1.1\tGET\td27enomp470abc.cloudfront.net\t/content/sample/thing.pdf\t200\thttps://example.com/\tMozilla/5.0\t-\t-\tMiss\tUGskZ6dUKY7b4C6Pt7wAWVsU2KO-vTRe-mR4r9H-WQMjhNvY6w1Xcg==\thost.example.com\thttps\t883\t0.036\t-\tTLSv1.2\tECDHE-RSA-AES128-GCM-SHA256\tRefreshHit",
    ],
    no: ["2016-06-10 18:41:39 IAD53"],
  },
  EXIM_MSGID: { yes: ["0tACW1-0005MB-00"], no: ["0tACW1-0005MB"] },
  EXIM_FLAGS: { yes: ["<=", "=>", "**", "=="], no: ["<<"] },
  EXIM_DATE: { yes: ["1995-10-31 08:57:53"], no: ["1995-10-31"] },
  EXIM_PID: { yes: ["[1487]"], no: ["1487"] },
  EXIM_QT: { yes: ["1d2h3m", ""], no: ["2x"] },
  EXIM_EXCLUDE_TERMS: { yes: ["Message is frozen", "Start queue run"], no: ["Message arrived"] },
  EXIM_REMOTE_HOST: {
    yes: ["H=mailer.fict.example [192.168.123.123]", "H=localhost (h.example.com) [127.0.0.1]:25"],
    no: ["H=x"],
  },
  EXIM_INTERFACE: { yes: ["I=[67.215.162.175]:25"], no: ["I=[67.215.162.175]"] },
  EXIM_PROTOCOL: { yes: ["P=esmtps"], no: ["P="] },
  EXIM_MSG_SIZE: { yes: ["S=5678"], no: ["S=x"] },
  EXIM_HEADER_ID: { yes: ["id=f828ca60@dwarf"], no: ["id="] },
  EXIM_QUOTED_CONTENT: { yes: ['a \\"b\\"'], no: ['a "b"'] },
  EXIM_SUBJECT: { yes: ['T="Hello \\"world\\""'], no: ["T=Hello"] },
  EXIM_UNKNOWN_FIELD: { yes: ["CV=no", "X=TLSv1:AES256-SHA:256"], no: ["LONGER=x"] },
  EXIM_NAMED_FIELDS: { yes: [" U=exim P=smtp S=5678", ""], no: ["U=exim"] },
  EXIM_MESSAGE_ARRIVAL: {
    yes: [
      "1995-10-31 08:57:53 0tACW1-0005MB-00 <= kryten@dwarf.fict.example H=mailer.fict.example [192.168.123.123] U=exim P=smtp S=5678 id=f828ca60127d8646a0fa75cbf8db9ba3@dwarf.fict.example",
    ],
    no: ["1995-10-31 08:57:53 0tACW1-0005MB-00 => kryten@dwarf.fict.example"],
  },
  EXIM: {
    yes: [
      '2020-02-11 17:09:46 1j1Z2g-00Faoy-Uh <= example@strawberry.active-ns.com U=example P=local T="[Examples Galore] Please moderate: \\"Hello world!\\"" for admin@example.net',
    ],
    no: ["2020-02-11 17:09:46 1j1Z2g-00Faoy-Uh"],
  },
  BRO_HTTP: {
    yes: [
      "1432555199.633017\tCOpk6E3vkURP8QQNKl\t192.168.9.35\t55281\t178.236.7.146\t80\t4\tPOST\twww.amazon.it\t/xa/GetDeals?nocache=1\thttp://www.amazon.it/\tMozilla/5.0\t223\t1859\t200\tOK\t-\t-\t-\t(empty)\tkares\t-\t-\tFrLEcY3AUPKdcYGf29\ttext/plain\tFOJpbGzIMh9syPxH8\ttext/plain",
    ],
    no: ["1432555199.633017 COpk6E3vkURP8QQNKl 192.168.9.35"],
  },
  BRO_DNS: {
    yes: [
      "1359565680.761790\tUWkUyAuUGXf\t192.168.6.10\t53209\t192.168.129.36\t53\tudp\t41477\tpaypal.com\t1\tC_INTERNET\t48\tDNSKEY\t0\tNOERROR\tF\tF\tT\tF\t1\t-\t-\tF",
    ],
    no: ["1359565680.761790\tUWkUyAuUGXf\t192.168.6.10"],
  },
  BRO_CONN: {
    yes: [
      "1541350796.901974\tC54zqz17PXuBv3HkLg\t192.168.0.26\t54855\t54.85.115.89\t443\ttcp\tssl\t0.153642\t1147\t589\tSF\tT\t0\tShADadfF\t7\t1439\t8\t921\t(empty)",
    ],
    no: ["1541350796.901974\tC54zqz17PXuBv3HkLg"],
  },
  BRO_FILES: {
    yes: [
      "1362692527.009512\tFakNcS1Jfe01uljb3\t192.150.187.43\t141.142.228.5\tCXWv6p3arKYeMETxOg\tHTTP\t0\tMD5,SHA1\ttext/plain\t-\t0.000263\t-\tF\t4705\t4705\t0\t0\tF\t-\t397168fd09991a0e712254df7bc639ac\t1dd7ac0398df6cbc0696445a91ec681facf4dc47\t-\t-",
    ],
    no: ["1362692527.009512\tFakNcS1Jfe01uljb3"],
  },
  ZEEK_BOOL: { yes: ["T", "F"], no: ["t"] },
  ZEEK_DATA: { yes: ["a b,c"], no: ["a\tb"] },
  ZEEK_HTTP: {
    yes: [
      "1602164975.587600\tCt73QY3M7T5dikxggf\t192.168.122.59\t55240\t93.184.220.29\t80\t1\t-\t-\t-\t-\t1.1\t-\t-\t0\t471\t200\tOK\t-\t-\t(empty)\t-\t-\t-\t-\t-\t-\tFPGXN33wAFL8MPKJXl\t-\tapplication/ocsp-response",
    ],
    no: ["1602164975.587600\tCt73QY3M7T5dikxggf\t192.168.122.59"],
    open: true,
  },
  ZEEK_DNS: {
    yes: [
      "1359565680.761790\tCHhAvVGS1DHFjwGM9\t192.168.6.10\t53209\t192.168.129.36\t53\tudp\t41477\t0.075138\tpaypal.com\t1\tC_INTERNET\t48\tDNSKEY\t0\tNOERROR\tF\tF\tT\tT\t1\tDNSKEY 5,RRSIG 48 paypal.com\t455.000000,455.000000\tF",
    ],
    no: ["1359565680.761790\tUWkUyAuUGXf\t192.168.6.10"],
  },
  ZEEK_CONN: {
    yes: [
      "1602165198.216970\tCfVl4yNLJ4U3ptL12\t192.168.122.59\t47340\t143.204.201.102\t443\ttcp\t-\t115.669583\t0\t6238\tSHR\tT\tF\t0\t^hCadcCfA\t1\t52\t21\t5091\t-",
      "1128727435.633408\tCHhAvVGS1DHFjwGM9\t141.42.64.125\t56730\t125.190.109.199\t80\ttcp\thttp\t1.550793\t98\t9417\tSF\t-\t-\t0\t^hADdFaf\t11\t670\t10\t9945\t-\t00:d0:03:3b:f4:00\t00:b0:c2:86:ec:00",
    ],
    no: ["1602165198.216970\tCfVl4yNLJ4U3ptL12"],
  },
  ZEEK_FILES_TX_HOSTS: { yes: ["-", "10.1.1.2", "10.1.1.2 10.1.1.1"], no: ["host"] },
  ZEEK_FILES_RX_HOSTS: { yes: ["192.168.1.105,192.168.1.10"], no: ["x"] },
  ZEEK_FILES: {
    yes: [
      "1258867934.558264\tF2xow8TIkvHG4Zz41\t198.189.255.75\t192.168.1.105\tCHhAvVGS1DHFjwGM9\tHTTP\t0\tEXTRACT\t-\t-\t0.046240\t-\tF\t54229\t605292323\t4244449\t0\tT\t-\t-\t-\t-\textract-1258867934.558264-HTTP-F2xow8TIkvHG4Zz41\tT\t4000",
    ],
    no: ["1258867934.558264\tF2xow8TIkvHG4Zz41"],
  },
  TOMCATLOG: {
    yes: ["2014-01-09 20:03:28,269 -0800 | ERROR | com.example.Foo - it broke"],
    no: ["| ERROR |"],
  },
};

/** Captures of `%{NAME}` on `line`, in each mode (legacy first; undefined where the mode lacks the name). */
const captureCases: [string, string, Record<string, unknown> | undefined, Record<string, unknown>][] = [
  [
    "SYSLOGLINE",
    "Jan  5 10:20:30 web-1 sshd[123]: Accepted publickey",
    {
      timestamp: "Jan  5 10:20:30",
      logsource: "web-1",
      program: "sshd",
      pid: "123",
      message: "Accepted publickey",
    },
    {
      timestamp: "Jan  5 10:20:30",
      "[host][hostname]": "web-1",
      "[process][name]": "sshd",
      "[process][pid]": 123,
      message: "Accepted publickey",
    },
  ],
  [
    "SYSLOGBASE",
    "Jan  5 10:20:30 <4.6> web-1 cron:",
    { timestamp: "Jan  5 10:20:30", facility: "4", priority: "6", logsource: "web-1", program: "cron" },
    {
      timestamp: "Jan  5 10:20:30",
      "[log][syslog][facility][code]": 4,
      "[log][syslog][priority]": 6,
      "[host][hostname]": "web-1",
      "[process][name]": "cron",
    },
  ],
  [
    "SYSLOG5424LINE",
    '<165>1 2003-10-11T22:14:15.003Z host app 1234 ID47 [ex@1 a="b"] An event',
    {
      syslog5424_pri: "165",
      syslog5424_ver: "1",
      syslog5424_ts: "2003-10-11T22:14:15.003Z",
      syslog5424_host: "host",
      syslog5424_app: "app",
      syslog5424_proc: "1234",
      syslog5424_msgid: "ID47",
      syslog5424_sd: '[ex@1 a="b"]',
      syslog5424_msg: "An event",
    },
    {
      "[log][syslog][priority]": 165,
      "[system][syslog][version]": "1",
      timestamp: "2003-10-11T22:14:15.003Z",
      "[host][hostname]": "host",
      "[process][name]": "app",
      "[process][pid]": 1234,
      "[event][code]": "ID47",
      "[system][syslog][structured_data]": '[ex@1 a="b"]',
      message: "An event",
    },
  ],
  [
    "CRONLOG",
    "Jan  5 10:20:01 host CRON[99]: (root) CMD (run-parts /etc/cron.hourly)",
    {
      timestamp: "Jan  5 10:20:01",
      logsource: "host",
      program: "CRON",
      pid: "99",
      user: "root",
      action: "CMD",
      message: "run-parts /etc/cron.hourly",
    },
    {
      timestamp: "Jan  5 10:20:01",
      "[host][hostname]": "host",
      "[process][name]": "CRON",
      "[process][pid]": 99,
      "[user][name]": "root",
      "[system][cron][action]": "CMD",
      message: "run-parts /etc/cron.hourly",
    },
  ],
  [
    "SYSLOGPAMSESSION",
    "Jan  5 10:20:30 host sshd[1]: pam_unix(sshd:session): session opened for user root by (uid=0)",
    {
      timestamp: "Jan  5 10:20:30",
      logsource: "host",
      program: "sshd",
      pid: "1",
      message: "pam_unix(sshd:session): session opened for user root by (uid=0)",
      pam_module: "pam_unix",
      pam_caller: "sshd:session",
      pam_session_state: "opened",
      username: "root",
      pam_by: "(uid=0)",
    },
    {
      timestamp: "Jan  5 10:20:30",
      "[host][hostname]": "host",
      "[process][name]": "sshd",
      "[process][pid]": 1,
      message: "pam_unix(sshd:session): session opened for user root by (uid=0)",
      "[system][auth][pam][module]": "pam_unix",
      "[system][auth][pam][origin]": "sshd:session",
      "[system][auth][pam][session_state]": "opened",
      "[user][name]": "root",
    },
  ],
  [
    "HTTPD24_ERRORLOG",
    "[Mon Dec 12 07:31:44 2016] [proxy:error] [pid 3012:tid 140] (111)Connection refused: [client 10.0.0.1:5000] AH01114: gone",
    {
      timestamp: "Mon Dec 12 07:31:44 2016",
      module: "proxy",
      loglevel: "error",
      pid: "3012",
      tid: "140",
      proxy_errorcode: "111",
      proxy_message: "Connection refused",
      clientip: "10.0.0.1",
      clientport: "5000",
      errorcode: "AH01114",
      message: "gone",
    },
    {
      timestamp: "Mon Dec 12 07:31:44 2016",
      "[apache][error][module]": "proxy",
      "[log][level]": "error",
      "[process][pid]": 3012,
      "[process][thread][id]": 140,
      "[apache][error][proxy][error][code]": "111",
      "[apache][error][proxy][error][message]": "Connection refused",
      "[source][address]": "10.0.0.1",
      "[source][port]": 5000,
      "[error][code]": "AH01114",
      message: "gone",
    },
  ],
  [
    "JAVASTACKTRACEPART",
    "  at org.example.Foo.bar(Foo.java:42)",
    { class: "org.example.Foo", method: "bar", file: "Foo.java", line: "42" },
    {
      "[java][log][origin][class][name]": "org.example.Foo",
      "[log][origin][function]": "bar",
      "[log][origin][file][name]": "Foo.java",
      "[log][origin][file][line]": 42,
    },
  ],
  [
    "TOMCATLOG",
    "2014-01-09 20:03:28,269 -0800 | ERROR | com.example.Foo - it broke",
    {
      timestamp: "2014-01-09 20:03:28,269 -0800",
      level: "ERROR",
      class: "com.example.Foo",
      logmessage: "it broke",
    },
    {
      timestamp: "2014-01-09 20:03:28,269 -0800",
      "[log][level]": "ERROR",
      "[java][log][origin][class][name]": "com.example.Foo",
      message: "it broke",
    },
  ],
  [
    "MONGO3_LOG",
    "2015-02-24T18:17:47.148+0000 F -        [conn11] Got signal: 11 (Segmentation fault).",
    {
      timestamp: "2015-02-24T18:17:47.148+0000",
      severity: "F",
      component: "-",
      context: "conn11",
      message: "Got signal: 11 (Segmentation fault).",
    },
    {
      timestamp: "2015-02-24T18:17:47.148+0000",
      "[log][level]": "F",
      "[mongodb][context]": "conn11",
      message: "Got signal: 11 (Segmentation fault).",
    },
  ],
  [
    "SQUID3",
    "1525344856.899  16867 10.170.72.111 TCP_TUNNEL/200 6256 CONNECT logs.example.com:443 bob HIER_DIRECT/53.140.206.134 -",
    {
      timestamp: "1525344856.899",
      duration: "16867",
      client_address: "10.170.72.111",
      cache_result: "TCP_TUNNEL",
      status_code: "200",
      bytes: "6256",
      request_method: "CONNECT",
      url: "logs.example.com:443",
      user: "bob",
      hierarchy_code: "HIER_DIRECT",
      server: "53.140.206.134",
      content_type: "-",
    },
    {
      timestamp: "1525344856.899",
      "[squid][request][duration]": 16867,
      "[source][ip]": "10.170.72.111",
      "[event][action]": "TCP_TUNNEL",
      "[http][response][status_code]": 200,
      "[http][response][bytes]": 6256,
      "[http][request][method]": "CONNECT",
      "[url][original]": "logs.example.com:443",
      "[user][name]": "bob",
      "[squid][hierarchy_code]": "HIER_DIRECT",
      "[destination][address]": "53.140.206.134",
    },
  ],
  [
    "MONGO_SLOWQUERY",
    "query mydb.users query: { name: 1 } ntoreturn:0 ntoskip:2 nscanned:10 keyUpdates:0 nreturned:1 reslen:20 120ms",
    {
      database: "mydb",
      collection: "users",
      query: "{ name: 1 }",
      ntoreturn: "0",
      ntoskip: "2",
      nscanned: "10",
      nreturned: "1",
      duration: "120",
    },
    {
      "[mongodb][profile][op]": "query",
      "[mongodb][database]": "mydb",
      "[mongodb][collection]": "users",
      "[mongodb][query][original]": "{ name: 1 }",
      "[mongodb][profile][ntoreturn]": 0,
      "[mongodb][profile][ntoskip]": 2,
      "[mongodb][profile][nscanned]": 10,
      "[mongodb][profile][nreturned]": 1,
      "[mongodb][profile][duration]": 120,
    },
  ],
  [
    "REDISMONLOG",
    '1470637867.953466 [0 195.168.1.1:52500] "info" "x"',
    {
      timestamp: "1470637867.953466",
      database: "0",
      client: "195.168.1.1",
      port: "52500",
      command: "info",
      params: '"x"',
    },
    {
      timestamp: "1470637867.953466",
      "[redis][database][id]": "0",
      "[client][ip]": "195.168.1.1",
      "[client][port]": 52500,
      "[redis][command][name]": "info",
      "[redis][command][args]": '"x"',
    },
  ],
  [
    "HAPROXYHTTP",
    'Jul 18 17:05:30 localhost haproxy[8247]: 188.223.50.7:51940 [18/Jul/2011:17:05:24.339] http_proxy_ads http_proxy_ads/<NOSRV> -1/-1/-1/-1/6001 408 212 - - cR-- 100/89/0/0/0 0/0 "<BADREQ>"',
    {
      syslog_timestamp: "Jul 18 17:05:30",
      syslog_server: "localhost",
      program: "haproxy",
      pid: "8247",
      client_ip: "188.223.50.7",
      client_port: "51940",
      accept_date: "18/Jul/2011:17:05:24.339",
      haproxy_monthday: "18",
      haproxy_month: "Jul",
      haproxy_year: "2011",
      haproxy_time: "17:05:24",
      haproxy_hour: "17",
      haproxy_minute: "05",
      haproxy_second: "24",
      haproxy_milliseconds: "339",
      frontend_name: "http_proxy_ads",
      backend_name: "http_proxy_ads",
      server_name: "<NOSRV>",
      time_request: "-1",
      time_queue: "-1",
      time_backend_connect: "-1",
      time_backend_response: "-1",
      time_duration: "6001",
      http_status_code: "408",
      bytes_read: "212",
      captured_request_cookie: "-",
      captured_response_cookie: "-",
      termination_state: "cR--",
      actconn: "100",
      feconn: "89",
      beconn: "0",
      srvconn: "0",
      retries: "0",
      srv_queue: "0",
      backend_queue: "0",
    },
    {
      timestamp: "Jul 18 17:05:30",
      "[host][hostname]": "localhost",
      "[process][name]": "haproxy",
      "[process][pid]": 8247,
      "[source][address]": "188.223.50.7",
      "[source][port]": 51940,
      "[haproxy][request_date]": "18/Jul/2011:17:05:24.339",
      "[haproxy][frontend_name]": "http_proxy_ads",
      "[haproxy][backend_name]": "http_proxy_ads",
      "[haproxy][total_time_ms]": "6001",
      "[http][response][status_code]": 408,
      "[source][bytes]": 212,
      "[haproxy][termination_state]": "cR--",
      "[haproxy][connections][active]": 100,
      "[haproxy][connections][frontend]": 89,
      "[haproxy][connections][backend]": 0,
      "[haproxy][connections][server]": 0,
      "[haproxy][connections][retries]": 0,
      "[haproxy][server_queue]": 0,
      "[haproxy][backend_queue]": 0,
    },
  ],
  [
    "BIND9",
    "17-Feb-2018 23:06:56.326 queries: info: client 172.26.0.1#12345 (test.example.com): query: test.example.com IN A +E(0)K (172.26.0.3)",
    {
      timestamp: "17-Feb-2018 23:06:56.326",
      loglevel: "info",
      clientip: "172.26.0.1",
      clientport: "12345",
      query: ["test.example.com", "test.example.com"],
      querytype: "A +E(0)K",
      dns: "172.26.0.3",
    },
    {
      timestamp: "17-Feb-2018 23:06:56.326",
      "[bing][log][category]": "queries",
      "[log][level]": "info",
      "[client][ip]": "172.26.0.1",
      "[client][port]": 12345,
      "[bind][log][question][name]": "test.example.com",
      "[dns][question][name]": "test.example.com",
      "[dns][question][class]": "IN",
      "[dns][question][type]": "A",
      "[bind][log][question][flags]": "+E(0)K",
      "[server][ip]": "172.26.0.3",
    },
  ],
  [
    "EXIM",
    // Named fields in a repeated group keep the value of the iteration that set them, as in Ruby.
    "2010-09-13 05:00:13 [1487] 1Ov4tU-0000Nz-Rm <= mailling.list@domain.com H=mailhost.domain.com [208.42.54.2]:51792 I=[67.215.162.175]:25 P=esmtps X=TLSv1:AES256-SHA:256 CV=no S=21778 id=abc@domain for user@example.com",
    {
      timestamp: "2010-09-13 05:00:13",
      exim_year: "2010",
      exim_month: "09",
      exim_day: "13",
      exim_time: "05:00:13",
      pid: "1487",
      exim_msgid: "1Ov4tU-0000Nz-Rm",
      exim_flags: "<=",
      exim_sender_email: "mailling.list@domain.com",
      remote_hostname: "mailhost.domain.com",
      remote_host: "208.42.54.2",
      remote_port: "51792",
      exim_interface: "67.215.162.175",
      exim_interface_port: "25",
      protocol: "esmtps",
      exim_msg_size: "21778",
      exim_header_id: "abc@domain",
      exim_recipient_email: "user@example.com",
    },
    {
      timestamp: "2010-09-13 05:00:13",
      "[process][pid]": 1487,
      "[exim][log][message][id]": "1Ov4tU-0000Nz-Rm",
      "[exim][log][flags]": "<=",
      "[exim][log][sender][email]": "mailling.list@domain.com",
      "[source][address]": "mailhost.domain.com",
      "[source][ip]": "208.42.54.2",
      "[source][port]": 51792,
      "[destination][ip]": "67.215.162.175",
      "[destination][port]": 25,
      "[network][protocol]": "esmtps",
      "[exim][log][message][size]": 21778,
      "[exim][log][header_id]": "abc@domain",
      "[exim][log][recipient][email]": "user@example.com",
    },
  ],
  [
    "ELB_ACCESS_LOG",
    '2015-04-10T08:11:09.865823Z us-west-1-production-media 49.150.87.133:55128 - -1 -1 -1 408 - 1294336 0 "PUT https://media.example.com:443/videos/F4 HTTP/1.1"',
    {
      timestamp: "2015-04-10T08:11:09.865823Z",
      elb: "us-west-1-production-media",
      clientip: "49.150.87.133",
      clientport: 55128,
      request_processing_time: -1,
      backend_processing_time: -1,
      response_processing_time: -1,
      response: 408,
      received_bytes: 1294336,
      bytes: 0,
      verb: "PUT",
      request: "https://media.example.com:443/videos/F4",
      proto: "https",
      urihost: "media.example.com:443",
      port: "443",
      path: "/videos/F4",
      httpversion: "1.1",
    },
    {
      timestamp: "2015-04-10T08:11:09.865823Z",
      "[aws][elb][name]": "us-west-1-production-media",
      "[source][ip]": "49.150.87.133",
      "[source][port]": 55128,
      "[http][response][status_code]": 408,
      "[http][request][body][bytes]": 1294336,
      "[http][response][body][bytes]": 0,
      "[http][request][method]": "PUT",
      "[url][original]": "https://media.example.com:443/videos/F4",
      "[url][scheme]": "https",
      "[url][domain]": "media.example.com",
      "[url][port]": 443,
      "[url][path]": "/videos/F4",
      "[http][version]": "1.1",
    },
  ],
  [
    "ZEEK_FILES",
    "1258867934.558264\tF2xow8TIkvHG4Zz41\t10.1.1.2 10.1.1.1\t192.168.1.105,192.168.1.10,192.168.1.11\t-\t-\t0\t-\t-\t-\t0.01234\t-\tF\t-\t-\t-\t0\tT\t-\t-\t-\t-\t-\t-\t-",
    undefined,
    {
      timestamp: "1258867934.558264",
      "[zeek][files][fuid]": "F2xow8TIkvHG4Zz41",
      "[server][ip]": "10.1.1.2",
      "[zeek][files][tx_hosts]": "10.1.1.2 10.1.1.1",
      "[client][ip]": "192.168.1.105",
      "[zeek][files][rx_hosts]": "192.168.1.105,192.168.1.10,192.168.1.11",
      "[zeek][files][depth]": 0,
      "[zeek][files][duration]": 0.01234,
      "[zeek][files][is_orig]": "F",
      "[zeek][files][overflow_bytes]": 0,
      "[zeek][files][timedout]": "T",
    },
  ],
  ["URI", "http://user:pw@example.com:8080/path/x?q=1", { port: "8080" }, {}],
];

function compiled(mode: Mode, pattern: string) {
  return compileGrok(pattern, new Map(Object.entries(builtinPatterns(mode))), true);
}

function captures(mode: Mode, pattern: string, line: string): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  const matched = matchGrok(compiled(mode, pattern), line, 1000, (field, value) => {
    if (value === null || value === "") return;
    const existing = out[field];
    out[field] = existing === undefined ? value : [existing, value].flat();
  });
  return matched ? out : undefined;
}

describe("grok pattern library", () => {
  it("has a test row for every shipped name, in both modes", () => {
    const shipped = new Set([
      ...Object.keys(builtinPatterns("disabled")),
      ...Object.keys(builtinPatterns("v1")),
    ]);
    expect([...shipped].filter((name) => cases[name] === undefined)).toEqual([]);
    expect(Object.keys(cases).filter((name) => !shipped.has(name))).toEqual([]);
    expect(builtinPatterns("v8")).toBe(builtinPatterns("v1"));
  });

  for (const mode of ["disabled", "v1"] as const) {
    for (const [name, { yes, no, open }] of Object.entries(cases)) {
      if (builtinPatterns(mode)[name] === undefined) continue;
      it(`${name} (${mode}) matches what it should, anchored`, () => {
        const grok = compiled(mode, open ? `^%{${name}}` : `^%{${name}}$`);
        for (const line of yes)
          expect({ line, matched: matchGrok(grok, line, 1000, () => {}) }).toEqual({ line, matched: true });
        for (const line of no)
          expect({ line, matched: matchGrok(grok, line, 1000, () => {}) }).toEqual({ line, matched: false });
      });
    }
  }

  for (const [name, line, legacy, ecs] of captureCases) {
    it(`${name} captures the documented fields in both modes`, () => {
      if (legacy !== undefined) expect(captures("disabled", `^%{${name}}$`, line)).toEqual(legacy);
      else expect(builtinPatterns("disabled")[name]).toBeUndefined();
      expect(captures("v1", `^%{${name}}$`, line)).toEqual(ecs);
    });
  }

  it("COMBINEDAPACHELOG on real Apache lines gives Logstash's legacy and ECS fields", () => {
    const line =
      '83.149.9.216 - - [04/Jan/2015:05:13:42 +0000] "GET /presentations/logstash-monitorama-2013/images/kibana-search.png HTTP/1.1" 200 203023 "http://semicomplete.com/presentations/logstash-monitorama-2013/" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36"';
    expect(captures("disabled", "%{COMBINEDAPACHELOG}", line)).toEqual({
      clientip: "83.149.9.216",
      ident: "-",
      auth: "-",
      timestamp: "04/Jan/2015:05:13:42 +0000",
      verb: "GET",
      request: "/presentations/logstash-monitorama-2013/images/kibana-search.png",
      httpversion: "1.1",
      response: "200",
      bytes: "203023",
      referrer: '"http://semicomplete.com/presentations/logstash-monitorama-2013/"',
      agent:
        '"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36"',
    });
    expect(captures("v1", "%{COMBINEDAPACHELOG}", line)).toEqual({
      "[source][address]": "83.149.9.216",
      timestamp: "04/Jan/2015:05:13:42 +0000",
      "[http][request][method]": "GET",
      "[url][original]": "/presentations/logstash-monitorama-2013/images/kibana-search.png",
      "[http][version]": "1.1",
      "[http][response][status_code]": 200,
      "[http][response][body][bytes]": 203023,
      "[http][request][referrer]": "http://semicomplete.com/presentations/logstash-monitorama-2013/",
      "[user_agent][original]":
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36",
    });
    const withUser = '10.0.0.7 ident frank@example.com [10/Oct/2000:13:55:36 -0700] "-" 400 - "-" "-"';
    expect(captures("v1", "%{COMBINEDAPACHELOG}", withUser)).toEqual({
      "[source][address]": "10.0.0.7",
      "[apache][access][user][identity]": "ident",
      "[user][name]": "frank@example.com",
      timestamp: "10/Oct/2000:13:55:36 -0700",
      "[http][response][status_code]": 400,
    });
    expect(captures("disabled", "%{COMBINEDAPACHELOG}", withUser)).toMatchObject({
      ident: "ident",
      auth: "frank@example.com",
      rawrequest: "-",
      response: "400",
      referrer: '"-"',
    });
  });
});
