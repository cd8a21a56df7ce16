// Issue 5's acceptance: grok %{COMBINEDAPACHELOG} + date + useragent + geoip, run by `sluice run` on Apache
// access-log lines, produce the ECS fields Logstash documents; expectations are computed here from the lines.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sluiceBin } from "../helpers/broker-process.js";
import { buildMmdb, type MmdbValue } from "../helpers/mmdb.js";
import { run } from "../helpers/run.js";

interface Access {
  ip: string;
  ident: string;
  user: string;
  time: string;
  method: string;
  path: string;
  version: string;
  status: string;
  bytes: string;
  referrer: string;
  agent: string;
  /** The family Logstash's useragent filter (uap-core) reports for `agent`. */
  agentName: string;
}

const chrome =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
const firefox = "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0";
const iphone =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1";
const googlebot = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
const curl = "curl/7.88.1";

// prettier-ignore
const accesses: Access[] = [
  a(
    "1.2.3.4",
    "-",
    "frank",
    "10/Oct/2023:13:55:36 -0700",
    "GET",
    "/apache_pb.gif",
    "1.0",
    "200",
    "2326",
    "http://www.example.com/start.html",
    chrome,
    "Chrome",
  ),
  a(
    "1.2.3.77",
    "-",
    "-",
    "10/Oct/2023:13:55:37 -0700",
    "GET",
    "/index.html",
    "1.1",
    "200",
    "5120",
    "-",
    firefox,
    "Firefox",
  ),
  a(
    "81.2.69.160",
    "-",
    "-",
    "10/Oct/2023:21:01:02 +0000",
    "POST",
    "/login?next=%2Fadmin",
    "1.1",
    "302",
    "0",
    "https://shop.example.org/cart",
    iphone,
    "Mobile Safari",
  ),
  a(
    "81.2.69.161",
    "-",
    "alice",
    "11/Oct/2023:00:00:00 +0100",
    "PUT",
    "/api/items/42",
    "1.1",
    "201",
    "87",
    "-",
    curl,
    "curl",
  ),
  a(
    "66.249.66.1",
    "-",
    "-",
    "11/Oct/2023:03:14:15 +0000",
    "GET",
    "/robots.txt",
    "1.1",
    "404",
    "-",
    "-",
    googlebot,
    "Googlebot",
  ),
  a(
    "66.249.66.2",
    "-",
    "-",
    "11/Oct/2023:03:14:16 +0000",
    "HEAD",
    "/",
    "1.1",
    "200",
    "-",
    "-",
    googlebot,
    "Googlebot",
  ),
  a(
    "203.0.113.9",
    "-",
    "-",
    "12/Nov/2023:23:59:59 -0500",
    "DELETE",
    "/api/items/42",
    "1.1",
    "204",
    "-",
    "-",
    curl,
    "curl",
  ),
  a(
    "198.51.100.23",
    "-",
    "-",
    "01/Dec/2023:08:30:00 +0530",
    "GET",
    "/search?q=duck+db&page=2",
    "2.0",
    "200",
    "18342",
    "https://www.example.com/",
    chrome,
    "Chrome",
  ),
  a("1.2.3.5", "-", "-", "15/Jan/2024:12:00:00 +0000", "OPTIONS", "*", "1.1", "200", "0", "-", curl, "curl"),
  a(
    "81.2.69.1",
    "-",
    "-",
    "29/Feb/2024:06:07:08 +0000",
    "PATCH",
    "/api/users/7",
    "1.1",
    "500",
    "421",
    "-",
    firefox,
    "Firefox",
  ),
  a(
    "192.0.2.44",
    "-",
    "-",
    "31/Mar/2024:01:59:59 -0800",
    "GET",
    "/static/app.js",
    "1.1",
    "304",
    "-",
    "http://www.example.com/",
    iphone,
    "Mobile Safari",
  ),
  a(
    "1.2.3.200",
    "ident7",
    "bob",
    "04/Apr/2024:04:04:04 +0200",
    "GET",
    "/private/report.pdf",
    "1.1",
    "401",
    "381",
    "-",
    chrome,
    "Chrome",
  ),
  a(
    "66.249.66.3",
    "-",
    "-",
    "05/May/2024:05:05:05 +0000",
    "GET",
    "/sitemap.xml",
    "1.1",
    "200",
    "90210",
    "-",
    googlebot,
    "Googlebot",
  ),
  a(
    "203.0.113.10",
    "-",
    "-",
    "06/Jun/2024:18:45:00 -0300",
    "POST",
    "/api/upload",
    "1.1",
    "413",
    "512",
    "https://app.example.net/upload",
    firefox,
    "Firefox",
  ),
  a(
    "81.2.69.200",
    "-",
    "-",
    "07/Jul/2024:07:07:07 +0000",
    "GET",
    "/favicon.ico",
    "1.1",
    "200",
    "1150",
    "https://shop.example.org/",
    chrome,
    "Chrome",
  ),
  a(
    "198.51.100.99",
    "-",
    "-",
    "08/Aug/2024:08:08:08 +0900",
    "GET",
    "/wp-login.php",
    "1.1",
    "403",
    "199",
    "-",
    curl,
    "curl",
  ),
  a(
    "1.2.3.8",
    "-",
    "carol",
    "09/Sep/2024:09:09:09 -0400",
    "GET",
    "/dashboard",
    "1.1",
    "503",
    "0",
    "https://www.example.com/login",
    iphone,
    "Mobile Safari",
  ),
  a(
    "192.0.2.1",
    "-",
    "-",
    "10/Oct/2024:10:10:10 +0000",
    "GET",
    "/health",
    "1.1",
    "200",
    "2",
    "-",
    curl,
    "curl",
  ),
  a(
    "66.249.66.4",
    "-",
    "-",
    "11/Nov/2024:11:11:11 +0000",
    "GET",
    "/products/widget?color=red",
    "1.1",
    "301",
    "178",
    "-",
    googlebot,
    "Googlebot",
  ),
  a(
    "81.2.69.42",
    "-",
    "-",
    "12/Dec/2024:23:00:00 -1000",
    "GET",
    "/cart",
    "1.1",
    "200",
    "7788",
    "https://shop.example.org/products",
    firefox,
    "Firefox",
  ),
];

