import dgram from "node:dgram";
import net from "node:net";
import { describe, expect, it } from "vitest";
import { type EcsCompatibility, Event } from "../../event/index.js";
import type { Codec } from "../api.js";
import { cefCodec } from "../codecs/cef.js";
import { plainCodec } from "../codecs/plain.js";
import { makeCodec, RecordingSink, recordingContext, waitFor } from "../codecs/test-support.js";
import { type OptionValue, ResolvedOptions } from "../options.js";
import { createSyslogRelay, SYSLOG_GROK_FAILURE_TAG, type SyslogInput, syslogInput } from "./syslog.js";

const SYSLOG_LINE =
  '<164>Oct 26 15:19:25 1.2.3.4 %ASA-4-106023: Deny udp src DRAC:10.1.2.3/43434 dst outside:192.168.0.1/53 by access-group "acl_drac" [0x0, 0x0]';

function optionsOf(given: Record<string, OptionValue>, codec?: Codec): ResolvedOptions {
  const values: Record<string, OptionValue> = {};
  for (const [name, spec] of Object.entries(syslogInput.options))
    if (spec.default !== undefined) values[name] = spec.default;
  return ResolvedOptions.of({ ...values, host: "127.0.0.1", port: 0, timezone: "UTC", ...given }, codec);
}

async function startInput(mode: EcsCompatibility, given: Record<string, OptionValue> = {}, codec?: Codec) {
  const context = recordingContext(mode);
  const options = optionsOf(given, codec ?? makeCodec(plainCodec, {}, context));
  const input = syslogInput.create(options, context) as SyslogInput;
  const sink = new RecordingSink();
  const running = input.run(sink);
  const { port } = await input.listening;
  const stop = async () => {
    await input.stop();
    await running;
  };
  return { input, sink, port, context, stop };
}

async function sendTcp(port: number, text: string): Promise<void> {
  const socket = net.connect(port, "127.0.0.1");
  await new Promise((resolve) => socket.once("connect", resolve));
  await new Promise<void>((resolve) => socket.end(text, () => resolve()));
}

async function sendUdp(port: number, text: string): Promise<void> {
  const socket = dgram.createSocket("udp4");
  await new Promise<void>((resolve, reject) =>
    socket.send(text, port, "127.0.0.1", (err) => (err ? reject(err) : resolve())),
  );
  socket.close();
}

function relayed(mode: EcsCompatibility, message: string, given: Record<string, OptionValue> = {}): Event {
  const context = recordingContext(mode);
  const relay = createSyslogRelay(optionsOf(given), context, () => new Date("2026-11-25T12:00:00Z"));
  const event = new Event({ message });
  relay.relay(event);
  return event;
}

