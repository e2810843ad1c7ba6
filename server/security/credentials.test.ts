// Tokens, sessions, passwords and API keys (security/checks/credentials.ts) at test scale. Timing
// figures are reported here, not asserted; the scorecard holds them to their thresholds.
import { describe, it } from 'vitest';
import {
  apiKeyLifecycle,
  passwordsAndSignIn,
  tokenGuessing,
  tokensAndSessions,
} from '../../security/checks/credentials.js';
import { dialects } from '../test/harness.js';
import { expectFigures, testContext } from './support.js';

describe.each(dialects)('tokens, sessions and keys (%s)', (dialect) => {
  const c = testContext(dialect);
  it('E1: every secret has ≥128 bits and is never stored or logged in plain text', async () => {
    expectFigures(await tokensAndSessions(c));
  }, 120_000);
  it('E2: guessing link tokens is rate limited; unknown and expired links look the same', async () => {
    expectFigures(await tokenGuessing(c));
  }, 120_000);
  it('F1/F2: argon2id hashes, the password policy, lockout and per-address limits', async () => {
    expectFigures(await passwordsAndSignIn(c));
  }, 120_000);
  it('F3: revoked keys and removed members are refused at once; keys never in the address', async () => {
    expectFigures(await apiKeyLifecycle(c));
  }, 120_000);
});
