// ACL validation, Kafka's filter matching rules (LITERAL, PREFIXED, MATCH, ANY, wildcard) and the durable store.

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  type AclBinding,
  type AclBindingFilter,
  AclStore,
  bindingProblem,
  filterMatches,
  filterProblem,
  AclOperation as Op,
  AclPatternType as Pattern,
  AclPermissionType as Perm,
  AclResourceType as Res,
} from "./acls.js";

function binding(over: Partial<AclBinding> = {}): AclBinding {
  return {
    resourceType: Res.TOPIC,
    resourceName: "orders",
    patternType: Pattern.LITERAL,
    principal: "User:alice",
    host: "*",
    operation: Op.READ,
    permissionType: Perm.ALLOW,
    ...over,
  };
}

function filter(over: Partial<AclBindingFilter> = {}): AclBindingFilter {
  return {
    resourceType: Res.ANY,
    resourceName: null,
    patternType: Pattern.ANY,
    principal: null,
    host: null,
    operation: Op.ANY,
    permissionType: Perm.ANY,
    ...over,
  };
}

describe("bindingProblem", () => {
  it("accepts concrete bindings and refuses UNKNOWN/ANY values, MATCH patterns and bad principals", () => {
    expect(bindingProblem(binding())).toBeNull();
    expect(bindingProblem(binding({ patternType: Pattern.PREFIXED, operation: Op.ALL }))).toBeNull();
    expect(bindingProblem(binding({ resourceType: Res.ANY }))).toMatch(/resource type/);
    expect(bindingProblem(binding({ resourceType: 99 }))).toMatch(/resource type/);
    expect(bindingProblem(binding({ patternType: Pattern.MATCH }))).toMatch(/pattern type/);
    expect(bindingProblem(binding({ patternType: Pattern.ANY }))).toMatch(/pattern type/);
    expect(bindingProblem(binding({ operation: Op.ANY }))).toMatch(/operation/);
    expect(bindingProblem(binding({ operation: Op.UNKNOWN }))).toMatch(/operation/);
    expect(bindingProblem(binding({ permissionType: Perm.ANY }))).toMatch(/permission/);
    expect(bindingProblem(binding({ principal: "alice" }))).toMatch(/principal/);
    expect(bindingProblem(binding({ resourceName: "" }))).toMatch(/empty/);
    expect(bindingProblem(binding({ resourceType: Res.CLUSTER, resourceName: "x" }))).toMatch(
      /kafka-cluster/,
    );
    expect(bindingProblem(binding({ resourceType: Res.CLUSTER, resourceName: "kafka-cluster" }))).toBeNull();
  });

  it("refuses filters with UNKNOWN values but allows ANY and MATCH", () => {
    expect(filterProblem(filter())).toBeNull();
    expect(filterProblem(filter({ patternType: Pattern.MATCH }))).toBeNull();
    expect(filterProblem(filter({ patternType: Pattern.UNKNOWN }))).toMatch(/pattern/);
    expect(filterProblem(filter({ operation: Op.UNKNOWN }))).toMatch(/operation/);
    expect(filterProblem(filter({ resourceType: 0 }))).toMatch(/resource/);
    expect(filterProblem(filter({ permissionType: 7 }))).toMatch(/permission/);
  });
});

describe("filterMatches", () => {
  const literal = binding();
  const prefixed = binding({ resourceName: "ord", patternType: Pattern.PREFIXED });
  const wildcard = binding({ resourceName: "*" });
  const other = binding({ resourceName: "payments", principal: "User:bob", operation: Op.WRITE });

  const matching = (f: AclBindingFilter) =>
    [literal, prefixed, wildcard, other].filter((b) => filterMatches(f, b));

  it("LITERAL and PREFIXED filters match that pattern type and the exact name only", () => {
    expect(matching(filter({ resourceName: "orders", patternType: Pattern.LITERAL }))).toEqual([literal]);
    expect(matching(filter({ resourceName: "ord", patternType: Pattern.PREFIXED }))).toEqual([prefixed]);
    expect(matching(filter({ resourceName: "orders", patternType: Pattern.PREFIXED }))).toEqual([]);
  });

  it("ANY matches every pattern type by exact name; MATCH finds every pattern that applies to the name", () => {
    expect(matching(filter({ resourceName: "ord", patternType: Pattern.ANY }))).toEqual([prefixed]);
    expect(matching(filter({ resourceName: "orders", patternType: Pattern.MATCH }))).toEqual([
      literal,
      prefixed,
      wildcard,
    ]);
    expect(matching(filter({ resourceName: "payments", patternType: Pattern.MATCH }))).toEqual([
      wildcard,
      other,
    ]);
    expect(matching(filter())).toHaveLength(4);
  });

  it("entry fields narrow by principal, host, operation and permission", () => {
    expect(matching(filter({ principal: "User:bob" }))).toEqual([other]);
    expect(matching(filter({ operation: Op.WRITE }))).toEqual([other]);
    expect(matching(filter({ host: "10.0.0.1" }))).toEqual([]);
    expect(matching(filter({ permissionType: Perm.DENY }))).toEqual([]);
    expect(matching(filter({ resourceType: Res.GROUP }))).toEqual([]);
  });
});

describe("AclStore", () => {
  let dir: string | null = null;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = null;
  });

  it("keeps bindings across reopen, ignores duplicates and deletes per filter", async () => {
    dir = await mkdtemp(join(tmpdir(), "sluice-acls-"));
    const store = await AclStore.open(dir);
    await store.create([binding(), binding(), binding({ principal: "User:bob" })]);
    expect(store.size).toBe(2);
    const reopened = await AclStore.open(dir);
    expect(reopened.describe(filter())).toEqual([binding(), binding({ principal: "User:bob" })]);
    const deleted = await reopened.delete([filter({ principal: "User:bob" }), filter()]);
    expect(deleted).toEqual([[binding({ principal: "User:bob" })], [binding()]]);
    expect((await AclStore.open(dir)).size).toBe(0);
  });

  it("refuses a corrupt file", async () => {
    dir = await mkdtemp(join(tmpdir(), "sluice-acls-"));
    const store = await AclStore.open(dir);
    await store.create([binding()]);
    await writeFile(
      join(dir, "acls.json"),
      '{"magic":"sluice-meta","version":1,"kind":"acls","crc32c":1,"body":"{}"}',
    );
    await expect(AclStore.open(dir)).rejects.toThrow(/checksum/);
  });
});
