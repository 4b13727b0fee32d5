/**
 * The stack's last `verification` output, as components/LastDeployment.ts reads it through a
 * StackReference to the stack itself: an object, or its JSON text. Each rule that compares a
 * change with the last deployment (key rotation, DKIM record order, MAIL FROM moves) reads
 * only the part it needs, with its own partial schema.
 */
import type { z } from "zod";

/** The output as a value: JSON text is decoded; text that is not JSON stays as it is. */
export function lastOutputValue(verification: unknown): unknown {
  if (typeof verification !== "string") return verification;
  try {
    return JSON.parse(verification) as unknown;
  } catch {
    return verification;
  }
}

/** The part of the output `schema` describes, or undefined when there is none of that shape. */
export function readLastOutput<T>(verification: unknown, schema: z.ZodType<T>): T | undefined {
  const parsed = schema.safeParse(lastOutputValue(verification));
  return parsed.success ? parsed.data : undefined;
}
