// The index templates the elasticsearch output installs when `template` is not given: ours, written for Sluice
// (Logstash ships the full ECS schema for ECS modes; these keep the parts that matter for searching events).

export type TemplateApi = "legacy" | "composable";

/** Strings as text with a keyword sub-field (ECS off), or as keywords with `message` as text (ECS on). */
function mappings(ecs: boolean): Record<string, unknown> {
  const stringRule = ecs
    ? { match_mapping_type: "string", mapping: { type: "keyword", ignore_above: 1024 } }
    : {
        match: "*",
        match_mapping_type: "string",
        mapping: { type: "text", norms: false, fields: { keyword: { type: "keyword", ignore_above: 256 } } },
      };
  return {
    dynamic_templates: [
      {
        message_field: {
          path_match: "message",
          match_mapping_type: "string",
          mapping: { type: "text", norms: false },
        },
      },
      { string_fields: stringRule },
    ],
    properties: {
      "@timestamp": { type: "date" },
      "@version": { type: "keyword" },
      ...(ecs ? { message: { type: "text" }, tags: { type: "keyword", ignore_above: 1024 } } : {}),
    },
  };
}

/** The default template for an ECS mode and template API (legacy for Elasticsearch 7, composable from 8). */
export function defaultTemplate(ecs: boolean, api: TemplateApi): Record<string, unknown> {
  const pattern = ecs ? "ecs-logstash-*" : "logstash-*";
  const settings = { "index.refresh_interval": "5s", number_of_shards: 1 };
  const meta = { description: "index template installed by Sluice's elasticsearch output" };
  if (api === "legacy")
    return { index_patterns: pattern, version: 60001, settings, mappings: mappings(ecs), _meta: meta };
  return {
    index_patterns: [pattern],
    version: 80001,
    priority: 200,
    template: { settings, mappings: mappings(ecs) },
    _meta: meta,
  };
}

/** Logstash's default ILM policy: roll over at 50 GB or 30 days. */
export const defaultIlmPolicy = {
  policy: { phases: { hot: { actions: { rollover: { max_size: "50gb", max_age: "30d" } } } } },
};

/** Points a template at the rollover alias's indices and names the policy, in the template's own shape. */
export function withIlmSettings(
  template: Record<string, unknown>,
  api: TemplateApi,
  rolloverAlias: string,
  policy: string,
): Record<string, unknown> {
  const copy = structuredClone(template);
  copy.index_patterns = `${rolloverAlias}-*`;
  let settings: Record<string, unknown>;
  if (isObject(copy.template) || (!isObject(copy.settings) && api === "composable")) {
    const inner = isObject(copy.template) ? copy.template : {};
    copy.template = inner;
    settings = isObject(inner.settings) ? inner.settings : {};
    inner.settings = settings;
  } else {
    settings = isObject(copy.settings) ? copy.settings : {};
    copy.settings = settings;
  }
  settings["index.lifecycle.name"] = policy;
  settings["index.lifecycle.rollover_alias"] = rolloverAlias;
  return copy;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
