import { describe, expect, it } from "vitest";
import {
  apiSchema,
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  supportedApis,
} from "./index.js";
import { messagePlan } from "./registry.js";
import { sampleBody } from "./test-bodies.js";

const cases = [...supportedApis].flatMap(([apiKey, { minVersion, maxVersion }]) =>
  Array.from({ length: maxVersion - minVersion + 1 }, (_, i) => ({
    name: `${apiSchema(apiKey)!.name} v${minVersion + i}`,
    apiKey,
    apiVersion: minVersion + i,
  })),
);

describe("every API at every supported version round-trips", () => {
  it.each(cases)("$name", ({ apiKey, apiVersion }) => {
    for (const seed of [0, 1, 2]) {
      const header = {
        apiKey,
        apiVersion,
        correlationId: 1000 + seed,
        clientId: seed === 1 ? null : "client",
      };
      const request = sampleBody(messagePlan(apiKey, apiVersion, "request"), seed);
      const requestFrame = encodeRequest(header, request);
      expect(requestFrame.readInt32BE(0)).toBe(requestFrame.length - 4);
      expect(decodeRequest(requestFrame.subarray(4))).toEqual({ header, body: request });

      const response = sampleBody(messagePlan(apiKey, apiVersion, "response"), seed + 10);
      const responseFrame = Buffer.concat(encodeResponse(header, response));
      expect(responseFrame.readInt32BE(0)).toBe(responseFrame.length - 4);
      expect(decodeResponse(apiKey, apiVersion, responseFrame.subarray(4))).toEqual({
        correlationId: header.correlationId,
        body: response,
      });
    }
  });

  it("covers all 29 APIs", () => {
    expect(supportedApis.size).toBe(29);
    expect(cases.length).toBeGreaterThan(100);
  });
});
