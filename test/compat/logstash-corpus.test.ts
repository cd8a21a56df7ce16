// Agreement with Logstash's own grammar on 385 real pipeline files from ../shared/corpus (outside the project):
// the 380 Logstash accepts must parse cleanly, the 5 it rejects must fail at the line and column Logstash stops at.

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/pipeline/config/parser.js";
import { sluiceBin } from "../helpers/broker-process.js";
import { run } from "../helpers/run.js";

const corpus = resolve(import.meta.dirname, "../../../shared/corpus/logstash-configs");

/** From the corpus README: where Logstash's grammar stops on the files it rejects. */
const rejected: Record<string, { line: number; column: number }> = {
  "DHTC-Tools+logstash-confs/condor_logstash_condor_history.conf": { line: 51, column: 24 },
  "HASecuritySolutions+Logstash/configfiles-5.x_8006_postprocess_dns.conf": { line: 51, column: 1 },
  "breml+logstash-config/testdata_errors_missing_closing_curly_bracket_if.conf": { line: 5, column: 13 },
  "breml+logstash-config/testdata_errors_missing_closing_curly_bracket_pluginsection.conf": {
    line: 5,
    column: 1,
  },
  "elastic+examples/Speed Layer_logstash_batch_export.conf": { line: 5, column: 31 },
};

/**
 * Why full validation (the checks of `run -t`) rejects a file, for each file it rejects. Each reason is one Logstash
 * (8.x with its default plugins, on a machine without the authors' files and environment) shares:
 * - syntax: the 5 grammar rejections above;
 * - not-default-plugin: a plugin that is not in Logstash's default bundle (rest, opensearch);
 * - undefined-env: a `${VAR}` with no value and no default ("Cannot evaluate");
 * - missing-file: a `:path` option naming a file that does not exist here (dictionaries, templates, databases);
 * - removed-option: an option current plugins no longer have (elasticsearch `protocol`, kafka `zk_connect`,
 *   grok `pattern`, http input `ssl`, breml's made-up stdin settings);
 * - plugin-refuses: what the plugin itself refuses when Logstash builds it (its `initialize`, which `-t` runs):
 *   azure_event_hubs connection strings without `EntityPath` (template placeholders), the date filter's empty
 *   `match` and unknown time zone;
 * - invalid-regexp: a conditional's regexp Onigmo cannot compile (`^*`: "target of repeat operator is invalid").
 *
 * Problems Logstash finds only when a pipeline starts (its `register`, e.g. grok patterns from a `patterns_dir`
 * that is not on this machine) are warnings here and the file counts as accepted, as with Logstash's `-t`.
 */
