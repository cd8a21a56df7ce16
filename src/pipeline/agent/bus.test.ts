import { describe, expect, it } from "vitest";
import { Event } from "../event/index.js";
import { PipelineBus } from "./bus.js";

describe("PipelineBus", () => {
  it("lets a new listener claim an address once the old one is gone, waking a waiting sender", async () => {
    const bus = new PipelineBus();
    const old = { pipelineId: "p", pluginId: "old", accept: async () => {} };
    bus.listen("addr", old);
    let woke = false;
    await bus.unlisten("addr", old);
    const waiting = bus.waitForListener("addr", 5000).then(() => (woke = true));
    expect(bus.receiverOf("addr")).toBeUndefined();
    const fresh = { pipelineId: "p", pluginId: "new", accept: async () => {} };
    bus.listen("addr", fresh);
    await waiting;
    expect(woke).toBe(true);
    expect(bus.receiverOf("addr")?.pluginId).toBe("new");
  });

  it("unlisten waits for sends already handed to the receiver", async () => {
    const bus = new PipelineBus();
    let release: () => void = () => {};
    const receiver = {
      pipelineId: "p",
      pluginId: "i",
      accept: () => new Promise<void>((resolve) => (release = resolve)),
    };
    bus.listen("addr", receiver);
    const sending = bus.receiverOf("addr")!.accept([new Event({ message: "x" })]);
    let freed = false;
    const unlistening = bus.unlisten("addr", receiver).then(() => (freed = true));
    expect(bus.addresses()).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(freed).toBe(false);
    release();
    await sending;
    await unlistening;
    expect(freed).toBe(true);
  });
});
