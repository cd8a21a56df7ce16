// One CSV field as RFC 4180 writes it: quoted (with doubled quotes) when it holds a quote, comma or line break.

export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
