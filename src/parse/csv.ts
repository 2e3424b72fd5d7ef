import Papa from 'papaparse';
import iconv from 'iconv-lite';
import { DataError } from '../core/errors.js';

export interface CsvRow {
  /** 1-based line number in the file (the formats read here have no quoted newlines). */
  line: number;
  fields: string[];
  /**
   * Set on the last row of a file that does not end with a line ending. Formats whose files
   * always end with one (d41ma, FRED, e-Stat) refuse such a row: the file was cut short.
   */
  unterminated?: true;
}

export interface CsvOptions {
  dataset: string;
  fileName: string;
  /** Explicit, never guessed: 'utf8' or 'cp932' (Japanese customs files). */
  encoding: 'utf8' | 'cp932' | 'latin1';
  /** Line ending; leave unset to detect it from the first line. */
  newline?: '\r\n' | '\n';
}

/** The first line ending of a text: CRLF, LF or a lone CR, or undefined while there is none. */
function guessNewline(text: string, final: boolean): '\r\n' | '\n' | '\r' | undefined {
  const lf = text.indexOf('\n');
  const cr = text.indexOf('\r');
  if (lf >= 0 && (cr < 0 || cr >= lf - 1)) return cr >= 0 && cr === lf - 1 ? '\r\n' : '\n';
  // A CR at the very end may be the first half of a CRLF split across chunks: wait for more.
  if (cr >= 0 && (cr < text.length - 1 || final)) return '\r';
  return final ? '\n' : undefined;
}

/**
 * Streams a CSV file (comma-separated, never a guessed delimiter) as rows of raw strings, with bounded memory. Nothing is typed here: codes
 * stay text and numbers are converted by the dataset's parser, which knows which column is
 * which. Undecodable bytes (U+FFFD after decoding) are reported as a DataError naming the line
 * and column.
 *
 * How: bytes are decoded chunk by chunk, each chunk's complete lines are parsed in one
 * synchronous papaparse call (string mode, which takes a fast path when there are no double
 * quotes), and the rows are yielded one at a time; the partial last line waits for the next
 * chunk. (papaparse's Node stream mode was ~50× slower here: with a consumer slower than the
 * parser it pauses every 16 rows, re-slicing the pending text and polling with setTimeout.)
 * @example for await (const { line, fields } of readCsv(stream, { dataset: 'frb.h10', fileName: 'h10.csv', encoding: 'utf8' })) { … }
 */
export async function* readCsv(source: NodeJS.ReadableStream | AsyncIterable<Uint8Array>, opts: CsvOptions): AsyncIterable<CsvRow> {
  for await (const block of readCsvBlocks(source, opts)) yield* block;
}

/** Text parsed per papaparse call (readCsvBlocks). */
const PIECE = 32 * 1024;

/**
 * readCsv's rows in blocks (the rows of one decoded chunk of the file, a few thousand at most),
 * for a caller whose work per row is small: one await per block instead of one per row (a
 * 500,000-row file went through two async generators per row). An undecodable field ends its
 * block after the rows before it, then throws, so errors come in file order as with readCsv.
 * @example for await (const rows of readCsvBlocks(stream, opts)) for (const row of rows) { … }
 */
export async function* readCsvBlocks(source: NodeJS.ReadableStream | AsyncIterable<Uint8Array>, opts: CsvOptions): AsyncIterable<CsvRow[]> {
  const decoder = iconv.getDecoder(opts.encoding === 'utf8' ? 'utf8' : opts.encoding, { stripBOM: true });
  let newline: string | undefined = opts.newline;
  let rest = '';
  let line = 0;

  /** The rows of a block, and the error of its first undecodable field (after the rows before it). */
  function rowsOf(block: string, unterminated = false): { rows: CsvRow[]; error?: DataError } {
    // A block is whole lines without the last line ending, so an empty block is one blank line.
    const data = block === '' ? [['']] : Papa.parse<string[]>(block, { delimiter: ',', newline: newline as Papa.ParseConfig['newline'], dynamicTyping: false, skipEmptyLines: false }).data;
    const undecodable = block.includes('\uFFFD');
    const rows: CsvRow[] = new Array(data.length);
    for (let i = 0; i < data.length; i++) {
      const fields = data[i]!;
      line++;
      if (undecodable) {
        for (let c = 0; c < fields.length; c++) {
          if (fields[c]!.includes('\uFFFD')) {
            rows.length = i;
            return {
              rows, error: new DataError({
                dataset: opts.dataset, file: opts.fileName, line, column: String(c + 1), value: fields[c]!,
                expected: `valid ${opts.encoding.toUpperCase()} text (the bytes here do not decode)`,
              }),
            };
          }
        }
      }
      rows[i] = unterminated && i === data.length - 1 ? { line, fields, unterminated: true } : { line, fields };
    }
    return { rows };
  }
  function* emit({ rows, error }: { rows: CsvRow[]; error?: DataError }): Generator<CsvRow[]> {
    if (rows.length > 0) yield rows;
    if (error) throw error;
  }

  for await (const chunk of source as AsyncIterable<Uint8Array | string>) {
    const text = rest + (typeof chunk === 'string' ? chunk : decoder.write(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)));
    newline ??= guessNewline(text, false);
    const cut = newline ? text.lastIndexOf(newline) : -1;
    if (cut < 0) { rest = text; continue; }
    rest = text.slice(cut + newline!.length);
    // Parsed in pieces of about 32 kB: a whole chunk's rows at once (a few thousand arrays of
    // fields) outlived V8's young generation, which --optimize-for-size keeps small, and were
    // collected as old garbage (garbage collection 0.56 → 0.46 s of a 50,000-row MOF load).
    let from = 0;
    while (from <= cut) {
      let to = from + PIECE >= cut ? cut : text.indexOf(newline!, from + PIECE);
      if (to < 0 || to > cut) to = cut;
      yield* emit(rowsOf(text.slice(from, to)));
      from = to + newline!.length;
    }
  }
  const tail = rest + (decoder.end() ?? '');
  if (tail !== '') {
    newline ??= guessNewline(tail, true);
    // The file may end with a line ending that arrived in this last piece.
    const ended = tail.endsWith(newline!);
    yield* emit(rowsOf(ended ? tail.slice(0, -newline!.length) : tail, !ended));
  }
}

/**
 * The error for a last row with no line ending in a format whose files always end with one:
 * the file was cut short (a download or copy that stopped mid-row), so its last figure may be
 * only the first digits of the published one.
 * @example if (row.unterminated) throw cutShort({ dataset, fileName }, row, 'd41ma ends every row with CRLF');
 */
export function cutShort(where: { dataset: string; fileName: string }, row: CsvRow, why: string): DataError {
  return new DataError({
    dataset: where.dataset, file: where.fileName, line: row.line, column: String(row.fields.length), value: row.fields.join(',').slice(-60),
    expected: `a last row that ends with a line ending (${why}); this file ends mid-row, so it was cut short and its last figure may be truncated — download it again`,
  });
}
