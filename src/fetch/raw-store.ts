import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileSystemError } from '../core/errors.js';

/** A file in the content-addressed raw store. */
export interface RawFile { sha256: string; bytes: number; path: string }

/** Directory of the raw store: DATA_DIR/raw. */
export function rawDir(dataDir: string): string {
  return path.join(dataDir, 'raw');
}

/**
 * Streams bytes into DATA_DIR/raw/<sha256>, hashing on the way, with bounded memory. The bytes go
 * to a temporary name first and are renamed only when complete, so a torn download never sits
 * under a valid hash. `limit` aborts with `onLimit`'s error once exceeded.
 * @example const raw = await storeStream(cfg.dataDir, Readable.from(bytes));
 */
export async function storeStream(dataDir: string, source: NodeJS.ReadableStream | AsyncIterable<Uint8Array>, opts: { limit?: number; onLimit?: (n: number) => Error } = {}): Promise<RawFile> {
  const dir = rawDir(dataDir);
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (err) {
    // mkdir -p answers EEXIST when a file sits where the directory should be.
    const code = (err as NodeJS.ErrnoException).code === 'EEXIST' ? Object.assign(err as Error, { code: 'ENOTDIR' }) : err;
    throw fileSystemError(code, dir) ?? err;
  }
  const tmp = path.join(dir, `.tmp-${process.pid}-${crypto.randomBytes(6).toString('hex')}`);
  const hash = crypto.createHash('sha256');
  let bytes = 0;
  const limit = opts.limit ?? Number.POSITIVE_INFINITY;
  async function* counted(src: AsyncIterable<Uint8Array>) {
    for await (const chunk of src) {
      bytes += chunk.length;
      if (bytes > limit) throw opts.onLimit ? opts.onLimit(bytes) : new Error(`more than ${limit} bytes`);
      hash.update(chunk);
      yield chunk;
    }
  }
  try {
    await pipeline(Readable.from(counted(source as AsyncIterable<Uint8Array>)), fs.createWriteStream(tmp));
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    // A full disk or a read-only store is terminal: no retry of the download can cure it.
    throw fileSystemError(err, dir) ?? err;
  }
  const sha256 = hash.digest('hex');
  const final = path.join(dir, sha256);
  // A stored file of another size is damaged (its name is the hash of `bytes` bytes): replace it.
  try {
    if (fs.statSync(final, { throwIfNoEntry: false })?.size === bytes) fs.rmSync(tmp, { force: true });
    else fs.renameSync(tmp, final);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw fileSystemError(err, dir) ?? err;
  }
  return { sha256, bytes, path: final };
}

/**
 * Puts a local file into the raw store. Hashes it first and copies only when the store does not
 * hold those bytes yet: re-loading an unchanged file then costs one read, not a read and a write
 * (a 115 MB file: 0.2 s instead of 0.35–0.5 s). The copy goes through a temporary name like
 * storeStream's, and is hashed again on the way, so a file changed in between is stored under
 * the hash of what was actually copied.
 * @example const raw = await storeFile(cfg.dataDir, 'downloads/country.xlsx');
 */
export async function storeFile(dataDir: string, file: string): Promise<RawFile> {
  try {
    return await storeLocalFile(dataDir, file);
  } catch (err) {
    throw fileSystemError(err, rawDir(dataDir)) ?? err;
  }
}

async function storeLocalFile(dataDir: string, file: string): Promise<RawFile> {
  const hash = crypto.createHash('sha256');
  let bytes = 0;
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1024 * 1024 })) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  const sha256 = hash.digest('hex');
  const stored = path.join(rawDir(dataDir), sha256);
  const st = fs.statSync(stored, { throwIfNoEntry: false });
  if (st?.isFile() && st.size === bytes) return { sha256, bytes, path: stored };
  return storeStream(dataDir, fs.createReadStream(file, { highWaterMark: 1024 * 1024 }));
}

/**
 * A fresh read stream of a stored file, in pieces of 64 kB: the parsers decode each piece into a
 * string, and V8 made strings of 256 kB pieces (the size before) half as fast — a full-size
 * Census answer's 115 MB took 0.70–0.82 s to decode in 256 kB pieces, 0.34–0.39 s in 64 kB, 0.46–0.53 s
 * in 16 kB (docs/performance.md, "tenth pass").
 */
export function openRaw(raw: RawFile): fs.ReadStream {
  return fs.createReadStream(raw.path, { highWaterMark: 64 * 1024 });
}
