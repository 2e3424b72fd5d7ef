import * as XLSX from 'xlsx';
import { DataError } from '../core/errors.js';

/**
 * A guarded SheetJS reader. SheetJS has no streaming reader for XLSX: it unzips and parses the
 * whole workbook in memory. That is acceptable for the files read here (Census country.xlsx is
 * a few MB), but not for anything a server could make arbitrarily large, so the bytes are
 * counted while they are read and refused past `maxBytes`, and anything that does not start
 * with a zip signature is refused before SheetJS sees it (SheetJS would happily "read" an HTML
 * error page or a CSV as a one-sheet workbook). Cells come back as text so that codes keep
 * their leading zeros; converting numbers is the caller's job, with the column in hand.
 */

export const XLSX_DEFAULT_MAX_BYTES = 100 * 1024 * 1024;

export interface XlsxSheetOptions {
  dataset: string;
  fileName: string;
  /** The sheet to read (its name, exactly). */
  sheet: string;
  /** Names the header row must contain; a missing one is a DataError naming it. */
  requiredColumns?: readonly string[];
  /** Refuse files larger than this many bytes. Default 100 MB. */
  maxBytes?: number;
  /** Total size when known (refused early when over the limit). */
  bytes?: number;
}

export interface XlsxRow {
  /** 1-based spreadsheet row number (the header is row 1). */
  row: number;
  /** Cell text by column position; undefined for an empty cell. */
  cells: Array<string | undefined>;
}

export interface XlsxTable {
  sheet: string;
  header: string[];
  /** Column position by header name (first occurrence). */
  index: Map<string, number>;
  rows: XlsxRow[];
}

const ZIP = [0x50, 0x4b, 0x03, 0x04];

/**
 * Reads one sheet of an XLSX file as text rows, after refusing oversized and non-zip input.
 * @example const t = await readXlsxSheet(stream, { dataset: 'census.country', fileName: 'country.xlsx', sheet: 'country', requiredColumns: ['year', 'CTY_CODE'] });
 */
export async function readXlsxSheet(source: NodeJS.ReadableStream | AsyncIterable<Uint8Array>, opts: XlsxSheetOptions): Promise<XlsxTable> {
  const buf = await readGuarded(source, opts);
  let wb: XLSX.WorkBook;
  try {
    // Only the wanted sheet is parsed; formulas, styles and HTML renderings are not needed.
    wb = XLSX.read(buf, { type: 'buffer', sheets: [opts.sheet], dense: true, cellFormula: false, cellHTML: false, cellStyles: false, cellDates: false });
  } catch (err) {
    throw new DataError({ dataset: opts.dataset, file: opts.fileName, value: String((err as Error).message).slice(0, 80), expected: 'a readable XLSX workbook (the zip does not hold a valid spreadsheet)' }, { cause: err });
  }
  const ws = wb.Sheets[opts.sheet];
  if (!wb.SheetNames.includes(opts.sheet) || !ws) {
    throw new DataError({ dataset: opts.dataset, file: opts.fileName, value: wb.SheetNames.join(', '), expected: `a sheet named ${JSON.stringify(opts.sheet)}` });
  }
  const grid = sheetGrid(ws);
  const headerCells = grid[0] ?? [];
  const header = headerCells.map((c) => (c ?? '').trim());
  const index = new Map<string, number>();
  header.forEach((h, i) => { if (h && !index.has(h)) index.set(h, i); });
  for (const col of opts.requiredColumns ?? []) {
    if (!index.has(col)) {
      throw new DataError({ dataset: opts.dataset, file: opts.fileName, row: 1, column: col, value: header.filter(Boolean).join(', '), expected: `the header row of sheet ${JSON.stringify(opts.sheet)} to have a column ${JSON.stringify(col)}` });
    }
  }
  const rows: XlsxRow[] = [];
  for (let r = 1; r < grid.length; r++) rows.push({ row: r + 1, cells: grid[r] ?? [] });
  return { sheet: opts.sheet, header, index, rows };
}

