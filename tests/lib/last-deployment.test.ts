/**
 * The stack's last `verification` output as the rules read it (lib/last-deployment.ts): a
 * StackReference gives it as an object or as its JSON text; each rule reads its own part.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { lastOutputValue, readLastOutput } from "../../lib/last-deployment";

describe("lastOutputValue", () => {
  it("decodes JSON text; leaves text that is not JSON, and any value that is not text, as it is", () => {
    expect(lastOutputValue('{"stack":"prod","domains":[]}')).toEqual({ stack: "prod", domains: [] });
    expect(lastOutputValue("not json")).toBe("not json");
    // A list whose one element is JSON text is not decoded (a list is not text).
    expect(lastOutputValue(["1"])).toEqual(["1"]);
    expect(lastOutputValue(undefined)).toBeUndefined();
  });
});

describe("readLastOutput", () => {
  const schema = z.object({ stack: z.string() });
  it("the part a schema describes, from the object or its text; undefined when it has another shape", () => {
    expect(readLastOutput({ stack: "prod", other: 1 }, schema)).toEqual({ stack: "prod" });
    expect(readLastOutput('{"stack":"prod"}', schema)).toEqual({ stack: "prod" });
    expect(readLastOutput('{"stack":1}', schema)).toBeUndefined();
    expect(readLastOutput(undefined, schema)).toBeUndefined();
  });
});
