/**
 * The rotation rules over every one-step change (lib/rotation.ts): pure, no Pulumi mocks; the
 * cycle as `pulumi up` steps under mocks is tests/rotation.test.ts.
 */
import { describe, expect, it } from "vitest";
import { type DeployedKeys, type DesiredKeys, planKeys, PREVIOUS_KEY_STATES, type PreviousKeyState, rotationIssues } from "../../lib/rotation";

describe("the invariant over every one-step change", () => {
  // Every deployed state reachable in generations 1..4, and every config a step could set.
  const deployedStates: DeployedKeys[] = [1, 2, 3, 4].flatMap((g) =>
    g === 1 ? [{ user: "u", keyGeneration: 1 }] : PREVIOUS_KEY_STATES.map((state) => ({ user: "u", keyGeneration: g, previousKey: { generation: g - 1, state } })),
  );
  const desiredStates: DesiredKeys[] = [1, 2, 3, 4, 5].flatMap((n) =>
    n === 1 ? [{ userName: "u", keyGeneration: 1 }] : PREVIOUS_KEY_STATES.map((previousKey: PreviousKeyState) => ({ userName: "u", keyGeneration: n, previousKey })),
  );
  const asDesired = (d: DeployedKeys): DesiredKeys => ({ userName: d.user, keyGeneration: d.keyGeneration, ...(d.previousKey ? { previousKey: d.previousKey.state } : {}) });
  const keySet = (d: DesiredKeys) => {
    const plan = planKeys(d);
    return new Map([[plan.current.generation, plan.current.status as string], ...(plan.previous ? [[plan.previous.generation, plan.previous.status] as [number, string]] : [])]);
  };

  it("accepted steps keep a working key, never need a third key, and delete only inactive keys on `retired`", () => {
    let accepted = 0;
    for (const from of deployedStates) {
      for (const to of desiredStates) {
        if (rotationIssues(from, to).length > 0) continue;
        accepted++;
        const before = keySet(asDesired(from));
        const after = keySet(to);
        const where = `${JSON.stringify(from)} -> ${JSON.stringify(to)}`;
        expect([...after.values()].filter((s) => s === "Active").length, where).toBeGreaterThanOrEqual(1);
        // Pulumi creates new keys before deleting old ones: both sets exist at once.
        expect(new Set([...before.keys(), ...after.keys()]).size, where).toBeLessThanOrEqual(2);
        // The key the secret held before the step still works after it.
        expect(after.get(from.keyGeneration), where).toBe("Active");
        for (const [gen, status] of before) {
          if (!after.has(gen)) {
            expect(status, where).toBe("Inactive");
            expect(to.previousKey, where).toBe("retired");
          }
        }
      }
    }
    expect(accepted).toBeGreaterThan(10);
  });

  it("the whole cycle stays reachable: from generation 1 to 4 by accepted steps only", () => {
    const seen = new Set<string>();
    const queue: DeployedKeys[] = [{ user: "u", keyGeneration: 1 }];
    while (queue.length > 0) {
      const from = queue.shift()!;
      for (const to of desiredStates) {
        if (rotationIssues(from, to).length > 0) continue;
        const next: DeployedKeys = { user: "u", keyGeneration: to.keyGeneration, ...(to.previousKey ? { previousKey: { generation: to.keyGeneration - 1, state: to.previousKey } } : {}) };
        const k = JSON.stringify(next);
        if (!seen.has(k)) {
          seen.add(k);
          queue.push(next);
        }
      }
    }
    expect(seen).toContain(JSON.stringify({ user: "u", keyGeneration: 4, previousKey: { generation: 3, state: "active" } }));
  });
});
