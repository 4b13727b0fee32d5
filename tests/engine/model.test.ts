/**
 * The engine model's rules one by one (tests/engine/model.ts cites the engine source of each),
 * on small programs of Route 53 records, so each rule is seen alone. Every test can fail: each
 * was checked by planting the opposite rule in the model and watching it go red.
 */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { Engine, type OperationResult } from "./model";
import { World } from "./world";

const ZONE = "ZTESTZONE";
type Decl = { name: string; record: string; value?: string; ttl?: number; zoneId?: string; opts?: pulumi.CustomResourceOptions };

/** An engine whose program declares `decls` (set before each operation) and exports `out`. */
function harness() {
  const world = new World();
  const state: { decls: Decl[]; out: Record<string, unknown> } = { decls: [], out: {} };
  const engine = new Engine(world, "test", async () => {
    for (const d of state.decls) {
      new aws.route53.Record(d.name, { zoneId: d.zoneId ?? ZONE, name: d.record, type: "TXT", ttl: d.ttl ?? 300, records: [d.value ?? "v"] }, d.opts);
    }
    return state.out;
  });
  // Each rule alone: no refresh before an up unless a test asks for it.
  engine.refreshOnUp = false;
  const up = (decls: Decl[], out: Record<string, unknown> = {}): Promise<OperationResult> => {
    state.decls = decls;
    state.out = out;
    return engine.up({ domain: "example.com" });
  };
  const preview = (decls: Decl[]): Promise<OperationResult> => {
    state.decls = decls;
    return engine.preview({ domain: "example.com" });
  };
  const ops = (r: OperationResult) => r.steps.map((s) => `${s.op} ${s.urn.split("::").at(-1)}${s.retained ? " (retained)" : ""}`);
  const txt = (name: string) => world.recordSet(name, "TXT")?.values;
  return { world, engine, up, preview, ops, txt };
}

describe("engine model: creates, updates, replaces, deletes", () => {
  it("creates, then does nothing when nothing changed, updates in place, and replaces on a forcing input", async () => {
    const h = harness();
    expect(h.ops(await h.up([{ name: "a", record: "a.example.com" }]))).toEqual(["create a"]);
    expect(h.ops(await h.up([{ name: "a", record: "a.example.com" }]))).toEqual([]);
    expect(h.ops(await h.up([{ name: "a", record: "a.example.com", ttl: 600 }]))).toEqual(["update a"]);
    expect(h.world.recordSet("a.example.com", "TXT")?.ttl).toBe(600);
    const r = await h.up([{ name: "a", record: "b.example.com", ttl: 600 }]);
    expect(h.ops(r)).toEqual(["replace a"]);
    expect(r.steps[0]!.detail).toEqual(["name"]);
    expect(h.txt("a.example.com")).toBeUndefined();
    expect(h.txt("b.example.com")).toEqual(["v"]);
  });

  it("replaces create-before-delete: a replacement that needs the old one's name fails unless deleteBeforeReplace", async () => {
    const h = harness();
    await h.up([{ name: "a", record: "a.example.com" }]);
    // zoneId forces a replace; the new record set has the same name, so CREATE finds the old one.
    const cbd = await h.up([{ name: "a", record: "a.example.com", zoneId: "ZOTHER" }]);
    expect(cbd.ok).toBe(false);
    expect(cbd.errors[0]!.message).toMatch(/InvalidChangeBatch: .*already exists/);
    const dbr = await h.up([{ name: "a", record: "a.example.com", zoneId: "ZOTHER", opts: { deleteBeforeReplace: true } }]);
    expect(dbr.ok).toBe(true);
    expect(h.ops(dbr)).toEqual(["replace a"]);
  });

  it("deletes resources the program no longer declares after the program ran, in reverse order", async () => {
    const h = harness();
    await h.up([{ name: "a", record: "a.example.com" }, { name: "b", record: "b.example.com" }, { name: "c", record: "c.example.com" }]);
    const r = await h.up([{ name: "c", record: "c.example.com" }, { name: "d", record: "d.example.com" }]);
    expect(h.ops(r)).toEqual(["create d", "delete b", "delete a"]);
  });
});