const validationRejects: Record<string, string> = {
  "Cargill+OpenSIEM-Logstash-Parsing/config_enrichments_90_lookup_iana_protocol.conf": "undefined-env",
  "Cargill+OpenSIEM-Logstash-Parsing/config_enrichments_91_geoip.conf": "missing-file",
  "Cargill+OpenSIEM-Logstash-Parsing/config_enrichments_93_mitre.conf": "undefined-env",
  "Cargill+OpenSIEM-Logstash-Parsing/config_inputs_azure_event_hub_audit_azure.event_hub_audit.conf":
    "plugin-refuses",
  "Cargill+OpenSIEM-Logstash-Parsing/config_inputs_azure_event_hub_audit_azure.event_hub_operational.conf":
    "plugin-refuses",
  "Cargill+OpenSIEM-Logstash-Parsing/config_inputs_azure_event_hub_audit_azure.event_hub_signin.conf":
    "plugin-refuses",
  "Cargill+OpenSIEM-Logstash-Parsing/config_inputs_azure_event_hub_audit_o365.dlp.conf": "plugin-refuses",
  "Cargill+OpenSIEM-Logstash-Parsing/config_inputs_azure_event_hub_audit_o365.msg.trkg_eventhub.conf":
    "plugin-refuses",
  "Cargill+OpenSIEM-Logstash-Parsing/config_inputs_azure_event_hub_security_azure.event_hub.conf":
    "plugin-refuses",
  "Cargill+OpenSIEM-Logstash-Parsing/config_inputs_azure_event_hub_security_azure.event_hub_atp.conf":
    "plugin-refuses",
  "Cargill+OpenSIEM-Logstash-Parsing/config_inputs_kafka_1_kafka_input_template.conf": "missing-file",
  "Cargill+OpenSIEM-Logstash-Parsing/config_outputs_elastic_output.conf": "not-default-plugin",
  "Cargill+OpenSIEM-Logstash-Parsing/config_processors_syslog_audit_cisco.aci.conf": "undefined-env",
  "Cargill+OpenSIEM-Logstash-Parsing/config_processors_syslog_audit_cisco.router.conf": "undefined-env",
  "Cargill+OpenSIEM-Logstash-Parsing/config_processors_syslog_audit_cisco.switch.conf": "undefined-env",
  "Cargill+OpenSIEM-Logstash-Parsing/config_processors_syslog_security_cisco.ise.conf": "plugin-refuses",
  "Cargill+OpenSIEM-Logstash-Parsing/config_processors_syslog_security_sap.onapsis.conf": "invalid-regexp",
  "Cargill+OpenSIEM-Logstash-Parsing/doc_log_configurations_forescout_logstash_forescout_push_api_inventory.conf":
    "removed-option",
  "DHTC-Tools+logstash-confs/condor_logstash_condor_history.conf": "syntax",
  "DHTC-Tools+logstash-confs/dcache-billing_logstash_dcache-billing-full.conf": "removed-option",
  "DHTC-Tools+logstash-confs/job-records_logstash_joblog.conf": "removed-option",
  "HASecuritySolutions+Logstash/configfiles-5.x_8006_postprocess_dns.conf": "syntax",
  "HASecuritySolutions+Logstash/configfiles-setup_required_8007_postprocess_dns_top1m_tagging.conf":
    "not-default-plugin",
  "HASecuritySolutions+Logstash/configfiles-setup_required_8008_postprocess_dns_creation_date.conf":
    "not-default-plugin",
  "HASecuritySolutions+Logstash/configfiles-setup_required_8502_postprocess_freq_analysis_bro_dns.conf":
    "not-default-plugin",
  "HASecuritySolutions+Logstash/configfiles-setup_required_8503_postprocess_freq_analysis_bro_http.conf":
    "not-default-plugin",
  "HASecuritySolutions+Logstash/configfiles-setup_required_8504_postprocess_freq_analysis_bro_ssl.conf":
    "not-default-plugin",
  "HASecuritySolutions+Logstash/configfiles-setup_required_8505_postprocess_freq_analysis_bro_x509.conf":
    "not-default-plugin",
  "HASecuritySolutions+Logstash/configfiles-setup_required_broker_0997_input_broker_kafka.conf":
    "removed-option",
  "HASecuritySolutions+Logstash/configfiles_2000_network_flow.conf": "missing-file",
  "HASecuritySolutions+Logstash/configfiles_6302_windows_translations.conf": "missing-file",
  "HASecuritySolutions+Logstash/esxi.conf": "removed-option",
  "breml+logstash-config/testdata_errors_missing_closing_curly_bracket_if.conf": "syntax",
  "breml+logstash-config/testdata_errors_missing_closing_curly_bracket_pluginsection.conf": "syntax",
  "breml+logstash-config/testdata_identic_if_else-if_and_else_branch_with_comments.conf": "plugin-refuses",
  "breml+logstash-config/testdata_identic_plugin_with_all_attribute_types.conf": "removed-option",
  "breml+logstash-config/testdata_identic_plugin_with_all_attribute_types_with_comments.conf":
    "removed-option",
  "elastic+examples/Common Data Formats_apache_logs_logstash_apache_logstash.conf": "missing-file",
  "elastic+examples/Common Data Formats_cef_logstash_pipeline_logstash.conf": "missing-file",
  "elastic+examples/Common Data Formats_nginx_json_logs_logstash_nginx_json_logstash.conf": "missing-file",
  "elastic+examples/Common Data Formats_nginx_json_plus_logs_logstash_nginxplus_json_logstash.conf":
    "missing-file",
  "elastic+examples/Common Data Formats_nginx_logs_logstash_nginx_logstash.conf": "missing-file",
  "elastic+examples/Common Data Formats_twitter_twitter_logstash.conf": "missing-file",
  "elastic+examples/Exploring Public Datasets_earthquakes_ncedc-earthquakes-logstash.conf": "missing-file",
  "elastic+examples/Exploring Public Datasets_nyc_traffic_accidents_nyc_collision_logstash.conf":
    "missing-file",
  "elastic+examples/Exploring Public Datasets_usfec_scripts_usfec_logstash.conf": "missing-file",
  "elastic+examples/Graph_apache_logs_security_analysis_logstash_secrepo_logstash.conf": "missing-file",
  "elastic+examples/Machine Learning_Business Metrics Recipes_twitter_trends_configs_logstash_logstash.conf":
    "missing-file",
  "elastic+examples/Miscellaneous_gdpr_pseudonymization_logstash_fingerprint.conf": "undefined-env",
  "elastic+examples/Miscellaneous_gdpr_pseudonymization_logstash_script_fingerprint.conf": "undefined-env",
  "elastic+examples/Security Analytics_auditd_analysis_auditd_analysis_logstash.conf": "missing-file",
  "elastic+examples/Security Analytics_ssh_analysis_ssh_analysis_logstash.conf": "missing-file",
  "elastic+examples/Speed Layer_logstash_batch_export.conf": "syntax",
  "pfelk+pfelk/etc_pfelk_conf.d_35-rules-desc.pfelk": "missing-file",
  "pfelk+pfelk/etc_pfelk_conf.d_36-ports-desc.pfelk": "missing-file",
  "pfelk+pfelk/etc_pfelk_conf.d_45-enhanced_private.pfelk": "missing-file",
  "pfelk+pfelk/etc_pfelk_conf.d_46-private-firewall.pfelk": "missing-file",
  "pfelk+pfelk/etc_pfelk_conf.d_50-outputs.pfelk": "missing-file",
};

