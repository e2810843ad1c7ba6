// Migrations are listed here explicitly (not read from disk) so they work the same from TypeScript
// sources, compiled output and a bundled worker thread. Names are timestamps: they sort in order.
import type { Migration } from 'kysely';
import * as foundation from './2026_11_24_0001_foundation.js';
import * as bank from './2026_11_24_0002_bank.js';
import * as assessments from './2026_11_24_0003_assessments.js';
import * as attemptsProgress from './2026_11_24_0004_attempts_progress.js';
import * as integrations from './2026_11_24_0004_integrations.js';
import * as invitationsExpiry from './2026_11_24_0004_invitations_expiry.js';
import * as results from './2026_11_24_0005_results.js';
import * as auditGuard from './2026_11_24_0006_audit_guard.js';
import * as privacy from './2026_11_24_0006_privacy.js';

export const migrations: Record<string, Migration> = {
  '2026_11_24_0001_foundation': foundation,
  '2026_11_24_0002_bank': bank,
  '2026_11_24_0003_assessments': assessments,
  '2026_11_24_0004_invitations_expiry': invitationsExpiry,
  '2026_11_24_0004_attempts_progress': attemptsProgress,
  '2026_11_24_0004_integrations': integrations,
  '2026_11_24_0005_results': results,
  '2026_11_24_0006_audit_guard': auditGuard,
  '2026_11_24_0006_privacy': privacy,
};
