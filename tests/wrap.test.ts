import { describe, expect, it } from "vitest";
import { TEXT_WIDTH, textWidth, unbreakable, visibleWidth, wrapLine, wrapText } from "../scripts/lib/wrap";

describe("text reports fit 100 columns", () => {
  it("breaks a long line at spaces, continuations indented under it, no word cut or lost", () => {
    const line = `  + aws.sesv2.EmailIdentity  ${"word ".repeat(40).trim()}`;
    const lines = wrapLine(line);
    expect(lines.length).toBeGreaterThan(1);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(TEXT_WIDTH);
    expect(lines[0].startsWith("  + aws.sesv2.EmailIdentity  word")).toBe(true);
    for (const l of lines.slice(1)) expect(l).toMatch(/^ {6}word/);
    expect(lines.join(" ").replace(/ +/g, " ").trim()).toBe(line.replace(/ +/g, " ").trim());
  });

  it("keeps a line that fits, and a word longer than the width whole", () => {
    expect(wrapLine("short line")).toEqual(["short line"]);
    const urn = `urn:pulumi:prod::mail-infra::${"x".repeat(120)}`;
    expect(wrapLine(`    ${urn} tail`)).toEqual([`    ${urn}`, "        tail"]);
  });

  it("colour codes take no columns; the caller picks the hanging indent", () => {
    const red = (s: string) => `\u001b[31m${s}\u001b[0m`;
    const line = `  ${red("FAIL")}  ${"x ".repeat(60).trim()}`;
    expect(visibleWidth(line)).toBe(127);
    const lines = wrapLine(line, 100, () => 8);
    expect(lines.map(visibleWidth).every((w) => w <= 100)).toBe(true);
    expect(lines[1]).toMatch(/^ {8}x/);
    expect(wrapText("a\nb")).toBe("a\nb");
  });

  it("a command to copy is never broken: a command line stays whole, a command in backticks is one word", () => {
    const command = `     aws secretsmanager get-secret-value --secret-id mail-infra/prod/ses-smtp --region us-east-1 --query SecretString --output text`;
    expect(wrapLine(command)).toEqual([command]);
    const quoted = "`npm run relay-fix -- --stack prod --sender admin@example.com`";
    const lines = wrapLine(`  fix: put the current username and the us-east-1 password into the relay (${quoted}), then send the probe.`);
    expect(lines.some((l) => l.includes(quoted))).toBe(true);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(TEXT_WIDTH);
  });
});

describe("the rule names what must not be broken, not files (unbreakable)", () => {
  it("a command to copy, one token, a JSON Lines record stay whole; prose does not", () => {
    const long = "x".repeat(120);
    expect(unbreakable(`$ npm run -s verify -- --stack prod ${long}`)).toBe(true);
    expect(unbreakable(`     aws secretsmanager get-secret-value --secret-id ${long}`)).toBe(true);
    expect(unbreakable(`          \`aws sesv2 put-email-identity-mail-from-attributes ${long}\`,`)).toBe(true);
    expect(unbreakable(`      (\`aws iam delete-access-key --user-name ${long}\`).`)).toBe(true);
    expect(unbreakable(`  run \`aws sesv2 put-email-identity-mail-from-attributes ${long}\``)).toBe(false);
    expect(unbreakable(`          urn:pulumi:prod::mail-infra::${long}`)).toBe(true);
    expect(unbreakable(`{"version":1,"file":"a.eml","cause":"${"word ".repeat(30)}"}`)).toBe(true);
    expect(unbreakable(`  [${'"word", '.repeat(20)}"end"]`)).toBe(true);
    expect(unbreakable(`  Remediation: ${"word ".repeat(30)}`)).toBe(false);
    expect(unbreakable(`# 2. npm run verify -- --stack prod ${long}`)).toBe(false);
    expect(unbreakable(`{"version":1, ${"word ".repeat(30)}`)).toBe(false);
    expect(unbreakable(`[see below] ${"word ".repeat(30)}`)).toBe(false);
  });
  it("wrapLine keeps a JSON Lines record whole and breaks prose in brackets", () => {
    const record = `{"version":1,"cause":"${"word ".repeat(30).trim()}"}`;
    expect(wrapLine(record, 80)).toEqual([record]);
    expect(wrapLine(`[see below] ${"word ".repeat(30).trim()}`, 80).length).toBeGreaterThan(1);
  });
});

describe("wrapLine at its edges", () => {
  it("a line that fits, even to the last column, is left exactly as it is (trailing spaces too)", () => {
    expect(wrapLine("short line   ", 40)).toEqual(["short line   "]);
    const full = `${"a".repeat(19)} ${"b".repeat(19)} `;
    expect(full).toHaveLength(40);
    expect(wrapLine(full, 40)).toEqual([full]);
  });
  it("a word that ends exactly at the width stays on its line", () => {
    const line = `${"a".repeat(19)} ${"b".repeat(20)} cccc`;
    expect(wrapLine(line, 40)).toEqual([`${"a".repeat(19)} ${"b".repeat(20)}`, "    cccc"]);
  });
  it("the indent is counted without colour codes; the hanging indent is at most the width less 20", () => {
    const dim = `\u001b[2m  ${"word ".repeat(15).trim()}\u001b[0m`;
    expect(wrapLine(dim, 40).slice(1).every((l) => /^ {6}word/.test(l))).toBe(true);
    expect(wrapLine(`x ${"word ".repeat(15).trim()}`, 60, () => 50)[1]).toMatch(/^ {40}word/);
  });
  it("prose glued to a quoted command moves with it", () => {
    const lines = wrapLine(`${"x".repeat(10)} ${"y".repeat(10)} (\`npm run verify -- --stack prod\`).`, 40);
    expect(lines).toEqual([`${"x".repeat(10)} ${"y".repeat(10)}`, "    (`npm run verify -- --stack prod`)."]);
  });
  it("what is unbreakable is judged without colour codes, and only a whole quoted command or JSON object or array counts", () => {
    const long = "x".repeat(120);
    expect(unbreakable(`\u001b[2m$ npm run verify -- --stack prod ${long}\u001b[0m`)).toBe(true);
    expect(unbreakable(`\`npm run verify -- --stack prod\` then read ${"word ".repeat(30)}`)).toBe(false);
    expect(unbreakable(`"a quoted sentence [with brackets] of ${"word ".repeat(30)}"`)).toBe(false);
  });
});

describe("textWidth: COLUMNS when it is a whole number of at least 40, else 100", () => {
  it.each([
    [undefined, 100],
    ["120", 120],
    ["40", 40],
    ["39", 100],
    ["0", 100],
    ["", 100],
    ["wide", 100],
    [" 120", 100],
    ["120 ", 100],
    ["120.5", 100],
    ["1e3", 100],
  ])("COLUMNS=%j: %i", (columns, width) => {
    expect(textWidth(columns === undefined ? {} : { COLUMNS: columns })).toBe(width);
  });
});
