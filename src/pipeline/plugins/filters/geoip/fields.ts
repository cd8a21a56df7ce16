// What the geoip filter writes from a MaxMind record: Logstash's field list (names in legacy and ECS form),
// the database kinds with their default fields, and the extraction of each field from a decoded record.

export type DatabaseKind = "city" | "country" | "asn" | "isp" | "domain" | "anonymous_ip" | "unknown";

/** Field name (as `fields` writes it, upper-cased) → [ECS path, legacy name], in Logstash's enum order. */
export const fieldNames: Record<string, [string, string]> = {
  AUTONOMOUS_SYSTEM_NUMBER: ["[as][number]", "[asn]"],
  AUTONOMOUS_SYSTEM_ORGANIZATION: ["[as][organization][name]", "[as_org]"],
  CITY_NAME: ["[geo][city_name]", "[city_name]"],
  COUNTRY_NAME: ["[geo][country_name]", "[country_name]"],
  CONTINENT_CODE: ["[geo][continent_code]", "[continent_code]"],
  CONTINENT_NAME: ["[geo][continent_name]", "[continent_name]"],
  COUNTRY_CODE2: ["[geo][country_iso_code]", "[country_code2]"],
  COUNTRY_CODE3: ["", "[country_code3]"],
  DOMAIN: ["[domain]", "[domain]"],
  IP: ["[ip]", "[ip]"],
  ISP: ["[mmdb][isp]", "[isp]"],
  POSTAL_CODE: ["[geo][postal_code]", "[postal_code]"],
  DMA_CODE: ["[mmdb][dma_code]", "[dma_code]"],
  REGION_NAME: ["[geo][region_name]", "[region_name]"],
  REGION_CODE: ["[geo][region_code]", "[region_code]"],
  REGION_ISO_CODE: ["[geo][region_iso_code]", "[region_iso_code]"],
  TIMEZONE: ["[geo][timezone]", "[timezone]"],
  LOCATION: ["[geo][location]", "[location]"],
  LATITUDE: ["[geo][location][lat]", "[latitude]"],
  LONGITUDE: ["[geo][location][lon]", "[longitude]"],
  ORGANIZATION: ["[mmdb][organization]", "[organization]"],
  NETWORK: ["[ip_traits][network]", "[network]"],
  HOSTING_PROVIDER: ["[ip_traits][hosting_provider]", "[hosting_provider]"],
  TOR_EXIT_NODE: ["[ip_traits][tor_exit_node]", "[tor_exit_node]"],
  ANONYMOUS_VPN: ["[ip_traits][anonymous_vpn]", "[anonymous_vpn]"],
  ANONYMOUS: ["[ip_traits][anonymous]", "[anonymous]"],
  PUBLIC_PROXY: ["[ip_traits][public_proxy]", "[public_proxy]"],
  RESIDENTIAL_PROXY: ["[ip_traits][residential_proxy]", "[residential_proxy]"],
};

const cityFields = [
  "IP",
  "CITY_NAME",
  "CONTINENT_CODE",
  "COUNTRY_NAME",
  "COUNTRY_CODE2",
  "COUNTRY_CODE3",
  "POSTAL_CODE",
  "DMA_CODE",
  "REGION_NAME",
  "REGION_ISO_CODE",
  "TIMEZONE",
  "LOCATION",
  "LATITUDE",
  "LONGITUDE",
];
const anonymousFields = [
  "HOSTING_PROVIDER",
  "TOR_EXIT_NODE",
  "ANONYMOUS_VPN",
  "ANONYMOUS",
  "PUBLIC_PROXY",
  "RESIDENTIAL_PROXY",
];

/** The fields written when `fields` is not given. */
export function defaultFields(kind: DatabaseKind, ecs: boolean): string[] {
  switch (kind) {
    case "city":
      return ecs ? cityFields : cityFields.map((f) => (f === "REGION_ISO_CODE" ? "REGION_CODE" : f));
    case "country":
      return ["IP", "COUNTRY_CODE2", "COUNTRY_NAME", "CONTINENT_NAME"];
    case "asn":
      return ["IP", "AUTONOMOUS_SYSTEM_NUMBER", "AUTONOMOUS_SYSTEM_ORGANIZATION"];
    case "isp":
      return ["IP", "AUTONOMOUS_SYSTEM_NUMBER", "AUTONOMOUS_SYSTEM_ORGANIZATION", "ISP", "ORGANIZATION"];
    case "domain":
      return ["DOMAIN"];
    case "anonymous_ip":
      return anonymousFields;
    case "unknown":
      return [];
  }
}

