// The scorecard's lifecycle and race checks at test scale (npm run scorecard runs them bigger):
// reordered and retried autosaves (A3), faults at the blob store (A4), late writes (B1), abandoned
// attempts (B2), the model-based lifecycle test (B3), link scanners (B4), parallel submits (C1),
// autosaves racing the submit (C2) and a second device (E3).
import { describe, it } from 'vitest';
import { blobFaults } from '../../security/checks/blobs.js';
import {
  abandonedAttempts,
  lateWrites,
  linkScanners,
  parallelSubmits,
  reorderedSaves,
  savesRacingSubmit,
  secondDevice,
} from '../../security/checks/lifecycle.js';
import { lifecycleModel } from '../../security/checks/model.js';
import { dialects } from '../test/harness.js';
import { expectFigures, testContext } from './support.js';

const LONG = 120_000;

describe.each(dialects)('lifecycle and races (%s)', (dialect) => {
  const c = testContext(dialect);
  it(
    'A3: out-of-order and retried autosaves never regress or lose an answer',
    async () => {
      expectFigures(await reorderedSaves(c));
    },
    LONG,
  );
  it(
    'A4: storage faults give a clear 503, no dangling rows, no orphan files',
    async () => {
      expectFigures(await blobFaults(c));
    },
    LONG,
  );
  it(
    'B1: writes after deadline + grace are refused, whatever the client claims',
    async () => {
      expectFigures(await lateWrites(c));
    },
    LONG,
  );
  it(
    'B2: the sweep closes abandoned attempts within a minute, once',
    async () => {
      expectFigures(await abandonedAttempts(c));
    },
    LONG,
  );
  it(
    'B3: random command sequences never make the attempt diverge from the model',
    async () => {
      expectFigures(await lifecycleModel(c));
    },
    LONG,
  );
  it(
    'B4: link scanners start no timer, and resuming gains no time',
    async () => {
      expectFigures(await linkScanners(c));
    },
    LONG,
  );
  it(
    'C1: fifty parallel submits make one result',
    async () => {
      expectFigures(await parallelSubmits(c));
    },
    LONG,
  );
  it(
    'C2: no answer changes after the submit commits',
    async () => {
      expectFigures(await savesRacingSubmit(c));
    },
    LONG,
  );
  it(
    'E3: a second device takes over; the first can no longer write; both are flagged',
    async () => {
      expectFigures(await secondDevice(c));
    },
    LONG,
  );
});
