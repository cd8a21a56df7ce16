// Process and runtime facts for the API, read from /proc and Node (Logstash's `process`, `os` and `jvm` sections;
// under `jvm` we answer with the V8 heap, Node's GC and the process's threads under the same keys).

import { readdirSync, readFileSync } from "node:fs";
import * as os from "node:os";
import { constants, PerformanceObserver } from "node:perf_hooks";
import { getHeapStatistics } from "node:v8";

export interface ProcessFigures {
  openFds: number;
  peakOpenFds: number;
  maxFds: number;
  virtualBytes: number;
  residentBytes: number;
  cpuTotalMs: number;
  /** CPU use since the previous sample, in percent of one core (Logstash's process.cpu.percent). */
  cpuPercent: number;
  loadAverage: [number, number, number];
  startTimeMs: number;
}

export interface RuntimeFigures {
  threads: number;
  peakThreads: number;
  heapUsedBytes: number;
  heapCommittedBytes: number;
  heapMaxBytes: number;
  nonHeapUsedBytes: number;
  nonHeapCommittedBytes: number;
  gc: { young: GcCount; old: GcCount };
  uptimeMs: number;
}

export interface GcCount {
  count: number;
  timeMs: number;
}

/** Reads the process's figures on demand; keeps the peaks and the previous CPU sample between reads. */
export class ProcessSampler {
  private peakFds = 0;
  private peakThreads = 0;
  private lastCpu = { atMs: performance.timeOrigin, cpuMs: 0 };
  private readonly gc = { young: { count: 0, timeMs: 0 }, old: { count: 0, timeMs: 0 } };
  private readonly observer: PerformanceObserver;

  constructor() {
    this.observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        const kind = (entry as { detail?: { kind?: number } }).detail?.kind;
        const bucket = kind === constants.NODE_PERFORMANCE_GC_MINOR ? this.gc.young : this.gc.old;
        bucket.count++;
        bucket.timeMs += entry.duration;
      }
    });
    this.observer.observe({ entryTypes: ["gc"] });
  }

  close(): void {
    this.observer.disconnect();
  }

  process(): ProcessFigures {
    const openFds = countOpenFds();
    this.peakFds = Math.max(this.peakFds, openFds);
    const status = procStatus();
    const usage = process.cpuUsage();
    const cpuTotalMs = (usage.user + usage.system) / 1000;
    const nowMs = Date.now();
    const elapsedMs = nowMs - this.lastCpu.atMs;
    const cpuPercent = elapsedMs > 0 ? Math.round(((cpuTotalMs - this.lastCpu.cpuMs) / elapsedMs) * 100) : 0;
    this.lastCpu = { atMs: nowMs, cpuMs: cpuTotalMs };
    return {
      openFds,
      peakOpenFds: this.peakFds,
      maxFds: maxOpenFiles(),
      virtualBytes: status.get("VmSize") ?? 0,
      residentBytes: status.get("VmRSS") ?? process.memoryUsage.rss(),
      cpuTotalMs: Math.round(cpuTotalMs),
      cpuPercent,
      loadAverage: os.loadavg() as [number, number, number],
      startTimeMs: Math.round(performance.timeOrigin),
    };
  }

  runtime(): RuntimeFigures {
    const threads = procStatus().get("Threads") ?? 1;
    this.peakThreads = Math.max(this.peakThreads, threads);
    const memory = process.memoryUsage();
    return {
      threads,
      peakThreads: this.peakThreads,
      heapUsedBytes: memory.heapUsed,
      heapCommittedBytes: memory.heapTotal,
      heapMaxBytes: getHeapStatistics().heap_size_limit,
      nonHeapUsedBytes: memory.external + memory.arrayBuffers,
      nonHeapCommittedBytes: memory.rss - memory.heapTotal,
      gc: { young: { ...this.gc.young }, old: { ...this.gc.old } },
      uptimeMs: Math.round(process.uptime() * 1000),
    };
  }
}

/** `/proc/self/status` figures: sizes in bytes (the file says kB), counts as they are. */
function procStatus(): Map<string, number> {
  const out = new Map<string, number>();
  const text = readOr("/proc/self/status");
  for (const line of text.split("\n")) {
    const m = /^(\w+):\s+(\d+)(\s+kB)?/.exec(line);
    if (m) out.set(m[1]!, Number(m[2]) * (m[3] ? 1024 : 1));
  }
  return out;
}

function countOpenFds(): number {
  try {
    return readdirSync("/proc/self/fd").length;
  } catch {
    return 0;
  }
}

function maxOpenFiles(): number {
  const m = /^Max open files\s+(\d+|unlimited)/m.exec(readOr("/proc/self/limits"));
  if (!m) return 0;
  return m[1] === "unlimited" ? -1 : Number(m[1]);
}

function readOr(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

/** Logstash's /_node/os. */
export function osInfo(): Record<string, unknown> {
  return {
    name: os.type(),
    arch: os.arch(),
    version: os.release(),
    available_processors: os.availableParallelism(),
  };
}

/** Logstash's /_node/jvm, answered with Node's facts under the same keys. */
export function runtimeInfo(): Record<string, unknown> {
  const heap = getHeapStatistics();
  return {
    pid: process.pid,
    version: process.versions.node,
    vm_version: process.versions.v8,
    vm_vendor: "Node.js",
    vm_name: "V8",
    start_time_in_millis: Math.round(performance.timeOrigin),
    mem: {
      heap_init_in_bytes: heap.total_heap_size,
      heap_max_in_bytes: heap.heap_size_limit,
      non_heap_init_in_bytes: 0,
      non_heap_max_in_bytes: 0,
    },
    gc_collectors: ["scavenge", "mark-sweep-compact"],
  };
}

/** Logstash's node-stats `os.cgroup`, from cgroup v2 files; empty when they cannot be read. */
export function cgroupStats(): Record<string, unknown> {
  const group = /^0::(.*)$/m.exec(readOr("/proc/self/cgroup"))?.[1];
  if (group === undefined) return {};
  const stat = new Map<string, number>();
  for (const line of readOr("/sys/fs/cgroup/cpu.stat").split("\n")) {
    const [key, value] = line.split(" ");
    if (key && value) stat.set(key, Number(value));
  }
  if (stat.size === 0) return {};
  const [quota, period] = readOr("/sys/fs/cgroup/cpu.max").trim().split(" ");
  return {
    cpuacct: { control_group: group, usage_nanos: (stat.get("usage_usec") ?? 0) * 1000 },
    cpu: {
      control_group: group,
      cfs_period_micros: Number(period ?? 0),
      cfs_quota_micros: quota === "max" || quota === undefined ? -1 : Number(quota),
      stat: {
        number_of_elapsed_periods: stat.get("nr_periods") ?? 0,
        number_of_times_throttled: stat.get("nr_throttled") ?? 0,
        time_throttled_nanos: (stat.get("throttled_usec") ?? 0) * 1000,
      },
    },
  };
}
