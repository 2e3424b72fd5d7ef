import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { storeFile, rawDir } from '../../src/fetch/raw-store.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'raw-store-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('storeFile', () => {
  const dataDir = path.join(tmp, 'data');
  const file = path.join(tmp, 'release.csv');
  const bytes = Buffer.from('a,b\r\n1,2\r\n'.repeat(200_000));
  const sha = crypto.createHash('sha256').update(bytes).digest('hex');

  it('stores a new file under its sha256, byte for byte', async () => {
    fs.writeFileSync(file, bytes);
    const raw = await storeFile(dataDir, file);
    expect(raw).toEqual({ sha256: sha, bytes: bytes.length, path: path.join(rawDir(dataDir), sha) });
    expect(fs.readFileSync(raw.path).equals(bytes)).toBe(true);
    expect(fs.readdirSync(rawDir(dataDir))).toEqual([sha]);
  });

  it('does not copy bytes the store already holds', async () => {
    const before = fs.statSync(path.join(rawDir(dataDir), sha)).mtimeMs;
    await new Promise((r) => setTimeout(r, 20));
    const raw = await storeFile(dataDir, file);
    expect(raw.sha256).toBe(sha);
    expect(fs.statSync(raw.path).mtimeMs).toBe(before);
    expect(fs.readdirSync(rawDir(dataDir))).toEqual([sha]);
  });

  it('re-stores a stored file that was cut short', async () => {
    const stored = path.join(rawDir(dataDir), sha);
    fs.truncateSync(stored, 100);
    const raw = await storeFile(dataDir, file);
    expect(fs.statSync(raw.path).size).toBe(bytes.length);
    expect(fs.readFileSync(raw.path).equals(bytes)).toBe(true);
  });
});
