// The malicious upload corpus (security/checks/uploads.ts); the 1 GB body runs in the scorecard.
import { describe, it } from 'vitest';
import { maliciousUploads } from '../../security/checks/uploads.js';
import { dialects } from '../test/harness.js';
import { expectFigures, testContext } from './support.js';

describe.each(dialects)('malicious uploads (%s)', (dialect) => {
  it('H1–H3: disguised files refused, the rest served only as attachments, the scanner fails closed', async () => {
    expectFigures(await maliciousUploads(testContext(dialect)));
  }, 180_000);
});
