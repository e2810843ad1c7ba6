// Migrations are listed here explicitly (not read from disk) so they work the same from TypeScript
// sources, compiled output and a bundled worker thread. Names are timestamps: they sort in order.
import type { Migration } from 'kysely';
import * as foundation from './2026_11_24_0001_foundation.js';
import * as bank from './2026_11_24_0002_bank.js';
import * as assessments from './2026_11_24_0003_assessments.js';

export const migrations: Record<string, Migration> = {
  '2026_11_24_0001_foundation': foundation,
  '2026_11_24_0002_bank': bank,
  '2026_11_24_0003_assessments': assessments,
};
