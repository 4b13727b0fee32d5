/**
 * The kit (scripts/lib/cli.ts standardOptions): a usage error is one line, Commander's
 * suggestion when it has one, and a hint to --help; not a screen of help that buries the line.
 */
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/spawn";

const { CLIS } = require("../scripts/build.cjs") as { CLIS: Record<string, string> };

describe("a usage error is one line and a hint", () => {
  it.each(Object.entries(CLIS))("%s --stak", (_name, script) => {
    const r = runCli(script, ["--stak", "x"]);
    expect(r.status).toBe(2);
    const lines = r.stderr.trimEnd().split("\n");
    // (a command with a required option names that one first)
    expect(lines[0]).toMatch(/^error: (unknown option '--stak'|required option '.+' not specified)$/);
    expect(lines.at(-1)).toBe("(--help lists the options, with examples)");
    expect(lines.length).toBeLessThanOrEqual(3);
    expect(r.stderr).not.toContain("Usage:");
  });
});