describe("engine model: protect and retainOnDelete", () => {
  it("refuses to delete a protected resource, in preview as in up, even when it is retained; nothing changes", async () => {
    const h = harness();
    await h.up([{ name: "keep", record: "keep.example.com", opts: { protect: true, retainOnDelete: true } }], { v: 1 });
    const preview = await h.preview([]);
    expect(preview.ok).toBe(false);
    expect(preview.errors[0]!.message).toMatch(/^unable to delete resource ".*::keep"\nas it is currently marked for protection/);
    const up = await h.up([], { v: 2 });
    expect(up.ok).toBe(false);
    expect(h.engine.state.map((s) => s.name)).toEqual(["keep"]);
    expect(h.txt("keep.example.com")).toEqual(["v"]);
  });

  it("retainOnDelete without protect: the state drops it, the world keeps it", async () => {
    const h = harness();
    await h.up([{ name: "r", record: "r.example.com", opts: { retainOnDelete: true } }]);
    const r = await h.up([]);
    expect(h.ops(r)).toEqual(["delete r (retained)"]);
    expect(h.engine.state).toEqual([]);
    expect(h.txt("r.example.com")).toEqual(["v"]);
  });

  it("refuses a replace when old and new are protected; allows it when the same up unprotects", async () => {
    const h = harness();
    await h.up([{ name: "p", record: "p.example.com", opts: { protect: true } }]);
    const refused = await h.preview([{ name: "p", record: "q.example.com", opts: { protect: true } }]);
    expect(refused.errors[0]!.message).toMatch(/^unable to replace resource ".*::p"\nas it is currently marked for protection/);
    const up = await h.up([{ name: "p", record: "q.example.com", opts: { protect: false } }]);
    expect(up.ok).toBe(true);
    expect(h.txt("q.example.com")).toEqual(["v"]);
  });

  it("a resource removed from the program keeps the protect of its state: unprotecting needs the resource declared", async () => {
    const h = harness();
    await h.up([{ name: "p", record: "p.example.com", opts: { protect: true } }]);
    expect((await h.up([{ name: "p", record: "p.example.com", opts: { protect: false } }])).steps).toEqual([]);
    expect(h.ops(await h.up([]))).toEqual(["delete p"]);
  });
});

describe("engine model: aliases, import, ignoreChanges", () => {
  it("an alias carries the old state to the new URN: no create, no delete", async () => {
    const h = harness();
    await h.up([{ name: "old", record: "a.example.com" }]);
    const r = await h.up([{ name: "new", record: "a.example.com", opts: { aliases: [{ name: "old" }] } }]);
    expect(r.steps.map((s) => s.op)).toEqual(["same"]);
    expect(h.engine.state.map((s) => s.name)).toEqual(["new"]);
  });

  it("import adopts an object whose inputs match; a mismatch warns in preview and fails the up", async () => {
    const h = harness();
    h.world.putForeignRecord("live.example.com", "TXT", ["v"], 300);
    const id = `${ZONE}_live.example.com_TXT`;
    const matching = await h.up([{ name: "live", record: "live.example.com", opts: { import: id } }]);
    expect(h.ops(matching)).toEqual(["import live"]);

    const h2 = harness();
    h2.world.putForeignRecord("live.example.com", "TXT", ["other"], 300);
    const warn = await h2.preview([{ name: "live", record: "live.example.com", opts: { import: id } }]);
    expect(warn.warnings[0]!.message).toBe("inputs to import do not match the existing resource: [records]; importing this resource will fail");
    const fail = await h2.up([{ name: "live", record: "live.example.com", opts: { import: id } }]);
    expect(fail.errors[0]!.message).toBe("inputs to import do not match the existing resource: [records]");
    expect(h2.world.recordSet("live.example.com", "TXT")?.values).toEqual(["other"]);
    // ignoreChanges takes the live value for the ignored input.
    const ignored = await h2.up([{ name: "live", record: "live.example.com", opts: { import: id, ignoreChanges: ["records"] } }]);
    expect(h2.ops(ignored)).toEqual(["import live"]);
  });

  it("ignoreChanges keeps an input out of the diff", async () => {
    const h = harness();
    await h.up([{ name: "a", record: "a.example.com" }]);
    expect((await h.up([{ name: "a", record: "a.example.com", ttl: 900, opts: { ignoreChanges: ["ttl"] } }])).steps).toEqual([]);
    expect(h.world.recordSet("a.example.com", "TXT")?.ttl).toBe(300);
  });
});

