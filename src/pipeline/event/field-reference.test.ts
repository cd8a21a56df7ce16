import { describe, expect, it } from "vitest";
import { FieldReferenceError, fieldPath, getPath, removePath, setPath } from "./field-reference.js";
import type { FieldMap } from "./value.js";

const tree = (): FieldMap => ({ a: { b: 1, list: [10, 20, { c: "x" }] }, s: "str", n: null });

describe("fieldPath", () => {
  it.each([
    ["a", ["a"]],
    ["[a]", ["a"]],
    ["[a][b]", ["a", "b"]],
    ["[a][0]", ["a", "0"]],
    ["[@metadata][x]", ["@metadata", "x"]],
    ["with space", ["with space"]],
  ])("%s", (text, path) => {
    expect(fieldPath(text)).toEqual(path);
  });

  it.each(["", "[a][b", "[]", "[a]b", "a[b]", "[a][[b]c]"])("rejects %j", (text) => {
    expect(() => fieldPath(text)).toThrow(FieldReferenceError);
  });
});

describe("getPath", () => {
  it.each([
    ["a", tree().a],
    ["[a][b]", 1],
    ["[a][list][0]", 10],
    ["[a][list][-1]", { c: "x" }],
    ["[a][list][2][c]", "x"],
    ["[a][list][3]", undefined],
    ["[a][list][x]", undefined],
    ["[a][missing]", undefined],
    ["[s][0]", undefined],
    ["[s][x]", undefined],
    ["n", null],
    ["[n][x]", undefined],
  ])("%s", (ref, expected) => {
    expect(getPath(tree(), fieldPath(ref))).toEqual(expected);
  });
});

describe("setPath", () => {
  it.each([
    ["x", 5, { x: 5 }],
    ["[a][b]", 2, { b: 2 }],
    ["[new][deep][er]", "v", { er: "v" }],
    ["[n][x]", 1, { x: 1 }],
    ["[a][list][1]", 99, [10, 99, { c: "x" }]],
    ["[a][list][3]", 40, [10, 20, { c: "x" }, 40]],
    ["[a][list][-1]", "last", [10, 20, "last"]],
    ["[a][list][2][d]", true, { c: "x", d: true }],
  ])("%s", (ref, value, expectedParent) => {
    const root = tree();
    const path = fieldPath(ref);
    setPath(root, path, value);
    expect(getPath(root, path)).toEqual(value);
    expect(getPath(root, path.slice(0, -1))).toMatchObject(expectedParent);
  });

  it.each(["[s][x]", "[a][b][c]", "[a][list][9]", "[a][list][k]"])("refuses %s", (ref) => {
    const root = tree();
    expect(() => setPath(root, fieldPath(ref), 1)).toThrow(FieldReferenceError);
    expect(root).toEqual(tree());
  });
});

describe("removePath", () => {
  it.each([
    ["[a][b]", 1, { list: [10, 20, { c: "x" }] }],
    ["[a][list][0]", 10, { b: 1, list: [20, { c: "x" }] }],
    ["[a][list][-1]", { c: "x" }, { b: 1, list: [10, 20] }],
    ["[a][missing]", undefined, tree().a],
    ["[a][list][7]", undefined, tree().a],
  ])("%s", (ref, removed, aAfter) => {
    const root = tree();
    expect(removePath(root, fieldPath(ref))).toEqual(removed);
    expect(root.a).toEqual(aAfter);
  });

  it("removes a top-level field", () => {
    const root = tree();
    expect(removePath(root, ["s"])).toBe("str");
    expect(Object.keys(root)).toEqual(["a", "n"]);
  });
});
