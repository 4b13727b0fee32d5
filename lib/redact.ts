/**
 * The one redaction: what every command does to a secret before anything is printed (the CLI
 * error boundary, verify's and relay-fix's reports, the policy runner's messages, the offline
 * plan's inputs). One marker and one rule everywhere, so a reader knows what `[secret]` means
 * and no output path scrubs less than another.
 *
 * - A value known to be secret (a Pulumi secret, `isSecret`) is replaced whole.
 * - A secret value found inside a string is replaced wherever it occurs, longest first (a
 *   secret that contains another is removed whole), if it has at least MIN_SECRET_LENGTH
 *   characters: a shorter needle would cut ordinary words out of the output, and every secret
 *   this project holds is far longer (an access key's secret 40, an SMTP password 44, an OAuth
 *   token more).
 */

/** What a removed secret reads as: Pulumi's own mark for a secret value (`pulumi stack output`). */
export const REDACTED = "[secret]";

/** Secrets shorter than this are not searched for inside text. */
export const MIN_SECRET_LENGTH = 8;

/** `value` (a string, or any JSON-like value, walked deeply) with every secret replaced by REDACTED. */
export function redact<T>(value: T, secrets: Iterable<string | undefined>, isSecret?: (v: unknown) => boolean): T {
  const needles = [...new Set([...secrets].filter((s): s is string => typeof s === "string" && s.length >= MIN_SECRET_LENGTH))].sort((a, b) => b.length - a.length);
  const clean = (v: unknown): unknown => {
    if (isSecret?.(v)) return REDACTED;
    if (typeof v === "string") return needles.reduce((acc, n) => acc.split(n).join(REDACTED), v);
    if (Array.isArray(v)) return v.map(clean);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, clean(x)]));
    return v;
  };
  return clean(value) as T;
}
