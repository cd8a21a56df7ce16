import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../../common/logger.js";
import { buildPlan } from "../../config/index.js";
import { harness } from "../../runtime/test-plugins.js";
import { lineCodec } from "../codecs/line.js";
import { plainCodec } from "../codecs/plain.js";
import { PluginRegistry } from "../registry.js";
import { s3Output, s3Unrunnable } from "./s3.js";

const registry = new PluginRegistry([s3Output, lineCodec, plainCodec]);

function resolve(body: string) {
  const { plan } = buildPlan([{ file: "t.conf", text: `output { s3 { ${body} } }` }]);
  const plugin = plan.sections[0]!.body[0]!;
  if (plugin.kind !== "plugin") throw new Error("expected a plugin");
  return registry.resolve(plugin);
}

const errors = (body: string) =>
  resolve(body)
    .diagnostics.filter((d) => d.severity === "error")
    .map((d) => d.message);

describe("s3 output declaration", () => {
  it("validates a typical config with the AWS connection options", () => {
    expect(
      errors(`bucket => "logs" region => "eu-west-1" access_key_id => "AKIA" secret_access_key => "s"
        session_token => "t" role_arn => "arn:aws:iam::1:role/r" role_session_name => "ls"
        endpoint => "http://minio:9000" proxy_uri => "http://proxy:3128" additional_settings => { "force_path_style" => true }
        prefix => "app/%{+YYYY/MM/dd}" size_file => 10485760 time_file => 5 encoding => "gzip"
        canned_acl => "bucket-owner-full-control" server_side_encryption => true
        server_side_encryption_algorithm => "aws:kms" ssekms_key_id => "k" storage_class => "STANDARD_IA"
        temporary_directory => "/tmp/s3" upload_workers_count => 2 upload_queue_size => 4
        upload_multipart_threshold => 1000 signature_version => "v4" tags => ["a"] restore => false
        rotation_strategy => "time" validate_credentials_on_root_bucket => false retry_count => 3 retry_delay => 2
        aws_credentials_file => "/etc/aws.yml" use_aws_bundled_ca => true web_identity_token_file => "/t"
        codec => plain`),
    ).toEqual([]);
  });

  it("requires bucket, checks enum words, takes Logstash's defaults", () => {
    expect(errors("")).toEqual([expect.stringContaining("bucket")]);
    expect(errors('bucket => "b" storage_class => "COLD"')).toHaveLength(1);
    expect(errors('bucket => "b" canned_acl => "everyone"')).toHaveLength(1);
    expect(errors('bucket => "b" encoding => "zip"')).toHaveLength(1);
    const o = resolve('bucket => "b"').resolved!.options;
    expect(o.string("region")).toBe("us-east-1");
    expect(o.number("size_file")).toBe(5 * 1024 * 1024);
    expect(o.number("time_file")).toBe(15);
    expect(o.string("canned_acl")).toBe("private");
    expect(o.string("storage_class")).toBe("STANDARD");
    expect(o.string("encoding")).toBe("none");
    expect(o.string("rotation_strategy")).toBe("size_and_time");
    expect(o.string("temporary_directory")).toBe(join(tmpdir(), "logstash"));
    expect(o.number("upload_workers_count")).toBe(Math.ceil(availableParallelism() * 0.5));
    expect(o.number("retry_count")).toBe(Number.POSITIVE_INFINITY);
    expect(o.string("prefix")).toBe("");
    expect(o.boolean("restore")).toBe(true);
  });

  it("builds under -t (no register) and refuses at pipeline start with one clear error", async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: "info", write: (line) => lines.push(line) });
    const { pipeline } = harness('input { gen { count => 1 } } output { s3 { bucket => "b" } }', { logger }, [
      s3Output,
      lineCodec,
    ]);
    await expect(pipeline.run()).rejects.toThrow(s3Unrunnable);
    expect(lines.some((l) => l.includes("plugin failed to register") && l.includes(s3Unrunnable))).toBe(true);
  });
});
