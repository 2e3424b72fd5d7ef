import { Readable } from 'node:stream';
import Papa from 'papaparse';
import iconv from 'iconv-lite';
import { DataError } from '../core/errors.js';

export interface CsvRow {
  /** 1-based line number in the file (the formats read here have no quoted newlines). */
  line: number;
  fields: string[];
}

export interface CsvOptions {
  dataset: string;
  fileName: string;
  /** Explicit, never guessed: 'utf8' or 'cp932' (Japanese customs files). */
  encoding: 'utf8' | 'cp932' | 'latin1';
  /** Line ending; leave unset to let papaparse detect it from the first chunk. */
  newline?: '\r\n' | '\n';
}

/**
 * Streams a CSV file as rows of raw strings, with bounded memory (papaparse's Node stream mode
 * honours back-pressure). Nothing is typed here: codes stay text and numbers are converted by
 * the dataset's parser, which knows which column is which. Undecodable bytes (U+FFFD after
 * decoding) are reported as a DataError naming the line and column.
 * @example for await (const { line, fields } of readCsv(stream, { dataset: 'frb.h10', fileName: 'h10.csv', encoding: 'utf8' })) { … }
 */
export async function* readCsv(source: NodeJS.ReadableStream | AsyncIterable<Uint8Array>, opts: CsvOptions): AsyncIterable<CsvRow> {
  const input = source instanceof Readable ? source : Readable.from(source as AsyncIterable<Uint8Array>);
  const decoded = input.pipe(iconv.decodeStream(opts.encoding === 'utf8' ? 'utf8' : opts.encoding, { stripBOM: true }));
  const parser = Papa.parse(Papa.NODE_STREAM_INPUT, {
    dynamicTyping: false,
    skipEmptyLines: false,
    newline: opts.newline,
  } as Papa.ParseConfig);
  decoded.on('error', (err) => parser.destroy(err));
  input.on('error', (err) => parser.destroy(err));
  const rows = decoded.pipe(parser) as unknown as AsyncIterable<string[]>;
  let line = 0;
  for await (const fields of rows) {
    line++;
    // papaparse yields [''] for a blank line; keep it so line numbers stay true.
    for (let c = 0; c < fields.length; c++) {
      if (fields[c]!.includes('\uFFFD')) {
        throw new DataError({
          dataset: opts.dataset, file: opts.fileName, line, column: String(c + 1), value: fields[c]!,
          expected: `valid ${opts.encoding.toUpperCase()} text (the bytes here do not decode)`,
        });
      }
    }
    yield { line, fields };
  }
}
