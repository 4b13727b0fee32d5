/**
 * How input is echoed back in an error message: quoted, and cut when long. A config value
 * or a flag can be megabytes long; an error names it, it does not repeat it.
 */

/** Characters of a value an error message shows before cutting it. */
export const ECHO_LIMIT = 60;

/**
 * `value` as an error message shows it: JSON-quoted, and when longer than `limit` characters
 * cut to its first `limit` with the full length, e.g. `"aaaa…" (20000000 characters)`.
 * Non-strings are shown as JSON (cut the same way).
 */
export function shown(value: unknown, limit = ECHO_LIMIT): string {
  if (typeof value === "string") {
    if (value.length <= limit) return JSON.stringify(value);
    return `${JSON.stringify(value.slice(0, limit)).slice(0, -1)}…" (${value.length} characters)`;
  }
  let json: string;
  try {
    json = JSON.stringify(value) ?? String(value);
  } catch {
    json = String(value);
  }
  return json.length <= limit ? json : `${json.slice(0, limit)}… (${json.length} characters of JSON)`;
}

/** The type of a decoded config or JSON value in words: "a string", "a number", "a map", "a list", "true or false", "null". */
export function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  switch (typeof value) {
    case "string":
      return "a string";
    case "number":
      return Number.isInteger(value) ? "a whole number" : "a number";
    case "boolean":
      return "true or false";
    case "object":
      return "a map";
    default:
      return typeof value;
  }
}

/**
 * The first sentence of `text`, ending in its full stop: up to the first "." followed by a space
 * or the end. The dots of an ellipsis ("554 Access denied ... on") do not end a sentence.
 */
export function firstSentence(text: string): string {
  const end = /(?<!\.)\.(?!\.)(?=\s|$)/.exec(text);
  return end ? text.slice(0, end.index + 1) : text;
}
