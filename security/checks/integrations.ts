// Integrations: idempotent writes (C3), webhook signature vectors (I2) and webhook targets that point
// inward (I3).
import http from 'node:http';
import {
  generateWebhookSecret,
  signPayload,
  TIMESTAMP_TOLERANCE_S,
  verifyWebhook,
  webhookHeaders,
} from '../../server/modules/integrations/webhook-signing.js';
import { postWebhook } from '../../server/modules/integrations/webhook-transport.js';
import { atLeast, type Figure, fmt, zero } from '../lib/figures.js';
import { bearer, type CheckContext, call, createWorld, pick } from '../lib/world.js';

export async function idempotentWrites(c: CheckContext): Promise<Figure[]> {
  const w = await createWorld(c.dialect);
  const { t, a } = w;
  const rounds = pick(c.scale, { test: 2, quick: 5, full: 30 });
  try {
    const dupes: string[] = [];
    const contract: string[] = [];
    let cases = 0;
    for (let i = 0; i < rounds; i++) {
      const email = `idem-${i}-${Date.now()}@example.com`;
      const url = `/api/v1/assessments/${a.assessmentId}/invitations`;
      const send = (key: string, body: object) =>
        call(t.app, {
          method: 'POST',
          url,
          headers: { ...bearer(a.keys.write), 'idempotency-key': key },
          payload: body,
        });
      const key = `k-${i}-${Date.now()}`;
      // Same key and body, three times, two of them at once: one invitation, one email, one reply.
      const first = await send(key, { email, name: 'Idem Person' });
      const [r2, r3] = await Promise.all([
        send(key, { email, name: 'Idem Person' }),
        send(key, { email, name: 'Idem Person' }),
      ]);
      cases++;
      for (const r of [r2, r3]) {
        if (r.statusCode === 409) continue; // still in progress: allowed
        if (
          r.statusCode !== first.statusCode ||
          r.body !== first.body ||
          r.headers['idempotent-replayed'] !== 'true'
        )
          contract.push(
            `same key and body: ${r.statusCode} ${r.headers['idempotent-replayed']} differs from the first reply`,
          );
      }
      // Same key, different body: 422.
      const other = await send(key, { email: `other-${email}`, name: 'Other' });
      cases++;
      if (other.statusCode !== 422 || !other.body.includes('IDEMPOTENCY_KEY_REUSED'))
        contract.push(`different body: ${other.statusCode} ${other.body.slice(0, 80)}`);
      // Concurrent first use of a new key: one runs, the others replay or answer 409.
      const key2 = `k2-${i}-${Date.now()}`;
      const email2 = `idem2-${i}-${Date.now()}@example.com`;
      const burst = await Promise.all(
        Array.from({ length: 8 }, () => send(key2, { email: email2, name: 'Burst' })),
      );
      cases++;
      const created = burst.filter(
        (r) => r.statusCode === 201 && r.headers['idempotent-replayed'] !== 'true',
      ).length;
      if (created !== 1) contract.push(`concurrent same key: ${created} executions`);
      for (const r of burst)
        if (![201, 409].includes(r.statusCode)) contract.push(`concurrent same key: ${r.statusCode}`);
      await t.runJobs();
      for (const e of [email, email2]) {
        const cands = await t.ctx.db
          .selectFrom('candidates')
          .select('id')
          .where('org_id', '=', a.orgId)
          .where('email', '=', e)
          .execute();
        const mails = await t.ctx.db.selectFrom('emails').select('id').where('to_address', '=', e).execute();
        if (cands.length !== 1) dupes.push(`${cands.length} candidates for ${e}`);
        if (mails.length !== 1) dupes.push(`${mails.length} emails to ${e}`);
      }
      // After 24 hours the key is forgotten: the same key runs again (documented).
      t.clock.advance(24 * 3600_000 + 60_000);
      await t.runJobs();
      const later = await send(key, { email: `later-${email}`, name: 'Later' });
      cases++;
      if (later.statusCode !== 201)
        contract.push(`key after 24 h: ${later.statusCode} ${later.body.slice(0, 80)}`);
    }
    t.clock.set(Date.now());
    return [
      zero(
        'C3',
        'duplicate resources or emails',
        dupes,
        `over ${rounds} rounds of retried and concurrent idempotent invitations`,
      ),
      atLeast(
        'C3',
        'contract cases passing',
        ((cases - contract.length) / cases) * 100,
        100,
        `${cases - contract.length}/${cases} Idempotency-Key contract cases (replay, 422 on another body, concurrent use, 24 h expiry)`,
        { unit: '%', details: contract },
      ),
    ];
  } finally {
    await w.close();
  }
}

