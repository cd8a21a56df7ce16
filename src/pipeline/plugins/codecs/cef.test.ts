import net from "node:net";
import { describe, expect, it } from "vitest";
import { type EcsCompatibility, Event, Timestamp } from "../../event/index.js";
import { tcpInput } from "../inputs/tcp.js";
import { ResolvedOptions } from "../options.js";
import { CefTimestampNormalizer } from "./cef/timestamp.js";
import {
  CEF_FAILURE_TAG,
  cefCodec,
  sanitizeExtensionKey,
  sanitizeExtensionValue,
  sanitizeHeaderField,
  validSeverity,
} from "./cef.js";
import { decodeAll, makeCodec, RecordingSink, recordingContext, waitFor } from "./test-support.js";

const message =
  "CEF:0|security|threatmanager|1.0|100|trojan successfully stopped|10|src=10.0.0.192 dst=12.121.122.82 spt=1232";
const messageTwo =
  "CEF:0|fun|whimsy|1.0|100|trojan successfully stopped|10|src=10.0.0.192 dst=12.121.122.82 spt=1232";

const modes: Array<[EcsCompatibility, (legacy: string, ecs: string) => string]> = [
  ["disabled", (legacy) => legacy],
  ["v8", (_legacy, ecs) => ecs],
];

function codecFor(mode: EcsCompatibility, given: Record<string, string | boolean | string[]> = {}) {
  const context = recordingContext(mode);
  return { codec: makeCodec(cefCodec, given, context), context };
}

function decodeOne(
  mode: EcsCompatibility,
  text: string,
  given: Record<string, string | boolean> = {},
): Event {
  const events = decodeAll(codecFor(mode, given).codec, [text]);
  expect(events).toHaveLength(1);
  return events[0]!;
}

function encode(
  given: Record<string, string | boolean | string[]>,
  event: Event,
  mode: EcsCompatibility = "v8",
) {
  return codecFor(mode, given).codec.encode(event) as string;
}

