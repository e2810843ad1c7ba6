// D1, D2 and D4 over every registered route, with sessions of every role, API keys of every scope,
// a candidate cookie and no credentials (security/checks/access.ts).
import { describe, it } from 'vitest';
import { accessControl } from '../../security/checks/access.js';
import { dialects } from '../test/harness.js';
import { expectFigures, testContext } from './support.js';

describe.each(dialects)('tenant isolation and roles (%s)', (dialect) => {
  it('D1/D2/D4: no cross-tenant leak, every decision matches the policy, no mass assignment', async () => {
    expectFigures(await accessControl(testContext(dialect)));
  }, 300_000);
});
