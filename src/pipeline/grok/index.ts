// Grok: a pattern library, Oniguruma-to-JavaScript translation, expression compiler and time-bounded matcher.

export { linearEngineAccepts, MatchTimeoutError } from "./bounded.js";
export { type CaptureTarget, type CompiledGrok, compileGrok, GrokCompileError } from "./compiler.js";
export { type CaptureValue, matchGrok } from "./matcher.js";
export { parsePatternText, patternFilesFrom, readPatternFile } from "./pattern-files.js";
export { builtinPatterns, type PatternSet } from "./patterns/index.js";
