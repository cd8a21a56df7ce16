import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type BoundedRegExp, execBounded, linearEngineAccepts } from "./bounded.js";
import { compileGrok } from "./compiler.js";
import { checksPass, linearRewrite } from "./linearize.js";
import { builtinPatterns } from "./patterns/index.js";

const accepts = (source: string) => linearEngineAccepts(source, "ms");
const rewrite = (source: string) => linearRewrite(source, "ms", accepts);

describe("linear rewrite", () => {
  it("drops a guard the preceding text settles, with no check left", () => {
    const result = rewrite("HTTP (?<![0-9.+-])(?<g0>[0-9]+)");
    expect(result?.regex.source).toBe("HTTP (?<g0>[0-9]+)");
    expect(result?.checks.leading).toBeUndefined();
    expect(result?.checks.trailing).toBeUndefined();
  });

  it("drops a lookahead the following text settles", () => {
    expect(rewrite("(?<g0>[0-9]+)(?![0-9]) x")?.regex.source).toBe("(?<g0>[0-9]+) x");
  });

  it("turns guards at the match edges into checks on the neighbouring characters", () => {
    const result = rewrite(String.raw`(?<![0-9])(?<g0>[0-9]+\.[0-9]+)(?![0-9])`)!;
    expect(result.regex.source).toBe(String.raw`(?<g0>[0-9]+\.[0-9]+)`);
    expect(checksPass(result.checks, "1.5", 0, 3)).toBe(true);
    expect(checksPass(result.checks, "x1.5 ", 1, 3)).toBe(true);
    expect(checksPass(result.checks, "91.5", 1, 3)).toBe(false);
    expect(checksPass(result.checks, "1.59", 0, 3)).toBe(false);
  });

  it("refuses guards the context does not settle, positive lookarounds and backreferences", () => {
    expect(rewrite("[0-9a]+(?<!a)x")).toBeUndefined();
    expect(rewrite("a(?=b)")).toBeUndefined();
    expect(rewrite(String.raw`(a)\1(?<!x)`)).toBeUndefined();
    expect(rewrite("(?<![0-9][0-9])a")).toBeUndefined();
  });

  it("widens a large count over one character and limits the runs of that character", () => {
    const result = rewrite("(?<![0-9])a{0,40}b")!;
    expect(result.regex.source).toBe("a{0,}b");
    expect(checksPass(result.checks, `${"a".repeat(40)}b`, 0, 41)).toBe(true);
    expect(checksPass(result.checks, `${"a".repeat(41)}b`, 1, 41)).toBe(false);
    expect(checksPass(result.checks, `${"a".repeat(30)}-${"a".repeat(30)}b`, 31, 31)).toBe(true);
  });

  it("widens a large count over a group and limits how often its first character occurs", () => {
    const result = rewrite(String.raw`x(?:\.[a-z]+){0,20}`)!;
    expect(result.regex.source).toBe(String.raw`x(?:\.[a-z]+){0,}`);
    expect(checksPass(result.checks, `x${".a".repeat(20)}`, 0, 41)).toBe(true);
    expect(checksPass(result.checks, `x${".a".repeat(21)}`, 0, 43)).toBe(false);
  });

  it("leaves a large count over something that can match empty alone", () => {
    expect(rewrite("(?:a?){0,40}")).toBeUndefined();
  });

  it("gives the common library patterns a linear form", () => {
    for (const mode of ["disabled", "v8"] as const) {
      const library = new Map(Object.entries(builtinPatterns(mode)));
      for (const name of [
        "COMBINEDAPACHELOG",
        "SYSLOGBASE",
        "HTTPD_ERRORLOG",
        "IPORHOST",
        "HOSTPORT",
        "URI",
        "QS",
      ]) {
        const bounded = compileGrok(`%{${name}}`, library, true).bounded;
        expect(bounded.linear || bounded.rewrite !== undefined, `${name} (${mode})`).toBe(true);
      }
    }
    const ecs = new Map(Object.entries(builtinPatterns("v8")));
    expect(compileGrok("%{SYSLOGLINE}", ecs, true).bounded.rewrite).toBeDefined();
  });
});

