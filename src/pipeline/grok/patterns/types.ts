// The shape of a grok pattern library: pattern name to its regex text, which may refer to other names as %{NAME}.

export type PatternSet = Readonly<Record<string, string>>;
