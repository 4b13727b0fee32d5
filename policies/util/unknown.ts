/**
 * Values Pulumi cannot know yet. During `pulumi preview` a property computed by the cloud (DKIM
 * tokens and the DKIM CNAMEs named after them, ARNs, a record's `fqdn`) is unknown, and reading
 * it from `props` throws @pulumi/policy's UnknownValueError. A policy here never skips such a
 * value silently: it checks everything that is known, then says what it could not check, as
 * "not checked at preview: …". It does so by throwing an UnknownValueError carrying that text:
 * the analyzer (node_modules/@pulumi/policy/server.js) keeps the violations reported before the
 * throw and adds the text as an advisory note ("can't run policy … during preview: not checked
 * at preview: …"); the offline runner (scripts/lib/policy-runner.ts) lists it under "Not
 * checked at preview". `pulumi up` runs the stack policies again with real values, and the
 * verify command checks the live records after deploy.
 */
import * as policy from "@pulumi/policy";
import type { ReportViolation, ResourceValidationArgs, TypedResourceValidation } from "@pulumi/policy";

// @pulumi/policy exports these at run time; its type declarations mark them internal.
const sdk = policy as unknown as {
  UnknownValueError: new (sentinel: unknown, props: string[]) => Error & { props?: string[] };
};

/** The engine's marker for an unknown string (node_modules/@pulumi/policy/proxy.js). */
export const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export const NOT_CHECKED_AT_PREVIEW = "not checked at preview";

export function isUnknownValueError(e: unknown): e is Error & { props?: string[] } {
  return e instanceof sdk.UnknownValueError;
}

/**
 * Stop the policy with the note "not checked at preview: <what>". Violations it reported before
 * stay reported (in the engine and offline).
 */
export function notCheckedAtPreview(what: readonly string[] | string): never {
  const e = new sdk.UnknownValueError(UNKNOWN_STRING, []);
  e.message = `${NOT_CHECKED_AT_PREVIEW}: ${typeof what === "string" ? what : what.join("; ")}`;
  throw e;
}

/** Throw the note when any gap was collected; a policy calls it after its checks. */
export function reportGaps(gaps: readonly string[]): void {
  const unique = [...new Set(gaps)];
  if (unique.length > 0) notCheckedAtPreview(unique);
}

/** The value `read` returns, or undefined when it touches a value unknown during preview. */
export function known<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (e) {
    if (isUnknownValueError(e)) return undefined;
    throw e;
  }
}

/**
 * Run a typed validation; when it reads a value unknown during preview, say which one instead of
 * passing silently ("not checked at preview: <resource>: .records is unknown …").
 */
export function noteUnknown<TProps>(validate: TypedResourceValidation<TProps>): TypedResourceValidation<TProps> {
  return async (props: TProps, args: ResourceValidationArgs, reportViolation: ReportViolation) => {
    try {
      await validate(props, args, reportViolation);
    } catch (e) {
      if (!isUnknownValueError(e)) throw e;
      if (e.message.startsWith(`${NOT_CHECKED_AT_PREVIEW}:`)) throw e;
      const path = (e.props ?? []).join(".");
      notCheckedAtPreview(`${args.name}: .${path} is unknown until the resource exists (${e.message})`);
    }
  };
}
