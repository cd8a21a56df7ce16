// One CSV row in and out, with the rules of Ruby's CSV.parse_line / CSV.generate_line (what Logstash's csv codec
// uses): strict quoting, unquoted empty fields read as nil, the row ending at the first \r\n, \n or \r.

export class MalformedCsvError extends Error {
  override name = "MalformedCsvError";
}

/** The first row of `text`, or undefined when `text` is empty (Ruby's parse_line returns nil). */
export function parseCsvRow(
  text: string,
  separator: string,
  quote: string,
): Array<string | null> | undefined {
  if (text === "") return undefined;
  const rowSep = detectRowSeparator(text, quote);
  const fields: Array<string | null> = [];
  let i = 0;
  for (;;) {
    if (text.startsWith(rowSep, i) || i >= text.length) {
      // A row that ends right after a separator has one more, empty field.
      if (fields.length > 0 || i > 0) fields.push(null);
      return fields;
    }
    const field = text.startsWith(quote, i) ? readQuoted(text, i, separator, quote, rowSep) : undefined;
    const read = field ?? readUnquoted(text, i, separator, quote, rowSep);
    fields.push(read.value);
    i = read.end;
    if (text.startsWith(separator, i)) {
      i += separator.length;
      continue;
    }
    return fields; // at the row separator or the end of the text
  }
}

/** Ruby looks for the first \r or \n outside quotes: \r\n, \n or \r becomes the row separator. */
function detectRowSeparator(text: string, quote: string): string {
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quote !== "" && text.startsWith(quote, i)) quoted = !quoted;
    else if (!quoted && char === "\r") return text[i + 1] === "\n" ? "\r\n" : "\r";
    else if (!quoted && char === "\n") return "\n";
  }
  return "\n";
}

interface FieldRead {
  value: string | null;
  end: number;
}

function readQuoted(
  text: string,
  start: number,
  separator: string,
  quote: string,
  rowSep: string,
): FieldRead {
  let value = "";
  let i = start + quote.length;
  for (;;) {
    const next = text.indexOf(quote, i);
    if (next < 0) throw new MalformedCsvError("Unclosed quoted field in line 1.");
    value += text.slice(i, next);
    if (text.startsWith(quote, next + quote.length)) {
      value += quote; // a doubled quote is a literal one
      i = next + 2 * quote.length;
      continue;
    }
    const end = next + quote.length;
    if (end < text.length && !text.startsWith(separator, end) && !text.startsWith(rowSep, end))
      throw new MalformedCsvError("Any value after quoted field isn't allowed in line 1.");
    return { value, end };
  }
}

function readUnquoted(
  text: string,
  start: number,
  separator: string,
  quote: string,
  rowSep: string,
): FieldRead {
  let end = start;
  while (end < text.length && !text.startsWith(separator, end) && !text.startsWith(rowSep, end)) end++;
  const value = text.slice(start, end);
  if (quote !== "" && value.includes(quote)) throw new MalformedCsvError("Illegal quoting in line 1.");
  if (/[\r\n]/.test(value)) {
    const found = value.includes("\r") ? "\\r" : "\\n";
    throw new MalformedCsvError(`Unquoted fields do not allow new line <"${found}"> in line 1.`);
  }
  return { value: value === "" ? null : value, end };
}

/**
 * One row as Ruby's generate_line writes it, newline included: nil is an empty unquoted field, an empty string
 * is `""`, and a field holding the separator, the quote or a line break is quoted with quotes doubled.
 */
export function generateCsvRow(values: Array<string | null>, separator: string, quote: string): string {
  const quotable = new Set(["\r", "\n", ...separator, ...quote]);
  const fields = values.map((value) => {
    if (value === null) return "";
    const needsQuotes = value === "" || [...value].some((char) => quotable.has(char));
    return needsQuotes ? quote + value.split(quote).join(quote + quote) + quote : value;
  });
  return `${fields.join(separator)}\n`;
}
