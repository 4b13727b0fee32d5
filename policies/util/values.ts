/** Small readers for untyped property bags: props arrive as plain JSON from the engine. */

export function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

export function strList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

export function obj(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

