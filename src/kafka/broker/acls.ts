// ACL bindings as Kafka models them (KIP-140, prefixed patterns from KIP-290): validation, filter matching,
// and a durable store in a checksummed meta file. Sluice stores and reports ACLs but does not enforce them.

import { join } from "node:path";
import { limits } from "../../common/limits.js";
import { readMetaFile, writeMetaFile } from "./meta-file.js";

export const AclResourceType = {
  UNKNOWN: 0,
  ANY: 1,
  TOPIC: 2,
  GROUP: 3,
  CLUSTER: 4,
  TRANSACTIONAL_ID: 5,
  DELEGATION_TOKEN: 6,
  USER: 7,
} as const;

export const AclPatternType = { UNKNOWN: 0, ANY: 1, MATCH: 2, LITERAL: 3, PREFIXED: 4 } as const;

export const AclOperation = {
  UNKNOWN: 0,
  ANY: 1,
  ALL: 2,
  READ: 3,
  WRITE: 4,
  CREATE: 5,
  DELETE: 6,
  ALTER: 7,
  DESCRIBE: 8,
  CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10,
  ALTER_CONFIGS: 11,
  IDEMPOTENT_WRITE: 12,
  CREATE_TOKENS: 13,
  DESCRIBE_TOKENS: 14,
} as const;

export const AclPermissionType = { UNKNOWN: 0, ANY: 1, DENY: 2, ALLOW: 3 } as const;

/** A literal resource name matching every resource of its type. */
export const wildcardResourceName = "*";
/** The one name a CLUSTER resource has. */
export const clusterResourceName = "kafka-cluster";

export interface AclBinding {
  resourceType: number;
  resourceName: string;
  patternType: number;
  principal: string;
  host: string;
  operation: number;
  permissionType: number;
}

/** Null strings match anything; ANY (and MATCH for the pattern type) widen the enums. */
export interface AclBindingFilter {
  resourceType: number;
  resourceName: string | null;
  patternType: number;
  principal: string | null;
  host: string | null;
  operation: number;
  permissionType: number;
}

const maxResourceType = AclResourceType.USER;
const maxOperation = AclOperation.DESCRIBE_TOKENS;

function isConcrete(value: number, max: number): boolean {
  return Number.isInteger(value) && value > AclResourceType.ANY && value <= max;
}

/** Why a binding cannot be created (Kafka answers INVALID_REQUEST), or null when it is valid. */
export function bindingProblem(b: AclBinding): string | null {
  if (!isConcrete(b.resourceType, maxResourceType)) return `invalid resource type ${b.resourceType}`;
  if (b.patternType !== AclPatternType.LITERAL && b.patternType !== AclPatternType.PREFIXED)
    return `invalid pattern type ${b.patternType}: only LITERAL and PREFIXED can be stored`;
  if (!isConcrete(b.operation, maxOperation)) return `invalid operation ${b.operation}`;
  if (b.permissionType !== AclPermissionType.ALLOW && b.permissionType !== AclPermissionType.DENY)
    return `invalid permission type ${b.permissionType}`;
  if (b.resourceName.length === 0) return "resource name must not be empty";
  if (b.resourceType === AclResourceType.CLUSTER && b.resourceName !== clusterResourceName)
    return `the only CLUSTER resource name is ${clusterResourceName}`;
  const colon = b.principal.indexOf(":");
  if (colon <= 0) return `invalid principal '${b.principal}': expected Type:name, e.g. User:alice`;
  if (b.host.length === 0) return "host must not be empty (use * for any host)";
  return null;
}

/** Why a describe/delete filter is unusable (any UNKNOWN or out-of-range value), or null. */
export function filterProblem(f: AclBindingFilter): string | null {
  const inRange = (v: number, max: number) => Number.isInteger(v) && v >= AclResourceType.ANY && v <= max;
  if (!inRange(f.resourceType, maxResourceType)) return `invalid resource type filter ${f.resourceType}`;
  if (!inRange(f.patternType, AclPatternType.PREFIXED)) return `invalid pattern type filter ${f.patternType}`;
  if (!inRange(f.operation, maxOperation)) return `invalid operation filter ${f.operation}`;
  if (!inRange(f.permissionType, AclPermissionType.ALLOW))
    return `invalid permission type filter ${f.permissionType}`;
  return null;
}

/** Kafka's resource-pattern filter rule: MATCH finds the stored patterns that would apply to the name. */
function resourceMatches(f: AclBindingFilter, b: AclBinding): boolean {
  if (f.resourceType !== AclResourceType.ANY && f.resourceType !== b.resourceType) return false;
  const widening = f.patternType === AclPatternType.ANY || f.patternType === AclPatternType.MATCH;
  if (!widening && f.patternType !== b.patternType) return false;
  if (f.resourceName === null) return true;
  if (f.patternType !== AclPatternType.MATCH) return f.resourceName === b.resourceName;
  if (b.patternType === AclPatternType.PREFIXED) return f.resourceName.startsWith(b.resourceName);
  return f.resourceName === b.resourceName || b.resourceName === wildcardResourceName;
}

