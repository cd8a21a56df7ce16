// Every codec Sluice ships, for the registry.

import type { CodecSpec } from "../api.js";
import { cefCodec } from "./cef.js";
import { csvCodec } from "./csv.js";
import { dotsCodec } from "./dots.js";
import { ednCodec } from "./edn.js";
import { ednLinesCodec } from "./edn_lines.js";
import { esBulkCodec } from "./es_bulk.js";
import { graphiteCodec } from "./graphite.js";
import { jsonCodec } from "./json.js";
import { jsonLinesCodec } from "./json_lines.js";
import { lineCodec } from "./line.js";
import { multilineCodec } from "./multiline.js";
import { plainCodec } from "./plain.js";
import { rubydebugCodec } from "./rubydebug.js";

export const codecSpecs: readonly CodecSpec[] = [
  csvCodec,
  dotsCodec,
  jsonCodec,
  jsonLinesCodec,
  lineCodec,
  multilineCodec,
  plainCodec,
  rubydebugCodec,
  cefCodec,
  ednCodec,
  ednLinesCodec,
  esBulkCodec,
  graphiteCodec,
];
