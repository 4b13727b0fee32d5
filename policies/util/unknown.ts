/**
 * Values Pulumi cannot know yet. During `pulumi preview` a property computed by the cloud (DKIM
 * tokens, and every DNS record built from them on a first deploy) is unknown, and reading it
 * from `props` throws @pulumi/policy's UnknownValueError. The policies here treat such a value
 * as "not yet checkable" and skip it: no violation, no crash. `pulumi up` runs the stack
 * policies again with real values, and the verify command checks the live records after deploy.
 */
import * as policy from "@pulumi/policy";
import type { ReportViolation, ResourceValidationArgs, TypedResourceValidation } from "@pulumi/policy";

// @pulumi/policy exports the class at run time; its type declarations are internal.
const UnknownValueError = (policy as unknown as { UnknownValueError: new (...args: never[]) => Error }).UnknownValueError;

export function isUnknownValueError(e: unknown): boolean {
  return e instanceof UnknownValueError;
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

/** Run a typed validation, skipping the resource when it reads a value unknown during preview. */
export function skipUnknown<TProps>(validate: TypedResourceValidation<TProps>): TypedResourceValidation<TProps> {
  return async (props: TProps, args: ResourceValidationArgs, reportViolation: ReportViolation) => {
    try {
      await validate(props, args, reportViolation);
    } catch (e) {
      if (!isUnknownValueError(e)) throw e;
    }
  };
}
