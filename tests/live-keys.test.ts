/**
 * Rotation preflight and the failed `up` (lib/rotation.ts liveKeyIssues): the program reads the
 * SMTP user's keys from IAM (aws.iam.getAccessKeys, at preview too) and refuses a change the
 * last recorded deployment cannot vouch for. Under mocks the invoke is answered by the mocks'
 * `call` (scripts/lib/mock-program.ts); these tests say what IAM holds.
 */
import { describe, expect, it } from "vitest";
import { deployedKeys, type LiveAccessKey } from "../lib/rotation";
import { recordedAccessKeys } from "../scripts/lib/mock-program";
import { PROD_LIKE } from "./helpers/config";
import { docOutput } from "./docs/doc-examples";
import { refusedWith, runWithConfig, type TestRun } from "./helpers/program";

const CONSOLE = "AKIACONSOLEMADE00001";
const live = (...ids: string[]): LiveAccessKey[] => ids.map((accessKeyId) => ({ accessKeyId, status: "Active", createDate: "2026-05-01T09:00:00Z" }));

describe("the program reads IAM's keys before declaring anything (under mocks)", () => {
  const up = (extra: Record<string, string | number | string[]>, last: TestRun | undefined, liveKeys?: LiveAccessKey[], preview = false) =>
    runWithConfig({ ...PROD_LIKE, ...extra }, "prod", last?.outputs, preview, liveKeys);

  it("declared keys only: the rotation is accepted; a console key refuses it in preview and in up, naming the commands", async () => {
    const first = await up({}, undefined);
    const recorded = recordedAccessKeys(first.outputs);
    expect(recorded.map((k) => k.accessKeyId)).toEqual([deployedKeys(first.outputs.verification)?.accessKeyId]);
    // Default answer (the recorded keys): accepted, in preview too.
    expect((await up({ smtpKeyGeneration: 2 }, first)).byType("aws:iam/accessKey:AccessKey")).toHaveLength(2);
    expect((await up({ smtpKeyGeneration: 2 }, first, undefined, true)).byType("aws:iam/accessKey:AccessKey")).toHaveLength(2);
    const extra = [...recorded, { accessKeyId: CONSOLE, status: "Active", createDate: "2026-05-01T09:00:00Z" }];
    for (const preview of [true, false]) {
      const { lines, message } = await refusedWith(up({ smtpKeyGeneration: 2 }, first, extra, preview), "a rotation with a console key");
      // docs/rotation.md prints it ("A key the stack does not record").
      if (preview) await docOutput("rotation-refused-console-key", message);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^mail-infra:smtpKeyGeneration: cannot be checked: the SMTP user mail-infra-smtp-prod has an access key AKIACONSOLEMADE00001/);
      expect(lines[0]).toContain("aws iam delete-access-key --user-name mail-infra-smtp-prod --access-key-id AKIACONSOLEMADE00001");
    }
  });

  it("a first deployment does not ask IAM (nothing recorded; offline plan and policy need no AWS)", async () => {
    const run = await up({}, undefined, live(CONSOLE));
    expect(run.byType("aws:iam/accessKey:AccessKey")).toHaveLength(1);
  });
});
