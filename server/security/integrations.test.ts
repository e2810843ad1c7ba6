// Idempotent writes (C3), webhook signatures (I2) and webhooks pointing inward (I3).
import { describe, it } from 'vitest';
import { idempotentWrites, inwardWebhooks, signatureVectors } from '../../security/checks/integrations.js';
import { dialects } from '../test/harness.js';
import { expectFigures, testContext } from './support.js';

describe.each(dialects)('integrations (%s)', (dialect) => {
  it('C3: retried and concurrent idempotent writes make one resource and one email', async () => {
    expectFigures(await idempotentWrites(testContext(dialect)));
  }, 120_000);
});

describe('webhooks', () => {
  it('I2: the signature vectors give exactly the expected outcomes', async () => {
    expectFigures(await signatureVectors(testContext('sqlite')));
  });
  it('I3: no request ever reaches an internal address', async () => {
    expectFigures(await inwardWebhooks(testContext('sqlite')));
  }, 60_000);
});
