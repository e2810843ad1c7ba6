// Timers, the attempt lifecycle and races, in process on a real database with a clock the check
// moves: late writes (B1), abandoned attempts (B2), link scanners and resume (B4), parallel submits
// (C1), autosaves racing the submit under fast-check's scheduler (C2), a second device (E3), and
// autosaves delivered out of order and retried (A3).
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import {
  asCandidate,
  createTestAssessment,
  createTestInvitation,
  createTestOrg,
  createTestQuestion,
  createTestUploadTask,
  quizSection,
  startBrowser,
  type TestOrg,
  uploadSection,
} from '../../server/modules/attempts/attempts.factories.js';
import { createTestApp, type TestApp } from '../../server/test/harness.js';
import { atMost, type Figure, fmt, percentile, zero } from '../lib/figures.js';
import { type CheckContext, call, inBatches, pick } from '../lib/world.js';
import { rng } from './durability.js';

const GRACE = 5_000;
const MIN = 60_000;

type Env = { t: TestApp; org: TestOrg; quiz: string; mixed: string };

async function setup(c: CheckContext): Promise<Env> {
  const t = await createTestApp(c.dialect);
  const org = await createTestOrg(t.ctx);
  for (const kind of ['single', 'multiple', 'single', 'single'] as const)
    await createTestQuestion(t.ctx, org, { kind });
  const task = await createTestUploadTask(t.ctx, org, { accept: ['.sql'], maxSizeMb: 1, maxFiles: 2 });
  const quiz = await createTestAssessment(t.ctx, org, [quizSection('q', 4, { minutes: 10 })]);
  const mixed = await createTestAssessment(t.ctx, org, [
    quizSection('q', 2, { minutes: 10 }),
    uploadSection('work', task.id, { minutes: 10, accept: ['.sql'] }),
  ]);
  return { t, org, quiz, mixed };
}

async function begin(e: Env, assessmentId: string, ua?: string) {
  const inv = await createTestInvitation(e.t.ctx, e.org, assessmentId);
  const browser = await startBrowser(e.t, inv.token, ua);
  const cand = asCandidate(e.t, browser);
  const state = (await cand.state()) as {
    current: { key: string; items: Array<{ key: string; options: Array<{ id: string }> }> };
  };
  const attempt = await e.t.ctx.db
    .selectFrom('attempts')
    .selectAll()
    .where('invitation_id', '=', inv.invitationId)
    .executeTakeFirstOrThrow();
  return { inv, browser, cand, items: state.current.items, attempt };
}

const ok = (r: LightMyRequestResponse) => r.statusCode >= 200 && r.statusCode < 300;

// ---------------------------------------------------------------------------------------------
// B1: the server's clock alone decides

