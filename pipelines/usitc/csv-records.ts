/**
 * USITC's CSV export as records with their physical line numbers. Unlike the files the shared
 * reader (src/parse/csv.ts) is written for, a field here may hold a line break inside its quotes
 * ("Free \n(A+, AU, …)", 33 of them in 2025 Revision 13), so a chunk is cut only at a line end
 * outside quotes, and a record's line is counted from the line breaks of the records before it.
 * Streaming with bounded memory: one chunk and one unfinished record at a time.
 */
import Papa from 'papaparse';
import iconv from 'iconv-lite';
import { DataError } from '../../src/core/errors.js';

export interface CsvRecord {
  /** 1-based physical line the record starts on. */
  line: number;
  fields: string[];
}

/** Index just past the last line break outside quotes (the text starts at a record start), or -1. */
function lastCut(text: string): number {
  let inQuotes = false;
  let cut = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) inQuotes = !inQuotes; // a doubled quote toggles twice: still right
    else if (c === 10 && !inQuotes) cut = i + 1;
  }
  return cut;
}

/**
 * Streams the records of a UTF-8 CSV (a BOM is dropped), each with its line number.
 * @example for await (const { line, fields } of readCsvRecords(stream, { dataset: 'usitc.hts', fileName: 'hts.csv' })) { … }
 */
export async function* readCsvRecords(source: NodeJS.ReadableStream | AsyncIterable<Uint8Array>, opts: { dataset: string; fileName: string }): AsyncIterable<CsvRecord> {
  const decoder = iconv.getDecoder('utf8', { stripBOM: true });
  let rest = '';
  let line = 1;

  function* parse(block: string): Generator<CsvRecord> {
    // The delimiter is given, never guessed: papaparse's guess tried five delimiters on every
    // chunk (a tenth of the parse), and a chunk without a comma could have been split on another.
    const res = Papa.parse<string[]>(block, { delimiter: ',', newline: block.includes('\r\n') ? '\r\n' : '\n', dynamicTyping: false, skipEmptyLines: false });
    for (const fields of res.data) {
      const start = line;
      for (const f of fields) for (let i = f.indexOf('\n'); i >= 0; i = f.indexOf('\n', i + 1)) line++;
      line++;
      const bad = fields.findIndex((f) => f.includes('\uFFFD'));
      if (bad >= 0) {
        throw new DataError({ dataset: opts.dataset, file: opts.fileName, line: start, column: String(bad + 1), value: fields[bad]!, expected: 'valid UTF-8 text (the bytes here do not decode)' });
      }
      yield { line: start, fields };
    }
  }

  for await (const chunk of source as AsyncIterable<Uint8Array>) {
    const text = rest + decoder.write(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
    const cut = lastCut(text);
    if (cut < 0) { rest = text; continue; }
    rest = text.slice(cut);
    yield* parse(text.slice(0, cut).replace(/\r?\n$/, ''));
  }
  const tail = rest + (decoder.end() ?? '');
  if (tail.replace(/\r?\n$/, '') !== '') yield* parse(tail.replace(/\r?\n$/, ''));
}
