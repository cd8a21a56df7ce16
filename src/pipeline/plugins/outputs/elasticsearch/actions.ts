// Turns events into bulk actions as Logstash's elasticsearch output does: action, index, id, routing, version and
// update bodies from sprintf templates and [@metadata][_ingest_document], or data-stream `create`s named by the
// event's data_stream fields. An event that cannot be mapped is reported, never sent.

import type { Event } from "../../../event/index.js";

export const validActions = ["index", "delete", "create", "update"] as const;

export interface BulkAction {
  action: string;
  /** The action line's parameters, in Logstash's order; absent values are left out. */
  params: Record<string, string | number>;
  /** The document line (none for delete). */
  source: Record<string, unknown> | undefined;
  event: Event;
}

/** Why an event could not become an action (Logstash's EventMappingError); it goes to the DLQ seam. */
export class EventMappingError extends Error {
  override name = "EventMappingError";
}

export interface ActionSettings {
  /** The `action` template, or undefined (index). */
  action: string | undefined;
  index: string;
  /** The index Logstash would use by default (then [@metadata][_ingest_document][index] wins). */
  defaultIndex: string;
  documentId: string | undefined;
  routing: string | undefined;
  documentType: string | undefined;
  parent: string | undefined;
  joinField: string | undefined;
  upsert: string;
  docAsUpsert: boolean;
  retryOnConflict: number;
  version: string | undefined;
  versionType: string | undefined;
  dlqOnFailedIndexnameInterpolation: boolean;
  dataStream:
    | {
        type: string;
        dataset: string;
        namespace: string;
        autoRouting: boolean;
        syncFields: boolean;
      }
    | undefined;
}

/** The major version of the server, which decides whether `_type` is sent. */
export type MajorVersion = number | undefined;

export function mapEvent(event: Event, settings: ActionSettings, major: MajorVersion): BulkAction {
  return settings.dataStream === undefined
    ? indexAction(event, settings, major)
    : dataStreamAction(event, settings, settings.dataStream);
}

function indexAction(event: Event, settings: ActionSettings, major: MajorVersion): BulkAction {
  const params = commonParams(event, settings, event.sprintf(settings.index));
  if (major === 7 && settings.documentType !== undefined) params._type = event.sprintf(settings.documentType);
  if (settings.parent !== undefined) {
    const parent = event.sprintf(settings.parent);
    if (settings.joinField !== undefined) {
      event.set(settings.joinField, { name: event.get(settings.joinField) ?? null, parent });
      params.routing = parent;
    } else {
      params.parent = parent;
    }
  }
  const action = event.sprintf(settings.action ?? "index");
  if (!(validActions as readonly string[]).includes(action))
    throw new EventMappingError(`Elasticsearch doesn't support [${action}] action`);
  let upsert: unknown;
  if (action === "update") {
    if (settings.upsert !== "") upsert = parseUpsert(event.sprintf(settings.upsert));
    params.retry_on_conflict = settings.retryOnConflict;
  }
  addVersion(event, settings, params);
  const document = event.toObject();
  return {
    action,
    params,
    source: action === "delete" ? undefined : sourceFor(action, document, settings, upsert),
    event,
  };
}

function parseUpsert(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new EventMappingError(`upsert is not valid JSON: ${(err as Error).message}`);
  }
}

/** An update's body: the event as `doc`, with doc_as_upsert or the `upsert` document. */
function sourceFor(
  action: string,
  document: Record<string, unknown>,
  settings: ActionSettings,
  upsert: unknown,
): Record<string, unknown> {
  if (action !== "update") return document;
  if (settings.docAsUpsert) return { doc: document, doc_as_upsert: true };
  return upsert === undefined ? { doc: document } : { doc: document, upsert };
}

function dataStreamAction(
  event: Event,
  settings: ActionSettings,
  stream: NonNullable<ActionSettings["dataStream"]>,
): BulkAction {
  const document = event.toObject();
  if (stream.syncFields) syncDataStreamFields(document, stream);
  const params = commonParams(event, settings, dataStreamName(event, settings.index, stream));
  return { action: "create", params, source: document, event };
}

function dataStreamName(event: Event, fallback: string, stream: NonNullable<ActionSettings["dataStream"]>) {
  const fields = event.get("data_stream");
  if (!stream.autoRouting || !isHash(fields)) return fallback;
  const part = (name: string, otherwise: string) => {
    const value = fields[name];
    return typeof value === "string" && value !== "" ? value : otherwise;
  };
  return `${part("type", stream.type)}-${part("dataset", stream.dataset)}-${part("namespace", stream.namespace)}`;
}

/** The document's data_stream.{type,dataset,namespace} made to match where it is written. */
function syncDataStreamFields(
  document: Record<string, unknown>,
  stream: NonNullable<ActionSettings["dataStream"]>,
): void {
  let fields = document.data_stream;
  if (!isHash(fields)) {
    fields = {};
    document.data_stream = fields;
  }
  const hash = fields as Record<string, unknown>;
  const configured: Record<string, string> = {
    type: stream.type,
    dataset: stream.dataset,
    namespace: stream.namespace,
  };
  for (const [name, value] of Object.entries(configured)) {
    // Without auto routing the configured name wins over what the event says.
    if (!stream.autoRouting && hash[name] !== undefined && hash[name] !== value) hash[name] = undefined;
    if (hash[name] === undefined || hash[name] === null || hash[name] === "") hash[name] = value;
  }
}

/** _id, _index and routing, shared by index and data-stream actions. */
function commonParams(
  event: Event,
  settings: ActionSettings,
  target: string,
): Record<string, string | number> {
  const control = ingestDocument(event);
  const params: Record<string, string | number> = {};
  const id = settings.documentId !== undefined ? event.sprintf(settings.documentId) : control.id;
  if (id !== undefined) params._id = id;
  if (/%\{.*?\}/.test(target) && settings.dlqOnFailedIndexnameInterpolation)
    throw new EventMappingError(
      `Badly formatted index, after interpolation still contains placeholder: [${target}]`,
    );
  params._index =
    settings.index === settings.defaultIndex && control.index !== undefined ? control.index : target;
  const routing = settings.routing !== undefined ? event.sprintf(settings.routing) : control.routing;
  if (routing !== undefined) params.routing = routing;
  return params;
}

function addVersion(event: Event, settings: ActionSettings, params: Record<string, string | number>): void {
  const control = ingestDocument(event);
  const version = settings.version !== undefined ? event.sprintf(settings.version) : control.version;
  const versionType =
    settings.versionType !== undefined ? event.sprintf(settings.versionType) : control.version_type;
  if (version !== undefined) params.version = version;
  if (versionType !== undefined) params.version_type = versionType;
}

/** [@metadata][_ingest_document]: what an elastic_integration filter left for the output. */
function ingestDocument(event: Event): Record<string, string | undefined> {
  const control = event.get("[@metadata][_ingest_document]");
  if (!isHash(control)) return {};
  const out: Record<string, string | undefined> = {};
  for (const key of ["id", "index", "routing", "version", "version_type"]) {
    const value = control[key];
    if (typeof value === "string" || typeof value === "number") out[key] = String(value);
  }
  return out;
}

/** A plain object (not an array, not a Timestamp). */
function isHash(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** The NDJSON lines of one action, newline-terminated (JSON.stringify escapes lone surrogates: valid UTF-8). */
export function serializeAction(action: BulkAction): string {
  const head = JSON.stringify({ [action.action]: action.params });
  return action.source === undefined ? `${head}\n` : `${head}\n${JSON.stringify(action.source)}\n`;
}