export async function lateWrites(c: CheckContext): Promise<Figure[]> {
  const e = await setup(c);
  const trials = pick(c.scale, { test: 4, quick: 12, full: 100 });
  try {
    const accepted: string[] = [];
    const boundary: string[] = [];
    let writes = 0;
    const skews = [-2 * 3600_000, -60_000, 0, 60_000, 2 * 3600_000];
    for (let i = 0; i < trials; i++) {
      const assessment = i % 2 ? e.mixed : e.quiz;
      const s = await begin(e, assessment);
      const deadline = s.attempt.section_deadline_at as number;
      const item = s.items[0];
      if (!item) throw new Error('no items');
      // At deadline + grace exactly, a write is still on time.
      e.t.clock.set(deadline + GRACE);
      const onTime = await s.cand.answer(item.key, [item.options[0]?.id ?? 'a'], 1);
      if (!ok(onTime)) boundary.push(`write at deadline + grace refused: ${onTime.statusCode}`);
      e.t.clock.set(deadline + GRACE + 1);
      const skew = skews[i % skews.length] as number;
      const forged = {
        clientTime: new Date(deadline + skew).toISOString(),
        savedAt: deadline - 60_000,
        deadlineAt: deadline + 3600_000,
      };
      const attempts: Array<[string, () => Promise<LightMyRequestResponse>]> = [
        [
          'autosave',
          () =>
            s.cand.put(`/api/v1/take/answers/${item.key}`, {
              choice: [item.options[1]?.id ?? 'b'],
              seq: 2,
              ...forged,
            }),
        ],
        [
          'batch',
          () =>
            s.cand.put('/api/v1/take/answers', {
              answers: [{ itemKey: item.key, choice: [item.options[1]?.id ?? 'b'], seq: 3 }],
              ...forged,
            }),
        ],
        [
          'section submit with answers',
          () =>
            s.cand.post('/api/v1/take/sections/q/submit', {
              answers: [{ itemKey: item.key, choice: [item.options[1]?.id ?? 'b'], seq: 4 }],
              ...forged,
            }),
        ],
        [
          'submit with answers',
          () =>
            s.cand.post('/api/v1/take/submit', {
              answers: [{ itemKey: item.key, choice: [item.options[1]?.id ?? 'b'], seq: 5 }],
              ...forged,
            }),
        ],
        ['upload', () => s.cand.upload('work', 'late.sql', 'select 1;\n')],
      ];
      for (const [what, run] of attempts) {
        const res = await run();
        writes++;
        // A late submit may still close the attempt, but its answers must not be stored (checked below).
        const body = res.body;
        if (what === 'upload' && res.statusCode === 201) accepted.push(`${what} accepted after the deadline`);
        if ((what === 'autosave' || what === 'batch') && ok(res))
          accepted.push(`${what} accepted after the deadline: ${body.slice(0, 100)}`);
      }
      const stored = await e.t.ctx.db
        .selectFrom('answers')
        .select(['item_key', 'client_seq'])
        .where('attempt_id', '=', s.attempt.id)
        .execute();
      for (const row of stored)
        if (row.client_seq > 1)
          accepted.push(`late answer stored (seq ${row.client_seq}, clock skew ${skew / 60_000} min)`);
      const files = await e.t.ctx.db
        .selectFrom('uploads')
        .select('id')
        .where('attempt_id', '=', s.attempt.id)
        .execute();
      if (files.length) accepted.push('late upload stored');
      e.t.clock.set(Date.now());
    }
    return [
      zero(
        'B1',
        'late writes accepted',
        accepted,
        `of ${fmt(writes)} writes 1 ms after deadline + grace (body timestamps forged, skew ±2 h) in ${trials} attempts`,
      ),
      zero(
        'B1',
        'on-time writes refused',
        boundary,
        `at deadline + grace (${GRACE / 1000} s, documented) in ${trials} attempts`,
      ),
    ];
  } finally {
    await e.t.close();
  }
}

// ---------------------------------------------------------------------------------------------
// B2: a job closes what the candidate walked away from

export async function abandonedAttempts(c: CheckContext): Promise<Figure[]> {
  const e = await setup(c);
  const n = pick(c.scale, { test: 5, quick: 20, full: 100 });
  try {
    const started = [];
    for (let i = 0; i < n; i++) started.push(await begin(e, i % 2 ? e.mixed : e.quiz));
    const open: string[] = [];
    const lags: number[] = [];
    const deadline = Math.max(...started.map((s) => s.attempt.section_deadline_at as number));
    // Move in 5-second steps past the deadline, as the recurring sweep would see time pass.
    e.t.clock.set(deadline + GRACE);
    const closedAt = new Map<string, number>();
    for (let step = 0; step <= 24; step++) {
      e.t.clock.advance(5_000);
      await e.t.runJobs();
      const rows = await e.t.ctx.db
        .selectFrom('attempts')
        .select(['id', 'status', 'current_section', 'section_deadline_at'])
        .where(
          'id',
          'in',
          started.map((s) => s.attempt.id),
        )
        .execute();
      for (const r of rows) {
        const s = started.find((x) => x.attempt.id === r.id);
        const sectionClosed = r.status !== 'in_progress' || r.current_section > 0;
        if (sectionClosed && !closedAt.has(r.id) && s)
          closedAt.set(r.id, e.t.clock.now() - ((s.attempt.section_deadline_at as number) + GRACE));
      }
    }
    for (const s of started) {
      const lag = closedAt.get(s.attempt.id);
      if (lag === undefined) open.push(`attempt ${s.attempt.id} still open 120 s after its deadline`);
      else lags.push(lag);
    }
    // Exactly one submitted event and one grading for each quiz-only attempt.
    const dupes: string[] = [];
    for (const s of started) {
      const events = await e.t.ctx.db
        .selectFrom('events')
        .select('type')
        .where('subject_id', '=', s.attempt.id)
        .where('type', 'in', ['attempt.submitted', 'attempt.graded'])
        .execute();
      const submitted = events.filter((x) => x.type === 'attempt.submitted').length;
      const graded = events.filter((x) => x.type === 'attempt.graded').length;
      if (submitted > 1 || graded > 1)
        dupes.push(`attempt ${s.attempt.id}: ${submitted} submitted, ${graded} graded events`);
    }
    const p99 = percentile(lags, 99);
    return [
      zero(
        'B2',
        'attempts still open > 60 s after deadline',
        [...open, ...lags.filter((l) => l > 60_000).map((l) => `closed ${l} ms late`)],
        `of ${n} abandoned attempts (the sweep runs every 15 s)`,
      ),
      atMost(
        'B2',
        'finalisation lag p99',
        p99 / 1000,
        60,
        `finalisation lag p99 ${fmt(p99 / 1000)} s after deadline + grace (${n} attempts)`,
        { unit: 's' },
      ),
      zero('B2', 'duplicate submits or grades', dupes, `for ${n} attempts closed by the job`),
    ];
  } finally {
    await e.t.close();
  }
}

