// Every filter Sluice ships, for the registry.

import type { FilterSpec } from "../api.js";
import { cloneFilter } from "./clone.js";
import { csvFilter } from "./csv.js";
import { dateFilter } from "./date.js";
import { dissectFilter } from "./dissect.js";
import { dropFilter } from "./drop.js";
import { jsonFilter } from "./json.js";
import { jsonEncodeFilter } from "./json_encode.js";
import { kvFilter } from "./kv.js";
import { mutateFilter } from "./mutate.js";
import { pruneFilter } from "./prune.js";
import { splitFilter } from "./split.js";
import { truncateFilter } from "./truncate.js";
import { urldecodeFilter } from "./urldecode.js";
import { uuidFilter } from "./uuid.js";

export const filterSpecs: readonly FilterSpec[] = [
  cloneFilter,
  csvFilter,
  dateFilter,
  dissectFilter,
  dropFilter,
  jsonFilter,
  jsonEncodeFilter,
  kvFilter,
  mutateFilter,
  pruneFilter,
  splitFilter,
  truncateFilter,
  urldecodeFilter,
  uuidFilter,
];
