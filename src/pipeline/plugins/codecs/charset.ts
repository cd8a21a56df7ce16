// Codecs' `charset` option: the names Logstash accepts (Ruby's Encoding.name_list) and the conversion of raw
// bytes into text that Logstash's Util::Charset does (invalid UTF-8 becomes Ruby's escaped `inspect` form).

import { isUtf8 } from "node:buffer";
import { TextDecoder } from "node:util";
import type { Logger } from "../../../common/logger.js";
import { rubyInspectBytes } from "./ruby-format.js";

/** Every value Logstash's `charset` validation accepts, exactly as spelled there. */
// biome-ignore format: a long list of names, kept compact
export const charsetNames: readonly string[] = [
  "ASCII-8BIT", "UTF-8", "US-ASCII", "Big5", "Big5-HKSCS", "Big5-UAO", "CP949", "Emacs-Mule", "EUC-JP",
  "EUC-KR", "EUC-TW", "GB2312", "GB18030", "GBK", "ISO-8859-1", "ISO-8859-2", "ISO-8859-3", "ISO-8859-4",
  "ISO-8859-5", "ISO-8859-6", "ISO-8859-7", "ISO-8859-8", "ISO-8859-9", "ISO-8859-10", "ISO-8859-11",
  "ISO-8859-13", "ISO-8859-14", "ISO-8859-15", "ISO-8859-16", "KOI8-R", "KOI8-U", "Shift_JIS", "UTF-16BE",
  "UTF-16LE", "UTF-32BE", "UTF-32LE", "Windows-31J", "Windows-1250", "Windows-1251", "Windows-1252", "IBM437",
  "IBM737", "IBM775", "CP850", "IBM852", "CP852", "IBM855", "CP855", "IBM857", "IBM860", "IBM861", "IBM862",
  "IBM863", "IBM864", "IBM865", "IBM866", "IBM869", "Windows-1258", "GB1988", "macCentEuro", "macCroatian",
  "macCyrillic", "macGreek", "macIceland", "macRoman", "macRomania", "macThai", "macTurkish", "macUkraine",
  "CP950", "CP951", "IBM037", "stateless-ISO-2022-JP", "eucJP-ms", "CP51932", "EUC-JIS-2004", "GB12345",
  "ISO-2022-JP", "ISO-2022-JP-2", "CP50220", "CP50221", "Windows-1256", "Windows-1253", "Windows-1255",
  "Windows-1254", "TIS-620", "Windows-874", "Windows-1257", "MacJapanese", "UTF-7", "UTF8-MAC", "UTF-16",
  "UTF-32", "UTF8-DoCoMo", "SJIS-DoCoMo", "UTF8-KDDI", "SJIS-KDDI", "ISO-2022-JP-KDDI",
  "stateless-ISO-2022-JP-KDDI", "UTF8-SoftBank", "SJIS-SoftBank", "BINARY", "CP437", "CP737", "CP775",
  "IBM850", "CP857", "CP860", "CP861", "CP862", "CP863", "CP864", "CP865", "CP866", "CP869", "CP1258",
  "Big5-HKSCS:2008", "ebcdic-cp-us", "eucJP", "euc-jp-ms", "EUC-JISX0213", "eucKR", "eucTW", "EUC-CN", "eucCN",
  "CP936", "ISO2022-JP", "ISO2022-JP2", "ISO8859-1", "ISO8859-2", "ISO8859-3", "ISO8859-4", "ISO8859-5",
  "ISO8859-6", "CP1256", "ISO8859-7", "CP1253", "ISO8859-8", "CP1255", "ISO8859-9", "CP1254", "ISO8859-10",
  "ISO8859-11", "CP874", "ISO8859-13", "CP1257", "ISO8859-14", "ISO8859-15", "ISO8859-16", "CP878", "MacJapan",
  "ASCII", "ANSI_X3.4-1968", "646", "CP65000", "CP65001", "UTF-8-MAC", "UTF-8-HFS", "UCS-2BE", "UCS-4BE",
  "UCS-4LE", "CP932", "csWindows31J", "SJIS", "PCK", "CP1250", "CP1251", "CP1252", "external", "locale",
];

/** The `charset` option as codecs declare it. */
export const charsetOption = {
  type: charsetNames,
  default: "UTF-8",
  doc: "Character encoding of the input bytes; text is converted to UTF-8.",
} as const;