// ---------------------------------------------------------------------------------------------
// B4: opening a link never starts a timer; resuming never gains time

export async function linkScanners(c: CheckContext): Promise<Figure[]> {
  const e = await setup(c);
  const n = pick(c.scale, { test: 3, quick: 10, full: 50 });
  try {
    const started: string[] = [];
    const gained: number[] = [];
    let probes = 0;
    for (let i = 0; i < n; i++) {
      const inv = await createTestInvitation(e.t.ctx, e.org, e.quiz);
      const scanner = { 'user-agent': 'Mozilla/5.0 (compatible; SafeLinks-Scanner; HeadlessChrome)' };
      for (let k = 0; k < 3; k++) {
        for (const method of ['GET', 'HEAD'] as const) {
          await call(e.t.app, { method, url: `/i/${inv.token}`, headers: scanner });
          probes++;
        }
        await call(e.t.app, {
          method: 'POST',
          url: '/api/v1/take/landing',
          headers: scanner,
          payload: { token: inv.token },
        });
        await call(e.t.app, {
          method: 'POST',
          url: '/api/v1/take/opened',
          headers: scanner,
          payload: { token: inv.token },
        });
        probes += 2;
      }
      const attempts = await e.t.ctx.db
        .selectFrom('attempts')
        .select('id')
        .where('invitation_id', '=', inv.invitationId)
        .execute();
      const invitation = await e.t.ctx.db
        .selectFrom('invitations')
        .select(['status', 'started_at'])
        .where('id', '=', inv.invitationId)
        .executeTakeFirstOrThrow();
      if (attempts.length || invitation.started_at !== null)
        started.push(`invitation ${inv.invitationId}: the timer started without a POST`);
      // The candidate starts; later reloads, a second device and a restart of the link give no time.
      const browser = await startBrowser(e.t, inv.token);
      const first = await e.t.ctx.db
        .selectFrom('attempts')
        .select(['section_deadline_at', 'close_at'])
        .where('invitation_id', '=', inv.invitationId)
        .executeTakeFirstOrThrow();
      e.t.clock.advance(3 * MIN);
      await asCandidate(e.t, browser).state();
      await startBrowser(e.t, inv.token, 'OtherDevice/1.0');
      await startBrowser(e.t, inv.token);
      const after = await e.t.ctx.db
        .selectFrom('attempts')
        .select(['section_deadline_at', 'close_at'])
        .where('invitation_id', '=', inv.invitationId)
        .executeTakeFirstOrThrow();
      gained.push(
        Math.max(
          0,
          (after.section_deadline_at ?? 0) - (first.section_deadline_at ?? 0),
          after.close_at - first.close_at,
        ),
      );
    }
    e.t.clock.set(Date.now());
    return [
      zero(
        'B4',
        'timers started by GET',
        started,
        `after ${fmt(probes)} scanner probes (GET, HEAD, landing, opened ×3) on ${n} links`,
      ),
      atMost(
        'B4',
        'seconds gained by reload/resume',
        Math.max(0, ...gained) / 1000,
        0,
        `${fmt(Math.max(0, ...gained) / 1000)} s gained by reload, second device and reopening the link (${n} attempts)`,
      ),
    ];
  } finally {
    await e.t.close();
  }
}

