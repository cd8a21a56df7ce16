// The client's view of a cluster: bootstrap, one negotiated connection per broker, cached metadata,
// and routing of requests to a partition's leader or the controller, refreshing metadata when leadership moves.

import type { Logger } from "../../common/logger.js";
import { silentLogger } from "../../common/logger.js";
import { Connection, type RequestBody } from "./connection.js";
import { KafkaResponseError, KafkaTransportError, throwIfError } from "./errors.js";
import { api, negotiate, type VersionRange } from "./versions.js";

export interface ClusterOptions {
  /** `host:port[,host:port...]`; IPv6 hosts in brackets: `[::1]:9092`. */
  bootstrap: string | string[];
  clientId?: string;
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** How often a retriable error (leader moved, topic being created) is retried after refreshing metadata. */
  retries?: number;
  retryBackoffMs?: number;
  logger?: Logger;
}

export interface BrokerAddress {
  host: string;
  port: number;
}

export interface PartitionMetadata {
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
  errorCode: number;
}

export interface TopicMetadata {
  name: string;
  errorCode: number;
  isInternal: boolean;
  partitions: PartitionMetadata[];
}

export interface ClusterMetadata {
  clusterId: string | null;
  controllerId: number;
  brokers: Map<number, BrokerAddress>;
  topics: Map<string, TopicMetadata>;
}

/** A connection together with the API versions its broker announced. */
export interface Link {
  connection: Connection;
  versions: Map<number, VersionRange>;
}

/** Errors after which fresh metadata may find the right broker. */
const staleMetadataErrors = new Set([3, 5, 6, 9, 13]); // UNKNOWN_TOPIC_OR_PARTITION, LEADER_NOT_AVAILABLE, NOT_LEADER_OR_FOLLOWER, REPLICA_NOT_AVAILABLE, NETWORK_EXCEPTION

export function parseBootstrap(bootstrap: string | string[]): BrokerAddress[] {
  const parts = (Array.isArray(bootstrap) ? bootstrap : [bootstrap]).flatMap((s) => s.split(","));
  const out: BrokerAddress[] = [];
  for (const raw of parts) {
    const part = raw.trim();
    if (part === "") continue;
    const match =
      /^\[([^\]]+)\]:(\d+)$/.exec(part) ?? /^([^:]+):(\d+)$/.exec(part) ?? /^\[?([^\]]+?)\]?$/.exec(part);
    if (!match) throw new Error(`bad bootstrap address "${part}" (want host:port)`);
    const port = match[2] === undefined ? 9092 : Number(match[2]);
    if (!Number.isInteger(port) || port <= 0 || port > 65535)
      throw new Error(`bad port in bootstrap address "${part}"`);
    out.push({ host: match[1], port });
  }
  if (out.length === 0) throw new Error("no bootstrap address given");
  return out;
}

export class Cluster {
  readonly clientId: string;
  readonly requestTimeoutMs: number;
  private readonly connectTimeoutMs: number;
  readonly retries: number;
  readonly retryBackoffMs: number;
  private readonly bootstrap: BrokerAddress[];
  private readonly links = new Map<string, Promise<Link>>();
  private metadataCache: ClusterMetadata | null = null;
  private closed = false;
  readonly logger: Logger;

  constructor(options: ClusterOptions) {
    this.bootstrap = parseBootstrap(options.bootstrap);
    this.clientId = options.clientId ?? "sluice";
    this.connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.retries = options.retries ?? 5;
    this.retryBackoffMs = options.retryBackoffMs ?? 100;
    this.logger = options.logger ?? silentLogger;
  }

  /** Sends a request built for the negotiated version over `link`; resolves with the response body. */
  async request<T>(
    link: Link,
    apiKey: number,
    build: (version: number) => RequestBody,
    expectResponse = true,
  ): Promise<T> {
    const version = negotiate(apiKey, link.versions, link.connection.address);
    return (await link.connection.send(apiKey, version, build(version), expectResponse)) as T;
  }

