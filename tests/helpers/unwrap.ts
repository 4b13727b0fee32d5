/**
 * A wrapped text (lib/wrap.ts) with its continuation lines joined again, for tests that match a
 * message by its words, whatever the width it was wrapped to. A line starting with "- " (a
 * problem of a ConfigError or InvalidInputsError) stays a line of its own.
 */
export const unwrapped = (text: string): string => text.replace(/\n +(?=\S)(?!- )/g, " ");