describe.each(modes)("cef decode (ecs %s)", (mode, pick) => {
  const header = (e: Event) => ({
    version: e.get(pick("cefVersion", "[cef][version]")),
    vendor: e.get(pick("deviceVendor", "[observer][vendor]")),
    product: e.get(pick("deviceProduct", "[observer][product]")),
    deviceVersion: e.get(pick("deviceVersion", "[observer][version]")),
    code: e.get(pick("deviceEventClassId", "[event][code]")),
    name: e.get(pick("name", "[cef][name]")),
    severity: e.get(pick("severity", "[event][severity]")),
  });
  const standard = {
    version: "0",
    vendor: "security",
    product: "threatmanager",
    deviceVersion: "1.0",
    code: "100",
    name: "trojan successfully stopped",
    severity: "10",
  };

  it("parses the header and the extensions with their mapped names", () => {
    const e = decodeOne(mode, message);
    expect(header(e)).toEqual(standard);
    expect(e.get(pick("sourceAddress", "[source][ip]"))).toBe("10.0.0.192");
    expect(e.get(pick("destinationAddress", "[destination][ip]"))).toBe("12.121.122.82");
    expect(e.get(pick("sourcePort", "[source][port]"))).toBe("1232");
    expect(e.get("tags")).toBeUndefined();
  });

  it("splits on the delimiter itself, keeps a partial record and flushes it at the end", () => {
    const { codec } = codecFor(mode, { delimiter: "\\r\\n" });
    const events: Event[] = [];
    const decoder = codec.createDecoder((e) => events.push(e));
    decoder.write(Buffer.from(message));
    expect(events).toHaveLength(0);
    decoder.write(Buffer.from(`\r\n${messageTwo}`));
    expect(events).toHaveLength(1);
    expect(header(events[0]!).vendor).toBe("security");
    decoder.write(Buffer.from(" split=perfect"));
    decoder.end();
    expect(events).toHaveLength(2);
    expect(header(events[1]!).vendor).toBe("fun");
    expect(events[1]!.get("split")).toBe("perfect");
  });

  it("emits several records from one write with a delimiter", () => {
    const events = decodeAll(codecFor(mode, { delimiter: "\\r\\n" }).codec, [`${message}\r\n${messageTwo}`]);
    expect(events.map((e) => header(e).vendor)).toEqual(["security", "fun"]);
  });

  it.each([
    ["this is not cef", "found 0 of 7 required pipe-terminated header fields"],
    [
      "a|b|c with several \\| escaped\\| pipes|d|bananas",
      "found 4 of 7 required pipe-terminated header fields",
    ],
    [
      `${message.split("|").slice(0, 7).join("|")}|this is not key value`,
      "invalid extensions; keyless value present",
    ],
    [`${message}\n${message}\n`, "contains unescaped newline characters"],
  ])("tags %j as a parse failure", (text, reason) => {
    const { codec, context } = codecFor(mode);
    const [e] = decodeAll(codec, [text]);
    expect(e!.get("tags")).toEqual([CEF_FAILURE_TAG]);
    expect(e!.get("message")).toBe(text);
    expect(context.failures).toEqual(["cef_parse_failure"]);
    expect(context.lines.join("\n")).toContain(reason);
  });

  it("tags input that is not UTF-8", () => {
    const [e] = decodeAll(codecFor(mode).codec, [Buffer.from([0x43, 0x45, 0x46, 0x3a, 0xff, 0xfe, 0x7c])]);
    expect(e!.get("tags")).toEqual([CEF_FAILURE_TAG]);
  });

  it("keeps UTF-8 text from higher planes", () => {
    const e = decodeOne(mode, `${message} target=aaaaaああああaaaa msg=Description Omitted`);
    expect(e.get("target")).toBe("aaaaaああああaaaa");
  });

  it("unescapes backslashes and pipes in the header", () => {
    const b = "\\";
    const e = decodeOne(
      mode,
      `CEF:0|security|threatmanager|1.0|100|double backslash${b}${b}${b}${b}|10|src=1.2.3.4`,
    );
    expect(header(e).name).toBe(`double backslash${b}${b}`);
    expect(header(e).severity).toBe("10");
    const pipes = decodeOne(mode, "CEF:0|secu\\|rity|threatmanager\\||1.\\|0|10\\|0|tro\\|jan|\\|10|");
    expect(header(pipes)).toMatchObject({
      vendor: "secu|rity",
      product: "threatmanager|",
      code: "10|0",
      severity: "|10",
    });
    const edge = decodeOne(
      mode,
      "CEF:0|security\\\\\\||threatmanager\\\\|1.0|100|trojan successfully stopped|10|",
    );
    expect(header(edge)).toMatchObject({ vendor: "security\\|", product: "threatmanager\\" });
    const slashes = decodeOne(
      mode,
      "CEF:0|secu\\\\rity|threat\\\\manager|1.\\\\0|10\\\\0|tro\\\\jan|\\\\10|",
    );
    expect(header(slashes)).toMatchObject({ vendor: "secu\\rity", deviceVersion: "1.\\0", severity: "\\10" });
  });

  it("accepts empty header fields, equals signs in the header and leading blanks in extensions", () => {
    const e = decodeOne(
      mode,
      "CEF:0|||1.0|100|trojan successfully stopped|10| src=10.0.0.192  dst=12.121.122.82",
    );
    expect(header(e)).toMatchObject({ vendor: "", product: "", severity: "10" });
    expect(e.get(pick("destinationAddress", "[destination][ip]"))).toBe("12.121.122.82");
    const eq = decodeOne(mode, "CEF:0|security|threatmanager=equal|1.0|100|n|10|");
    expect(header(eq).product).toBe("threatmanager=equal");
  });

  it("reads extension values with pipes, blanks, equals signs and escapes", () => {
    const prefix = "CEF:0|security|threatmanager|1.0|100|trojan successfully stopped|10|";
    expect(decodeOne(mode, `${prefix}moo=this\\|has an escaped pipe`).get("moo")).toBe(
      "this\\|has an escaped pipe",
    );
    expect(decodeOne(mode, `${prefix}moo=this|has an pipe`).get("moo")).toBe("this|has an pipe");
    expect(decodeOne(mode, `${prefix}moo=this =has = equals\\=`).get("moo")).toBe("this =has = equals=");
    expect(decodeOne(mode, `${prefix}moo=this \\has \\ backslashs\\`).get("moo")).toBe(
      "this \\has \\ backslashs\\",
    );
    const escapes = decodeOne(mode, `${prefix}foo=bar msg=a \\= b \\n c \\r d \\\\ e bar=baz`);
    expect(escapes.get("foo")).toBe("bar");
    expect(escapes.get("message")).toBe("a = b \n c \r d \\ e");
    expect(escapes.get("bar")).toBe("baz");
    const query = decodeOne(
      mode,
      `${prefix}go=start now query_string=key1\\=value1&key2\\=value3 aa.bc final=done`,
    );
    expect(query.get("go")).toBe("start now");
    expect(query.get("query_string")).toBe("key1=value1&key2=value3 aa.bc");
    expect(query.get("final")).toBe("done");
    const spaces = decodeOne(mode, `${prefix}src=10.0.0.192 dproc=InternetExplorer x.x.x.x`);
    expect(spaces.get(pick("destinationProcessName", "[destination][process][name]"))).toBe(
      "InternetExplorer x.x.x.x",
    );
  });

  it("keeps dotted and indexed keys and unknown keys", () => {
    const e = decodeOne(
      mode,
      "CEF:0|Vendor|Device|Version|13|my message|5|dvchost=loghost ad.nn=TEST ad.Error_,Code=3221225578 ad.field[0]=field0 ad.foo.name[1]=new_name new_key_by_device=new_values here",
    );
    expect(e.get(pick("deviceHostName", "[observer][hostname]"))).toBe("loghost");
    expect(e.get("ad.nn")).toBe("TEST");
    expect(e.get("ad.Error_,Code")).toBe("3221225578");
    expect(e.get("[ad.field][0]")).toBe("field0");
    expect(e.get("[ad.foo.name][1]")).toBe("new_name");
    expect(e.get("new_key_by_device")).toBe("new_values here");
  });

  it("lets an unkeyed equals sign stay inside a value", () => {
    const e = decodeOne(
      mode,
      "CEF:0|FooBar|Web Gateway|1.2.3.45.67|200|Success|2|cat=Access Log requestClientApplication='Foo-Bar/2018.1.7; Email:user@example.com; Guid:test=' cs1= cs1Label=Foo Bar",
    );
    expect(e.get(pick("requestClientApplication", "[user_agent][original]"))).toBe(
      "'Foo-Bar/2018.1.7; Email:user@example.com; Guid:test='",
    );
    expect(e.get(pick("deviceCustomString1", "[cef][device_custom_string_1][value]"))).toBe("");
    expect(e.get(pick("deviceCustomString1Label", "[cef][device_custom_string_1][label]"))).toBe("Foo Bar");
    expect(e.get(pick("deviceEventCategory", "[cef][category]"))).toBe("Access Log");
  });

  it("translates short keys, numbered custom fields and legacy names", () => {
    const e = decodeOne(
      mode,
      "CEF:0|a|b|1.0|100|n|10|proto=TCP shost=s.example dhost=d.example dpt=9200 outcome=Success amac=00:80:48:1c:24:91 act=blocked cfp15=3.14 cfp15Label=pi c6a12=::1 cn7=8191 cs4=silly cs4Label=theory destinationLongitude=-73.6 sourceLatitude=9.1 fileHash=1bad1dea",
    );
    expect(e.get(pick("transportProtocol", "[network][transport]"))).toBe("TCP");
    expect(e.get(pick("sourceHostName", "[source][domain]"))).toBe("s.example");
    expect(e.get(pick("destinationHostName", "[destination][domain]"))).toBe("d.example");
    expect(e.get(pick("destinationPort", "[destination][port]"))).toBe("9200");
    expect(e.get(pick("eventOutcome", "[event][outcome]"))).toBe("Success");
    expect(e.get(pick("agentMacAddress", "[agent][mac]"))).toBe("00:80:48:1c:24:91");
    expect(e.get(pick("deviceAction", "[event][action]"))).toBe("blocked");
    expect(e.get(pick("deviceCustomFloatingPoint15", "[cef][device_custom_floating_point_15][value]"))).toBe(
      "3.14",
    );
    expect(
      e.get(pick("deviceCustomFloatingPoint15Label", "[cef][device_custom_floating_point_15][label]")),
    ).toBe("pi");
    expect(e.get(pick("deviceCustomIPv6Address12", "[cef][device_custom_ipv6_address_12][value]"))).toBe(
      "::1",
    );
    expect(e.get(pick("deviceCustomNumber7", "[cef][device_custom_number_7][value]"))).toBe("8191");
    expect(e.get(pick("deviceCustomString4Label", "[cef][device_custom_string_4][label]"))).toBe("theory");
    expect(e.get(pick("destinationLongitude", "[destination][geo][location][lon]"))).toBe("-73.6");
    expect(e.get(pick("sourceLatitude", "[source][geo][location][lat]"))).toBe("9.1");
    expect(e.get(pick("fileHash", "[file][hash]"))).toBe("1bad1dea");
  });

  it("separates a syslog header before CEF:", () => {
    const e = decodeOne(mode, `Syslogdate Sysloghost ${message}`);
    expect(e.get(pick("syslog", "[log][syslog][header]"))).toBe("Syslogdate Sysloghost");
    expect(header(e)).toEqual(standard);
  });

  it("strips surrounding quotes and copies the raw record with raw_data_field", () => {
    expect(header(decodeOne(mode, `"${message}"`))).toEqual(standard);
    const e = decodeOne(mode, message, { raw_data_field: "message_raw" });
    expect(e.get("message_raw")).toBe(message);
  });

  it("maps device fields to host with device => host", () => {
    const e = decodeOne(mode, "CEF:0|a|b|1.0|100|n|10|dvc=10.1.1.1 dvchost=box deviceExternalId=x1", {
      device: "host",
    });
    expect(e.get(pick("deviceAddress", "[host][ip]"))).toBe("10.1.1.1");
    expect(e.get(pick("deviceHostName", "[host][name]"))).toBe("box");
    expect(e.get(pick("deviceExternalId", "[host][id]"))).toBe("x1");
  });
});

