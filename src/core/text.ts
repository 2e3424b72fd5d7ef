/** Text for people's terminals: escaped control characters, aligned tables. */

/**
 * A text safe to print on a terminal: control characters (ANSI escapes, carriage returns, a
 * file name's embedded newline) are shown escaped, as \x1b or \n, instead of acting on it.
 * @example printable('a\x1b[31mb') // 'a\\x1b[31mb'
 */
export function printable(text: string, keepNewlines = false): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    if (keepNewlines && (c === '\n' || c === '\t')) return c;
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** Formats rows as an aligned text table. */
export function table(rows: Array<Record<string, unknown>>, columns?: string[]): string {
  if (!rows.length) return '(none)\n';
  const cols = columns ?? Object.keys(rows[0]!);
  const cell = (v: unknown) => (v === null || v === undefined ? '' : v instanceof Date ? v.toISOString().replace('T', ' ').slice(0, 19) : printable(String(v)));
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) => vals.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(cols), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(cols.map((c) => cell(r[c]))))].join('\n') + '\n';
}