// ---------------------------------------------------------------------------------------------
// C1: fifty parallel submits make one result

export async function parallelSubmits(c: CheckContext): Promise<Figure[]> {
  const e = await setup(c);
  const trials = pick(c.scale, { test: 3, quick: 10, full: 100 });
  try {
    const dupes: string[] = [];
    const bad: string[] = [];
    for (let i = 0; i < trials; i++) {
      const s = await begin(e, i % 3 === 2 ? e.mixed : e.quiz);
      const answers = s.items.map((it, k) => ({
        itemKey: it.key,
        choice: [it.options[0]?.id ?? 'a'],
        seq: 10 + k,
      }));
      const replies = await Promise.all(
        Array.from({ length: 50 }, (_, k) => s.cand.post('/api/v1/take/submit', k % 2 ? { answers } : {})),
      );
      for (const r of replies)
        if (r.statusCode !== 200 && r.statusCode !== 409)
          bad.push(`submit answered ${r.statusCode}: ${r.body.slice(0, 100)}`);
      await e.t.runJobs();
      const events = await e.t.ctx.db
        .selectFrom('events')
        .select('type')
        .where('subject_id', '=', s.attempt.id)
        .execute();
      const jobs = await e.t.ctx.db
        .selectFrom('jobs')
        .select('id')
        .where('dedupe_key', '=', `attempts.grade:${s.attempt.id}`)
        .execute();
      const mails = await e.t.ctx.db
        .selectFrom('emails')
        .select('kind')
        .where('to_address', '=', s.inv.email)
        .execute();
      const count = (type: string) => events.filter((x) => x.type === type).length;
      if (count('attempt.submitted') !== 1)
        dupes.push(`attempt ${s.attempt.id}: ${count('attempt.submitted')} submitted events`);
      if (count('attempt.graded') > 1)
        dupes.push(`attempt ${s.attempt.id}: ${count('attempt.graded')} graded events`);
      if (jobs.length !== 1) dupes.push(`attempt ${s.attempt.id}: ${jobs.length} grading jobs`);
      const kinds = new Map<string, number>();
      for (const m of mails) kinds.set(m.kind, (kinds.get(m.kind) ?? 0) + 1);
      for (const [k, n] of kinds) if (n > 1) dupes.push(`attempt ${s.attempt.id}: ${n} ${k} emails`);
    }
    return [
      zero(
        'C1',
        'duplicate results or events',
        dupes,
        `over ${trials} trials of 50 parallel submits (results, events, grading jobs, emails)`,
      ),
      zero('C1', 'submits answered other than 200/409', bad, `of ${fmt(trials * 50)} parallel submits`),
    ];
  } finally {
    await e.t.close();
  }
}

// ---------------------------------------------------------------------------------------------
// C2: autosaves racing the submit, in every order fast-check's scheduler picks

