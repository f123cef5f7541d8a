/**
 * The only ways a value reaches a mail: escaped for HTML, flattened to one line for text and headers.
 * Every template goes through these, so a meeting subject or a person's name can never add markup,
 * a header or a fake line to a message.
 */

/**
 * One line of plain text: control characters (CR, LF, tab, NUL, the C1 range, line and paragraph
 * separators) become spaces, runs of white space collapse, and the ends are trimmed.
 */
export function oneLine(value: string): string {
  return (
    value
      // eslint-disable-next-line no-control-regex -- control characters are exactly what must go
      .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, " ")
      .replace(/\s+/g, " ")
      .trim()
  );
}

/** Shortens to at most `max` characters (code points), ending with an ellipsis when cut. */
export function truncate(value: string, max: number): string {
  const chars = [...value];
  return chars.length <= max
    ? value
    : `${chars
        .slice(0, max - 1)
        .join("")
        .trimEnd()}…`;
}

/** A header value (the subject): one line, at most 200 characters, never a CR or LF. */
export function headerText(value: string): string {
  return truncate(oneLine(value), 200);
}
