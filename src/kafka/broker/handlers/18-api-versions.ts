// ApiVersions (key 18), versions 0-3: the versions this broker speaks, i.e. what the codec supports AND a
// handler is registered for.

import { ApiKey, ErrorCode, supportedApis } from "../../protocol/index.js";
import type { HandlerModule } from "../handler.js";

export interface ApiVersionRange {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}

/** Intersects the codec's version ranges with the registered handlers'; drops APIs with no overlap. */
export function advertisedApiVersions(handlers: readonly HandlerModule[]): ApiVersionRange[] {
  const out: ApiVersionRange[] = [];
  for (const h of handlers) {
    const codec = supportedApis.get(h.apiKey);
    if (!codec) continue;
    const minVersion = Math.max(codec.minVersion, h.minVersion);
    const maxVersion = Math.min(codec.maxVersion, h.maxVersion);
    if (minVersion <= maxVersion) out.push({ apiKey: h.apiKey, minVersion, maxVersion });
  }
  return out.sort((a, b) => a.apiKey - b.apiKey);
}

/** Built by the registry, which knows every handler (a direct import would be circular). */
export function createApiVersionsHandler(registered: () => readonly HandlerModule[]): HandlerModule {
  let cached: ApiVersionRange[] | null = null;
  return {
    apiKey: ApiKey.ApiVersions,
    minVersion: 0,
    maxVersion: 3,
    handle: async () => {
      cached ??= advertisedApiVersions(registered());
      return {
        errorCode: ErrorCode.NONE,
        apiKeys: cached,
        throttleTimeMs: 0,
        supportedFeatures: [],
        finalizedFeaturesEpoch: -1n,
        finalizedFeatures: [],
        zkMigrationReady: false,
      };
    },
  };
}