function a(
  ...f: [string, string, string, string, string, string, string, string, string, string, string, string]
): Access {
  const [ip, ident, user, time, method, path, version, status, bytes, referrer, agent, agentName] = f;
  return { ip, ident, user, time, method, path, version, status, bytes, referrer, agent, agentName };
}

function logLine(x: Access): string {
  return `${x.ip} ${x.ident} ${x.user} [${x.time}] "${x.method} ${x.path} HTTP/${x.version}" ${x.status} ${x.bytes} "${x.referrer}" "${x.agent}"`;
}

const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** The instant an Apache `dd/MMM/yyyy:HH:mm:ss Z` time names, as ISO text with milliseconds. */
function apacheTimeIso(time: string): string {
  const m = /^(\d\d)\/(\w{3})\/(\d{4}):(\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)$/.exec(time);
  if (!m) throw new Error(`bad time ${time}`);
  const [, d, mon, y, h, min, s, sign, oh, om] = m;
  const local = Date.UTC(
    Number(y),
    months.indexOf(mon as string),
    Number(d),
    Number(h),
    Number(min),
    Number(s),
  );
  const offsetMs = (sign === "-" ? -1 : 1) * (Number(oh) * 60 + Number(om)) * 60_000;
  return new Date(local - offsetMs).toISOString();
}

const names = (en: string) => ({ names: { en } });
interface Place {
  cidr: string;
  record: MmdbValue;
  geo: Record<string, unknown>;
}
const places: Place[] = [
  {
    cidr: "1.2.3.0/24",
    record: {
      city: names("Tokyo"),
      continent: { code: "AS", ...names("Asia") },
      country: { iso_code: "JP", ...names("Japan") },
      location: { latitude: { double: 35.6895 }, longitude: { double: 139.6917 }, time_zone: "Asia/Tokyo" },
      subdivisions: [{ iso_code: "13", ...names("Tokyo-to") }],
    },
    geo: {
      city_name: "Tokyo",
      continent_code: "AS",
      country_name: "Japan",
      country_iso_code: "JP",
      region_name: "Tokyo-to",
      region_iso_code: "JP-13",
      timezone: "Asia/Tokyo",
      location: { lat: 35.6895, lon: 139.6917 },
    },
  },
  {
    cidr: "81.2.69.0/24",
    record: {
      city: names("London"),
      continent: { code: "EU", ...names("Europe") },
      country: { iso_code: "GB", ...names("United Kingdom") },
      location: { latitude: { double: 51.5142 }, longitude: { double: -0.0931 }, time_zone: "Europe/London" },
      postal: { code: "EC2V" },
    },
    geo: {
      city_name: "London",
      continent_code: "EU",
      country_name: "United Kingdom",
      country_iso_code: "GB",
      postal_code: "EC2V",
      timezone: "Europe/London",
      location: { lat: 51.5142, lon: -0.0931 },
    },
  },
];

