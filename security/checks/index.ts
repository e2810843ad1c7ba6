// Every check the scorecard runs, in the order of the plan (docs/security.md lists them). Each runs
// per database dialect it names; the scorecard runs PostgreSQL ones when a server is available.
import type { Dialect } from '../../server/db/database.js';
import type { Figure } from '../lib/figures.js';
import type { CheckContext } from '../lib/world.js';
import { accessControl } from './access.js';
import { blobFaults } from './blobs.js';
import { noisyNeighbour, peakAndSoak } from './capacity.js';
import { apiKeyLifecycle, passwordsAndSignIn, tokenGuessing, tokensAndSessions } from './credentials.js';
import { crashDurability } from './durability.js';
import { openApiFuzz } from './fuzz.js';
import { idempotentWrites, inwardWebhooks, signatureVectors } from './integrations.js';
import { answerKeyCrawl, errorBodies, questionScraping } from './leakage.js';
import {
  abandonedAttempts,
  lateWrites,
  linkScanners,
  parallelSubmits,
  reorderedSaves,
  savesRacingSubmit,
  secondDevice,
} from './lifecycle.js';
import { lifecycleModel } from './model.js';
import { postgresOutage } from './outage.js';
import { auditTrail, privacyCanary } from './privacy.js';
import { bigUpload, maliciousUploads } from './uploads.js';

export type Check = {
  /** The plan's ids this check reports on. */
  ids: string[];
  title: string;
  dialects: Dialect[];
  /** Run the dialects at the same time (a check that mostly waits, on processes of its own). */
  parallel?: boolean;
  run(c: CheckContext): Promise<Figure[]>;
};

const both: Dialect[] = ['sqlite', 'postgres'];

export const checks: Check[] = [
  {
    ids: ['A1', 'I1'],
    title: 'crash durability (kill -9)',
    dialects: both,
    parallel: true,
    run: crashDurability,
  },
  { ids: ['A2'], title: 'PostgreSQL outage', dialects: ['postgres'], run: postgresOutage },
  { ids: ['A3'], title: 'reordered and retried autosaves', dialects: both, run: reorderedSaves },
  { ids: ['A4'], title: 'blob store faults', dialects: both, run: blobFaults },
  { ids: ['B1'], title: 'late writes', dialects: both, run: lateWrites },
  { ids: ['B2'], title: 'abandoned attempts', dialects: both, run: abandonedAttempts },
  { ids: ['B3'], title: 'lifecycle model', dialects: both, run: lifecycleModel },
  { ids: ['B4'], title: 'link scanners and resume', dialects: both, run: linkScanners },
  { ids: ['C1'], title: 'parallel submits', dialects: both, run: parallelSubmits },
  { ids: ['C2'], title: 'autosave racing submit', dialects: both, run: savesRacingSubmit },
  { ids: ['C3'], title: 'idempotent writes', dialects: both, run: idempotentWrites },
  { ids: ['D1', 'D2', 'D4'], title: 'tenant isolation and roles', dialects: both, run: accessControl },
  { ids: ['E1'], title: 'tokens and sessions', dialects: both, run: tokensAndSessions },
  { ids: ['E2'], title: 'token guessing', dialects: both, run: tokenGuessing },
  { ids: ['E3'], title: 'second device', dialects: both, run: secondDevice },
  { ids: ['F1', 'F2'], title: 'passwords and sign-in', dialects: both, run: passwordsAndSignIn },
  { ids: ['F3'], title: 'API key lifecycle', dialects: both, run: apiKeyLifecycle },
  { ids: ['G1'], title: 'answer-key crawl', dialects: both, run: answerKeyCrawl },
  { ids: ['G2'], title: 'results and error bodies', dialects: both, run: errorBodies },
  { ids: ['G3'], title: 'question scraping', dialects: both, run: questionScraping },
  { ids: ['H1', 'H2', 'H3'], title: 'malicious uploads', dialects: both, run: maliciousUploads },
  { ids: ['H2'], title: 'a huge upload, slowly', dialects: ['sqlite'], run: bigUpload },
  { ids: ['I2'], title: 'webhook signatures', dialects: ['sqlite'], run: signatureVectors },
  { ids: ['I3'], title: 'webhooks pointing inward', dialects: ['sqlite'], run: inwardWebhooks },
  { ids: ['J1'], title: 'OpenAPI fuzzing', dialects: both, run: openApiFuzz },
  { ids: ['K1'], title: 'privacy: erasure, retention, export', dialects: both, run: privacyCanary },
  { ids: ['K2'], title: 'audit trail', dialects: both, run: auditTrail },
  { ids: ['L1'], title: 'peak and soak', dialects: ['sqlite'], run: peakAndSoak },
  { ids: ['L2'], title: 'noisy neighbour', dialects: both, run: noisyNeighbour },
];
