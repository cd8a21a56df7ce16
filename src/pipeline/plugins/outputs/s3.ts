// The s3 output, declared for config compatibility only: every option of Logstash's plugin (logstash-integration-aws)
// is checked, so configs pass `sluice validate` and `-t`; register() refuses to start it (no access to S3 here).

import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import type { OutputSpec } from "../api.js";

export const s3Unrunnable =
  "the s3 output needs Amazon S3, which Sluice cannot reach: declared for config compatibility only (validate/-t pass), not runnable";

const processors = availableParallelism();

export const s3Output: OutputSpec = {
  kind: "output",
  name: "s3",
  doc: "Writes events to files in an Amazon S3 bucket. Declared for config compatibility only: configs validate, but the pipeline refuses to start with it.",
  defaultCodec: "line",
  options: {
    bucket: { type: "string", required: true, doc: "S3 bucket name." },
    additional_settings: { type: "hash", default: {}, doc: "Extra settings for the S3 client." },
    size_file: { type: "number", default: 5 * 1024 * 1024, doc: "Bytes at which a file is rotated." },
    time_file: { type: "number", default: 15, doc: "Minutes after which a file is rotated." },
    restore: { type: "boolean", default: true, doc: "Upload files left over from a crash at start." },
    canned_acl: {
      type: [
        "private",
        "public-read",
        "public-read-write",
        "authenticated-read",
        "aws-exec-read",
        "bucket-owner-read",
        "bucket-owner-full-control",
        "log-delivery-write",
      ],
      default: "private",
      doc: "Canned ACL of uploaded files.",
    },
    server_side_encryption: { type: "boolean", default: false, doc: "Use S3 server-side encryption." },
    server_side_encryption_algorithm: {
      type: ["AES256", "aws:kms"],
      default: "AES256",
      doc: "Server-side encryption algorithm.",
    },
    ssekms_key_id: { type: "string", doc: "KMS key for aws:kms encryption." },
    storage_class: {
      type: [
        "STANDARD",
        "REDUCED_REDUNDANCY",
        "STANDARD_IA",
        "ONEZONE_IA",
        "INTELLIGENT_TIERING",
        "GLACIER",
        "DEEP_ARCHIVE",
        "OUTPOSTS",
        "GLACIER_IR",
        "SNOW",
        "EXPRESS_ONEZONE",
      ],
      default: "STANDARD",
      doc: "Storage class of uploaded files.",
    },
    temporary_directory: {
      type: "string",
      default: join(tmpdir(), "logstash"),
      doc: "Where files are written before upload.",
    },
    prefix: { type: "string", default: "", doc: "Key prefix of uploaded files (sprintf allowed)." },
    upload_workers_count: {
      type: "number",
      default: Math.ceil(processors * 0.5),
      doc: "Parallel uploads (default: half the processors).",
    },
    upload_queue_size: {
      type: "number",
      default: 2 * Math.ceil(processors * 0.25),
      doc: "Files waiting for upload.",
    },
    upload_multipart_threshold: {
      type: "number",
      default: 15 * 1024 * 1024,
      doc: "Bytes above which multipart upload is used.",
    },
    signature_version: { type: ["v2", "v4"], doc: "S3 request signature version." },
    tags: { type: "array", default: [], doc: "Words added to uploaded file names." },
    encoding: { type: ["none", "gzip"], default: "none", doc: "Content encoding of uploaded files." },
    rotation_strategy: {
      type: ["size_and_time", "size", "time"],
      default: "size_and_time",
      doc: "What rotates a file.",
    },
    validate_credentials_on_root_bucket: {
      type: "boolean",
      default: true,
      doc: "Check write access to the bucket root at start.",
    },
    retry_count: { type: "number", default: Number.POSITIVE_INFINITY, doc: "Retries of a failed upload." },
    retry_delay: { type: "number", default: 1, doc: "Seconds between upload retries." },
    // The AWS connection options every logstash-integration-aws plugin shares.
    region: { type: "string", default: "us-east-1", doc: "AWS region." },
    access_key_id: { type: "string", doc: "AWS access key id." },
    secret_access_key: { type: "password", doc: "AWS secret access key." },
    session_token: { type: "password", doc: "AWS session token of temporary credentials." },
    proxy_uri: { type: "string", doc: "Proxy for AWS requests." },
    endpoint: { type: "string", doc: "Custom S3 endpoint." },
    role_arn: { type: "string", doc: "IAM role to assume." },
    role_session_name: { type: "string", default: "logstash", doc: "Session name when assuming role_arn." },
    aws_credentials_file: { type: "string", doc: "YAML file with AWS credentials." },
    use_aws_bundled_ca: {
      type: "boolean",
      default: false,
      doc: "Use the AWS SDK's bundled CA certificates.",
    },
    web_identity_token_file: { type: "string", doc: "OIDC token file (EKS IRSA); needs role_arn." },
  },
  create: () => ({
    register() {
      throw new Error(s3Unrunnable);
    },
    receive() {
      throw new Error(s3Unrunnable);
    },
  }),
};
