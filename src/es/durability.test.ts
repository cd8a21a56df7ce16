// kill -9 of a store process in the middle of a bulk load: every item acknowledged by a `_bulk`
// response must be searchable after the store restarts on the same data directory.

import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const serveScript = fileURLToPath(new URL("./test-serve.ts", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "sluice-store-kill-"));
const children: ChildProcess[] = [];

function startServer(): Promise<{ child: ChildProcess; base: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", serveScript, dir], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (d) => {
      out += d;
      const m = /ready (\d+)/.exec(out);
      if (m) resolve({ child, base: `http://127.0.0.1:${m[1]}` });
    });
    child.once("exit", (code) => reject(new Error(`store exited early (${code})`)));
  });
}

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

async function bulkLoop(
  base: string,
  acked: Set<string>,
  stop: () => boolean,
  worker: number,
): Promise<void> {
  for (let batch = 0; !stop(); batch++) {
    const ids = Array.from({ length: 250 }, (_, i) => `w${worker}-b${batch}-${i}`);
    const body = `${ids.map((id) => `{"index":{"_index":"kill","_id":"${id}"}}\n{"msg":"payload ${id}","n":${batch}}`).join("\n")}\n`;
    let res: Response;
    try {
      res = await fetch(`${base}/_bulk`, {
        method: "POST",
        headers: { "content-type": "application/x-ndjson" },
        body,
      });
    } catch {
      return; // the process was killed mid-request: nothing from this request was acknowledged
    }
    const json = (await res.json().catch(() => null)) as {
      items: { index: { _id: string; status: number } }[];
    } | null;
    if (!json) return;
    for (const item of json.items)
      if (item.index.status === 201 || item.index.status === 200) acked.add(item.index._id);
  }
}

describe("durability", () => {
  it("keeps every acknowledged bulk item across kill -9", async () => {
    const first = await startServer();
    const acked = new Set<string>();
    let killed = false;
    const loops = [0, 1].map((w) => bulkLoop(first.base, acked, () => killed, w));
    await new Promise((r) => setTimeout(r, 2500));
    first.child.kill("SIGKILL");
    killed = true;
    await Promise.all(loops);
    expect(acked.size).toBeGreaterThan(500);

    const second = await startServer();
    const found = new Set<string>();
    const all = [...acked];
    for (let i = 0; i < all.length; i += 5000) {
      const chunk = all.slice(i, i + 5000);
      const res = await fetch(`${second.base}/kill/_search`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: { ids: { values: chunk } }, size: 5000, _source: false }),
      });
      const json = (await res.json()) as { hits: { hits: { _id: string }[] } };
      for (const h of json.hits.hits) found.add(h._id);
    }
    expect(all.filter((id) => !found.has(id))).toEqual([]);
    second.child.kill("SIGTERM");
  });
});