  /** A link to any reachable broker: one already open, else the bootstrap list in order. */
  async anyLink(): Promise<Link> {
    for (const [key, pending] of this.links) {
      const link = await pending.catch(() => null);
      if (link && !link.connection.isClosed) return link;
      this.links.delete(key);
    }
    const known = this.metadataCache ? [...this.metadataCache.brokers.values()] : [];
    let lastError: unknown = null;
    for (const address of [...this.bootstrap, ...known]) {
      try {
        return await this.linkTo(address);
      } catch (err) {
        lastError = err;
        this.logger.debug("bootstrap broker unreachable", { host: address.host, port: address.port, err });
      }
    }
    const list = this.bootstrap.map((a) => `${a.host}:${a.port}`).join(",");
    const reason = lastError instanceof Error ? lastError.message : String(lastError);
    throw new KafkaTransportError(`no broker reachable at ${list}: ${reason}`);
  }

  /** A link to broker `nodeId` from the metadata. */
  async linkToNode(nodeId: number): Promise<Link> {
    let address = this.metadataCache?.brokers.get(nodeId);
    if (!address) address = (await this.refreshMetadata()).brokers.get(nodeId);
    if (!address) throw new KafkaResponseError(5, `broker ${nodeId}`, "not in the cluster metadata");
    return this.linkTo(address);
  }

  /** Metadata for `topics` (all topics when null); caches brokers and the topics it saw. */
  async refreshMetadata(topics: string[] | null = null, allowAutoCreate = false): Promise<ClusterMetadata> {
    const link = await this.anyLink();
    const body = await this.request<MetadataResponse>(link, api.metadata, () => ({
      topics: topics === null ? null : topics.map((name) => ({ name })),
      allowAutoTopicCreation: allowAutoCreate,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    }));
    const metadata = toClusterMetadata(body);
    if (this.metadataCache && topics !== null) {
      for (const [name, topic] of this.metadataCache.topics)
        if (!metadata.topics.has(name)) metadata.topics.set(name, topic);
    }
    this.metadataCache = metadata;
    return metadata;
  }

  /**
   * Metadata of one topic, from the cache when it has a usable leader for every partition. With allowAutoCreate a
   * broker with auto.create.topics.enable creates a missing topic (as producers ask for).
   */
  async topic(name: string, forceRefresh = false, allowAutoCreate = false): Promise<TopicMetadata> {
    const cached = this.metadataCache?.topics.get(name);
    if (!forceRefresh && cached && cached.errorCode === 0 && cached.partitions.every((p) => p.leader >= 0))
      return cached;
    const metadata = await this.refreshMetadata([name], allowAutoCreate);
    const topic = metadata.topics.get(name);
    if (!topic) throw new KafkaResponseError(3, `topic ${name}`);
    throwIfError(topic.errorCode, `topic ${name}`);
    return topic;
  }

  forgetTopic(name: string): void {
    this.metadataCache?.topics.delete(name);
  }

  /** A link to the leader of `topic`/`partition`. */
  async leaderLink(topic: string, partition: number): Promise<Link> {
    const meta = await this.topic(topic);
    const p = meta.partitions.find((x) => x.partition === partition);
    if (!p)
      throw new KafkaResponseError(
        3,
        `partition ${topic}-${partition}`,
        `topic has ${meta.partitions.length} partitions`,
      );
    if (p.leader < 0) throw new KafkaResponseError(5, `partition ${topic}-${partition}`);
    return this.linkToNode(p.leader);
  }

  /** A link to the controller, where topic creation and deletion go. */
  async controllerLink(): Promise<Link> {
    const metadata = this.metadataCache ?? (await this.refreshMetadata());
    if (metadata.controllerId < 0) return this.anyLink();
    return this.linkToNode(metadata.controllerId);
  }

