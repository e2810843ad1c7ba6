// J1 at test scale: requests generated from the OpenAPI document as every principal; no 5xx, and
// every reply a documented status with a conforming body (10,000 requests in the scorecard).
import { describe, it } from 'vitest';
import { openApiFuzz } from '../../security/checks/fuzz.js';
import { dialects } from '../test/harness.js';
import { expectFigures, testContext } from './support.js';

describe.each(dialects)('OpenAPI fuzzing (%s)', (dialect) => {
  it('J1: no 5xx and no schema violation', async () => {
    expectFigures(await openApiFuzz(testContext(dialect)));
  }, 180_000);
});
