// `${VAR}` and `${VAR:default}` in configuration strings, by Logstash's rules: the name is `[a-zA-Z_.][a-zA-Z0-9_.]*`,
// the default runs to the first `}`, the environment wins over the default, and a variable with neither is an error.
// Like Logstash this runs on string values after parsing: an unquoted `${VAR}` is a syntax error, not a substitution.

const placeholder = /\$\{([a-zA-Z_.][a-zA-Z0-9_.]*)(?::([^}]*))?\}/g;

export type Environment = Readonly<Record<string, string | undefined>>;

export interface SubstitutionResult {
  value: string;
  /** Placeholders with no value and no default, with their offset in the input string. */
  undefinedVariables: Array<{ name: string; index: number }>;
}

export function substituteVariables(input: string, env: Environment): SubstitutionResult {
  const undefinedVariables: SubstitutionResult["undefinedVariables"] = [];
  if (!input.includes("${")) return { value: input, undefinedVariables };
  const value = input.replace(
    placeholder,
    (whole, name: string, fallback: string | undefined, index: number) => {
      const replacement = Object.hasOwn(env, name) ? env[name] : undefined;
      if (replacement !== undefined) return replacement;
      if (fallback !== undefined) return fallback;
      undefinedVariables.push({ name, index });
      return whole;
    },
  );
  return { value, undefinedVariables };
}

/** Logstash's `config.support_escapes`: `\"` `\'` `\\` `\n` `\r` `\t` `\0` are replaced; other pairs are kept as written. */
export function processEscapes(raw: string): string {
  return raw.replace(/\\([^\n])/g, (pair, c: string) => {
    switch (c) {
      case '"':
      case "'":
      case "\\":
        return c;
      case "n":
        return "\n";
      case "r":
        return "\r";
      case "t":
        return "\t";
      case "0":
        return "\0";
      default:
        return pair;
    }
  });
}
