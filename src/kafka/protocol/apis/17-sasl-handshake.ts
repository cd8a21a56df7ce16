// SaslHandshake (API key 17), versions 0-1: request and response fields as data for the generic codec.
// Field lists and version ranges follow Kafka's SaslHandshakeRequest/SaslHandshakeResponse message definitions.

import type { ApiSchema } from "../schema.js";

export const saslHandshakeApi: ApiSchema = {
  apiKey: 17,
  name: "SaslHandshake",
  minVersion: 0,
  maxVersion: 1,
  flexibleVersions: "none",
  request: [{ name: "mechanism", type: "string", versions: "0+" }],
  response: [
    { name: "errorCode", type: "int16", versions: "0+" },
    { name: "mechanisms", type: "[]string", versions: "0+" },
  ],
};
