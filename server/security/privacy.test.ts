// K1 and K2 at test scale: a canary planted in a candidate's personal data is gone after erasure and
// after the retention period, the export covers the data inventory, and the audit log is complete
// and append-only.
import { describe, it } from 'vitest';
import { auditTrail, privacyCanary } from '../../security/checks/privacy.js';
import { dialects } from '../test/harness.js';
import { expectFigures, testContext } from './support.js';

describe.each(dialects)('privacy and audit (%s)', (dialect) => {
  it('K1: erasure and retention leave no trace of the canary; the export covers the inventory', async () => {
    expectFigures(await privacyCanary(testContext(dialect)));
  }, 120_000);

  it('K2: every security-relevant action is audited once, and audit rows cannot be changed', async () => {
    expectFigures(await auditTrail(testContext(dialect)));
  }, 120_000);
});
