// The process's one CRuby (compiled to WebAssembly), booted synchronously the first time something asks for it,
// so a process without a ruby filter never loads the 30 MB module.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { type RbValue, RubyVM } from "@ruby/wasm-wasi";

const RUBY_MODULE = "@ruby/3.4-wasm-wasi/dist/ruby+stdlib.wasm";

/** The WebAssembly API, typed here because the project's TypeScript libs (ES + Node) do not declare it. */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: WasmImports) => { exports: Record<string, unknown> };
  Memory: abstract new (...args: never[]) => { buffer: ArrayBuffer };
}
type WasmImports = Record<string, Record<string, unknown>>;
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

let booted: RubyVM | undefined;

/**
 * The shared VM. Booting (~0.7 s) blocks the event loop once: filters are created synchronously, and a
 * synchronous boot lets create() refuse bad Ruby (syntax errors, a raising `init`) the way Logstash's register does.
 */
export function rubyVm(): RubyVM {
  booted ??= boot();
  return booted;
}

/** True once the VM exists (for tests and logs; asking never boots it). */
export function rubyVmBooted(): boolean {
  return booted !== undefined;
}

function boot(): RubyVM {
  const file = createRequire(import.meta.url).resolve(RUBY_MODULE);
  const module = new wasm.Module(readFileSync(file));
  // Ruby's stdout goes to our stderr: sluice's stdout carries data (the stdout output), and a user's `puts`
  // while debugging must not corrupt it.
  const wasi = new (loadWasi())({
    version: "preview1",
    args: ["ruby.wasm"],
    env: {},
    returnOnExit: true,
    stdout: 2,
  });
  const vm = new RubyVM();
  const imports: WasmImports = { wasi_snapshot_preview1: wasi.wasiImport as Record<string, unknown> };
  vm.addToImports(imports);
  const instance = new wasm.Instance(module, imports);
  // setInstance is declared async but, given an Instance (not a Module), does all its work before returning;
  // nothing below depends on its promise settling.
  void vm.setInstance(instance);
  wasi.initialize(instance);
  vm.initialize();
  return vm;
}

type WasiClass = typeof import("node:wasi").WASI;

/**
 * node:wasi, loaded only here: importing it prints an ExperimentalWarning, which a process without a ruby filter
 * must not show and one with a ruby filter need not (the API we use is WASI preview1, stable in practice).
 */
function loadWasi(): WasiClass {
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    if (String(warning).includes("WASI")) return;
    (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return (createRequire(import.meta.url)("node:wasi") as typeof import("node:wasi")).WASI;
  } finally {
    process.emitWarning = emitWarning;
  }
}

interface Transport {
  _takenJsValue: unknown;
}

let jsObjectClass: RbValue | undefined;

/**
 * A JavaScript value as a Ruby JS::Object. RubyVM.wrap does the same but parses Ruby source on every call (~35 µs);
 * this keeps the class and uses the VM's transport slot directly (~7 µs).
 */
export function wrapJs(vm: RubyVM, value: unknown): RbValue {
  jsObjectClass ??= vm.eval('require "js"; JS::Object');
  (vm as unknown as { transport: Transport }).transport._takenJsValue = value;
  return jsObjectClass.call("__import_from_js");
}

/** The generated binding under RubyVM (@ruby/wasm-wasi 2.x "legacy" ABI); used only where the public API is slow. */
interface Guest {
  rbIntern(name: string): number;
  rbClearErrinfo?(): void;
  _exports: Record<string, unknown>;
  _resource0_slab: Slab;
}
interface Slab {
  insert(value: unknown): number;
  remove(index: number): AbiValue;
}
interface AbiValue {
  clone(): AbiValue;
  drop(): void;
}

const FUNCALL =
  "rb-funcallv-protect: func(recv: handle<rb-abi-value>, mid: u32, args: list<handle<rb-abi-value>>) -> tuple<handle<rb-abi-value>, s32>";
const RSTRING = "rstring-ptr: func(value: handle<rb-abi-value>) -> string";

export interface StringCaller {
  call(): string;
  /** Lets go of the receiver (the caller must not be used after). */
  release(): void;
}

/**
 * A function calling `receiver.method` (no arguments, a String result) as cheaply as the VM allows. The public
 * RbValue.call + toString costs ~22 µs a round trip, and each call leaves two handles in the binding's table that
 * the guest never drops (the result string stays a GC root, so Ruby's heap and its GC time grow with every event).
 * This calls the guest exports directly: the receiver's handle is made once, the result's handle is released
 * after reading it (~7 µs, nothing retained). Falls back to the public API if the binding is not the expected one.
 * A Ruby exception escaping `method` (the prelude rescues user errors, so this is a bug) becomes an Error.
 */
export function stringCaller(vm: RubyVM, receiver: RbValue, method: string): StringCaller {
  const guest = (vm as unknown as { guest?: Partial<Guest> }).guest;
  const inner = (receiver as unknown as { inner?: AbiValue }).inner;
  const funcall = guest?._exports?.[FUNCALL];
  const rstring = guest?._exports?.[RSTRING];
  const postRstring = guest?._exports?.["cabi_post_rstring-ptr"];
  const memory = guest?._exports?.memory;
  if (
    typeof funcall !== "function" ||
    typeof rstring !== "function" ||
    typeof postRstring !== "function" ||
    !(memory instanceof wasm.Memory) ||
    guest?._resource0_slab === undefined ||
    typeof guest.rbIntern !== "function" ||
    inner === undefined
  ) {
    return { call: () => receiver.call(method).toString(), release: () => {} };
  }
  const slab = guest._resource0_slab;
  const methodId = guest.rbIntern(`${method}\0`);
  const receiverHandle = slab.insert(inner.clone());
  const decoder = new TextDecoder();
  const call = () => {
    const answer = funcall(receiverHandle, methodId, 0, 0) as number;
    let view = new DataView(memory.buffer);
    const value = slab.remove(view.getInt32(answer, true));
    const status = view.getInt32(answer + 4, true);
    try {
      if (status !== 0) {
        const message = vm.eval("$!&.full_message(highlight: false)").toString();
        guest.rbClearErrinfo?.();
        throw new Error(`Ruby ${method} failed: ${message}`);
      }
      const handle = slab.insert(value.clone());
      const text = rstring(handle) as number;
      view = new DataView(memory.buffer);
      const ptr = view.getInt32(text, true);
      const length = view.getInt32(text + 4, true);
      const result = decoder.decode(new Uint8Array(memory.buffer, ptr, length));
      postRstring(text);
      slab.remove(handle).drop();
      return result;
    } finally {
      value.drop();
    }
  };
  return { call, release: () => slab.remove(receiverHandle).drop() };
}
