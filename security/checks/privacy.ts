// K1: erasure, retention and export, checked with a canary string planted in a candidate's name,
// email, external id, browser, file name and file contents, through every path personal data takes
// (invitation with an idempotency key, CSV import, public-link registration, the attempt, uploads,
// emails, webhooks). After erasure the canary must be nowhere: not in a logical dump of the database
// (sealed values opened), not in the blob store, not in job or webhook payloads, not in the logs.
// K2: every security-relevant action leaves one audit row, and the app can't change or delete them.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { newId } from '../../server/ids.js';
import {
  asCandidate,
  createTestAssessment,
  createTestInvitation,
  quizSection,
  startBrowser,
} from '../../server/modules/attempts/attempts.factories.js';
import { startReceiver } from '../../server/modules/integrations/test-receiver.js';
import { linkTokenIn, multipart } from '../../server/modules/invitations/test-helpers.js';
import { orgWithTeam, PASSWORD } from '../../server/test/factories.js';
import { createTestApp, type TestApp } from '../../server/test/harness.js';
import { everything, findNeedles } from '../lib/dump.js';
import { atLeast, type Figure, fmt, zero } from '../lib/figures.js';
import { type CheckContext, call, type OrgFixture, seedOrg } from '../lib/world.js';

const DAY = 24 * 3600_000;

function canary(): string {
  return `cnry${randomBytes(6).toString('hex')}`;
}

async function must(res: { statusCode: number; body: string }, ...ok: number[]) {
  if (!ok.includes(res.statusCode))
    throw new Error(`unexpected ${res.statusCode}: ${res.body.slice(0, 300)}`);
  return res.body ? (JSON.parse(res.body) as Record<string, unknown>) : {};
}

/** A candidate whose personal data carries `c` everywhere it can go. */
async function plantCandidate(t: TestApp, org: OrgFixture, c: string, receiverUrl: string) {
  const owner = org.agents.owner;
  const recruiter = org.agents.recruiter;
  const email = `${c}@example.com`;
  const name = `Casey ${c} Doe`;
  await must(
    await call(t.app, {
      method: 'POST',
      url: '/api/v1/webhook-endpoints',
      headers: owner.headers,
      payload: {
        url: receiverUrl,
        eventTypes: [
          'invitation.created',
          'invitation.opened',
          'attempt.started',
          'attempt.submitted',
          'attempt.graded',
          'candidate.stage_changed',
        ],
      },
    }),
    201,
  );
  // 1. Invited over the API with an Idempotency-Key: the stored (sealed) response names them.
  const invited = await must(
    await call(t.app, {
      method: 'POST',
      url: `/api/v1/assessments/${org.assessmentId}/invitations`,
      headers: { ...recruiter.headers, 'idempotency-key': `k-${c}` },
      payload: { email, name, externalId: `ext-${c}` },
    }),
    201,
  );
  const candidateId = (invited.invitation as { candidate: { id: string } }).candidate.id;
  // 2. In a CSV import, twice: the second row is rejected and the report names the address.
  const csv = multipart('file', 'candidates.csv', `email,name\n${email},${name}\n${email},${name} again\n`);
  await must(
    await call(t.app, {
      method: 'POST',
      url: `/api/v1/assessments/${org.assessmentId}/imports`,
      headers: { ...recruiter.headers, 'content-type': csv.contentType },
      payload: csv.payload,
    }),
    200,
    201,
    202,
  );
  // 3. Through the public link: a registration row and a verification email.
  const link = await must(
    await call(t.app, {
      method: 'POST',
      url: `/api/v1/assessments/${org.assessmentId}/public-link`,
      headers: recruiter.headers,
      payload: {},
    }),
    200,
  );
  const linkToken = String(link.url).split('/').pop() ?? '';
  await must(
    await call(t.app, {
      method: 'POST',
      url: '/api/v1/public-links/register',
      payload: { token: linkToken, name, email },
    }),
    202,
  );
  await t.runJobs();
  // 4. The attempt: a browser whose user agent carries the canary, a signal, a file, the submit.
  const token = await linkTokenIn(t, email, '/i/', 'candidate-invitation');
  const browser = await startBrowser(t, token, `CanaryBrowser/${c}`);
  const cand = asCandidate(t, browser);
  const state = (await cand.state()) as {
    current: { items: Array<{ key: string; options: Array<{ id: string }> }> };
  };
  for (const [i, item] of state.current.items.entries())
    await cand.answer(item.key, [item.options[0]?.id ?? 'a'], i + 1);
  await cand.post('/api/v1/take/integrity', { type: 'copy', details: { note: c } });
  await must(await cand.post('/api/v1/take/sections/quiz/submit', {}), 200);
  await must(await cand.upload('work', `${c}-cv.txt`, `Curriculum vitae of ${name} <${email}>\n`), 201);
  await must(await cand.post('/api/v1/take/submit', {}), 200);
  await t.runJobs();
  // 5. What staff wrote about them: a pipeline note, and a reviewer's comment on their file.
  const invitationId = (invited.invitation as { id: string }).id;
  const now = t.clock.now();
  await t.ctx.db
    .insertInto('candidate_notes')
    .values({
      id: newId(now),
      org_id: org.orgId,
      invitation_id: invitationId,
      author_user_id: org.userId,
      kind: 'note',
      body: `Spoke with ${name} on the phone`,
      created_at: now,
    })
    .execute();
  const item = await t.ctx.db
    .selectFrom('review_items as ri')
    .innerJoin('attempts as a', 'a.id', 'ri.attempt_id')
    .select('ri.id')
    .where('a.invitation_id', '=', invitationId)
    .executeTakeFirst();
  if (item) {
    await t.ctx.db
      .insertInto('reviews')
      .values({
        id: newId(now),
        org_id: org.orgId,
        review_item_id: item.id,
        reviewer_user_id: org.userId,
        scores: '{}',
        total: 0.5,
        comment: `${name} writes clear SQL`,
        created_at: now,
        updated_at: now,
      })
      .execute();
  }
  return { candidateId, email, name, reviewed: !!item };
}

