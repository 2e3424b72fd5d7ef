/**
 * Writes docs/data-dictionary.md from the comments of a freshly migrated in-memory database
 * (`npm run docs:dictionary`). With --check, writes nothing and exits 1 when the file is stale.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { pgliteDb } from '../src/db/connect.js';
import { migrate } from '../src/db/migrate.js';
import { readDictionary, renderDictionary } from '../src/analyst/data-dictionary.js';

export const DICTIONARY_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../docs/data-dictionary.md');

/**
 * The dictionary markdown of the current sql/ migrations.
 * @example fs.writeFileSync(DICTIONARY_FILE, await generateDataDictionary())
 */
export async function generateDataDictionary(): Promise<string> {
  const pglite = await PGlite.create();
  const db = pgliteDb(pglite, 'in-memory PGlite', () => pglite.close());
  try {
    await migrate(db);
    return renderDictionary(await readDictionary(db));
  } finally {
    await db.close();
  }
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const md = await generateDataDictionary();
  if (process.argv.includes('--check')) {
    const current = fs.existsSync(DICTIONARY_FILE) ? fs.readFileSync(DICTIONARY_FILE, 'utf8') : '';
    if (current !== md) {
      process.stderr.write(`${DICTIONARY_FILE} is stale: run \`npm run docs:dictionary\`\n`);
      process.exitCode = 1;
    }
  } else {
    fs.mkdirSync(path.dirname(DICTIONARY_FILE), { recursive: true });
    fs.writeFileSync(DICTIONARY_FILE, md);
    process.stdout.write(`wrote ${DICTIONARY_FILE}\n`);
  }
}
