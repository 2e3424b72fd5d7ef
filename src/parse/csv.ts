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
 * How: bytes are decoded chunk by chunk, each chunk's complete lines are parsed in pieces of
 * about 16 kB (readCsvPieces), one synchronous papaparse call each (string mode, which takes a
 * fast path when there are no double quotes), and the rows are yielded one at a time; the partial last line waits for the next
 * chunk. (papaparse's Node stream mode was ~50× slower here: with a consumer slower than the
 * parser it pauses every 16 rows, re-slicing the pending text and polling with setTimeout.)
 * @example for await (const { line, fields } of readCsv(stream, { dataset: 'frb.h10', fileName: 'h10.csv', encoding: 'utf8' })) { … }
 */
export async function* readCsv(source: NodeJS.ReadableStream | AsyncIterable<Uint8Array>, opts: CsvOptions): AsyncIterable<CsvRow> {
  let line = 1;
  for await (const piece of readCsvPieces(source, opts)) {
    const { rows, error } = csvRowsOf(piece, line, opts);
    line += rows.length;
    yield* rows;
    if (error) throw error;
  }
}

/** Text parsed per papaparse call (readCsvPieces). */
const PIECE = 16 * 1024;

/** Whole lines of a CSV's decoded text (readCsvPieces), without the last line's ending. */
export interface CsvPiece {
  text: string;
  newline: '\r\n' | '\n' | '\r';
  /** The file's last line, which has no line ending. */
  unterminated: boolean;
}

/**
 * The decoded text of a CSV in pieces of whole lines, about 16 kB each: what readCsv
 * parses, for a reader of a fixed layout that can take a piece's lines apart faster itself
 * (where a piece holds no double quote, papaparse splits it at line endings and commas too —
 * csvRowsOf is the reference). Pieces, not whole 256 kB chunks: a chunk's rows at once (a few
 * thousand arrays of fields) outlived V8's young generation, which --optimize-for-size keeps
 * small, and were collected as old garbage (garbage collection 0.56 → 0.46 s of a 50,000-row
 * MOF load at 32 kB; 16 kB was a little faster again, 64 kB slower).
 */
export async function* readCsvPieces(source: NodeJS.ReadableStream | AsyncIterable<Uint8Array>, opts: CsvOptions): AsyncIterable<CsvPiece> {
  const decoder = iconv.getDecoder(opts.encoding === 'utf8' ? 'utf8' : opts.encoding, { stripBOM: true });
  let newline: CsvPiece['newline'] | undefined = opts.newline;
  let rest = '';
  for await (const chunk of source as AsyncIterable<Uint8Array | string>) {
    const text = rest + (typeof chunk === 'string' ? chunk : decoder.write(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)));
    newline ??= guessNewline(text, false);
    const cut = newline ? text.lastIndexOf(newline) : -1;
    if (cut < 0) { rest = text; continue; }
    rest = text.slice(cut + newline!.length);
    let from = 0;
    while (from <= cut) {
      let to = from + PIECE >= cut ? cut : text.indexOf(newline!, from + PIECE);
      if (to < 0 || to > cut) to = cut;
      yield { text: text.slice(from, to), newline: newline!, unterminated: false };
      from = to + newline!.length;
    }
  }
  const tail = rest + (decoder.end() ?? '');
  if (tail !== '') {
    newline ??= guessNewline(tail, true);
    // The file may end with a line ending that arrived in this last piece.
    const ended = tail.endsWith(newline!);
    yield { text: ended ? tail.slice(0, -newline!.length) : tail, newline: newline!, unterminated: !ended };
  }
}

/**
 * The rows of a piece, numbered from `line`, and the error of its first undecodable field (the
 * rows before it come with it, so that the caller meets errors in file order).
 */
export function csvRowsOf(piece: CsvPiece, line: number, opts: CsvOptions): { rows: CsvRow[]; error?: DataError } {
  // A piece is whole lines without the last line ending, so an empty piece is one blank line.
  const data = piece.text === '' ? [['']] : Papa.parse<string[]>(piece.text, { delimiter: ',', newline: piece.newline, dynamicTyping: false, skipEmptyLines: false }).data;
  const undecodable = piece.text.includes('\uFFFD');
  const rows: CsvRow[] = new Array(data.length);
  for (let i = 0; i < data.length; i++, line++) {
    const fields = data[i]!;
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
    rows[i] = piece.unterminated && i === data.length - 1 ? { line, fields, unterminated: true } : { line, fields };
  }
  return { rows };
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