/** Reads the bytes, refusing non-zip content at the first chunk and oversize content as soon as it is seen. */
async function readGuarded(source: NodeJS.ReadableStream | AsyncIterable<Uint8Array>, opts: XlsxSheetOptions): Promise<Buffer> {
  const max = opts.maxBytes ?? XLSX_DEFAULT_MAX_BYTES;
  const tooBig = (n: number) => new DataError({ dataset: opts.dataset, file: opts.fileName, value: `${n} bytes`, expected: `an XLSX file of at most ${max} bytes (raise the limit if this file is genuine)` });
  if (opts.bytes !== undefined && opts.bytes > max) throw tooBig(opts.bytes);
  const parts: Buffer[] = [];
  let size = 0;
  let checked = false;
  for await (const chunk of source as AsyncIterable<Uint8Array>) {
    const b = Buffer.from(chunk);
    parts.push(b);
    size += b.length;
    if (size > max) {
      if ('destroy' in source && typeof (source as { destroy?: () => void }).destroy === 'function') (source as { destroy: () => void }).destroy();
      throw tooBig(size);
    }
    if (!checked && size >= ZIP.length) {
      checkZip(Buffer.concat(parts), opts);
      checked = true;
    }
  }
  const all = Buffer.concat(parts);
  if (!checked) checkZip(all, opts);
  return all;
}

function checkZip(head: Buffer, opts: XlsxSheetOptions): void {
  if (head.length === 0) {
    throw new DataError({ dataset: opts.dataset, file: opts.fileName, expected: 'an XLSX file, but the file is empty (0 bytes)' });
  }
  if (head.length < ZIP.length || ZIP.some((b, i) => head[i] !== b)) {
    const asText = head.subarray(0, 40).toString('latin1').replace(/[^\x20-\x7e]/g, '.');
    throw new DataError({ dataset: opts.dataset, file: opts.fileName, value: `${head.subarray(0, 8).toString('hex')} "${asText}"`, expected: 'an XLSX file (a zip archive starting with the bytes 50 4b 03 04, "PK\\x03\\x04")' });
  }
}

/** The used range of a sheet as rows of cell text (dense or sparse sheets alike). */
function sheetGrid(ws: XLSX.WorkSheet): Array<Array<string | undefined>> {
  const ref = ws['!ref'];
  if (!ref) return [];
  const range = XLSX.utils.decode_range(ref);
  const dense = (ws as { '!data'?: Array<Array<XLSX.CellObject | undefined> | undefined> })['!data'];
  const out: Array<Array<string | undefined>> = [];
  for (let r = 0; r <= range.e.r; r++) {
    const row: Array<string | undefined> = [];
    for (let c = 0; c <= range.e.c; c++) {
      const cell = dense ? dense[r]?.[c] : (ws[XLSX.utils.encode_cell({ r, c })] as XLSX.CellObject | undefined);
      row.push(cellText(cell));
    }
    out.push(row);
  }
  return out;
}

/**
 * A cell as text: strings as stored; numbers as the shortest decimal that round-trips at 15
 * significant digits — the precision a spreadsheet keeps — so binary noise a workbook writer
 * left (16813.599999999999 for 16813.6, 75144.16083899999 for 75144.160839) is gone while
 * every digit that was typed or computed stays; except that a number displayed
 * with leading zeros (a code formatted "0000") keeps its displayed digits.
 */
function cellText(cell: XLSX.CellObject | undefined): string | undefined {
  if (!cell || cell.t === 'z' || cell.v === undefined || cell.v === null) return undefined;
  switch (cell.t) {
    case 's': return String(cell.v);
    case 'n': {
      const n = cell.v as number;
      if (typeof cell.w === 'string' && /^0\d+$/.test(cell.w)) return cell.w;
      return numberText(n);
    }
    case 'b': return cell.v ? 'TRUE' : 'FALSE';
    case 'e': return cell.w ?? '#ERROR';
    case 'd': return cell.v instanceof Date ? cell.v.toISOString() : String(cell.v);
    default: return String(cell.v);
  }
}

function numberText(n: number): string {
  // toPrecision(15) rounds away the last binary digits; Number() → String() drops its padding zeros.
  const s = String(Number(n.toPrecision(15)));
  if (!/e/i.test(s)) return s;
  // Exponent notation only happens for tiny or huge numbers; print them positionally.
  const m = Number(s);
  return Math.abs(m) >= 1 ? BigInt(Math.round(m)).toString() : m.toFixed(20).replace(/0+$/, '').replace(/\.$/, '');
}
