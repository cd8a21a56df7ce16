import { describe, expect, it } from "vitest";
import { buildPlan, type PlanPlugin } from "../../../config/index.js";
import { jsonCodec } from "../../codecs/json.js";
import { jsonLinesCodec } from "../../codecs/json_lines.js";
import { lineCodec } from "../../codecs/line.js";
import { multilineCodec } from "../../codecs/multiline.js";
import { plainCodec } from "../../codecs/plain.js";
import { PluginRegistry, quietContext } from "../../registry.js";
import { fileInput } from "../file.js";
import { httpInput } from "../http.js";
import { tcpInput } from "../tcp.js";
import { udpInput } from "../udp.js";

const registry = new PluginRegistry([
  plainCodec,
  lineCodec,
  jsonCodec,
  jsonLinesCodec,
  multilineCodec,
  tcpInput,
  udpInput,
  httpInput,
  fileInput,
]);

function resolveAll(text: string) {
  const { plan, diagnostics } = buildPlan([{ file: "t.conf", text }]);
  expect(diagnostics).toEqual([]);
  return { plan, diagnostics: registry.check(plan) };
}

describe("tcp, udp, http and file specs in a registry", () => {
  it("accept Logstash configurations unchanged and create with a quiet context", () => {
    const text = `input {
      tcp { port => 5000 codec => json_lines tcp_keep_alive => true dns_reverse_lookup_enabled => false }
      udp { port => "5001" buffer_size => 9000 queue_size => 100 workers => 1 }
      http { port => 8081 additional_codecs => { "application/x-ndjson" => "json_lines" } response_code => 202
             max_pending_requests => 10 response_headers => { "X-Ok" => "yes" } user => "u" password => "p" }
      file {
        path => ["/var/log/*.log", "/var/log/app/**/*.json"]
        exclude => "*.gz"
        start_position => "beginning"
        sincedb_path => "/dev/null"
        stat_interval => "500 ms"
        close_older => 3600
        sincedb_clean_after => 2
        codec => multiline { pattern => "^\\s" what => "previous" }
      }
      file { path => "/data/in/*.csv" mode => "read" file_completed_action => "log"
             file_completed_log_path => "/tmp/done.log" exit_after_read => true file_sort_by => "path" }
    }`;
    const { plan, diagnostics } = resolveAll(text);
    expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const plugins = plan.sections[0]!.body as PlanPlugin[];
    for (const plugin of plugins) {
      const outcome = registry.resolve(plugin);
      const resolved = outcome.resolved!;
      expect(() =>
        resolved.spec.create(resolved.options, quietContext(resolved.spec, resolved.options)),
      ).not.toThrow();
    }
  });

  it("report obsolete and misspelled options with Logstash's hints", () => {
    const { diagnostics } = resolveAll(`input {
      tcp { port => 1 ssl_enable => true }
      http { ssl => true }
      file { path => "/x" start_postion => "end" }
      udp { }
    }`);
    const messages = diagnostics.map((d) => `${d.code} ${d.message} ${d.hint ?? ""}`);
    expect(messages.some((m) => m.includes("ssl_enable") && m.includes("Use 'ssl_enabled' instead."))).toBe(
      true,
    );
    expect(messages.some((m) => m.includes("'ssl'") && m.includes("Set 'ssl_enabled' instead."))).toBe(true);
    expect(messages.some((m) => m.includes("did you mean 'start_position'?"))).toBe(true);
    expect(messages.some((m) => m.startsWith("missing-option") && m.includes("port"))).toBe(true);
  });
});
