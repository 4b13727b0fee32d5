/**
 * A stack's config file as read (stack-config.ts readStackConfig). Its own module so that cli.ts
 * (which points a config error at its line) and stack-config.ts (which reads input files with
 * cli.ts readInputFile) do not import each other; tests/import-cycles.test.ts checks there is no cycle.
 */
export interface StackConfigFile {
  stack: string;
  path: string;
  values: Record<string, string>;
  /** The same values as YAML typed them (strings, numbers, lists, maps), so a wrong type can be named. */
  typed: Record<string, unknown>;
  /** The 1-based line of a full key, when it is in the file. */
  lineOf(key: string): number | undefined;
}
