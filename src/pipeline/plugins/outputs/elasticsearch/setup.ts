// What the elasticsearch output does once a host answers (Logstash's finish_register): checks data-stream support,
// decides whether ILM is in use (skipping it when the server has none and `ilm_enabled` is auto), installs the
// index template unless one exists, and creates the ILM policy and rollover alias.

import { readFileSync } from "node:fs";
import type { Logger } from "../../../../common/logger.js";
import { BadResponseError, type EsClient } from "./client.js";
import { defaultIlmPolicy, defaultTemplate, type TemplateApi, withIlmSettings } from "./templates.js";

export interface SetupSettings {
  dataStream: boolean;
  manageTemplate: boolean;
  /** Path of the user's template file. */
  template: string | undefined;
  templateName: string;
  templateNameGiven: boolean;
  templateOverwrite: boolean;
  templateApi: "auto" | "legacy" | "composable";
  ecs: boolean;
  ilmEnabled: "auto" | "true" | "false";
  /** Whether the index option (or alias) makes ILM apply: the default index, or a custom rollover alias. */
  ilmAliasSet: boolean;
  ilmRolloverAlias: string;
  ilmPattern: string;
  ilmPolicy: string;
  ilmPolicyIsDefault: boolean;
}

export interface SetupResult {
  /** The rollover alias to write to when ILM is in use. */
  ilmIndex: string | undefined;
}

/** Thrown for a setup Logstash refuses (it stops the pipeline); the output logs it and keeps indexing. */
export class SetupError extends Error {
  override name = "SetupError";
}

export async function finishSetup(
  client: EsClient,
  settings: SetupSettings,
  logger: Logger,
): Promise<SetupResult> {
  if (settings.dataStream) checkDataStreamVersion(client.lastVersion);
  const ilm =
    settings.ilmEnabled !== "false" && settings.ilmAliasSet && (await ilmAvailable(client, settings, logger));
  if (settings.manageTemplate) await installTemplate(client, settings, ilm, logger);
  if (!ilm) return { ilmIndex: undefined };
  await ensureIlmPolicy(client, settings, logger);
  const aliasCreated = await ensureRolloverAlias(client, settings, logger);
  return { ilmIndex: aliasCreated ? settings.ilmRolloverAlias : undefined };
}

function checkDataStreamVersion(version: string | undefined): void {
  const [major = 0, minor = 0] = (version ?? "0").split(".").map(Number);
  if (major < 7 || (major === 7 && minor < 9))
    throw new SetupError(
      `A data_stream configuration is only supported since Elasticsearch 7.9.0 (detected version ${version}), please upgrade your cluster`,
    );
}

/** Whether the server has ILM: a policy answers 200 or 404-not-found; other answers mean no ILM endpoint. */
async function ilmAvailable(client: EsClient, settings: SetupSettings, logger: Logger): Promise<boolean> {
  try {
    await client.request("GET", `/_ilm/policy/${encodeURIComponent(settings.ilmPolicy)}`);
    return true;
  } catch (err) {
    if (err instanceof BadResponseError && err.status === 404 && !/no handler|unknown/i.test(err.body))
      return true;
    if (!(err instanceof BadResponseError)) throw err;
    const message = "the server does not support index lifecycle management; writing without ILM";
    if (settings.ilmEnabled === "true") logger.error(message, { status: err.status });
    else logger.info(`ILM auto configuration: ${message}`, { status: err.status });
    return false;
  }
}

function templateApi(client: EsClient, settings: SetupSettings, logger: Logger): TemplateApi {
  if (client.buildFlavor === "serverless") return "composable";
  if (settings.templateApi !== "auto") return settings.templateApi;
  const major = client.maximumSeenMajorVersion ?? 8;
  if (major < 8)
    logger.warn(
      `\`template_api => auto\` resolved to \`legacy\` since we are connected to Elasticsearch ${major}; set template_api to silence this`,
    );
  return major >= 8 ? "composable" : "legacy";
}

function readTemplate(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new SetupError(`Template file '${path}' could not be found`);
  }
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (err) {
    throw new SetupError(`Failed to load template file '${path}': ${(err as Error).message}`);
  }
}

async function installTemplate(
  client: EsClient,
  settings: SetupSettings,
  ilm: boolean,
  logger: Logger,
): Promise<void> {
  const api = templateApi(client, settings, logger);
  let template =
    settings.template !== undefined ? readTemplate(settings.template) : defaultTemplate(settings.ecs, api);
  if (ilm) template = withIlmSettings(template, api, settings.ilmRolloverAlias, settings.ilmPolicy);
  const name = ilm && !settings.templateNameGiven ? settings.ilmRolloverAlias : settings.templateName;
  const path = `/${api === "composable" ? "_index_template" : "_template"}/${encodeURIComponent(name)}`;
  if (!settings.templateOverwrite && (await client.exists(path))) {
    logger.debug("Found existing Elasticsearch template, skipping template management", { name });
    return;
  }
  logger.info("Installing Elasticsearch template", { name });
  try {
    await client.request("PUT", path, Buffer.from(JSON.stringify(template)), {
      "Content-Type": "application/json",
    });
  } catch (err) {
    if (!(err instanceof BadResponseError) || err.status !== 404) throw err;
  }
}

async function ensureIlmPolicy(client: EsClient, settings: SetupSettings, logger: Logger): Promise<void> {
  const path = `/_ilm/policy/${encodeURIComponent(settings.ilmPolicy)}`;
  if (await client.exists(path, true)) return;
  if (!settings.ilmPolicyIsDefault)
    throw new SetupError(
      `The specified ILM policy ${settings.ilmPolicy} does not exist on your Elasticsearch instance`,
    );
  logger.info("Installing ILM policy", { name: settings.ilmPolicy });
  await client.request("PUT", path, Buffer.from(JSON.stringify(defaultIlmPolicy)), {
    "Content-Type": "application/json",
  });
}

/** Creates `<alias-{now/d}-000001>` with the alias as write index; false when the server cannot (then no ILM). */
async function ensureRolloverAlias(
  client: EsClient,
  settings: SetupSettings,
  logger: Logger,
): Promise<boolean> {
  const alias = settings.ilmRolloverAlias;
  if (await client.exists(`/${encodeURIComponent(alias)}`)) return true;
  const target = encodeURIComponent(`<${alias}-${settings.ilmPattern}>`);
  const body = { aliases: { [alias]: { is_write_index: true } } };
  try {
    await client.request("PUT", `/${target}`, Buffer.from(JSON.stringify(body)), {
      "Content-Type": "application/json",
    });
    logger.info("Created rollover alias", { name: alias });
    return true;
  } catch (err) {
    if (!(err instanceof BadResponseError)) throw err;
    if (err.status === 400 && /already_exists|already exists/.test(err.body)) {
      logger.info("Rollover alias already exists, skipping", { name: alias });
      return true;
    }
    logger.warn("could not create the ILM rollover alias; writing to the index setting instead", {
      name: alias,
      status: err.status,
    });
    return false;
  }
}