export async function savesRacingSubmit(c: CheckContext): Promise<Figure[]> {
  const e = await setup(c);
  const runs = pick(c.scale, { test: 10, quick: 40, full: 300 });
  try {
    const problems: string[] = [];
    let saves = 0;
    let postSubmit = 0;
    const result = await fc.check(
      fc.asyncProperty(
        fc.scheduler(),
        fc.array(fc.nat(3), { minLength: 2, maxLength: 8 }),
        async (s, picks) => {
          const st = await begin(e, e.quiz);
          // Two tabs of the same browser: the same session, racing each other and the submit.
          const tabs = [st.cand, asCandidate(e.t, st.browser)];
          const acked: Array<{ itemKey: string; seq: number }> = [];
          const tasks = picks.map((p, k) => {
            const item = st.items[p % st.items.length];
            if (!item) throw new Error('no item');
            const seq = k + 1;
            return s.schedule(Promise.resolve(k), `save ${item.key}#${seq}`).then(async () => {
              const r = await (tabs[k % 2] ?? st.cand).answer(
                item.key,
                [item.options[k % 2]?.id ?? 'a'],
                seq,
              );
              saves++;
              if (r.statusCode === 200 && (r.json() as { saved: boolean }).saved)
                acked.push({ itemKey: item.key, seq });
            });
          });
          const submit = s
            .schedule(Promise.resolve(), 'submit')
            .then(() => tabs[1]?.post('/api/v1/take/submit', {}));
          await s.waitAll();
          await Promise.all([...tasks, submit]);
          // After the submit committed, nothing may change the answers.
          const after = await Promise.all(
            st.items.map((it, k) => st.cand.answer(it.key, [it.options[0]?.id ?? 'a'], 100 + k)),
          );
          postSubmit += after.length;
          for (const r of after) if (ok(r)) problems.push(`post-submit autosave accepted: ${r.body}`);
          const stored = await e.t.ctx.db
            .selectFrom('answers')
            .select(['item_key', 'client_seq'])
            .where('attempt_id', '=', st.attempt.id)
            .execute();
          const bySeq = new Map(stored.map((x) => [x.item_key, x.client_seq]));
          for (const a of acked) {
            const have = bySeq.get(a.itemKey) ?? 0;
            if (have < a.seq) problems.push(`acknowledged save ${a.itemKey}#${a.seq} lost (stored ${have})`);
          }
          for (const x of stored)
            if (x.client_seq >= 100)
              problems.push(`answer changed after submit: ${x.item_key}#${x.client_seq}`);
          return problems.length === 0;
        },
      ),
      { numRuns: runs, seed: c.seed },
    );
    return [
      zero(
        'C2',
        'post-submit mutations accepted',
        [
          ...problems.slice(0, 20),
          ...(result.failed ? [`counterexample: ${fc.stringify(result.counterexample)}`] : []),
        ],
        `over ${runs} scheduler-ordered races (${fmt(saves)} autosaves from two tabs racing a submit, then ${fmt(postSubmit)} autosaves after it)`,
      ),
    ];
  } finally {
    await e.t.close();
  }
}

// ---------------------------------------------------------------------------------------------
// E3: a second device

export async function secondDevice(c: CheckContext): Promise<Figure[]> {
  const e = await setup(c);
  const trials = pick(c.scale, { test: 3, quick: 10, full: 50 });
  try {
    const writers: string[] = [];
    const unflagged: string[] = [];
    for (let i = 0; i < trials; i++) {
      const s = await begin(e, e.quiz, 'FirstDevice/1.0');
      const item = s.items[0];
      if (!item) throw new Error('no items');
      const second = await startBrowser(e.t, s.inv.token, 'SecondDevice/2.0');
      const old = await s.cand.answer(item.key, [item.options[0]?.id ?? 'a'], 5);
      if (ok(old))
        writers.push(`attempt ${s.attempt.id}: the first device still wrote after the second took over`);
      const fresh = await asCandidate(e.t, second).answer(item.key, [item.options[1]?.id ?? 'b'], 6);
      if (!ok(fresh))
        writers.push(`attempt ${s.attempt.id}: the newest device could not write (${fresh.statusCode})`);
      // The first takes it back; now only the first writes.
      await s.cand.post('/api/v1/take/session/claim');
      const stale = await asCandidate(e.t, second).answer(item.key, [item.options[0]?.id ?? 'a'], 7);
      if (ok(stale)) writers.push(`attempt ${s.attempt.id}: two devices wrote after a claim`);
      const flags = await e.t.ctx.db
        .selectFrom('integrity_events')
        .select(['ip', 'user_agent', 'details'])
        .where('attempt_id', '=', s.attempt.id)
        .where('type', '=', 'second-session')
        .execute();
      if (flags.length !== 2)
        unflagged.push(`attempt ${s.attempt.id}: ${flags.length} second-session signals for 2 takeovers`);
      if (flags.some((f) => !f.ip || !f.user_agent))
        unflagged.push(`attempt ${s.attempt.id}: a signal without address or browser`);
    }
    return [
      zero(
        'E3',
        'writes by a displaced device',
        writers,
        `in ${trials} attempts opened on two devices (newest wins; at most one writer)`,
      ),
      zero(
        'E3',
        'takeovers not flagged',
        unflagged,
        `of ${fmt(2 * trials)} takeovers (each must be flagged to reviewers with address and browser)`,
      ),
    ];
  } finally {
    await e.t.close();
  }
}