  /** Runs `attempt`, refreshing metadata and retrying while it fails with a retriable or stale-leader error. */
  async withRetries<T>(what: string, attempt: () => Promise<T>, onStale?: () => void): Promise<T> {
    for (let tries = 0; ; tries++) {
      try {
        return await attempt();
      } catch (err) {
        if (tries >= this.retries || !isRetriable(err) || this.closed) throw err;
        this.logger.debug("retrying", { what, tries, err });
        onStale?.();
        await sleep(this.retryBackoffMs * 2 ** tries);
        if (err instanceof KafkaResponseError && staleMetadataErrors.has(err.code)) this.metadataCache = null;
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const pending = [...this.links.values()];
    this.links.clear();
    for (const p of pending) {
      const link = await p.catch(() => null);
      link?.connection.close();
    }
  }

  private linkTo(address: BrokerAddress): Promise<Link> {
    if (this.closed) return Promise.reject(new KafkaTransportError("client closed"));
    const key = `${address.host}:${address.port}`;
    const existing = this.links.get(key);
    if (existing) {
      return existing.then((link) => {
        if (!link.connection.isClosed) return link;
        if (this.links.get(key) === existing) this.links.delete(key);
        return this.linkTo(address);
      });
    }
    const opening = this.openLink(address);
    this.links.set(key, opening);
    opening.catch(() => {
      if (this.links.get(key) === opening) this.links.delete(key);
    });
    return opening;
  }

  private async openLink(address: BrokerAddress): Promise<Link> {
    const connection = await Connection.open({
      host: address.host,
      port: address.port,
      clientId: this.clientId,
      connectTimeoutMs: this.connectTimeoutMs,
      requestTimeoutMs: this.requestTimeoutMs,
    });
    try {
      return { connection, versions: await fetchApiVersions(connection) };
    } catch (err) {
      connection.close();
      throw err;
    }
  }
}

interface ApiVersionsResponse {
  errorCode: number;
  apiKeys: Array<{ apiKey: number; minVersion: number; maxVersion: number }>;
}

/**
 * Asks the broker which API versions it speaks. Tries v3 first; a broker that does not know v3 answers
 * UNSUPPORTED_VERSION in the v0 layout, so on that error (or an undecodable answer) it asks again with v0.
 */
async function fetchApiVersions(connection: Connection): Promise<Map<number, VersionRange>> {
  const body = { clientSoftwareName: "sluice", clientSoftwareVersion: "0.1.0" };
  let response: ApiVersionsResponse | null = null;
  try {
    response = (await connection.send(api.apiVersions, 3, body)) as ApiVersionsResponse;
  } catch (err) {
    if (!(err instanceof KafkaTransportError) || connection.isClosed) throw err;
  }
  if (!response || response.errorCode === 35) {
    response = (await connection.send(api.apiVersions, 0, {})) as ApiVersionsResponse;
  }
  throwIfError(response.errorCode, `ApiVersions from ${connection.address}`);
  const versions = new Map<number, VersionRange>();
  for (const k of response.apiKeys) versions.set(k.apiKey, { min: k.minVersion, max: k.maxVersion });
  return versions;
}

interface MetadataResponse {
  brokers: Array<{ nodeId: number; host: string; port: number }>;
  clusterId?: string | null;
  controllerId?: number;
  topics: Array<{
    errorCode: number;
    name: string | null;
    isInternal?: boolean;
    partitions: Array<{
      errorCode: number;
      partitionIndex: number;
      leaderId: number;
      replicaNodes: number[];
      isrNodes: number[];
    }>;
  }>;
}

function toClusterMetadata(body: MetadataResponse): ClusterMetadata {
  const brokers = new Map<number, BrokerAddress>();
  for (const b of body.brokers) brokers.set(b.nodeId, { host: b.host, port: b.port });
  const topics = new Map<string, TopicMetadata>();
  for (const t of body.topics) {
    if (t.name === null) continue;
    const partitions = t.partitions
      .map((p) => ({
        partition: p.partitionIndex,
        leader: p.leaderId,
        replicas: p.replicaNodes,
        isr: p.isrNodes,
        errorCode: p.errorCode,
      }))
      .sort((a, b) => a.partition - b.partition);
    topics.set(t.name, {
      name: t.name,
      errorCode: t.errorCode,
      isInternal: t.isInternal ?? false,
      partitions,
    });
  }
  return { clusterId: body.clusterId ?? null, controllerId: body.controllerId ?? -1, brokers, topics };
}

export function isRetriable(err: unknown): boolean {
  if (err instanceof KafkaTransportError) return true;
  return err instanceof KafkaResponseError && (err.retriable || staleMetadataErrors.has(err.code));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
