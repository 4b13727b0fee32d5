/** A bad flag, file or stack config: the message says what, where and how to fix it; the command exits 2. */
export class UsageError extends Error {
  override name = "UsageError";
}