function entryMatches(f: AclBindingFilter, b: AclBinding): boolean {
  if (f.principal !== null && f.principal !== b.principal) return false;
  if (f.host !== null && f.host !== b.host) return false;
  if (f.operation !== AclOperation.ANY && f.operation !== b.operation) return false;
  return f.permissionType === AclPermissionType.ANY || f.permissionType === b.permissionType;
}

export function filterMatches(f: AclBindingFilter, b: AclBinding): boolean {
  return resourceMatches(f, b) && entryMatches(f, b);
}

function bindingKey(b: AclBinding): string {
  return JSON.stringify([
    b.resourceType,
    b.resourceName,
    b.patternType,
    b.principal,
    b.host,
    b.operation,
    b.permissionType,
  ]);
}

export class AclStoreFullError extends Error {
  override name = "AclStoreFullError";
}

const aclsKind = "acls";

/** Every ACL binding, in creation order, persisted whole after each change. */
export class AclStore {
  private readonly bindings = new Map<string, AclBinding>();
  /** Changes run one at a time so each file write holds every earlier change. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(private readonly path: string) {}

  /** Loads `<dataDir>/acls.json`; a corrupt file or an invalid stored binding is a MetaFileError/Error. */
  static async open(dataDir: string): Promise<AclStore> {
    const store = new AclStore(join(dataDir, "acls.json"));
    const stored = await readMetaFile(store.path, aclsKind);
    const list = stored?.bindings ?? [];
    if (!Array.isArray(list)) throw new Error(`${store.path}: bindings is not a list`);
    for (const raw of list) {
      const b = parseStoredBinding(raw);
      const problem = b === null ? "malformed binding" : bindingProblem(b);
      if (problem !== null || b === null) throw new Error(`${store.path}: ${problem}`);
      store.bindings.set(bindingKey(b), b);
    }
    return store;
  }

  get size(): number {
    return this.bindings.size;
  }

  describe(filter: AclBindingFilter): AclBinding[] {
    return [...this.bindings.values()].filter((b) => filterMatches(filter, b));
  }

  /** Adds valid bindings (an existing one is a no-op, as in Kafka); callers validate first. */
  create(bindings: readonly AclBinding[]): Promise<void> {
    return this.serialized(async () => {
      const fresh = bindings.filter((b) => !this.bindings.has(bindingKey(b)));
      const distinct = new Set(fresh.map(bindingKey)).size;
      if (this.bindings.size + distinct > limits.aclBindingsMax)
        throw new AclStoreFullError(`at most ${limits.aclBindingsMax} ACL bindings can be stored`);
      if (fresh.length === 0) return;
      const next = new Map(this.bindings);
      for (const b of fresh) next.set(bindingKey(b), { ...b });
      await this.persist(next);
      for (const b of fresh) this.bindings.set(bindingKey(b), { ...b });
    });
  }

  /** Removes what each filter matches; a binding matched by several filters is reported under the first. */
  delete(filters: readonly AclBindingFilter[]): Promise<AclBinding[][]> {
    return this.serialized(async () => {
      const taken = new Set<string>();
      const perFilter = filters.map((f) => {
        const hits: AclBinding[] = [];
        for (const [key, b] of this.bindings) {
          if (!taken.has(key) && filterMatches(f, b)) {
            taken.add(key);
            hits.push(b);
          }
        }
        return hits;
      });
      if (taken.size === 0) return perFilter;
      const next = new Map([...this.bindings].filter(([key]) => !taken.has(key)));
      await this.persist(next);
      for (const key of taken) this.bindings.delete(key);
      return perFilter;
    });
  }

  private persist(next: Map<string, AclBinding>): Promise<void> {
    return writeMetaFile(this.path, aclsKind, { bindings: [...next.values()] });
  }

  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => {});
    return run;
  }
}

function parseStoredBinding(raw: unknown): AclBinding | null {
  if (typeof raw !== "object" || raw === null) return null;
  const r = raw as Record<string, unknown>;
  const ints = ["resourceType", "patternType", "operation", "permissionType"];
  const strings = ["resourceName", "principal", "host"];
  if (!ints.every((k) => Number.isInteger(r[k])) || !strings.every((k) => typeof r[k] === "string"))
    return null;
  return {
    resourceType: r.resourceType as number,
    resourceName: r.resourceName as string,
    patternType: r.patternType as number,
    principal: r.principal as string,
    host: r.host as string,
    operation: r.operation as number,
    permissionType: r.permissionType as number,
  };
}
