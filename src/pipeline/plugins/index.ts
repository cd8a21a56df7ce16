// The plugins Sluice ships, as one registry. Each kind's folder has an index listing its plugins.

import type { PluginSpec } from "./api.js";
import { codecSpecs } from "./codecs/index.js";
import { filterSpecs } from "./filters/index.js";
import { inputSpecs } from "./inputs/index.js";
import { outputSpecs } from "./outputs/index.js";
import { PluginRegistry } from "./registry.js";

export type * from "./api.js";
export {
  type OptionHash,
  type OptionSpec,
  type OptionSpecs,
  type OptionValue,
  ResolvedOptions,
} from "./options.js";
export {
  type ContextFactory,
  commonOptions,
  ecsModeOf,
  PluginRegistry,
  quietContext,
  type ResolvedPlugin,
} from "./registry.js";

export const builtinSpecs: readonly PluginSpec[] = [
  ...inputSpecs,
  ...codecSpecs,
  ...filterSpecs,
  ...outputSpecs,
];

export const defaultRegistry = new PluginRegistry(builtinSpecs);