// The library as it was before its regexes were respelled for the linear engine (Logstash's counts).
const hex4 = "[0-9A-Fa-f]{1,4}";
const octet = "(?:25[0-5]|2[0-4][0-9]|[01]?[0-9]{1,2})";
const ipv4Body = `${octet}\\.${octet}\\.${octet}\\.${octet}`;
const ls32 = `(?:${hex4}:${hex4}|${ipv4Body})`;
const oldIpv6Body = [
  `(?:${hex4}:){6}${ls32}`,
  `::(?:${hex4}:){5}${ls32}`,
  `(?:${hex4})?::(?:${hex4}:){4}${ls32}`,
  `(?:(?:${hex4}:){0,1}${hex4})?::(?:${hex4}:){3}${ls32}`,
  `(?:(?:${hex4}:){0,2}${hex4})?::(?:${hex4}:){2}${ls32}`,
  `(?:(?:${hex4}:){0,3}${hex4})?::${hex4}:${ls32}`,
  `(?:(?:${hex4}:){0,4}${hex4})?::${ls32}`,
  `(?:(?:${hex4}:){0,5}${hex4})?::${hex4}`,
  `(?:(?:${hex4}:){0,6}${hex4})?::`,
].join("|");
const emailAtom = "[a-zA-Z0-9!#$%&'*+\\-/=?^_`{|}~]";
const oldDefinitions: Record<string, string> = {
  IPV6: `(?:${oldIpv6Body})(?:%.+)?`,
  HOSTNAME: String.raw`\b(?:[0-9A-Za-z][0-9A-Za-z-]{0,62})(?:\.(?:[0-9A-Za-z][0-9A-Za-z-]{0,62}))*(?:\.?|\b)`,
};
const oldEcsDefinitions: Record<string, string> = {
  ...oldDefinitions,
  EMAILLOCALPART: `${emailAtom}{1,64}(?:\\.${emailAtom}{1,62}){0,63}`,
};

function libraries(mode: "disabled" | "v8"): { before: Map<string, string>; after: Map<string, string> } {
  const after = new Map(Object.entries(builtinPatterns(mode)));
  const old = mode === "v8" ? oldEcsDefinitions : oldDefinitions;
  return { before: new Map([...after, ...Object.entries(old)]), after };
}

/** What a compiled expression yields: field and value pairs in order, or null for no match. */
function outcome(
  bounded: BoundedRegExp,
  captures: ReturnType<typeof compileGrok>["captures"],
  input: string,
  timeoutMs: number,
) {
  const groups = execBounded(bounded, input, timeoutMs);
  if (groups === null) return null;
  return captures.map((c) => [c.field, c.jsNames.map((n) => groups[n])]);
}

const contexts = [
  "%{NAME:v}",
  "^%{NAME:v}$",
  "%{NAME:v} x",
  "x%{NAME:v}",
  "%{DATA:a}%{NAME:v}",
  "%{NAME:v}%{GREEDYDATA:b}",
  "(?:%{NAME:v},)+",
  "%{NAME:v}:%{NAME:w}",
];

const alphabet = fc.constantFrom(..."0123456789aAfF.:-%/\\\"' ,x_+9");
const noise = fc.string({ unit: alphabet, maxLength: 24 });
const octetText = fc.oneof(
  fc.integer({ min: 0, max: 999 }).map(String),
  fc.constantFrom("00", "01", "255", "256"),
);
const ipv4Text = fc.array(octetText, { minLength: 3, maxLength: 5 }).map((o) => o.join("."));
const hexGroup = fc.string({
  unit: fc.constantFrom(..."0123456789abcdefABCDEFg"),
  minLength: 0,
  maxLength: 5,
});
const ipv6Text = fc
  .array(hexGroup, { minLength: 2, maxLength: 9 })
  .chain((groups) =>
    fc.constantFrom(groups.join(":"), `${groups.join(":")}%eth0`, `${groups.join(":")}:1.2.3.4`),
  );