describe("engine model: stack outputs and refresh", () => {
  it("writes outputs at the end of a successful up; a failed up writes the ones it registered over the old (3.112+)", async () => {
    const h = harness();
    await h.up([{ name: "keep", record: "keep.example.com", opts: { protect: true } }], { a: 1, b: 1 });
    expect(h.engine.outputs).toEqual({ a: 1, b: 1 });
    // The program finished (outputs registered); the protected delete after it failed.
    const failed = await h.up([], { a: 2 });
    expect(failed.ok).toBe(false);
    expect(h.engine.outputs).toEqual({ a: 2, b: 1 });
  });

  it("keeps the old outputs when the up failed before the program registered them", async () => {
    const h = harness();
    await h.up([{ name: "p", record: "p.example.com", opts: { protect: true } }], { a: 1 });
    const failed = await h.up([{ name: "p", record: "q.example.com", opts: { protect: true } }], { a: 2 });
    expect(failed.ok).toBe(false);
    expect(h.engine.outputs).toEqual({ a: 1 });
  });

  it("preview changes neither the world, the state nor the outputs", async () => {
    const h = harness();
    await h.up([{ name: "a", record: "a.example.com" }], { a: 1 });
    const before = JSON.stringify([h.engine.state, h.engine.outputs, [...h.world.dns]]);
    await h.preview([{ name: "b", record: "b.example.com" }]);
    expect(JSON.stringify([h.engine.state, h.engine.outputs, [...h.world.dns]])).toBe(before);
  });

  it("refresh drops what is gone and takes live values; it never touches outputs; up then sees the drift", async () => {
    const h = harness();
    await h.up([{ name: "a", record: "a.example.com" }, { name: "b", record: "b.example.com" }], { a: 1 });
    h.world.dns.delete("a.example.com|TXT");
    h.world.putForeignRecord("b.example.com", "TXT", ["changed"], 300);
    // Without refresh the engine diffs the program against its state: nothing to do.
    expect((await h.preview([{ name: "a", record: "a.example.com" }, { name: "b", record: "b.example.com" }])).steps).toEqual([]);
    const r = h.engine.refresh();
    expect(r.steps.map((s) => `${s.op} ${s.urn.split("::").at(-1)}`)).toEqual(["refresh-delete a", "refresh-update b"]);
    expect(h.engine.outputs).toEqual({ a: 1 });
    const up = await h.up([{ name: "a", record: "a.example.com" }, { name: "b", record: "b.example.com" }], { a: 1 });
    expect(h.ops(up)).toEqual(["create a", "update b"]);
    expect(h.txt("b.example.com")).toEqual(["v"]);
  });

  it("with refresh before every up (options: refresh: always, or up --refresh), one up sees the drift; a preview keeps no refresh", async () => {
    const h = harness();
    await h.up([{ name: "a", record: "a.example.com" }]);
    h.world.dns.delete("a.example.com|TXT");
    h.engine.refreshOnUp = true;
    const preview = await h.preview([{ name: "a", record: "a.example.com" }]);
    expect(h.ops(preview)).toEqual(["refresh-delete a", "create a"]);
    expect(h.engine.state.map((s) => s.name)).toEqual(["a"]);
    expect(h.ops(await h.up([{ name: "a", record: "a.example.com" }]))).toEqual(["refresh-delete a", "create a"]);
    expect(h.txt("a.example.com")).toEqual(["v"]);
  });
});