describe("syslog input over TCP and UDP", () => {
  it("parses RFC3164 lines over TCP with legacy field names", async () => {
    const { sink, port, stop } = await startInput("disabled");
    await sendTcp(port, `${SYSLOG_LINE}\n${SYSLOG_LINE}\n`);
    await waitFor(() => sink.events.length === 2);
    await stop();
    const event = sink.events[0]!;
    expect(event.get("priority")).toBe(164);
    expect(event.get("severity")).toBe(4);
    expect(event.get("facility")).toBe(20);
    expect(event.get("facility_label")).toBe("local4");
    expect(event.get("severity_label")).toBe("Warning");
    expect(event.get("logsource")).toBe("1.2.3.4");
    expect(event.get("program")).toBe("%ASA-4-106023");
    expect(event.get("host")).toBe("127.0.0.1");
    expect(event.get("timestamp")).toBe("Oct 26 15:19:25");
    // Logstash passes TCP lines with their newline, and GREEDYDATA keeps it.
    expect(event.get("message")).toBe(`${SYSLOG_LINE.slice(SYSLOG_LINE.indexOf("Deny"))}\n`);
    expect(event.timestamp?.toString()).toMatch(/^\d{4}-10-26T15:19:25\.000Z$/);
    expect(event.get("tags")).toBeUndefined();
  });

  it("parses datagrams with ECS names, a pid and the sender's address", async () => {
    const { sink, port, stop } = await startInput("v8");
    await sendUdp(port, "<133>Mar 11 08:44:43 precision kernel[42]: mce: CPU6: temperature normal");
    await waitFor(() => sink.events.length === 1);
    await stop();
    const event = sink.events[0]!;
    expect(event.get("host")).toEqual({ ip: "127.0.0.1", hostname: "precision" });
    expect(event.get("process")).toEqual({ name: "kernel", pid: 42 });
    expect(event.get("[log][syslog]")).toEqual({
      priority: 133,
      facility: { code: 16, name: "local0" },
      severity: { code: 5, name: "Notice" },
    });
    expect(event.get("message")).toBe("mce: CPU6: temperature normal");
    expect(event.get("[event][original]")).toBe(
      "<133>Mar 11 08:44:43 precision kernel[42]: mce: CPU6: temperature normal",
    );
    expect(event.get("[service][type]")).toBe("system");
    expect(event.includes("timestamp")).toBe(false);
    expect(event.timestamp?.toString()).toMatch(/^\d{4}-03-11T08:44:43\.000Z$/);
  });

  it("takes the client address from a PROXY protocol line", async () => {
    const { sink, port, stop } = await startInput("v8", { proxy_protocol: true });
    await sendTcp(port, `PROXY TCP4 1.2.3.4 5.6.7.8 1234 5678\r\n${SYSLOG_LINE}\n`);
    await waitFor(() => sink.events.length === 1);
    await stop();
    expect(sink.events[0]!.get("[host][ip]")).toBe("1.2.3.4");
    expect(sink.events[0]!.get("[log][syslog][priority]")).toBe(164);
  });

  it("closes a connection whose first line is not a PROXY header", async () => {
    const { sink, port, stop, context } = await startInput("v8", { proxy_protocol: true });
    await sendTcp(port, `${SYSLOG_LINE}\n${SYSLOG_LINE}\n`);
    await waitFor(() => context.failures.includes("proxy_protocol_header"));
    await stop();
    expect(sink.events).toHaveLength(0);
  });

  it("tags lines that are not syslog and gives them priority 13", async () => {
    const { sink, port, stop } = await startInput("disabled");
    await sendTcp(port, "message which causes a grok parse failure\n<abc>Oct 26 15:19:25 host x: y\n");
    await waitFor(() => sink.events.length === 2);
    await stop();
    for (const event of sink.events) {
      expect(event.get("tags")).toEqual([SYSLOG_GROK_FAILURE_TAG]);
      expect([event.get("priority"), event.get("facility"), event.get("severity")]).toEqual([13, 1, 5]);
      expect([event.get("facility_label"), event.get("severity_label")]).toEqual(["user-level", "Notice"]);
    }
    expect(sink.events[0]!.get("message")).toBe("message which causes a grok parse failure\n");
  });

  it("drops an unterminated last line, as Logstash does", async () => {
    const { sink, port, stop } = await startInput("disabled");
    await sendTcp(port, `${SYSLOG_LINE}\n<13>Oct 26 15:19:25 h p: no newline`);
    await waitFor(() => sink.events.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await stop();
    expect(sink.events).toHaveLength(1);
  });

  it("runs another codec on each line: cef with a custom grok on its syslog field", async () => {
    const context = recordingContext("disabled");
    const cef = makeCodec(cefCodec, {}, context);
    const { sink, port, stop } = await startInput(
      "disabled",
      {
        syslog_field: "syslog",
        grok_pattern:
          "<%{POSINT:priority}>%{TIMESTAMP_ISO8601:timestamp} atypical %{GREEDYDATA:syslog_message}",
      },
      cef,
    );
    const envelope = "<134>2018-02-07T12:40:00.000Z atypical foo bar";
    await sendTcp(
      port,
      `CEF:0|Co|App|1.0|632|Updated|3|src=192.168.0.1 msg=Description Omitted syslog=${envelope} k=v\n`,
    );
    await waitFor(() => sink.events.length === 1);
    await stop();
    const event = sink.events[0]!;
    expect([event.get("priority"), event.get("severity"), event.get("facility")]).toEqual([134, 6, 16]);
    expect(event.get("message")).toBe("Description Omitted");
    expect(event.get("syslog_message")).toBe("foo bar");
    expect(event.get("timestamp")).toBe("2018-02-07T12:40:00.000Z");
    expect(event.timestamp?.toString()).toBe("2018-02-07T12:40:00.000Z");
  });

  it("refuses to start when the port is taken", async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    const context = recordingContext("v8");
    const input = syslogInput.create(optionsOf({ port }, makeCodec(plainCodec, {}, context)), context);
    await expect(input.run(new RecordingSink())).rejects.toThrow(/EADDRINUSE/);
    blocker.close();
  });
});