export async function privacyCanary(c: CheckContext): Promise<Figure[]> {
  const receiver = await startReceiver();
  const t = await createTestApp(c.dialect, { env: { WEBHOOKS_ALLOW_PRIVATE: 'true' } });
  try {
    const org = await seedOrg(t, await orgWithTeam(t.app, t.ctx));
    const admin = org.agents.admin;
    const k = canary();
    const planted = await plantCandidate(t, org, k, receiver.url);

    // Export: every personal field the inventory lists must be in it.
    const exported = await call(t.app, {
      method: 'GET',
      url: `/api/v1/candidates/${planted.candidateId}/export`,
      headers: admin.headers,
    });
    const inventory: Record<string, string> = {
      'candidate name': planted.name,
      'candidate email': planted.email,
      'external id': `ext-${k}`,
      'registration (public link)': `"email":"${planted.email}"`,
      'upload file name': `${k}-cv.txt`,
      'browser of a session': `CanaryBrowser/${k}`,
      'integrity signal details': `"note":"${k}"`,
      'emails sent to the candidate': `"to":"${planted.email}"`,
      answers: '"answers":[{"itemKey"',
      'attempt score': '"score":',
      'events about them': '"type":"attempt.submitted"',
      'invitation stage': '"stage":"new"',
      'notes about them': `"body":"Spoke with ${planted.name}`,
      ...(planted.reviewed ? { "reviewers' comments": `"comment":"${planted.name} writes` } : {}),
    };
    const missing = Object.entries(inventory)
      .filter(([, needle]) => !exported.body.includes(needle))
      .map(([field]) => `export lacks ${field}`);
    if (exported.statusCode !== 200) missing.unshift(`export answered ${exported.statusCode}`);
    const total = Object.keys(inventory).length;
    const coverage = atLeast(
      'K1',
      'export field coverage',
      ((total - missing.length) / total) * 100,
      100,
      `export covers ${total - missing.length}/${total} personal-data fields of the inventory`,
      { unit: '%', details: missing },
    );

    // Webhook receivers and logs never see a name or an email, even before erasure (invariant 8).
    const beforeHits = findNeedles(
      [k],
      [
        ...receiver.received.map((r, i) => ({ where: `webhook delivery ${i + 1}`, text: r.body })),
        ...(await t.ctx.db.selectFrom('jobs').select(['name', 'payload']).execute()).map((j) => ({
          where: `job ${j.name}`,
          text: j.payload,
        })),
        ...(await t.ctx.db.selectFrom('events').select(['type', 'data']).execute()).map((e) => ({
          where: `event ${e.type}`,
          text: e.data,
        })),
        ...(await t.ctx.db.selectFrom('audit_log').select(['action', 'details']).execute()).map((a) => ({
          where: `audit ${a.action}`,
          text: a.details,
        })),
        ...t.logs.map((l, i) => ({ where: `log line ${i + 1}`, text: l })),
      ],
    );

    // The detector works: before erasure the canary is in many places (database, files, mail).
    const planted_ = findNeedles(
      [k],
      await everything(t.ctx, { dataDir: t.dataDir, logs: [], openSealed: true }),
    );
    const where = [...new Set(planted_.map((h) => h.split(':')[0]))];

    // Erasure on request.
    const erase = await call(t.app, {
      method: 'POST',
      url: `/api/v1/candidates/${planted.candidateId}/erase`,
      headers: admin.headers,
    });
    await t.runJobs();
    const haystacks = await everything(t.ctx, {
      dataDir: t.dataDir,
      logs: t.logs,
      openSealed: true,
      extra: receiver.received.map((r, i) => ({ where: `webhook delivery ${i + 1}`, text: r.body })),
    });
    const afterErase = findNeedles([k], haystacks);
    if (erase.statusCode !== 200) afterErase.unshift(`erase answered ${erase.statusCode}: ${erase.body}`);
    // The anonymised aggregates stay: the attempt keeps its score.
    const kept = await t.ctx.db
      .selectFrom('attempts')
      .select(['score', 'status'])
      .where('candidate_id', '=', planted.candidateId)
      .execute();
    if (!kept.length || kept.some((a) => a.score === null))
      afterErase.push('the anonymised score was not kept after erasure');

    // Retention: a decided candidate (assessment closed) past the period is erased by the job; an
    // undecided one (assessment still open) is not.
    const k2 = canary();
    const k3 = canary();
    const closedAssessment = await createTestAssessment(t.ctx, org, [
      quizSection('quiz', 2, { minutes: 60 }),
    ]);
    const decided = await createTestInvitation(t.ctx, org, closedAssessment, { email: `${k2}@example.com` });
    await t.ctx.db
      .updateTable('candidates')
      .set({ name: `Robin ${k2}` })
      .where('id', '=', decided.candidateId)
      .execute();
    const decidedBrowser = await startBrowser(t, decided.token, `CanaryBrowser/${k2}`);
    await asCandidate(t, decidedBrowser).post('/api/v1/take/submit', {});
    const undecided = await createTestInvitation(t.ctx, org, org.assessmentId, {
      email: `${k3}@example.com`,
    });
    await t.runJobs();
    await must(
      await call(t.app, {
        method: 'POST',
        url: `/api/v1/assessments/${closedAssessment}/close`,
        headers: admin.headers,
      }),
      200,
    );
    await must(
      await call(t.app, {
        method: 'PUT',
        url: '/api/v1/privacy/settings',
        headers: admin.headers,
        payload: { retentionDays: 30 },
      }),
      200,
    );
    const early: string[] = [];
    t.clock.advance(29 * DAY);
    await t.runJobs();
    const stillThere = await t.ctx.db
      .selectFrom('candidates')
      .select('erased_at')
      .where('id', '=', decided.candidateId)
      .executeTakeFirstOrThrow();
    if (stillThere.erased_at !== null) early.push('erased on day 29 of a 30-day retention period');
    t.clock.advance(2 * DAY);
    await t.runJobs();
    const afterRetention = findNeedles(
      [k2],
      await everything(t.ctx, { dataDir: t.dataDir, logs: t.logs, openSealed: true }),
    );
    const undecidedRow = await t.ctx.db
      .selectFrom('candidates')
      .select('erased_at')
      .where('id', '=', undecided.candidateId)
      .executeTakeFirstOrThrow();
    if (undecidedRow.erased_at !== null) early.push('erased a candidate whose assessment is still open');
    const pastRetention = await t.ctx.db
      .selectFrom('candidates')
      .select('id')
      .where('org_id', '=', org.orgId)
      .where('erased_at', 'is', null)
      .where('id', '=', decided.candidateId)
      .execute();

    return [
      atLeast(
        'K1',
        'canary planted',
        planted_.length,
        1,
        `canary planted in ${fmt(planted_.length)} places before erasure (${where.length} tables and files: ${where.slice(0, 8).join(', ')}${where.length > 8 ? ', …' : ''})`,
        { details: planted_ },
      ),
      zero(
        'K1',
        'canary hits in payloads and logs',
        beforeHits,
        `in ${fmt(receiver.received.length)} webhook deliveries, job and event payloads, audit rows and ${fmt(t.logs.length)} log lines`,
      ),
      zero(
        'K1',
        'canary hits after erasure',
        afterErase,
        `across ${fmt(haystacks.length)} rows, blobs, log lines and webhook bodies (sealed values opened)`,
      ),
      zero(
        'K1',
        'canary hits after retention',
        [...afterRetention, ...pastRetention.map((r) => `candidate ${r.id} kept past retention`)],
        'for a candidate decided 31 days ago under a 30-day period',
      ),
      zero('K1', 'early erasures', early, 'of candidates not yet due (day 29; assessment still open)'),
      coverage,
    ];
  } finally {
    await t.close();
    await receiver.close();
  }
}