const reasons: Record<string, RegExp> = {
  syntax: /unexpected /,
  "not-default-plugin": /no (input|filter|output|codec) plugin named '(rest|opensearch)'/,
  "undefined-env": /environment variable `[A-Z_]+` is not defined/,
  "missing-file": /\((list of )?path\)/,
  "removed-option": /unknown setting '(protocol|zk_connect|pattern|doublequotedstring)'|is obsolete/,
  "plugin-refuses":
    /Error parsing event hub string name|The match setting should contains|datetime zone id .* is not recognised/,
  "invalid-regexp": /invalid regexp/,
};

function corpusFiles(): string[] {
  const files: string[] = [];
  for (const repo of readdirSync(corpus).sort()) {
    for (const name of readdirSync(join(corpus, repo)).sort()) files.push(`${repo}/${name}`);
  }
  return files;
}

describe("Logstash configuration corpus", () => {
  it("the corpus is present", () => {
    expect(existsSync(corpus), `missing ${corpus}`).toBe(true);
  });

  it("accepts what Logstash accepts and rejects the rest where Logstash stops", () => {
    const files = corpusFiles();
    const failures: string[] = [];
    let agreed = 0;
    const started = performance.now();
    for (const file of files) {
      const { diagnostics } = parseConfig(readFileSync(join(corpus, file), "utf8"), file);
      const errors = diagnostics.filter((d) => d.severity === "error");
      const expected = rejected[file];
      const first = errors[0];
      if (expected === undefined && first === undefined) agreed++;
      else if (expected === undefined && first) {
        failures.push(
          `${file}: Logstash accepts it, we report ${first.line}:${first.column} ${first.message}`,
        );
      } else if (expected && !first)
        failures.push(`${file}: Logstash rejects it at ${expected.line}:${expected.column}, we accept it`);
      else if (expected && first && (first.line !== expected.line || first.column !== expected.column)) {
        failures.push(
          `${file}: Logstash stops at ${expected.line}:${expected.column}, we at ${first.line}:${first.column}`,
        );
      } else agreed++;
    }
    const elapsedMs = performance.now() - started;
    const rate = ((100 * agreed) / files.length).toFixed(1);
    const accepted = files.length - failures.length - Object.keys(rejected).length;
    console.log(
      `logstash corpus: ${agreed}/${files.length} files agree with Logstash (${rate} %); ${accepted} accepted, ${Object.keys(rejected).length} expected rejections; ${elapsedMs.toFixed(0)} ms`,
    );
    for (const f of failures) console.log(`  FAIL ${f}`);
    expect(files.length).toBe(385);
    expect(failures).toEqual([]);
  });

  it("`sluice validate` (the checks of `run -t`) agrees with Logstash's `-t` on every file", async () => {
    const files = corpusFiles();
    const result = await run(process.execPath, [sluiceBin, "validate", ...files], {
      cwd: corpus,
      timeoutMs: 300_000,
    });
    const accepted = new Set(
      result.stdout
        .split("\n")
        .filter((line) => line.startsWith("ok "))
        .map((line) => line.slice(3)),
    );
    const firstError = new Map<string, string>();
    for (const line of result.stderr.split("\n")) {
      const m = /^(.+?):\d+:\d+: error: (.*)$/.exec(line);
      if (m && !firstError.has(m[1] as string)) firstError.set(m[1] as string, m[2] as string);
    }
    console.log(`sluice validate: ${accepted.size}/${files.length} accepted`);
    const disagreements: string[] = [];
    for (const file of files) {
      const reason = validationRejects[file];
      const error = firstError.get(file);
      if (reason === undefined && !accepted.has(file)) disagreements.push(`${file}: rejected (${error})`);
      else if (reason !== undefined && accepted.has(file))
        disagreements.push(`${file}: accepted, expected ${reason}`);
      else if (reason !== undefined && !(reasons[reason] as RegExp).test(error ?? ""))
        disagreements.push(`${file}: expected ${reason}, got ${error}`);
    }
    expect(disagreements).toEqual([]);
    expect(accepted.size).toBe(files.length - Object.keys(validationRejects).length);
  });

  it("`sluice validate --parse-only` accepts the 380 and rejects the 5 with file:line:column", async () => {
    const files = corpusFiles();
    const result = await run(process.execPath, [sluiceBin, "validate", "--parse-only", ...files], {
      cwd: corpus,
      timeoutMs: 120_000,
    });
    const accepted = result.stdout.split("\n").filter((line) => line.startsWith("ok "));
    console.log(`sluice validate --parse-only: ${accepted.length}/${files.length} accepted`);
    expect(result.code).toBe(1);
    expect(accepted).toHaveLength(files.length - Object.keys(rejected).length);
    for (const [file, at] of Object.entries(rejected)) {
      expect(accepted).not.toContain(`ok ${file}`);
      expect(result.stderr).toContain(`${file}:${at.line}:${at.column}: error:`);
    }
  });
});