/** The database kind from the mmdb's `database_type` metadata, as Logstash matches it. */
export function databaseKind(type: string): DatabaseKind {
  if (type.includes("City") || type.includes("Enterprise")) return "city";
  if (type.includes("Country")) return "country";
  if (type.includes("ASN")) return "asn";
  if (type.includes("ISP")) return "isp";
  if (type.includes("Domain")) return "domain";
  if (type.includes("Anonymous-IP")) return "anonymous_ip";
  return "unknown";
}

// biome-ignore lint/suspicious/noExplicitAny: decoded MaxMind records are untyped JSON
type MmdbRecord = Record<string, any>;

/** The wanted fields present in `record`, in Logstash's field order; empty when nothing applies. */
export function extractFields(
  kind: DatabaseKind,
  record: MmdbRecord,
  ip: string,
  wanted: ReadonlySet<string>,
): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (kind === "city" && record.location?.latitude == null && record.location?.longitude == null) return out;
  for (const name of Object.keys(fieldNames)) {
    if (!wanted.has(name)) continue;
    const value = name === "IP" ? ip : fieldValue(kind, name, record);
    if (value !== undefined && value !== null) out.set(name, value);
  }
  return out;
}

function fieldValue(kind: DatabaseKind, name: string, record: MmdbRecord): unknown {
  const subdivisions = record.subdivisions as MmdbRecord[] | undefined;
  const subdivision = subdivisions?.[subdivisions.length - 1];
  const location = record.location as MmdbRecord | undefined;
  switch (name) {
    case "CITY_NAME":
      return kind === "city" ? record.city?.names?.en : undefined;
    case "CONTINENT_CODE":
      return kind === "city" ? record.continent?.code : undefined;
    case "CONTINENT_NAME":
      return record.continent?.names?.en;
    case "COUNTRY_NAME":
      return record.country?.names?.en;
    case "COUNTRY_CODE2":
      return record.country?.iso_code;
    case "COUNTRY_CODE3":
      return kind === "city" ? record.country?.iso_code : undefined;
    case "POSTAL_CODE":
      return record.postal?.code;
    case "DMA_CODE":
      return location?.metro_code;
    case "REGION_NAME":
      return subdivision?.names?.en;
    case "REGION_CODE":
      return subdivision?.iso_code;
    case "REGION_ISO_CODE":
      return record.country?.iso_code != null && subdivision?.iso_code != null
        ? `${record.country.iso_code}-${subdivision.iso_code}`
        : undefined;
    case "TIMEZONE":
      return location?.time_zone;
    case "LOCATION":
      return location?.latitude != null && location?.longitude != null
        ? { lat: location.latitude, lon: location.longitude }
        : undefined;
    case "LATITUDE":
      return location?.latitude;
    case "LONGITUDE":
      return location?.longitude;
    case "AUTONOMOUS_SYSTEM_NUMBER":
      return record.autonomous_system_number;
    case "AUTONOMOUS_SYSTEM_ORGANIZATION":
      return record.autonomous_system_organization;
    case "ISP":
      return record.isp;
    case "ORGANIZATION":
      return record.organization;
    case "DOMAIN":
      return record.domain;
    default:
      return anonymousTrait(name, record);
  }
}

function anonymousTrait(name: string, record: MmdbRecord): unknown {
  if (!anonymousFields.includes(name)) return undefined;
  const keys: Record<string, string> = {
    HOSTING_PROVIDER: "is_hosting_provider",
    TOR_EXIT_NODE: "is_tor_exit_node",
    ANONYMOUS_VPN: "is_anonymous_vpn",
    ANONYMOUS: "is_anonymous",
    PUBLIC_PROXY: "is_public_proxy",
    RESIDENTIAL_PROXY: "is_residential_proxy",
  };
  return record[keys[name]!] ?? false;
}