/** K2: one audit row per security-relevant action, with who, what, when, where; no tampering. */
export async function auditTrail(c: CheckContext): Promise<Figure[]> {
  const t = await createTestApp(c.dialect);
  try {
    const org = await seedOrg(t, await orgWithTeam(t.app, t.ctx));
    const owner = org.agents.owner;
    const reviewer = await t.ctx.db
      .selectFrom('memberships')
      .select('user_id')
      .where('org_id', '=', org.orgId)
      .where('role', '=', 'reviewer')
      .executeTakeFirstOrThrow();
    type Step = {
      action: string;
      run: () => Promise<{ headers: Record<string, unknown>; statusCode: number }>;
    };
    const steps: Step[] = [
      {
        action: 'auth.sign_in',
        run: () =>
          call(t.app, {
            method: 'POST',
            url: '/api/v1/auth/sign-in',
            payload: { email: org.email, password: PASSWORD },
          }),
      },
      {
        action: 'auth.sign_in_failed',
        run: () =>
          call(t.app, {
            method: 'POST',
            url: '/api/v1/auth/sign-in',
            payload: { email: org.email, password: 'wrong password!' },
          }),
      },
      {
        action: 'member.role_changed',
        run: () =>
          call(t.app, {
            method: 'PATCH',
            url: `/api/v1/team/members/${reviewer.user_id}`,
            headers: owner.headers,
            payload: { role: 'recruiter' },
          }),
      },
      {
        action: 'member.invited',
        run: () =>
          call(t.app, {
            method: 'POST',
            url: '/api/v1/team/invitations',
            headers: owner.headers,
            payload: { email: `new-${randomBytes(3).toString('hex')}@example.com`, role: 'reviewer' },
          }),
      },
      {
        action: 'api_key.created',
        run: () =>
          call(t.app, {
            method: 'POST',
            url: '/api/v1/api-keys',
            headers: owner.headers,
            payload: { name: 'audit', scope: 'read' },
          }),
      },
      {
        action: 'api_key.revoked',
        run: () =>
          call(t.app, {
            method: 'DELETE',
            url: `/api/v1/api-keys/${org.keyIds.read}`,
            headers: owner.headers,
          }),
      },
      {
        action: 'webhook_endpoint.secret_rotated',
        run: () =>
          call(t.app, {
            method: 'POST',
            url: `/api/v1/webhook-endpoints/${org.endpointId}/rotate-secret`,
            headers: owner.headers,
          }),
      },
      {
        action: 'organization.settings_changed',
        run: () =>
          call(t.app, {
            method: 'PATCH',
            url: '/api/v1/organization',
            headers: owner.headers,
            payload: { name: 'Renamed' },
          }),
      },
      {
        action: 'privacy.settings_changed',
        run: () =>
          call(t.app, {
            method: 'PUT',
            url: '/api/v1/privacy/settings',
            headers: owner.headers,
            payload: { retentionDays: 365 },
          }),
      },
      {
        action: 'attempt.viewed',
        run: () =>
          call(t.app, { method: 'GET', url: `/api/v1/attempts/${org.attemptId}`, headers: owner.headers }),
      },
      {
        action: 'upload.downloaded',
        run: () =>
          call(t.app, {
            method: 'GET',
            url: `/api/v1/attempts/${org.attemptId}/uploads/${org.uploadId}/download`,
            headers: owner.headers,
          }),
      },
      {
        action: 'invitation.revoked',
        run: async () => {
          const fresh = await createTestInvitation(t.ctx, org, org.assessmentId);
          return call(t.app, {
            method: 'POST',
            url: `/api/v1/invitations/${fresh.invitationId}/revoke`,
            headers: owner.headers,
          });
        },
      },
      {
        action: 'candidate.exported',
        run: () =>
          call(t.app, {
            method: 'GET',
            url: `/api/v1/candidates/${org.invitation.candidateId}/export`,
            headers: owner.headers,
          }),
      },
      {
        action: 'candidate.erased',
        run: () =>
          call(t.app, {
            method: 'POST',
            url: `/api/v1/candidates/${org.invitation.candidateId}/erase`,
            headers: owner.headers,
          }),
      },
    ];
    const missing: string[] = [];
    let covered = 0;
    const scripted = steps;
    for (const s of steps) {
      const res = await s.run();
      const requestId = String(res.headers['x-request-id'] ?? '');
      const rows = await t.ctx.db
        .selectFrom('audit_log')
        .selectAll()
        .where('request_id', '=', requestId)
        .where('action', '=', s.action)
        .execute();
      const row = rows[0];
      if (rows.length !== 1 || !row) {
        missing.push(`${s.action}: ${rows.length} rows for request ${requestId} (HTTP ${res.statusCode})`);
        continue;
      }
      const problems = [
        row.org_id === org.orgId ? '' : 'organization',
        row.ip ? '' : 'address',
        row.created_at > 0 ? '' : 'time',
        row.actor_user_id || s.action.startsWith('auth.') ? '' : 'actor',
      ].filter(Boolean);
      if (problems.length) missing.push(`${s.action}: row lacks ${problems.join(', ')}`);
      else covered++;
    }
    // Nothing secret in the rows: the API keys, their hashes, session tokens.
    const audit = await t.ctx.db.selectFrom('audit_log').selectAll().execute();
    const secrets = [
      org.keys.read,
      org.keys.write,
      org.keys.admin,
      owner.cookie.split('=')[1] ?? '',
      owner.csrf,
    ];
    const secretHits = findNeedles(
      secrets,
      audit.map((r) => ({ where: `audit ${r.action}`, text: JSON.stringify(r) })),
    );

    // Tampering as the application's own database user.
    const tamper: string[] = [];
    const attempts = [
      sql`update audit_log set action = 'tampered'`,
      sql`update audit_log set details = '{}' where action = 'candidate.erased'`,
      sql`delete from audit_log`,
      sql`delete from audit_log where action = 'auth.sign_in_failed'`,
      ...(t.ctx.dialect === 'postgres' ? [sql`truncate audit_log`] : []),
    ];
    const before = audit.length;
    for (const q of attempts) {
      try {
        await q.execute(t.ctx.db);
        tamper.push('a statement on audit_log succeeded');
      } catch {
        // refused, as it must be
      }
    }
    const after = await t.ctx.db.selectFrom('audit_log').select('action').execute();
    if (after.length !== before || after.some((r) => r.action === 'tampered'))
      tamper.push(`audit rows changed: ${before} before, ${after.length} after`);

    return [
      atLeast(
        'K2',
        'audit coverage',
        (covered / scripted.length) * 100,
        100,
        `${covered}/${scripted.length} security-relevant actions left one complete audit row (who, what, when, organization, address, request id)`,
        { unit: '%', details: missing },
      ),
      zero('K2', 'secrets in audit rows', secretHits, `in ${fmt(audit.length)} audit rows`),
      zero(
        'K2',
        'successful tamper operations',
        tamper,
        `of ${attempts.length} UPDATE/DELETE${t.ctx.dialect === 'postgres' ? '/TRUNCATE' : ''} statements on audit_log as the app's database user`,
      ),
    ];
  } finally {
    await t.close();
  }
}
