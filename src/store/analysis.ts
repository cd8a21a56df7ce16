// Text analysis for text fields, at indexing and at query time alike: one approximation of
// Elasticsearch's standard analyzer — Unicode word tokens (letters, digits, underscore, joined by an
// inner apostrophe or dot, as UAX#29 keeps "it's", "u.s.a" and "3.14" whole), lowercased.

const tokenPattern = /[\p{L}\p{N}_]+(?:['.][\p{L}\p{N}_]+)*/gu;

/** Tokens of `text` the way an indexed text field was analysed (never contain a space). */
export function analyze(text: string): string[] {
  return text.toLowerCase().match(tokenPattern) ?? [];
}

/** The tokens of `text` joined by single spaces ("" for none): the form text columns and postings store. */
export function analyzeJoined(text: string): string {
  const tokens = text.toLowerCase().match(tokenPattern);
  return tokens === null ? "" : tokens.join(" ");
}
