/** The CLIs' text width and wrapping: lib/wrap.ts (pure, so the program's own errors wrap the same way). */
export { TEXT_WIDTH, textWidth, unbreakable, visibleWidth, wrapLine, wrapText } from "../../lib/wrap";
