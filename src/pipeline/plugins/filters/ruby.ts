// The ruby filter: runs inline `code` (with `init`) or a script file's register/filter on each event in the
// process's shared CRuby (WebAssembly), with Logstash's Event API; a raising script tags `_rubyexception`.

import { readFileSync } from "node:fs";
import type { Event } from "../../event/index.js";
import { RubyScript, type RunOutcome, type ScriptSource } from "../../ruby/engine.js";
import type { Filter, FilterSpec, PluginContext } from "../api.js";
import type { OptionHash, ResolvedOptions } from "../options.js";

export const rubyFilter: FilterSpec = {
  kind: "filter",
  name: "ruby",
  doc: "Runs Ruby code on each event: inline `code` (after `init`), or a script file defining register(params) and filter(event).",
  options: {
    code: { type: "string", doc: "Ruby run for every event, with `event` and `new_event_block` in scope." },
    init: { type: "string", doc: "Ruby run once when the filter starts, in the same object as `code`." },
    path: {
      type: "path",
      doc: "A Ruby script file defining filter(event) (returning an array of events) and optionally register(params).",
    },
    script_params: { type: "hash", default: {}, doc: "The hash given to the script's register(params)." },
    tag_on_exception: {
      type: "string",
      default: "_rubyexception",
      doc: "Tag added when the Ruby code raises.",
    },
    tag_with_exception_message: {
      type: "boolean",
      default: false,
      doc: "Also adds a tag `<tag_on_exception>: <exception message>`.",
    },
  },
  create: (options, context) => new RubyFilter(options, context),
};

class RubyFilter implements Filter {
  private readonly script: RubyScript;
  private readonly inline: boolean;
  private readonly path: string | undefined;
  private readonly exceptionTag: string;
  private readonly tagMessage: boolean;

  constructor(
    options: ResolvedOptions,
    private readonly context: PluginContext,
  ) {
    this.exceptionTag = options.string("tag_on_exception");
    this.tagMessage = options.boolean("tag_with_exception_message");
    const code = options.optionalString("code");
    this.path = options.optionalString("path");
    if ((code === undefined) === (this.path === undefined)) {
      throw new Error(
        'You must either use an inline script with the "code" option or a script file using "path".',
      );
    }
    this.inline = code !== undefined;
    const source = this.source(code, options);
    this.script = new RubyScript(source, context.logger.child(`ruby:${context.id}`));
    if (source.kind === "path") this.checkScriptTests(source);
  }

  private source(code: string | undefined, options: ResolvedOptions): ScriptSource {
    if (code !== undefined) return { kind: "code", code, init: options.optionalString("init") };
    if (options.has("init")) {
      this.context.logger.warn(
        "`init` is ignored with `path` (as in Logstash): put setup in register(params)",
        {
          plugin: this.context.id,
        },
      );
    }
    const path = this.path!;
    return {
      kind: "path",
      path,
      source: readFileSync(path, "utf8"),
      params: plainHash(options.hash("script_params")),
    };
  }

  /** Logstash runs a script's inline tests when the pipeline is built and refuses to start if one fails. */
  private checkScriptTests(source: Extract<ScriptSource, { kind: "path" }>): void {
    const report = this.script.runTests(source);
    if (report.passed + report.failed + report.errored === 0) return;
    const summary = { plugin: this.context.id, script_path: source.path, ...report };
    if (report.failed + report.errored > 0) {
      this.script.close();
      throw new Error(`script ${source.path} fails its tests: ${report.messages.join("; ")}`);
    }
    this.context.logger.info("Test run complete", summary);
  }

  filter(event: Event, emit: (event: Event) => void): boolean {
    const outcome = this.script.run(event);
    for (const produced of outcome.produced) emit(produced);
    if (outcome.failure !== undefined) {
      this.fail(event, outcome);
      return false;
    }
    // Logstash's file_script never calls filter_matched, so add_field/add_tag apply to inline code only.
    return this.inline;
  }

  private fail(event: Event, outcome: RunOutcome): void {
    const failure = outcome.failure!;
    event.tag(this.exceptionTag);
    if (this.tagMessage) event.tag(`${this.exceptionTag}: ${failure.message}`);
    this.context.countFailure("ruby_exception");
    const message = this.inline ? "Ruby exception occurred" : "Could not process event";
    this.context.logger.error(`${message}: ${failure.message}`, {
      plugin: this.context.id,
      class: failure.className,
      backtrace: failure.backtrace,
      ...(this.path === undefined ? {} : { script_path: this.path }),
    });
  }

  close(): void {
    this.script.close();
  }
}

function plainHash(hash: OptionHash): Record<string, unknown> {
  return JSON.parse(JSON.stringify(hash)) as Record<string, unknown>;
}
