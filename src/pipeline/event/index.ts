// The pipeline event model's entry points: Event, Timestamp, field references, sprintf and ECS modes.

export { compileDatePattern, type DateDialect, type DatePrinter } from "./date-format.js";
export { defaultEcsCompatibility, type EcsCompatibility, ecsEnabled, parseEcsCompatibility } from "./ecs.js";
export {
  Event,
  METADATA,
  TAGS,
  TIMESTAMP,
  TIMESTAMP_FAILURE_FIELD,
  TIMESTAMP_FAILURE_TAG,
  type ToObjectOptions,
  VERSION,
} from "./event.js";
export { FieldReferenceError, fieldPath, tryFieldPath } from "./field-reference.js";
export { type CompiledTemplate, compileTemplate, formatValue, type InterpolationSource } from "./sprintf.js";
export { Timestamp } from "./timestamp.js";
export { deepCopy, type FieldMap, type FieldValue, fromUnknown, type PlainValue, toPlain } from "./value.js";
