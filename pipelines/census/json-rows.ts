import { DataError } from '../../src/core/errors.js';
import { flatten } from '../../src/core/batches.js';

/**
 * A streaming reader for the one JSON shape the Census International Trade API returns: an
 * array of arrays whose cells are strings (or null). Responses can hold a million rows, so the
 * body is never JSON.parse'd whole: bytes are decoded chunk by chunk and a small state machine
 * emits one row at a time. Nothing here relies on the API's habit of one row per line — chunk
 * boundaries may fall anywhere, even inside a multi-byte character or a `\u` escape.
 */

/** One row of the outer array. */
export interface JsonRow {
  /** 1-based position in the outer array (the header row is row 1). */
  row: number;
  /** 1-based line on which the row starts. */
  line: number;
  cells: Array<string | null>;
}

export interface JsonRowsOptions {
  dataset: string;
  fileName: string;
}

const enum S {
  Start,          // before the outer '['
  OuterFirst,     // after '[': a row '[' or ']' (empty outer array)
  OuterNext,      // after ',' in the outer array: a row '['
  RowFirst,       // after a row's '[': a value or ']'
  RowNext,        // after ',' in a row: a value
  InString,
  InEscape,       // after a backslash
  InUnicode,      // inside \uXXXX
  InLiteral,      // reading a bare word (null, or something that is not allowed)
  AfterValue,     // after a value: ',' or ']'
  AfterRow,       // after a row's ']': ',' or ']'
  Done,           // after the outer ']': only whitespace
}

const WS = new Set([0x20, 0x0a, 0x0d, 0x09]);

/**
 * Incremental tokenizer: feed text with `push` (returns the rows completed by it), then `end`.
 * @example const t = new JsonRowsTokenizer({ dataset: 'census.api', fileName: 'x.json' }); t.push('[["A"],["1"]]'); t.end();
 */
export class JsonRowsTokenizer {
  private state: S = S.Start;
  private line = 1;
  private rowNo = 0;
  private rowLine = 1;
  private cells: Array<string | null> = [];
  /** The cells of the row before (see InString). */
  private above: Array<string | null> = [];
  private str = '';
  private hex = '';
  private literal = '';
  private sawAnything = false;

  constructor(private readonly opts: JsonRowsOptions) {}

  /** True when no non-whitespace character has been seen (an empty body). */
  get empty(): boolean {
    return !this.sawAnything;
  }

  /** Number of rows completed so far. */
  get rows(): number {
    return this.rowNo;
  }