describe("cef decode times", () => {
  const zoned =
    "CEF:0|Security|threatmanager|1.0|100|worm successfully stopped|Very-High| eventId=1 rt=Jul 19 2017 10:50:21.127 dtz=Europe/Moscow src=10.0.0.1";

  it("keeps rt and dtz verbatim without ECS", () => {
    const e = decodeOne("disabled", zoned);
    expect(e.get("deviceReceiptTime")).toBe("Jul 19 2017 10:50:21.127");
    expect(e.get("deviceTimeZone")).toBe("Europe/Moscow");
  });

  it("sets @timestamp from rt read in the dtz zone with ECS", () => {
    const e = decodeOne("v8", zoned);
    expect(e.timestamp?.toString()).toBe("2017-07-19T07:50:21.127Z");
    expect(e.get("[event][timezone]")).toBe("Europe/Moscow");
  });

  it("reads epoch milliseconds and stores an empty time as null", () => {
    const e = decodeOne("v8", "CEF:0|a|b|1.0|100|n|10|art=1500464384997 end=1500464384997.5 start=");
    expect((e.get("[event][created]") as Timestamp).toString()).toBe("2017-07-19T11:39:44.997Z");
    expect((e.get("[event][end]") as Timestamp).toString()).toBe("2017-07-19T11:39:44.997500Z");
    expect(e.includes("[event][start]")).toBe(true);
    expect(e.get("[event][start]")).toBeNull();
    expect(decodeOne("disabled", "CEF:0|a|b|1.0|100|n|10|start=").get("startTime")).toBe("");
  });

  it("uses default_timezone and tags an unreadable time", () => {
    const e = decodeOne("v8", "CEF:0|a|b|1.0|100|n|10|rt=Sep 07 2018 14:50:39", { default_timezone: "UTC" });
    expect(e.timestamp?.toString()).toBe("2018-09-07T14:50:39.000Z");
    expect(decodeOne("v8", "CEF:0|a|b|1.0|100|n|10|rt=yesterday").get("tags")).toEqual([CEF_FAILURE_TAG]);
  });

  it("guesses the year of a time without one", () => {
    const at = (iso: string) => new CefTimestampNormalizer("en", "UTC", () => new Date(iso));
    expect(at("2026-05-12T00:00:00Z").normalize("May 13 10:00:00", undefined).toString()).toBe(
      "2026-05-13T10:00:00.000Z",
    );
    expect(at("2026-05-12T00:00:00Z").normalize("May 15 10:00:00", undefined).toString()).toBe(
      "2025-05-15T10:00:00.000Z",
    );
    expect(at("2026-12-31T12:00:00Z").normalize("Jan 01 01:00:00", undefined).toString()).toBe(
      "2027-01-01T01:00:00.000Z",
    );
    expect(at("2026-05-12T00:00:00Z").normalize("May 10 10:00:00 UTC", "Europe/Moscow").toString()).toBe(
      "2026-05-10T10:00:00.000Z",
    );
  });
});

