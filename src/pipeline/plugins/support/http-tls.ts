// Node TLS settings from the `ssl_*` options of HTTP-client plugins: PEM files, verification mode and the allowed
// protocol range shared by all of them, and the PKCS#12 keystore and ciphers of the full `sslClientOptions` set.

import { readFileSync } from "node:fs";
import type { SecureContextOptions, SecureVersion } from "node:tls";
import type { ResolvedOptions } from "../options.js";

export type TlsSettings = SecureContextOptions & { rejectUnauthorized: boolean };

const tlsVersions: readonly SecureVersion[] = ["TLSv1.1", "TLSv1.2", "TLSv1.3"];

/** Node takes a version range: the lowest and highest listed protocols; throws for a name that is not one. */
export function protocolRange(listed: readonly string[]): {
  minVersion?: SecureVersion;
  maxVersion?: SecureVersion;
} {
  const unknown = listed.filter((p) => !tlsVersions.includes(p as SecureVersion));
  if (unknown.length > 0)
    throw new Error(`ssl_supported_protocols takes TLSv1.1, TLSv1.2, TLSv1.3; got ${unknown.join(", ")}`);
  const chosen = tlsVersions.filter((v) => listed.includes(v));
  return chosen.length > 0 ? { minVersion: chosen[0], maxVersion: chosen[chosen.length - 1] } : {};
}

/** Throws `message` when only one of `ssl_certificate` and `ssl_key` is given. */
export function requireCertificateWithKey(options: ResolvedOptions, message: string): void {
  const certificate = options.optionalString("ssl_certificate");
  if ((certificate === undefined) !== (options.optionalString("ssl_key") === undefined))
    throw new Error(message);
}

/** Refuses keystores and truststores for plugins that take PEM files only; `refusal` ends "<name> <refusal>". */
export function refuseJavaStores(options: ResolvedOptions, refusal: string): void {
  for (const name of ["ssl_keystore_path", "ssl_truststore_path"])
    if (options.has(name)) throw new Error(`${name} ${refusal}`);
}

/** Verification mode, trusted CAs, client certificate and key (PEM), and the protocol range. */
export function pemTlsSettings(options: ResolvedOptions): TlsSettings {
  const range = protocolRange(options.stringArray("ssl_supported_protocols"));
  const authorities = options.stringArray("ssl_certificate_authorities");
  const certificate = options.optionalString("ssl_certificate");
  const key = options.optionalString("ssl_key");
  return {
    rejectUnauthorized: options.string("ssl_verification_mode") === "full",
    ...(authorities.length > 0 ? { ca: authorities.map((path) => readFileSync(path)) } : {}),
    ...(certificate !== undefined && key !== undefined
      ? { cert: readFileSync(certificate), key: readFileSync(key) }
      : {}),
    ...range,
  };
}

/** Node TLS settings from `sslClientOptions`; throws for combinations Logstash refuses at register. */
export function tlsSettings(options: ResolvedOptions, enabled: boolean): TlsSettings {
  if (!enabled) return { rejectUnauthorized: true };
  const certificate = options.optionalString("ssl_certificate");
  const key = options.optionalString("ssl_key");
  const keystore = options.optionalString("ssl_keystore_path");
  if (options.has("ssl_truststore_path"))
    throw new Error(
      "ssl_truststore_path is not supported; give the CA as PEM in ssl_certificate_authorities",
    );
  if (certificate !== undefined && keystore !== undefined)
    throw new Error(
      'Use either "ssl_certificate" or "ssl_keystore_path/keystore" when configuring client certificates',
    );
  if (certificate !== undefined && key === undefined)
    throw new Error('Using an "ssl_certificate" requires an "ssl_key"');
  if (certificate === undefined && key !== undefined)
    throw new Error('An "ssl_certificate" is required when using an "ssl_key"');
  const ciphers = options.stringArray("ssl_cipher_suites");
  return {
    ...pemTlsSettings(options),
    ...(keystore !== undefined ? keystoreSettings(options, keystore) : {}),
    ...(ciphers.length > 0 ? { ciphers: ciphers.join(":") } : {}),
  };
}

function keystoreSettings(options: ResolvedOptions, path: string): SecureContextOptions {
  const type = options.optionalString("ssl_keystore_type") ?? (/\.jks$/i.test(path) ? "jks" : "pkcs12");
  if (type === "jks")
    throw new Error("JKS keystores are not supported; use a PKCS#12 (.p12) keystore or PEM files");
  const passphrase = options.optionalString("ssl_keystore_password");
  return { pfx: readFileSync(path), ...(passphrase !== undefined ? { passphrase } : {}) };
}
