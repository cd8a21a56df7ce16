// AWS access logs: S3 server access, classic ELB, CloudFront (logstash-patterns-core's aws file).

import type { PatternSet } from "./types.js";

const r = String.raw;

export const legacy: PatternSet = {
  S3_REQUEST_LINE: "(?:%{WORD:verb} %{NOTSPACE:request}(?: HTTP/%{NUMBER:httpversion})?|%{DATA:rawrequest})",
  S3_ACCESS_LOG: r`%{WORD:owner} %{NOTSPACE:bucket} \[%{HTTPDATE:timestamp}\] %{IP:clientip} %{NOTSPACE:requester} %{NOTSPACE:request_id} %{NOTSPACE:operation} %{NOTSPACE:key} (?:"%{S3_REQUEST_LINE}"|-) (?:%{INT:response:int}|-) (?:-|%{NOTSPACE:error_code}) (?:%{INT:bytes:int}|-) (?:%{INT:object_size:int}|-) (?:%{INT:request_time_ms:int}|-) (?:%{INT:turnaround_time_ms:int}|-) (?:%{QS:referrer}|-) (?:"?%{QS:agent}"?|-) (?:-|%{NOTSPACE:version_id})`,
  ELB_URIPATHPARAM: "%{URIPATH:path}(?:%{URIPARAM:params})?",
  ELB_URI: "%{URIPROTO:proto}://(?:%{USER}(?::[^@]*)?@)?(?:%{URIHOST:urihost})?(?:%{ELB_URIPATHPARAM})?",
  ELB_REQUEST_LINE: "(?:%{WORD:verb} %{ELB_URI:request}(?: HTTP/%{NUMBER:httpversion})?|%{DATA:rawrequest})",
  ELB_ACCESS_LOG: r`%{TIMESTAMP_ISO8601:timestamp} %{NOTSPACE:elb} %{IP:clientip}:%{INT:clientport:int} (?:(?:%{IP:backendip}:?:%{INT:backendport:int})|-) %{NUMBER:request_processing_time:float} %{NUMBER:backend_processing_time:float} %{NUMBER:response_processing_time:float} %{INT:response:int} (?:-|%{INT:backend_response:int}) %{INT:received_bytes:int} %{INT:bytes:int} "%{ELB_REQUEST_LINE}"`,
  CLOUDFRONT_ACCESS_LOG: r`(?<timestamp>%{YEAR}-%{MONTHNUM}-%{MONTHDAY}\t%{TIME})\t%{WORD:x_edge_location}\t(?:%{NUMBER:sc_bytes:int}|-)\t%{IPORHOST:clientip}\t%{WORD:cs_method}\t%{HOSTNAME:cs_host}\t%{NOTSPACE:cs_uri_stem}\t%{NUMBER:sc_status:int}\t%{GREEDYDATA:referrer}\t%{GREEDYDATA:agent}\t%{GREEDYDATA:cs_uri_query}\t%{GREEDYDATA:cookies}\t%{WORD:x_edge_result_type}\t%{NOTSPACE:x_edge_request_id}\t%{HOSTNAME:x_host_header}\t%{URIPROTO:cs_protocol}\t%{INT:cs_bytes:int}\t%{GREEDYDATA:time_taken:float}\t%{GREEDYDATA:x_forwarded_for}\t%{GREEDYDATA:ssl_protocol}\t%{GREEDYDATA:ssl_cipher}\t%{GREEDYDATA:x_edge_response_result_type}`,
};

/** `-` means absent in these logs: ECS leaves such fields out. */
const absent = (inner: string) => `(?:-|${inner})`;

