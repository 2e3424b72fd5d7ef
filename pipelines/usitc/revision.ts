/**
 * Naming of HTS revisions. USITC names one revision three ways: its release list says
 * `2025HTSRev13` ("2025 HTS Revision 13"), its download is `hts_2025_revision_13_csv.csv`, and this
 * project's scope details say `2025-r13`. A basic edition is `2026HTSBasic`, `hts_2026_basic…`,
 * `2026-basic`. The CSV itself never says which revision it is, so the name must come from the
 * release list (refresh) or the file name (`trade-etl load`).
 */
import type { ReleaseFacts, ReleaseInput } from '../../src/core/vocabulary.js';
import { PermanentError } from '../../src/core/errors.js';

/** Every release is the whole schedule (see hts-csv.ts), so every release has this scope key. */
export const HTS_SCOPE_KEY = 'HTSUS';

/** One revision of the schedule: the year's edition and its revision number (0 = basic edition). */
export interface HtsRevision {
  year: number;
  /** 0 for the basic edition. */
  number: number;
  /** `2025-r13`, `2026-basic`. */
  id: string;
  /** USITC's release name: `2025HTSRev13`, `2026HTSBasic`. */
  releaseName: string;
  /** `2025 HTS Revision 13`, `2026 HTS Basic Edition`. */
  title: string;
}

function revision(year: number, number: number): HtsRevision {
  return {
    year, number,
    id: number ? `${year}-r${number}` : `${year}-basic`,
    releaseName: number ? `${year}HTSRev${number}` : `${year}HTSBasic`,
    title: number ? `${year} HTS Revision ${number}` : `${year} HTS Basic Edition`,
  };
}

/**
 * The revision a USITC file name names, or undefined.
 * @example revisionFromFileName('hts_2025_revision_13.csv')?.id // '2025-r13'
 */
export function revisionFromFileName(fileName: string): HtsRevision | undefined {
  const m = /(?:^|[\\/])hts_(\d{4})_(?:revision_(\d{1,3})|basic(?:_edition)?)(?:[_.]|$)/i.exec(fileName);
  return m ? revision(Number(m[1]), m[2] ? Number(m[2]) : 0) : undefined;
}

/**
 * The revision of a release-list name (`2025HTSRev13`, `2026HTSBasic`), or undefined.
 * @example revisionFromReleaseName('2026HTSRev4')?.title // '2026 HTS Revision 4'
 */
export function revisionFromReleaseName(name: string): HtsRevision | undefined {
  const m = /^(\d{4})HTS(?:Rev(\d{1,3})|Basic)$/i.exec(name.trim());
  return m ? revision(Number(m[1]), m[2] ? Number(m[2]) : 0) : undefined;
}

/**
 * The revision of this project's id (`2025-r13`, `2026-basic`), or undefined.
 * @example revisionFromId('2025-r13')?.releaseName // '2025HTSRev13'
 */
export function revisionFromId(id: string): HtsRevision | undefined {
  const m = /^(\d{4})-(?:r(\d{1,3})|basic)$/.exec(id);
  return m ? revision(Number(m[1]), m[2] ? Number(m[2]) : 0) : undefined;
}

/** Which revision a release is: discovery's hint, else the USITC file name; never guessed from the content. */
function revisionOf(input: ReleaseInput): HtsRevision {
  const h = input.hints ?? {};
  const r = (typeof h.revision === 'string' ? revisionFromId(h.revision) : undefined)
    ?? (typeof h.releaseName === 'string' ? revisionFromReleaseName(h.releaseName) : undefined)
    ?? revisionFromFileName(input.fileName);
  if (!r) {
    throw new PermanentError(
      `${input.dataset}: cannot tell which HTS revision ${input.fileName} is (the export does not say): keep USITC's file name ` +
      '(hts_2025_revision_13_csv.csv, hts_2026_basic_csv.csv) or fetch it with `trade-etl refresh --source usitc`; nothing loaded',
      { dataset: input.dataset, file: input.fileName });
  }
  return r;
}

/** Names the release (revision, scope, title) before its lines are read: the same for both formats. */
export function describeHtsRelease(input: ReleaseInput, facts: ReleaseFacts): void {
  const revision = revisionOf(input);
  facts.scopeKey = HTS_SCOPE_KEY;
  facts.scope = { revision: revision.id, releaseName: revision.releaseName, year: revision.year, number: revision.number };
  facts.title = revision.title;
  facts.sourceStage = revision.number ? `Revision ${revision.number}` : 'Basic Edition';
}