function placeOf(ip: string): Place | undefined {
  return places.find((p) => ip.startsWith(p.cidr.split(".").slice(0, 3).join(".")));
}

let dir: string;
let events: Record<string, unknown>[];
let stderr: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "sluice-apache-"));
  const mmdb = join(dir, "city.mmdb");
  writeFileSync(
    mmdb,
    buildMmdb(
      "GeoLite2-City",
      places.map((p) => [p.cidr, p.record]),
    ),
  );
  const out = join(dir, "out.jsonl");
  const config = `
    input { stdin { } }
    filter {
      grok { match => { "message" => "%{COMBINEDAPACHELOG}" } }
      date { match => ["timestamp", "dd/MMM/yyyy:HH:mm:ss Z"] }
      useragent { source => "[user_agent][original]" }
      geoip { source => "[source][address]" target => "[source]" database => "${mmdb}" }
    }
    output { file { path => "${out}" codec => json_lines } }`;
  const result = await run(
    process.execPath,
    [sluiceBin, "run", "--path.data", join(dir, "data"), "-w", "1", "-e", config],
    { input: `${accesses.map(logLine).join("\n")}\n`, timeoutMs: 60_000 },
  );
  stderr = result.stderr;
  if (result.code !== 0) throw new Error(`sluice run failed (${result.code}):\n${stderr}`);
  events = readFileSync(out, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
}, 90_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function eventFor(x: Access): Record<string, unknown> {
  const line = logLine(x);
  const found = events.find((e) => e.message === line);
  if (!found) throw new Error(`no event for ${line}\n${stderr}`);
  return found;
}

function at(event: Record<string, unknown>, path: string): unknown {
  return path.split(".").reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], event);
}

const dash = (v: string) => (v === "-" ? undefined : v);

describe("Apache combined log through grok + date + useragent + geoip", () => {
  it("emits one event per line, none tagged with a failure", () => {
    expect(events).toHaveLength(accesses.length);
    for (const e of events)
      expect((e.tags as string[] | undefined)?.filter((t) => t !== "_geoip_lookup_failure") ?? []).toEqual(
        [],
      );
  });

  it("grok fills the ECS fields of COMBINEDAPACHELOG, numbers as integers, '-' as absent", () => {
    for (const x of accesses) {
      const e = eventFor(x);
      expect(at(e, "source.address"), x.ip).toBe(x.ip);
      expect(at(e, "http.request.method")).toBe(x.method);
      expect(at(e, "url.original")).toBe(x.path);
      expect(at(e, "http.version")).toBe(x.version);
      expect(at(e, "http.response.status_code")).toBe(Number(x.status));
      expect(at(e, "http.response.body.bytes")).toBe(x.bytes === "-" ? undefined : Number(x.bytes));
      expect(at(e, "http.request.referrer")).toBe(dash(x.referrer));
      expect(at(e, "user.name")).toBe(dash(x.user));
      expect(at(e, "apache.access.user.identity")).toBe(dash(x.ident));
      expect(at(e, "user_agent.original")).toBe(x.agent);
      expect(at(e, "timestamp")).toBe(x.time);
      expect(at(e, "event.original")).toBe(logLine(x));
    }
  });

  it("date sets @timestamp to the logged instant", () => {
    for (const x of accesses) expect(eventFor(x)["@timestamp"], x.time).toBe(apacheTimeIso(x.time));
  });

  it("useragent names the browser or bot", () => {
    for (const x of accesses) {
      const e = eventFor(x);
      expect(at(e, "user_agent.name"), x.agent).toBe(x.agentName);
    }
    const bot = eventFor(accesses.find((x) => x.agent === googlebot) as Access);
    expect(at(bot, "user_agent.device.name")).toBe("Spider");
    expect(at(bot, "user_agent.version")).toBe("2.1");
    const win = eventFor(accesses[0] as Access);
    expect(at(win, "user_agent.os.name")).toBe("Windows");
  });

  it("geoip writes [source][geo] from the database, and tags addresses it does not hold", () => {
    for (const x of accesses) {
      const e = eventFor(x);
      const place = placeOf(x.ip);
      if (place) {
        expect(at(e, "source.geo"), x.ip).toEqual(place.geo);
        expect(at(e, "source.ip")).toBe(x.ip);
        expect(e.tags).toBeUndefined();
      } else {
        expect(at(e, "source.geo"), x.ip).toBeUndefined();
        expect(e.tags).toEqual(["_geoip_lookup_failure"]);
      }
    }
    expect(accesses.filter((x) => placeOf(x.ip)).length).toBeGreaterThanOrEqual(10);
  });
});