describe("cef encode", () => {
  const plain = "CEF:0|Elasticsearch|Logstash|1.0|Logstash|Logstash|6|";

  it("writes the default header, and appends the expanded delimiter", () => {
    expect(encode({}, new Event({ foo: "bar" }))).toBe(plain);
    expect(encode({ delimiter: "\\r\\n" }, new Event({}))).toBe(`${plain}\r\n`);
  });

  it("uses configured and sprintf'd header values, defaults for empty ones", () => {
    const given = {
      vendor: "%{v}",
      product: "product",
      version: "2.0",
      signature: "signature",
      name: "name",
      severity: "%{s}",
    };
    expect(encode(given, new Event({ v: "vendor", s: "1" }))).toBe(
      "CEF:0|vendor|product|2.0|signature|name|1|",
    );
    const empty = { vendor: "", product: "", version: "", signature: "", name: "", severity: "" };
    expect(encode(empty, new Event({}))).toBe(plain);
  });

  it.each(["foo", "11", "-1", "5.4"])("falls back to severity 6 for %j", (severity) => {
    expect(encode({ severity }, new Event({}))).toBe(plain);
  });

  it("sanitizes header fields, keys and values", () => {
    const header = {
      vendor: "ven\ndor",
      product: "pro|duct",
      version: "ver\\sion",
      signature: "sig\r\nnature",
      name: "na\rme",
      severity: "4\n",
    };
    expect(encode(header, new Event({}))).toBe("CEF:0|ven dor|pro\\|duct|ver\\\\sion|sig nature|na me|4|");
    const keys = encode(
      { fields: ["f o\no", "@b-a_r"] },
      new Event({ "f o\no": "foo value", "@b-a_r": "bar value" }),
    );
    expect(keys).toBe(`${plain}foo=foo value bar=bar value`);
    const values = encode(
      { fields: ["foo", "bar", "baz"] },
      new Event({ foo: "foo\\value\n", bar: "bar=value\r" }),
    );
    expect(values).toBe(`${plain}foo=foo\\\\value\\n bar=bar\\=value\\n`);
    expect(sanitizeHeaderField("foo\r\nbar\r\nbaz")).toBe("foo bar baz");
    expect(sanitizeExtensionKey("[foo]|bar.baz")).toBe("foobarbaz");
    expect(sanitizeExtensionValue("foo|bar")).toBe("foo|bar");
  });

  it("validates severities as Logstash does", () => {
    expect(["", "foo", "1.5", "-1", "11"].map(validSeverity)).toEqual([false, false, false, false, false]);
    expect(["0", "10", "1.0"].map(validSeverity)).toEqual([true, true, true]);
    expect(encode({ severity: "1.0" }, new Event({}))).toBe(
      "CEF:0|Elasticsearch|Logstash|1.0|Logstash|Logstash|1|",
    );
  });

  it("writes hashes and arrays as JSON, timestamps as ISO text, skips missing fields", () => {
    const event = new Event({
      foo: { bar: "bar value" },
      arr: [{ a: 1 }, "baz"],
      ts: new Timestamp(0),
      n: 3,
    });
    const text = encode({ fields: ["foo", "missing", "arr", "ts", "n"] }, event);
    expect(text).toBe(`${plain}foo={"bar":"bar value"} arr=[{"a":1},"baz"] ts=1970-01-01T00:00:00.000Z n=3`);
  });

  it.each(modes)("uses long names, or short keys with reverse_mapping (ecs %s)", (mode) => {
    const event = new Event({
      deviceAction: "a",
      sourceAddress: "1.2.3.4",
      destinationTimeZone: "UTC",
      agentMacAddress: "m",
    });
    const fields = ["deviceAction", "sourceAddress", "destinationTimeZone", "agentMacAddress"];
    expect(encode({ fields }, event, mode)).toBe(
      `${plain}deviceAction=a sourceAddress=1.2.3.4 destinationTimeZone=UTC agentMacAddress=m`,
    );
    expect(encode({ fields, reverse_mapping: true }, event, mode)).toBe(
      `${plain}act=a src=1.2.3.4 dtz=UTC amac=m`,
    );
  });

  it("encodes ECS fields by their CEF keys, preferring the higher-priority name", () => {
    const event = new Event();
    event.set("[event][action]", "floop");
    event.set("[observer][hostname]", "banana");
    event.set("[source][registered_domain]", "monkey.see");
    event.set("[user_agent][original]", "Guid:test=");
    const fields = [
      "[event][action]",
      "[observer][hostname]",
      "[user_agent][original]",
      "[source][registered_domain]",
    ];
    expect(encode({ fields, reverse_mapping: true }, event)).toBe(
      `${plain}act=floop dvchost=banana requestClientApplication=Guid:test\\= sourceDnsDomain=monkey.see`,
    );
    expect(encode({ fields }, event)).toBe(
      `${plain}deviceAction=floop deviceHostName=banana requestClientApplication=Guid:test\\= sourceDnsDomain=monkey.see`,
    );
  });

  it.each(modes)("round-trips an event through encode and decode (ecs %s)", (mode, pick) => {
    const names = {
      vendor: pick("deviceVendor", "[observer][vendor]"),
      name: pick("name", "[cef][name]"),
      severity: pick("severity", "[event][severity]"),
      domain: pick("sourceDnsDomain", "[source][registered_domain]"),
    };
    const event = new Event();
    event.set(names.vendor, "vendor");
    event.set(names.name, "a|b");
    event.set(names.severity, "1");
    event.set("foo", "x=y\nz");
    event.set(names.domain, "apple");
    const { codec } = codecFor(mode, {
      vendor: `%{${names.vendor}}`,
      name: `%{${names.name}}`,
      severity: `%{${names.severity}}`,
      fields: ["foo", names.domain],
    });
    const [back] = decodeAll(codec, [codec.encode(event) as string]);
    for (const field of [names.vendor, names.name, names.severity, "foo", names.domain])
      expect(back!.get(field)).toEqual(event.get(field));
  });
});

describe("cef through the tcp input", () => {
  it("decodes records split on \\r\\n across TCP writes", async () => {
    const context = recordingContext("v8");
    const codec = makeCodec(cefCodec, { delimiter: "\\r\\n" }, context);
    const input = tcpInput.create(
      ResolvedOptions.of(
        {
          host: "127.0.0.1",
          port: 0,
          mode: "server",
          proxy_protocol: false,
          ssl_enabled: false,
          tcp_keep_alive: false,
          dns_reverse_lookup_enabled: false,
        },
        codec,
      ),
      context,
    );
    const sink = new RecordingSink();
    const running = input.run(sink);
    const address = (await input.listening) as net.AddressInfo;
    const socket = net.connect(address.port, "127.0.0.1");
    await new Promise((resolve) => socket.once("connect", resolve));
    socket.write(`${message}\r\n${messageTwo.slice(0, 20)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
    socket.end(`${messageTwo.slice(20)}\r\n`);
    await waitFor(() => sink.events.length === 2);
    await input.stop();
    await running;
    expect(sink.events.map((e) => e.get("[observer][vendor]"))).toEqual(["security", "fun"]);
    expect(sink.events[1]!.get("[source][port]")).toBe("1232");
  });
});
