/**
 * The registered sources, in the order a full refresh runs them: the one place that names them.
 * Adding a source = its folder (pipelines/<source>/ with a source.ts descriptor), its fixtures
 * folder, its SQL, and one line here (docs/adding-a-source.md). Importing this list imports no
 * parser (the datasets are lazy).
 */
import type { SourceDescriptor } from '../src/core/source.js';
import { checkSources } from '../src/core/source.js';
import { mofSource } from './mof/source.js';
import { censusSource } from './census/source.js';
import { frbSource } from './frb/source.js';
import { usitcSource } from './usitc/source.js';

export const SOURCES: readonly SourceDescriptor[] = [
  mofSource,
  censusSource,
  frbSource,
  usitcSource,
];

checkSources(SOURCES);
