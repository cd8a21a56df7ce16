// A small structured logger: one line per event, `level` filtered, text to stderr (stdout stays for data).

export type LogLevel = "trace" | "debug" | "info" | "warn" | "error" | "fatal";

const levelRank: Record<LogLevel, number> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
};

export interface Logger {
  trace(msg: string, fields?: Record<string, unknown>): void;
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(component: string): Logger;
}

export interface LoggerOptions {
  level?: LogLevel;
  component?: string;
  write?: (line: string) => void;
}

export function isLogLevel(value: string): value is LogLevel {
  return value in levelRank;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const minRank = levelRank[options.level ?? "info"];
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const component = options.component ?? "sluice";
  const emit = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (levelRank[level] < minRank) return;
    let line = `${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} [${component}] ${msg}`;
    if (fields) {
      for (const [k, v] of Object.entries(fields)) line += ` ${k}=${formatValue(v)}`;
    }
    write(`${line}\n`);
  };
  return {
    trace: (m, f) => emit("trace", m, f),
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
    child: (c) => createLogger({ ...options, component: `${component}.${c}` }),
  };
}

function formatValue(v: unknown): string {
  if (typeof v === "string") return /[\s"=]/.test(v) ? JSON.stringify(v) : v;
  if (v instanceof Error) return JSON.stringify(v.message);
  if (typeof v === "bigint") return v.toString();
  return JSON.stringify(v) ?? "undefined";
}

/** A logger that drops everything, for unit tests. */
export const silentLogger: Logger = createLogger({ level: "fatal", write: () => {} });
