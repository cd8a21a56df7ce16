// Authorization headers of HTTP-client plugins: basic (from `user` and `password`) and Elasticsearch's ApiKey.

import type { ResolvedOptions } from "../options.js";

export function basicAuthorization(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
}

/** The http_client mixin's basic auth: none without `user`; a user without a password is refused at register. */
export function userPasswordAuthorization(options: ResolvedOptions): string | undefined {
  const user = options.optionalString("user");
  if (user === undefined) return undefined;
  const password = options.optionalString("password");
  if (password === undefined) throw new Error(`User '${user}' specified without password!`);
  return basicAuthorization(user, password);
}

/** Elasticsearch's `ApiKey` header: an "id:key" pair is base64-encoded, an already encoded key is sent as is. */
export function apiKeyAuthorization(apiKey: string): string {
  const encoded = isBase64(apiKey) ? apiKey : Buffer.from(apiKey).toString("base64");
  return `ApiKey ${encoded}`;
}

function isBase64(text: string): boolean {
  return (
    /^[A-Za-z0-9+/]+={0,2}$/.test(text) &&
    text.length % 4 === 0 &&
    Buffer.from(text, "base64").toString("base64") === text
  );
}
