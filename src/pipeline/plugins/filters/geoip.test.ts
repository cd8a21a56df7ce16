import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildMmdb, type MmdbValue } from "../../../../test/helpers/mmdb.js";
import { geoipFilter } from "./geoip.js";
import { filterHarness } from "./testing.js";

const SPEC = geoipFilter;
const { setup, refused, diagnosticsOf } = filterHarness(SPEC);

type Value = MmdbValue;

const names = (en: string) => ({ names: { en } });
const cityRecord: Value = {
  city: names("Tokyo"),
  continent: { code: "AS", ...names("Asia") },
  country: { iso_code: "JP", ...names("Japan") },
  location: {
    latitude: { double: 35.6895 },
    longitude: { double: 139.6917 },
    time_zone: "Asia/Tokyo",
    metro_code: 7,
  },
  postal: { code: "100-0001" },
  subdivisions: [{ iso_code: "13", ...names("Tokyo-to") }],
};

function database(type: string, networks: [string, Value][]): string {
  const path = join(mkdtempSync(join(tmpdir(), "sluice-geoip-")), "test.mmdb");
  writeFileSync(path, buildMmdb(type, networks));
  return path;
}

const cityDb = database("GeoLite2-City", [
  ["1.2.3.0/24", cityRecord],
  ["5.5.0.0/16", { country: { iso_code: "FR", ...names("France") } }],
]);
const asnDb = database("GeoLite2-ASN", [
  ["8.8.8.0/24", { autonomous_system_number: 15169, autonomous_system_organization: "GOOGLE" }],
]);

describe("geoip filter", () => {
  it("writes legacy City fields under geoip", () => {
    const { run } = setup(`source => "ip" database => "${cityDb}"`);
    const { event, matched } = run({ ip: "1.2.3.4" });
    expect(matched).toBe(true);
    expect(event.get("geoip")).toEqual({
      ip: "1.2.3.4",
      city_name: "Tokyo",
      country_name: "Japan",
      continent_code: "AS",
      country_code2: "JP",
      country_code3: "JP",
      postal_code: "100-0001",
      dma_code: 7,
      region_name: "Tokyo-to",
      region_code: "13",
      timezone: "Asia/Tokyo",
      location: { lat: 35.6895, lon: 139.6917 },
      latitude: 35.6895,
      longitude: 139.6917,
    });
  });

  it("writes ECS fields under the target derived from [x][ip]", () => {
    const { run } = setup(`source => "[source][ip]" database => "${cityDb}"`, "v8");
    const { event } = run({ source: { ip: "1.2.3.9" } });
    expect(event.get("[source][geo]")).toEqual({
      city_name: "Tokyo",
      continent_code: "AS",
      country_name: "Japan",
      country_iso_code: "JP",
      postal_code: "100-0001",
      region_name: "Tokyo-to",
      region_iso_code: "JP-13",
      timezone: "Asia/Tokyo",
      location: { lat: 35.6895, lon: 139.6917 },
    });
    expect(event.get("[source][ip]")).toBe("1.2.3.9");
    expect(event.get("[source][mmdb][dma_code]")).toBe(7);
    expect(refused(`source => "clientip" database => "${cityDb}"`, "v8")).toContain("requires a `target`");
    const warned = setup(`source => "clientip" target => "[geo_where]" database => "${cityDb}"`, "v8");
    expect(warned.logs.some((l) => l.includes("ECS expect `target` value `geo_where`"))).toBe(true);
  });

  it("fields selects what is written; unknown field names are refused", () => {
    const { run } = setup(
      `source => "ip" target => "g" fields => ["city_name", "LOCATION"] database => "${cityDb}"`,
    );
    expect(run({ ip: "1.2.3.4" }).event.get("g")).toEqual({
      city_name: "Tokyo",
      location: { lat: 35.6895, lon: 139.6917 },
    });
    expect(refused(`source => "ip" fields => ["planet"] database => "${cityDb}"`)).toContain(
      "illegal field value planet",
    );
  });

  it("a City record without a location, an unknown or invalid address: tag_on_failure and an empty target", () => {
    const { run, failures } = setup(`source => "ip" database => "${cityDb}"`);
    for (const ip of ["5.5.5.5", "9.9.9.9", "not an ip"]) {
      const { event, matched } = run({ ip });
      expect(matched).toBe(false);
      expect(event.get("tags")).toEqual(["_geoip_lookup_failure"]);
      expect(event.get("geoip")).toEqual({});
    }
    expect(failures.length).toBe(3);
    const custom = setup(`source => "ip" tag_on_failure => ["nogeo"] database => "${cityDb}"`).run({
      ip: "9.9.9.9",
    });
    expect(custom.event.get("tags")).toEqual(["nogeo"]);
    expect(run({}).matched).toBe(false);
    expect(run({ ip: "  " }).event.get("tags")).toBeUndefined();
  });

  it("reads ASN databases (ECS [as] fields) and takes the first address of an array", () => {
    const legacy = setup(`source => "ip" database => "${asnDb}"`).run({ ip: ["8.8.8.8", "1.1.1.1"] }).event;
    expect(legacy.get("geoip")).toEqual({ ip: "8.8.8.8", asn: 15169, as_org: "GOOGLE" });
    const ecs = setup(`source => "[destination][ip]" database => "${asnDb}"`, "v1").run({
      destination: { ip: "8.8.8.8" },
    });
    expect(ecs.event.get("[destination][as]")).toEqual({ number: 15169, organization: { name: "GOOGLE" } });
  });

  it("without a database every event is tagged _geoip_expired_database; a corrupt file is refused", () => {
    const { run, logs } = setup(`source => "ip" default_database_type => "ASN" cache_size => 10`);
    expect(logs.some((l) => l.includes("no `database` given"))).toBe(true);
    const { event, matched } = run({ ip: "8.8.8.8" });
    expect(matched).toBe(false);
    expect(event.get("tags")).toEqual(["_geoip_expired_database"]);
    const bad = join(mkdtempSync(join(tmpdir(), "sluice-geoip-")), "bad.mmdb");
    writeFileSync(bad, "not a database");
    expect(refused(`source => "ip" database => "${bad}"`)).toContain("invalid or corrupted");
    expect(diagnosticsOf(`source => "ip" default_database_type => "Country"`).map((d) => d.code)).toEqual([
      "invalid-option",
    ]);
  });
});