// ---------------------------------------------------------------------------------------------
// A3: autosaves reordered and retried by a flaky network

export async function reorderedSaves(c: CheckContext): Promise<Figure[]> {
  const e = await setup(c);
  const total = pick(c.scale, { test: 400, quick: 2_000, full: 10_000 });
  const r = rng(c.seed);
  try {
    const regressed: string[] = [];
    const lost: string[] = [];
    let sent = 0;
    let candidates = 0;
    while (sent < total) {
      const s = await begin(e, e.quiz);
      candidates++;
      // The client's saves: 40 per candidate over its 4 items, with increasing sequence numbers.
      const saves = Array.from({ length: 40 }, (_, k) => {
        const item = s.items[Math.floor(r() * s.items.length)];
        if (!item) throw new Error('no item');
        return {
          itemKey: item.key,
          choice: [item.options[Math.floor(r() * item.options.length)]?.id ?? 'a'],
          seq: k + 1,
        };
      });
      // The network: each save arrives 1–3 times (retries after lost replies), in shuffled order, in
      // concurrent bursts.
      const deliveries = saves.flatMap((x) => Array.from({ length: 1 + Math.floor(r() * 3) }, () => x));
      for (let i = deliveries.length - 1; i > 0; i--) {
        const j = Math.floor(r() * (i + 1));
        [deliveries[i], deliveries[j]] = [
          deliveries[j] as (typeof deliveries)[number],
          deliveries[i] as (typeof deliveries)[number],
        ];
      }
      const highest = new Map<string, number>();
      await inBatches(deliveries, 6, async (d) => {
        const res = await s.cand.answer(d.itemKey, d.choice, d.seq);
        sent++;
        if (res.statusCode !== 200) {
          lost.push(`${d.itemKey}#${d.seq} refused: ${res.statusCode}`);
          return;
        }
        const body = res.json() as { seq: number };
        // The reply says what the server holds: never older than what this request carried.
        if (body.seq < d.seq) regressed.push(`${d.itemKey}: sent #${d.seq}, server holds #${body.seq}`);
        highest.set(d.itemKey, Math.max(highest.get(d.itemKey) ?? 0, d.seq));
      });
      const stored = await e.t.ctx.db
        .selectFrom('answers')
        .select(['item_key', 'client_seq', 'choice'])
        .where('attempt_id', '=', s.attempt.id)
        .execute();
      for (const [itemKey, seq] of highest) {
        const row = stored.find((x) => x.item_key === itemKey);
        const want = saves.find((x) => x.seq === seq);
        if (!row || row.client_seq !== seq)
          lost.push(`${itemKey}: newest acknowledged #${seq}, stored #${row?.client_seq}`);
        else if (want && row.choice !== JSON.stringify(want.choice))
          regressed.push(`${itemKey}#${seq}: stored choice differs`);
      }
      const rows = await e.t.ctx.db
        .selectFrom('answers')
        .select('item_key')
        .where('attempt_id', '=', s.attempt.id)
        .execute();
      if (new Set(rows.map((x) => x.item_key)).size !== rows.length) regressed.push('duplicate answer rows');
    }
    return [
      zero(
        'A3',
        'regressed answers',
        regressed,
        `over ${fmt(sent)} saves delivered out of order with retries (${candidates} candidates)`,
      ),
      zero('A3', 'lost answers', lost, `(newest acknowledged save not stored) over ${fmt(sent)} saves`),
    ];
  } finally {
    await e.t.close();
  }
}
