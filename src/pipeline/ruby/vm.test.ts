import { describe, expect, it } from "vitest";
import { rubyVm, rubyVmBooted, stringCaller, wrapJs } from "./vm.js";

describe("shared Ruby VM", () => {
  it("boots only when asked, once", () => {
    expect(rubyVmBooted()).toBe(false);
    const vm = rubyVm();
    expect(rubyVmBooted()).toBe(true);
    expect(rubyVm()).toBe(vm);
    expect(vm.eval("RUBY_VERSION").toString()).toMatch(/^3\.4\./);
  }, 30_000);

  it("wraps JavaScript values as JS::Object", () => {
    const vm = rubyVm();
    const text = wrapJs(vm, "héllo").call("to_s");
    expect(text.call("length").toString()).toBe("5");
    expect(text.toString()).toBe("héllo");
  });

  it("stringCaller calls a method through the guest binding and retains nothing per call", () => {
    const vm = rubyVm();
    const receiver = vm.eval(
      `Class.new { def initialize; @n = 0; end; def next_text; "n=#{@n += 1} é"; end }.new`,
    );
    const caller = stringCaller(vm, receiver, "next_text");
    const slab = (vm as unknown as { guest: { _resource0_slab: { list: unknown[] } } }).guest._resource0_slab;
    expect(caller.call()).toBe("n=1 é");
    const handles = slab.list.length;
    for (let i = 0; i < 1000; i++) caller.call();
    expect(caller.call()).toBe("n=1002 é");
    expect(slab.list.length).toBe(handles);
    caller.release();
  });

  it("stringCaller turns an escaping Ruby exception into an Error", () => {
    const vm = rubyVm();
    const receiver = vm.eval(`Class.new { def boom; raise ArgumentError, "kaput"; end }.new`);
    const caller = stringCaller(vm, receiver, "boom");
    expect(() => caller.call()).toThrow(/kaput/);
    caller.release();
  });
});
