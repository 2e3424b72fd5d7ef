/**
 * The claim ids of CLAIMS.md's table (first column of the table whose header starts with
 * `| id |`), so tests and checks can prove every claim of the spec has a registry row.
 */

/**
 * Claim ids in the order of the markdown table.
 * @example claimIdsFromMarkdown('| id | claim |\n|---|---|\n| jp_exports_2024 | … |') // ['jp_exports_2024']
 */
export function claimIdsFromMarkdown(markdown: string): string[] {
  const ids: string[] = [];
  let inTable = false;
  for (const line of markdown.split(/\r?\n/)) {
    const cells = line.trim().startsWith('|') ? line.trim().replace(/^\||\|$/g, '').split('|').map((c) => c.trim()) : undefined;
    if (!cells) { inTable = false; continue; }
    if (cells[0] === 'id') { inTable = true; continue; }
    if (!inTable || /^:?-{3,}:?$/.test(cells[0] ?? '')) continue;
    if (cells[0]) ids.push(cells[0]);
  }
  return ids;
}