const labelText = fc.oneof(
  fc.string({ unit: fc.constantFrom(..."aZ9-_"), maxLength: 8 }),
  fc.integer({ min: 60, max: 66 }).map((n) => "a".repeat(n)),
);
const hostText = fc.array(labelText, { minLength: 1, maxLength: 4 }).map((l) => l.join("."));
const emailText = fc
  .tuple(fc.array(labelText, { minLength: 1, maxLength: 3 }), hostText)
  .map(([local, host]) => `${local.join(".")}@${host}`);
const quoted = fc
  .tuple(fc.constantFrom('"', "'", "`"), fc.string({ unit: fc.constantFrom(..."ab\\\"' "), maxLength: 8 }))
  .map(([q, body]) => `${q}${body}${q}`);
const subject = fc
  .tuple(noise, fc.oneof(noise, ipv4Text, ipv6Text, hostText, emailText, quoted), noise)
  .map(([a, b, c]) => `${a}${b}${c}`);

describe("respelled library patterns match as before", () => {
  const names = [
    "IPV4",
    "IPV6",
    "IP",
    "HOSTNAME",
    "IPORHOST",
    "HOSTPORT",
    "NUMBER",
    "BASE10NUM",
    "INT",
    "QS",
    "TIME",
    "EMAILADDRESS",
    "URIHOST",
  ];
  for (const mode of ["disabled", "v8"] as const) {
    it(`gives the old patterns' captures on generated text (${mode})`, () => {
      const { before, after } = libraries(mode);
      const compiled = names.flatMap((name) =>
        contexts.map((context) => {
          const expression = context.replaceAll("NAME", name);
          return {
            expression,
            old: compileGrok(expression, before, true),
            now: compileGrok(expression, after, true),
          };
        }),
      );
      fc.assert(
        fc.property(subject, (input) => {
          for (const { expression, old, now } of compiled) {
            const expected = outcome(old.bounded, old.captures, input, 0);
            const actual = outcome(now.bounded, now.captures, input, 5_000);
            if (JSON.stringify(actual) !== JSON.stringify(expected)) {
              throw new Error(
                `${expression} on ${JSON.stringify(input)}: ${JSON.stringify(actual)} != ${JSON.stringify(expected)}`,
              );
            }
          }
        }),
        { numRuns: 150 },
      );
    });
  }

  it("agrees on the edge cases that make the guards and counts matter", () => {
    const { before, after } = libraries("v8");
    const cases: Array<[string, string]> = [
      ["%{IPV4:v}", "1234.5.6.7"],
      ["%{IP:v}", "_1234.5.6.7"],
      ["%{IPORHOST:v} x", "1.2.3.456 x"],
      ["%{NUMBER:v}x", "1.2.3x"],
      ["%{DATA:a}%{NUMBER:v}$", "a1.2.3"],
      ["%{HOSTNAME:v}", `${"a".repeat(64)}.example.com`],
      ["%{HOSTNAME:v} x", `${"a".repeat(63)}.b x`],
      ["%{EMAILADDRESS:v}", `${"a.".repeat(64)}a@example.com`],
      ["%{EMAILADDRESS:v}", `${"b".repeat(65)}@example.com`],
      ["%{QS:v}", String.raw`x\"a" "b"`],
      ["%{IPV6:v}", "12345::1"],
      ["%{IPV6:v}", "fe80::1:2:3:4:5:6:7"],
    ];
    for (const [expression, input] of cases) {
      const old = compileGrok(expression, before, true);
      const now = compileGrok(expression, after, true);
      expect(outcome(now.bounded, now.captures, input, 5_000), `${expression} on ${input}`).toEqual(
        outcome(old.bounded, old.captures, input, 0),
      );
    }
  });
});
