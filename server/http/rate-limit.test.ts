// With REDIS_URL, two instances share rate-limit counters: a client can't double its allowance by
// alternating between them. CI runs Redis at 127.0.0.1:6379; elsewhere the test is skipped visibly.
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../test/harness.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function redisReachable(): Promise<boolean> {
  const { hostname, port } = new URL(REDIS_URL);
  return new Promise((resolve) => {
    const s = net.connect(Number(port || 6379), hostname, () => {
      s.end();
      resolve(true);
    });
    s.on('error', () => resolve(false));
    s.setTimeout(1000, () => {
      s.destroy();
      resolve(false);
    });
  });
}

const reachable = await redisReachable();
if (!reachable)
  process.stdout.write(`[assay] NOTICE: no Redis at ${REDIS_URL}; the shared rate-limit test is SKIPPED.\n`);

describe.runIf(reachable)('rate limits shared through Redis', () => {
  it('counts requests to either instance against one allowance', async () => {
    const a = await createTestApp('sqlite', { env: { REDIS_URL } });
    const b = await createTestApp('sqlite', { env: { REDIS_URL } });
    // A fresh client address per run: counters outlive a run in Redis for the window's minute.
    const r = () => Math.floor(Math.random() * 256);
    const ip = `100.${64 + (r() % 64)}.${r()}.${r()}`;
    const codes: number[] = [];
    for (let i = 0; i < 12; i++) {
      const app = i % 2 === 0 ? a.app : b.app;
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/sign-in',
        remoteAddress: ip,
        payload: { email: `nobody${i}@example.com`, password: 'wrong password here' },
      });
      codes.push(res.statusCode);
    }
    expect(codes.filter((c) => c === 401)).toHaveLength(10);
    expect(codes.slice(10)).toEqual([429, 429]);
    await a.close();
    await b.close();
  });
});