export async function signatureVectors(_c: CheckContext): Promise<Figure[]> {
  const secret = generateWebhookSecret();
  const other = generateWebhookSecret();
  const id = 'msg_2Lh9yX8mDq3';
  const now = 1_800_000_000;
  const body = '{"type":"attempt.graded","data":{"attemptId":"01a2"}}';
  const h = webhookHeaders([secret], id, now, body);
  const rotated = webhookHeaders([secret, other], id, now, body);
  const seen = new Set<string>();
  const replayGuard = (headers: Record<string, string>) => {
    const ok = verifyWebhook([secret], headers, body, now);
    if (!ok || seen.has(headers['webhook-id'] ?? '')) return false;
    seen.add(headers['webhook-id'] ?? '');
    return true;
  };
  const cases: Array<[string, boolean, boolean]> = [
    ['valid', verifyWebhook([secret], h, body, now), true],
    ['body changed by one byte', verifyWebhook([secret], h, body.replace('01a2', '01a3'), now), false],
    ['timestamp 301 s old', verifyWebhook([secret], h, body, now + TIMESTAMP_TOLERANCE_S + 1), false],
    ['timestamp 301 s ahead', verifyWebhook([secret], h, body, now - TIMESTAMP_TOLERANCE_S - 1), false],
    ['timestamp at the tolerance', verifyWebhook([secret], h, body, now + TIMESTAMP_TOLERANCE_S), true],
    ['wrong endpoint secret', verifyWebhook([other], h, body, now), false],
    [
      'rotation: either secret verifies',
      verifyWebhook([other], rotated, body, now) && verifyWebhook([secret], rotated, body, now),
      true,
    ],
    ['id swapped', verifyWebhook([secret], { ...h, 'webhook-id': 'msg_other' }, body, now), false],
    [
      'signature truncated',
      verifyWebhook(
        [secret],
        { ...h, 'webhook-signature': (h['webhook-signature'] ?? '').slice(0, -4) },
        body,
        now,
      ),
      false,
    ],
    ['first delivery', replayGuard(h), true],
    ['replayed webhook-id (deduplicated by id)', replayGuard(h), false],
    ['secret has ≥ 24 random bytes', Buffer.from(secret.replace('whsec_', ''), 'base64').length >= 24, true],
    ['signs id.timestamp.body', signPayload(secret, id, now, body) === h['webhook-signature'], true],
  ];
  const wrong = cases
    .filter(([, got, want]) => got !== want)
    .map(([what, got]) => `${what}: ${got ? 'accepted' : 'refused'}`);
  return [
    atLeast(
      'I2',
      'signature vectors correct',
      ((cases.length - wrong.length) / cases.length) * 100,
      100,
      `${cases.length - wrong.length}/${cases.length} signature vectors give the expected outcome (Standard Webhooks, ±${TIMESTAMP_TOLERANCE_S} s)`,
      { unit: '%', details: wrong },
    ),
  ];
}

export async function inwardWebhooks(c: CheckContext): Promise<Figure[]> {
  let hits = 0;
  const inside = http.createServer((_req, res) => {
    hits++;
    res.end('ok');
  });
  await new Promise<void>((r) => inside.listen(0, '127.0.0.1', r));
  const port = (inside.address() as { port: number }).port;
  // Something public that redirects inward.
  const redirector = http.createServer((_req, res) => {
    res.writeHead(302, { location: `http://127.0.0.1:${port}/steal` });
    res.end();
  });
  await new Promise<void>((r) => redirector.listen(0, '127.0.0.1', r));
  const rport = (redirector.address() as { port: number }).port;
  const w = await createWorld(c.dialect);
  try {
    const targets = [
      `http://127.0.0.1:${port}/hook`,
      `http://localhost:${port}/hook`,
      `http://127.1:${port}/hook`,
      `http://0x7f000001:${port}/hook`,
      `http://2130706433:${port}/hook`,
      `http://[::1]:${port}/hook`,
      `http://[::ffff:127.0.0.1]:${port}/hook`,
      `http://0.0.0.0:${port}/hook`,
      'http://169.254.169.254/latest/meta-data/',
      'http://[fd00::1]/hook',
      'http://10.0.0.1/hook',
      'http://192.168.1.1/hook',
    ];
    const made: string[] = [];
    // At creation, through the API.
    for (const url of targets) {
      const res = await call(w.t.app, {
        method: 'POST',
        url: '/api/v1/webhook-endpoints',
        headers: w.a.agents.owner.headers,
        payload: { url, eventTypes: ['attempt.graded'] },
      });
      if (res.statusCode < 300) made.push(`endpoint accepted for ${url}`);
    }
    // At send time, with names that resolve inward (DNS rebinding) and a redirect.
    const inward = async () => [{ address: '127.0.0.1', family: 4 }];
    const sends = [
      postWebhook(`http://rebind.example.com:${port}/hook`, {}, '{}', {
        allowPrivate: false,
        resolve: inward,
      }),
      postWebhook(`http://mixed.example.com:${port}/hook`, {}, '{}', {
        allowPrivate: false,
        resolve: async () => [
          { address: '93.184.216.34', family: 4 },
          { address: '127.0.0.1', family: 4 },
        ],
      }),
      // The redirector is on loopback too, so it is reached only with private targets allowed: the
      // redirect it answers must still not be followed.
      postWebhook(`http://127.0.0.1:${rport}/hook`, {}, '{}', { allowPrivate: true }),
      ...targets.map((u) => postWebhook(u, {}, '{}', { allowPrivate: false, timeoutMs: 2_000 })),
    ];
    const results = await Promise.all(sends);
    for (const [i, r] of results.entries())
      if (i !== 2 && r.kind !== 'refused') made.push(`send ${i}: ${r.kind}`);
    if (hits > 0) made.push(`${hits} requests reached the internal server`);
    return [
      zero(
        'I3',
        'internal requests made',
        made,
        `for ${targets.length} inward URLs at creation and ${fmt(sends.length)} sends (loopback spellings, metadata, private ranges, DNS rebinding, a mixed answer, a redirect inward)`,
      ),
    ];
  } finally {
    await w.close();
    inside.close();
    redirector.close();
  }
}