export const ecs: PatternSet = {
  S3_REQUEST_LINE:
    "(?:%{WORD:[http][request][method]} %{NOTSPACE:[url][original]}(?: HTTP/%{NUMBER:[http][version]})?)",
  S3_ACCESS_LOG: [
    r`%{WORD:[aws][s3access][bucket_owner]} %{NOTSPACE:[aws][s3access][bucket]} \[%{HTTPDATE:timestamp}\]`,
    absent("%{IP:[client][ip]}"),
    absent("%{NOTSPACE:[client][user][id]}"),
    "%{NOTSPACE:[aws][s3access][request_id]} %{NOTSPACE:[aws][s3access][operation]}",
    absent("%{NOTSPACE:[aws][s3access][key]}"),
    absent('"%{S3_REQUEST_LINE:[aws][s3access][request_uri]}"'),
    absent("%{INT:[http][response][status_code]:int}"),
    absent("%{NOTSPACE:[aws][s3access][error_code]}"),
    absent("%{INT:[aws][s3access][bytes_sent]:int}"),
    absent("%{INT:[aws][s3access][object_size]:int}"),
    absent("%{INT:[aws][s3access][total_time]:int}"),
    absent("%{INT:[aws][s3access][turn_around_time]:int}"),
    `"${absent("%{DATA:[http][request][referrer]}")}"`,
    `"${absent("%{DATA:[user_agent][original]}")}"`,
    `${absent("%{NOTSPACE:[aws][s3access][version_id]}")}(?: ${[
      absent("%{NOTSPACE:[aws][s3access][host_id]}"),
      absent("%{NOTSPACE:[aws][s3access][signature_version]}"),
      absent("%{NOTSPACE:[tls][cipher]}"),
      absent("%{NOTSPACE:[aws][s3access][authentication_type]}"),
      absent("%{NOTSPACE:[aws][s3access][host_header]}"),
      absent("%{NOTSPACE:[aws][s3access][tls_version]}"),
    ].join(" ")})?`,
  ].join(" "),
  ELB_URIHOST: "%{IPORHOST:[url][domain]}(?::%{POSINT:[url][port]:int})?",
  ELB_URIPATHQUERY: r`%{URIPATH:[url][path]}(?:\?%{URIQUERY:[url][query]})?`,
  ELB_URIPATHPARAM: "%{ELB_URIPATHQUERY}",
  ELB_URI:
    "%{URIPROTO:[url][scheme]}://(?:%{USER:[url][username]}(?::[^@]*)?@)?(?:%{ELB_URIHOST})?(?:%{ELB_URIPATHQUERY})?",
  ELB_REQUEST_LINE:
    "(?:%{WORD:[http][request][method]} %{ELB_URI:[url][original]}(?: HTTP/%{NUMBER:[http][version]})?)",
  ELB_V1_HTTP_LOG: r`%{TIMESTAMP_ISO8601:timestamp} %{NOTSPACE:[aws][elb][name]} %{IP:[source][ip]}:%{INT:[source][port]:int} (?:-|(?:%{IP:[aws][elb][backend][ip]}:%{INT:[aws][elb][backend][port]:int})) (?:-1|%{NUMBER:[aws][elb][request_processing_time][sec]:float}) (?:-1|%{NUMBER:[aws][elb][backend_processing_time][sec]:float}) (?:-1|%{NUMBER:[aws][elb][response_processing_time][sec]:float}) %{INT:[http][response][status_code]:int} (?:-|%{INT:[aws][elb][backend][http][response][status_code]:int}) %{INT:[http][request][body][bytes]:int} %{INT:[http][response][body][bytes]:int} "%{ELB_REQUEST_LINE}"(?: "(?:-|%{DATA:[user_agent][original]})" (?:-|%{NOTSPACE:[tls][cipher]}) (?:-|%{NOTSPACE:[aws][elb][ssl_protocol]}))?`,
  ELB_ACCESS_LOG: "%{ELB_V1_HTTP_LOG}",
  CLOUDFRONT_ACCESS_LOG: r`(?<timestamp>%{YEAR}-%{MONTHNUM}-%{MONTHDAY}\t%{TIME})\t%{WORD:[aws][cloudfront][x_edge_location]}\t(?:-|%{INT:[destination][bytes]:int})\t%{IPORHOST:[source][ip]}\t%{WORD:[http][request][method]}\t%{HOSTNAME:[url][domain]}\t%{NOTSPACE:[url][path]}\t(?:(?:000)|%{INT:[http][response][status_code]:int})\t(?:-|%{DATA:[http][request][referrer]})\t%{DATA:[user_agent][original]}\t(?:-|%{DATA:[url][query]})\t(?:-|%{DATA:[aws][cloudfront][http][request][cookie]})\t%{WORD:[aws][cloudfront][x_edge_result_type]}\t%{NOTSPACE:[aws][cloudfront][x_edge_request_id]}\t%{HOSTNAME:[aws][cloudfront][http][request][host]}\t%{URIPROTO:[network][protocol]}\t(?:-|%{INT:[source][bytes]:int})\t%{NUMBER:[aws][cloudfront][time_taken]:float}\t(?:-|%{IP:[network][forwarded_ip]})\t(?:-|%{DATA:[aws][cloudfront][ssl_protocol]})\t(?:-|%{NOTSPACE:[tls][cipher]})\t%{WORD:[aws][cloudfront][x_edge_response_result_type]}(?:\t(?:-|HTTP/%{NUMBER:[http][version]})\t(?:-|%{DATA:[aws][cloudfront][fle_status]})\t(?:-|%{DATA:[aws][cloudfront][fle_encrypted_fields]})\t%{INT:[source][port]:int}\t%{NUMBER:[aws][cloudfront][time_to_first_byte]:float}\t(?:-|%{DATA:[aws][cloudfront][x_edge_detailed_result_type]})\t(?:-|%{NOTSPACE:[http][request][mime_type]})\t(?:-|%{INT:[aws][cloudfront][http][request][size]:int})\t(?:-|%{INT:[aws][cloudfront][http][request][range][start]:int})\t(?:-|%{INT:[aws][cloudfront][http][request][range][end]:int}))?`,
};
