/**
 * firstSentence: how adopt's summary shows each risk (the first sentence; adoption.md has the rest).
 */
import { describe, expect, it } from "vitest";
import { firstSentence } from "../../lib/text";

describe("firstSentence", () => {
  it("ends at the first full stop followed by a space or the end, and keeps it", () => {
    expect(firstSentence("MAIL FROM moves. Then set it back.")).toBe("MAIL FROM moves.");
    expect(firstSentence("One sentence only.")).toBe("One sentence only.");
    expect(firstSentence("no full stop")).toBe("no full stop");
  });

  it("does not end at the dots of a name or of an ellipsis", () => {
    expect(firstSentence("bounce.example.com moves (554 Access denied ... on resource ...:identity/a@example.com). The rest.")).toBe(
      "bounce.example.com moves (554 Access denied ... on resource ...:identity/a@example.com).",
    );
  });
});