describe("syslog relay", () => {
  it("parses a message with a pid, and one without a program", () => {
    const withPid = relayed("disabled", "<30>Nov 24 10:00:00 web sshd[881]: Accepted key");
    expect([withPid.get("program"), withPid.get("pid"), withPid.get("logsource")]).toEqual([
      "sshd",
      "881",
      "web",
    ]);
    expect(withPid.get("message")).toBe("Accepted key");
    const ecs = relayed("v8", "<30>Nov 24 10:00:00 web sshd: Accepted key");
    expect(ecs.get("[process][name]")).toBe("sshd");
    expect(ecs.includes("[process][pid]")).toBe(false);
  });

  it("reads ISO8601 times (legacy: from timestamp8601)", () => {
    const legacy = relayed("disabled", "<13>2026-01-02T03:04:05.678Z host prog: text");
    expect(legacy.get("timestamp")).toBe("2026-01-02T03:04:05.678Z");
    expect(legacy.timestamp?.toString()).toBe("2026-01-02T03:04:05.678Z");
    const ecs = relayed("v8", "<13>2026-01-02T03:04:05+02:00 host prog: text");
    expect(ecs.timestamp?.toString()).toBe("2026-01-02T01:04:05.000Z");
  });

  it("reads single-digit days and applies timezone", () => {
    const event = relayed("v8", "<164>Oct  6 15:19:25 1.2.3.4 x: y", { timezone: "-05:00" });
    expect(event.timestamp?.toString()).toBe("2026-10-06T20:19:25.000Z");
  });

  it("tags a time the date formats cannot read", () => {
    const event = relayed("disabled", "<13>bogus text", {
      grok_pattern: "<%{POSINT:priority}>%{WORD:timestamp} %{GREEDYDATA:message}",
    });
    expect(event.get("tags")).toEqual(["_dateparsefailure"]);
    expect(event.get("priority")).toBe(13);
    expect(event.get("message")).toBe("text");
  });

  it("leaves labels out with use_labels => false and uses custom labels", () => {
    const bare = relayed("disabled", SYSLOG_LINE, { use_labels: false });
    expect(bare.includes("facility_label") || bare.includes("severity_label")).toBe(false);
    const custom = relayed("v8", "<1>Oct 26 15:19:25 h p: m", {
      facility_labels: ["k"],
      severity_labels: ["E", "A"],
    });
    expect(custom.get("[log][syslog][facility][name]")).toBe("k");
    expect(custom.get("[log][syslog][severity][name]")).toBe("A");
    const outOfRange = relayed("v8", "<191>Oct 26 15:19:25 h p: m", { facility_labels: ["k"] });
    expect(outOfRange.includes("[log][syslog][facility][name]")).toBe(false);
  });

  it("keeps [service][type] when set and skips it when service_type is empty", () => {
    expect(relayed("v8", SYSLOG_LINE, { service_type: "" }).includes("[service][type]")).toBe(false);
    expect(relayed("disabled", SYSLOG_LINE).includes("[service][type]")).toBe(false);
  });

  it("refuses a bad grok pattern or an unknown zone at creation", () => {
    const context = recordingContext("v8");
    expect(() => createSyslogRelay(optionsOf({ grok_pattern: "%{NOPE}" }), context)).toThrow();
    expect(() => createSyslogRelay(optionsOf({ timezone: "Mars/Olympus" }), context)).toThrow(
      /not recognised/,
    );
  });
});
