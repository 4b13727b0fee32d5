/**
 * The format version every --json document carries as `version` (diagnose --jsonl: every line).
 * Raised when a field is removed or changes meaning; adding a field does not raise it. Its own
 * module so a command prints it without loading the schemas (scripts/lib/json-output.ts).
 */
export const JSON_FORMAT_VERSION = 1;