export interface TextConverter {
  /** The bytes as UTF-8 text, converted the way Logstash's Util::Charset does. */
  convert(bytes: Buffer): string;
}

const utf8Names = new Set(["UTF-8", "CP65001", "UTF8-MAC", "UTF-8-MAC", "UTF-8-HFS", "EXTERNAL", "LOCALE"]);
const latin1Names = new Set(["ISO-8859-1", "ISO8859-1"]);
const asciiNames = new Set(["ASCII-8BIT", "BINARY", "US-ASCII", "ASCII", "ANSI_X3.4-1968", "646"]);
const windows1252Names = new Set(["WINDOWS-1252", "CP1252"]);

// Windows-1252's 0x80..0x9F (Node 20's TextDecoder reads them as Latin-1 controls); undefined bytes map to
// the controls, as WHATWG does.
const windows1252High = "€\x81‚ƒ„…†‡ˆ‰Š‹Œ\x8DŽ\x8F\x90‘’“”•–—˜™š›œ\x9DžŸ";

// Ruby names whose WHATWG label differs (Node's TextDecoder knows the WHATWG labels).
const whatwgLabels: Record<string, string> = {
  "WINDOWS-31J": "shift_jis",
  CSWINDOWS31J: "shift_jis",
  SJIS: "shift_jis",
  PCK: "shift_jis",
  CP932: "shift_jis",
  EUCJP: "euc-jp",
  "EUCJP-MS": "euc-jp",
  "EUC-JP-MS": "euc-jp",
  EUCKR: "euc-kr",
  CP949: "euc-kr",
  GB2312: "gbk",
  "EUC-CN": "gbk",
  EUCCN: "gbk",
  CP936: "gbk",
  CP950: "big5",
  "BIG5-HKSCS": "big5",
  "BIG5-HKSCS:2008": "big5",
  "ISO2022-JP": "iso-2022-jp",
  "TIS-620": "windows-874",
  CP874: "windows-874",
  MACROMAN: "macintosh",
  MACCYRILLIC: "x-mac-cyrillic",
  MACUKRAINE: "x-mac-cyrillic",
  CP878: "koi8-r",
  "UTF-16": "utf-16le",
};

/**
 * A converter for `charset`. UTF-8 and its aliases, ISO-8859-1 and ASCII/BINARY are converted here; other
 * charsets through Node's TextDecoder; a charset neither knows is read as UTF-8 with a warning.
 */
export function createTextConverter(charset: string, logger: Logger): TextConverter {
  const name = charset.toUpperCase();
  if (utf8Names.has(name)) return utf8Converter(charset, logger);
  if (latin1Names.has(name)) return { convert: (bytes) => bytes.toString("latin1") };
  if (asciiNames.has(name)) return { convert: asciiToText };
  if (windows1252Names.has(name)) return { convert: windows1252ToText };
  const decoder = textDecoderFor(name);
  if (decoder !== undefined) return { convert: (bytes) => decoder.decode(bytes) };
  logger.warn("charset is not supported; reading the input as UTF-8", { charset });
  return utf8Converter(charset, logger);
}

function utf8Converter(charset: string, logger: Logger): TextConverter {
  return {
    convert(bytes) {
      if (isUtf8(bytes)) return bytes.toString("utf8");
      // Logstash keeps undecodable input readable as Ruby escapes (`\xED`) rather than dropping it.
      const escaped = rubyInspectBytes(bytes);
      logger.warn("Received an event that has a different character encoding than you configured.", {
        text: escaped,
        expected_charset: charset,
      });
      return escaped;
    },
  };
}

/** Bytes above 0x7F are not ASCII: Ruby's `encode(..., invalid: :replace)` turns each into U+FFFD. */
function asciiToText(bytes: Buffer): string {
  let text = "";
  for (const byte of bytes) text += byte < 0x80 ? String.fromCharCode(byte) : "\uFFFD";
  return text;
}

function windows1252ToText(bytes: Buffer): string {
  let text = "";
  for (const byte of bytes) {
    text += byte >= 0x80 && byte < 0xa0 ? windows1252High[byte - 0x80] : String.fromCharCode(byte);
  }
  return text;
}

function textDecoderFor(name: string): TextDecoder | undefined {
  for (const label of [whatwgLabels[name], name.replace(/^ISO8859-/, "ISO-8859-"), name]) {
    if (label === undefined) continue;
    try {
      return new TextDecoder(label);
    } catch {
      // not a label Node knows; try the next spelling
    }
  }
  return undefined;
}
