import { describe, expect, it } from "vitest";
import { Timestamp } from "../../event/index.js";
import { fingerprintFilter } from "./fingerprint.js";
import { filterHarness } from "./testing.js";

const SPEC = fingerprintFilter;
const { setup, refused, diagnosticsOf } = filterHarness(SPEC);
const ip = { clientip: "123.123.123.123" };

function fp(body: string, data: Record<string, unknown>, ecs: "disabled" | "v8" = "disabled") {
  const { event } = setup(body, ecs).run(data);
  return event.get(ecs === "disabled" ? "fingerprint" : "[event][hash]");
}

describe("fingerprint filter (Logstash's own test vectors)", () => {
  it("SHA1 by default, hex or base64, plain or HMAC", () => {
    expect(fp(`source => ["clientip"]`, ip)).toBe("3a5076c520b4b463f43806896ea0b3978d09dcae");
    expect(fp(`source => ["clientip"] base64encode => true`, ip)).toBe("OlB2xSC0tGP0OAaJbqCzl40J3K4=");
    expect(fp(`source => ["clientip"] key => "longencryptionkey"`, ip)).toBe(
      "fdc60acc4773dc5ac569ffb78fcb93c9630797f4",
    );
    expect(fp(`source => ["clientip"] key => "longencryptionkey" base64encode => true`, ip)).toBe(
      "/cYKzEdz3FrFaf+3j8uTyWMHl/Q=",
    );
  });

  it("SHA256, SHA384, SHA512 and MD5 with and without HMAC", () => {
    const key = `key => "longencryptionkey"`;
    expect(fp(`source => "clientip" method => "SHA256"`, ip)).toBe(
      "4dabcab210766e35f03e77120e6986d6e6d4752b2a9ff22980b9253d026080d8",
    );
    expect(fp(`source => "clientip" method => "SHA256" ${key} base64encode => true`, ip)).toBe(
      "NFvsPv8kLVO1aJFsJhCz45PYhda5bWQ/OElP10v0qco=",
    );
    expect(fp(`source => "clientip" method => "SHA384" ${key}`, ip)).toBe(
      "22d4c0e8c4fbcdc4887d2038fca7650f0e2e0e2457ff41c06eb2a980dded6749561c814fe182aff93e2538d18593947a",
    );
    expect(fp(`source => "clientip" method => "SHA512"`, ip)).toBe(
      "5468e2dc64ea92b617782aae884b35af60041ac9e168a283615b6a462c54c13d42fa9542cce9b7d76a8124ac6616818905e3e5dd35d6e519f77c3b517558639a",
    );
    expect(fp(`source => "clientip" method => "MD5"`, ip)).toBe("ccdd8d3d940a01b2fb3258c059924c0d");
    expect(fp(`source => "clientip" method => "MD5" ${key} base64encode => true`, ip)).toBe(
      "kzbIeeMFyWBKOEP8PnWUjw==",
    );
  });

  it("MURMUR3 of strings and integers, MURMUR3_128 of strings, int32 and int64", () => {
    expect(fp(`source => "clientip" method => "MURMUR3"`, ip)).toBe(4013733395);
    expect(fp(`source => "clientip" method => "MURMUR3"`, { clientip: 123 })).toBe(823512154);
    const m128 = `source => "clientip" method => "MURMUR3_128"`;
    expect(fp(m128, ip)).toBe("41cbc4056eed401d091dfbeabf7ea9e0");
    expect(fp(`${m128} base64encode => true`, ip)).toBe("QcvEBW7tQB0JHfvqv36p4A==");
    expect(fp(m128, { clientip: 123 })).toBe("286816c693ac410ed63e1430dcd6f6fe");
    expect(fp(`${m128} base64encode => true`, { clientip: 123 })).toBe("KGgWxpOsQQ7WPhQw3Nb2/g==");
    expect(fp(m128, { clientip: 2148483647 })).toBe("fdc7699a82556c8c584131f0133ee989");
    expect(fp(`${m128} base64encode => true`, { clientip: 2148483647 })).toBe("/cdpmoJVbIxYQTHwEz7piQ==");
  });

  it("timestamps print with at least milliseconds", () => {
    const epoch = new Timestamp(0);
    expect(fp(`source => "@timestamp" key => "0123"`, { "@timestamp": epoch })).toBe(
      "1d5379ec92d86a67cfc642d55aa050ca312d3b9a",
    );
    expect(fp(`source => "@timestamp" method => "MURMUR3"`, { "@timestamp": epoch })).toBe(743372282);
    expect(fp(`source => "@timestamp" method => "MURMUR3_128"`, { "@timestamp": epoch })).toBe(
      "37785b62a8cae473acc315d39b66d86e",
    );
    const at = (text: string) => ({ "@timestamp": Timestamp.parse(text) });
    expect(fp(`source => "@timestamp" method => "MURMUR3"`, at("2000-01-01T05:00:00.12Z"))).toBe(4263087275);
    expect(fp(`source => "@timestamp" method => "MURMUR3"`, at("2000-01-01T05:00:00.123456Z"))).toBe(
      4188855160,
    );
    expect(fp(`source => "@timestamp" method => "MURMUR3"`, at("2000-01-01T05:00:00.123456789Z"))).toBe(
      3520111535,
    );
  });

  it("IPV4_NETWORK masks to the key's prefix and needs a key", () => {
    expect(fp(`source => "clientip" method => "IPV4_NETWORK" key => "24"`, ip)).toBe("123.123.123.0");
    expect(fp(`source => "clientip" method => "IPV4_NETWORK" key => "0"`, ip)).toBe("0.0.0.0");
    expect(refused(`method => "IPV4_NETWORK"`)).toContain("Key value is empty");
    expect(refused(`method => "IPV4_NETWORK" key => "40"`)).toContain("prefix length");
    const { run, failures } = setup(`source => "clientip" method => "IPV4_NETWORK" key => "8"`);
    expect(run({ clientip: "not-an-ip" }).matched).toBe(false);
    expect(failures).toEqual(["fingerprint_failure"]);
  });

  it("an array source gets one fingerprint per element", () => {
    expect(fp(`source => "clientip"`, { clientip: ["123.123.123.123", "223.223.223.223"] })).toEqual([
      "3a5076c520b4b463f43806896ea0b3978d09dcae",
      "47bbc4e06edebbace047fed35abeceec64968b81",
    ]);
  });

  it("several sources: the last present wins, or one concatenated fingerprint", () => {
    const data = { field1: "test1", field2: "test2" };
    expect(fp(`source => ["field1", "field2"]`, data)).toBe("109f4b3c50d7b0df729d299bc6f8e9ef9066971f");
    expect(fp(`source => ["field2", "field1"] concatenate_sources => true`, data)).toBe(
      "e3b6b71eedc656f1d29408264e8a75535db985cb",
    );
  });

  it("serializes nested values and UTF-8 as Logstash does", () => {
    const data = { field1: [{ inner_key: "🂡" }, { "1": "2" }], field2: "🂡" };
    expect(fp(`source => ["field1", "field2"]`, data)).toBe("58fa9e0e60c9f0d24b51d84cddb26732a39eeb3d");
    expect(fp(`source => ["field1", "field2"] concatenate_sources => true`, data)).toBe(
      "d2a1c14e0c9ef137d67114db23b3f2fdbcc90d08",
    );
  });

  it("concatenate_all_fields hashes the whole event", () => {
    const data = {
      "@timestamp": "2017-07-26T14:44:27.064Z",
      clientip: "123.123.123.123",
      message: "This is a test message",
      log_level: "INFO",
      offset: 123456789,
      type: "test",
    };
    expect(fp(`concatenate_all_fields => true`, data)).toBe("cbf022518e97860403160ed8a41847c0db104e63");
  });

  it("PUNCTUATION keeps punctuation and symbols only", () => {
    const message =
      "PHP Warning:  json_encode() [<a href='function.json-encode'>function.json-encode</a>]: Invalid UTF-8 sequence in argument in /var/www/htdocs/test.php on line 233";
    expect(fp(`method => "PUNCTUATION" source => "field1"`, { field1: message })).toBe(
      ":_()[<='.-'>.-</>]:-////.",
    );
  });

  it("UUID writes a random UUID; ECS puts fingerprints in [event][hash]; target sets the field", () => {
    const uuid = fp(`method => "UUID"`, {}) as string;
    expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(fp(`source => "clientip"`, ip, "v8")).toBe("3a5076c520b4b463f43806896ea0b3978d09dcae");
    const custom = setup(`source => "clientip" target => "[x][y]"`).run(ip);
    expect(custom.event.get("[x][y]")).toBe("3a5076c520b4b463f43806896ea0b3978d09dcae");
    expect(custom.matched).toBe(true);
  });

  it("source defaults to message; an absent source leaves the event alone; unknown methods are refused", () => {
    expect(fp("", { message: "123.123.123.123" })).toBe("3a5076c520b4b463f43806896ea0b3978d09dcae");
    const { event, matched } = setup("").run({});
    expect(event.includes("fingerprint")).toBe(false);
    expect(matched).toBe(true);
    expect(diagnosticsOf(`method => "CRC32"`).map((d) => d.code)).toEqual(["invalid-option"]);
  });
});