  /** Consumes text; returns the rows it completed. */
  push(text: string): JsonRow[] {
    const out: JsonRow[] = [];
    const n = text.length;
    let i = 0;
    while (i < n) {
      switch (this.state) {
        case S.InString: {
          // Fast path: copy everything up to the next quote or backslash in one slice.
          let j = i;
          while (j < n) {
            const c = text.charCodeAt(j);
            if (c === 0x22 || c === 0x5c) break;
            if (c < 0x20) {
              if (c === 0x0a) this.line++;
              this.fail(text.slice(j, j + 1), 'a JSON string without raw control characters (a newline inside a string is not JSON)');
            }
            j++;
          }
          if (j < n && this.str === '' && text.charCodeAt(j) === 0x22) {
            // A whole cell in this piece. Most cells repeat the row above's (a commodity's
            // country, name, description and unit for twelve months): that very string is
            // reused, which allocates nothing and lets the parser compare cells by pointer.
            const above = this.above[this.cells.length];
            this.cells.push(above != null && above.length === j - i && text.startsWith(above, i) ? above : text.slice(i, j));
            this.state = S.AfterValue;
            i = j + 1;
            break;
          }
          this.str += text.slice(i, j);
          if (j >= n) { i = n; break; }
          if (text.charCodeAt(j) === 0x22) {
            this.cells.push(this.str);
            this.str = '';
            this.state = S.AfterValue;
          } else {
            this.state = S.InEscape;
          }
          i = j + 1;
          break;
        }
        case S.InEscape: {
          const c = text[i]!;
          const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
          if (c === 'u') { this.hex = ''; this.state = S.InUnicode; }
          else if (simple[c] !== undefined) { this.str += simple[c]; this.state = S.InString; }
          else this.fail(`\\${c}`, 'a valid JSON string escape');
          i++;
          break;
        }
        case S.InUnicode: {
          const c = text[i]!;
          if (!/[0-9a-fA-F]/.test(c)) this.fail(`\\u${this.hex}${c}`, 'four hex digits after \\u');
          this.hex += c;
          if (this.hex.length === 4) {
            this.str += String.fromCharCode(parseInt(this.hex, 16));
            this.state = S.InString;
          }
          i++;
          break;
        }
        case S.InLiteral: {
          const c = text.charCodeAt(i);
          if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x2d || c === 0x2b) {
            this.literal += text[i];
            if (this.literal.length > 40) this.fail(this.literal, 'a string in double quotes or null');
            i++;
            break;
          }
          this.finishLiteral();
          break; // re-examine this character in AfterValue
        }
        default: {
          const c = text.charCodeAt(i);
          if (WS.has(c)) {
            if (c === 0x0a) this.line++;
            i++;
            break;
          }
          if (c === 0xfeff && this.state === S.Start && !this.sawAnything) { i++; break; }
          this.sawAnything = true;
          const row = this.structural(text[i]!);
          if (row) out.push(row);
          i++;
        }
      }
    }
    return out;
  }

  /** Checks the text ended where a complete document ends. */
  end(): void {
    if (this.state === S.InLiteral) this.finishLiteral();
    if (this.state === S.Done) return;
    if (!this.sawAnything) {
      throw new DataError({ dataset: this.opts.dataset, file: this.opts.fileName, line: 1, expected: 'a JSON array of arrays, but the body is empty' });
    }
    // Inside a cell, the error names it: the download stopped in that column.
    this.fail('end of file', 'the rest of the JSON array (the body ends early: truncated download?)');
  }

  private structural(ch: string): JsonRow | undefined {
    switch (this.state) {
      case S.Start:
        if (ch === '[') { this.state = S.OuterFirst; return; }
        return this.fail(ch, 'a JSON array of arrays starting with "["');
      case S.OuterFirst:
        if (ch === ']') { this.state = S.Done; return; }
      // falls through
      case S.OuterNext:
        if (ch === '[') { this.startRow(); return; }
        return this.fail(ch, this.rowNo === 0 ? 'a header row: an array of column names' : 'another row: an array "[...]"');
      case S.RowFirst:
        if (ch === ']') return this.closeRow();
      // falls through
      case S.RowNext:
        if (ch === '"') { this.state = S.InString; this.str = ''; return; }
        if (/[a-zA-Z0-9+\-.]/.test(ch)) { this.literal = ch; this.state = S.InLiteral; return; }
        return this.fail(ch, 'a string in double quotes or null (every cell of the Census API is a string)');
      case S.AfterValue:
        if (ch === ',') { this.state = S.RowNext; return; }
        if (ch === ']') return this.closeRow();
        return this.fail(ch, '"," or "]" after a cell');
      case S.AfterRow:
        if (ch === ',') { this.state = S.OuterNext; return; }
        if (ch === ']') { this.state = S.Done; return; }
        return this.fail(ch, '"," or "]" after a row');
      case S.Done:
        return this.fail(ch, 'nothing after the closing "]" of the array');
      default:
        return this.fail(ch, 'valid JSON');
    }
  }

  private startRow(): void {
    this.cells = [];
    this.rowLine = this.line;
    this.state = S.RowFirst;
  }

  private closeRow(): JsonRow {
    this.rowNo++;
    this.state = S.AfterRow;
    const row = { row: this.rowNo, line: this.rowLine, cells: this.cells };
    this.above = this.cells;
    this.cells = [];
    return row;
  }

  private finishLiteral(): void {
    if (this.literal !== 'null') {
      this.fail(this.literal, /^-?\d/.test(this.literal)
        ? 'a string in double quotes (the Census API quotes every value, numbers too)'
        : 'a string in double quotes or null');
    }
    this.cells.push(null);
    this.literal = '';
    this.state = S.AfterValue;
  }

  private fail(value: string, expected: string, inCell = true): never {
    const cellStates = [S.RowFirst, S.RowNext, S.InString, S.InEscape, S.InUnicode, S.InLiteral];
    throw new DataError({
      dataset: this.opts.dataset, file: this.opts.fileName, line: this.line,
      // After the closing bracket there is no row to point at, only the line.
      row: this.state === S.Done ? undefined : this.rowNo + 1,
      column: inCell && cellStates.includes(this.state) ? String(this.cells.length + 1) : undefined,
      value, expected,
    });
  }
}

/**
 * Streams the rows of an array-of-arrays JSON body (UTF-8), one row at a time, bounded memory.
 * An empty body raises a DataError; pass `allowEmpty` to get no rows instead.
 * @example for await (const { row, cells } of readJsonRows(stream, { dataset: 'census.api', fileName: 'x.json' })) { … }
 */
export function readJsonRows(source: NodeJS.ReadableStream | AsyncIterable<Uint8Array>, opts: JsonRowsOptions & { allowEmpty?: boolean }): AsyncIterable<JsonRow> {
  return flatten(readJsonRowBatches(source, opts));
}

/** Text handed to the tokenizer at a time: the rows of a batch are few, and gone before the next. */
const PIECE = 16 * 1024;

/**
 * readJsonRows' rows in batches: those completed by each 16 kB of text.
 * @example for await (const rows of readJsonRowBatches(stream, { dataset: 'census.api', fileName: 'x.json' })) { … }
 */
export async function* readJsonRowBatches(source: NodeJS.ReadableStream | AsyncIterable<Uint8Array>, opts: JsonRowsOptions & { allowEmpty?: boolean }): AsyncIterable<JsonRow[]> {
  const tok = new JsonRowsTokenizer(opts);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const decode = (chunk?: Uint8Array): string => {
    try {
      return chunk ? decoder.decode(chunk, { stream: true }) : decoder.decode();
    } catch (err) {
      throw new DataError({ dataset: opts.dataset, file: opts.fileName, row: tok.rows + 1, expected: 'UTF-8 text (these bytes do not decode)' }, { cause: err });
    }
  };
  for await (const chunk of source as AsyncIterable<Uint8Array | string>) {
    const text = typeof chunk === 'string' ? chunk : decode(chunk);
    for (let i = 0; i < text.length; i += PIECE) {
      const rows = tok.push(text.length <= PIECE ? text : text.slice(i, i + PIECE));
      if (rows.length) yield rows;
    }
  }
  const rows = tok.push(decode());
  if (rows.length) yield rows;
  if (tok.empty && opts.allowEmpty) return;
  tok.end();
}
