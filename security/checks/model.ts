// B3: a fast-check model-based test of the attempt lifecycle. Random sequences of start (on either of
// two browsers), autosave (fresh or stale sequence numbers), batch saves, section submit and start,
// final submit, take-back, reload, replays of earlier requests and time passing run against the real
// app and a small model of the rules. After every step the reply's outcome and the stored attempt
// (status, section, writer, answers, how far a no-going-back section went) must match the model.
// Any divergence fails the run, and fast-check shrinks it to a minimal counterexample.
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { hashToken } from '../../server/crypto.js';
import {
  asCandidate,
  type Browser,
  createTestAssessment,
  createTestInvitation,
  createTestOrg,
  createTestQuestion,
  quizSection,
  type TestOrg,
} from '../../server/modules/attempts/attempts.factories.js';
import { cookieFrom, createTestApp, nextIp, type TestApp } from '../../server/test/harness.js';
import { type Figure, fmt, zero } from '../lib/figures.js';
import { type CheckContext, pick } from '../lib/world.js';

const GRACE = 5_000;
const LIMIT = 10 * 60_000;
type Who = 'A' | 'B';
// Section 0 allows going back; section 1 does not.
const NO_BACK = [false, true];

type Model = {
  started: boolean;
  submitted: boolean;
  current: number;
  running: boolean;
  deadline: number;
  writer: Who | null;
  has: Record<Who, boolean>;
  seq: Map<string, number>;
  furthest: number;
  counter: number;
  history: Array<Request>;
};

type Request =
  | { kind: 'save'; who: Who; si: number; ii: number; seq: number; choice: number }
  | { kind: 'batch'; who: Who; si: number; seqs: [number, number] }
  | { kind: 'section-submit'; who: Who; si: number; seqs: [number, number] | null };

type Real = {
  t: TestApp;
  token: string;
  invitationId: string;
  attemptId?: string;
  items: string[][];
  options: string[][][];
  browsers: Partial<Record<Who, Browser>>;
  sessions: Partial<Record<Who, string>>;
  steps: string[];
};

class Divergence extends Error {}

function expectOutcome(real: Real, what: string, res: LightMyRequestResponse, ok: boolean) {
  const got = res.statusCode >= 200 && res.statusCode < 300;
  real.steps.push(`${what} → ${res.statusCode}`);
  if (got && !ok)
    throw new Divergence(
      `illegal transition accepted: ${what} → ${res.statusCode} ${res.body.slice(0, 200)}`,
    );
  if (!got && ok)
    throw new Divergence(`legal transition refused: ${what} → ${res.statusCode} ${res.body.slice(0, 200)}`);
}

/** The rule for one answer write (writeRefusal in attempts.service), without the time checks. */
function writable(m: Model, who: Who, si: number): boolean {
  return m.started && !m.submitted && m.has[who] && m.writer === who && si === m.current && m.running;
}

function applyBatch(m: Model, si: number, answers: Array<{ ii: number; seq: number }>) {
  for (const a of [...answers].sort((x, y) => x.seq - y.seq)) {
    if (NO_BACK[si] && a.ii < m.furthest) continue;
    const key = `${si}:${a.ii}`;
    if (a.seq > (m.seq.get(key) ?? 0)) m.seq.set(key, a.seq);
    if (NO_BACK[si]) m.furthest = Math.max(m.furthest, a.ii);
  }
}

function finishSection(m: Model, si: number, startNext: boolean, now: number) {
  if (si + 1 >= NO_BACK.length) {
    m.submitted = true;
    m.running = false;
    return;
  }
  m.current = si + 1;
  m.running = startNext;
  m.deadline = startNext ? now + LIMIT : 0;
  m.furthest = 0;
}

async function verifyState(real: Real, m: Model) {
  if (!real.attemptId) return;
  const a = await real.t.ctx.db
    .selectFrom('attempts')
    .selectAll()
    .where('id', '=', real.attemptId)
    .executeTakeFirstOrThrow();
  const problems: string[] = [];
  if ((a.status !== 'in_progress') !== m.submitted)
    problems.push(`status ${a.status}, model submitted=${m.submitted}`);
  if (!m.submitted) {
    if (a.current_section !== m.current) problems.push(`section ${a.current_section}, model ${m.current}`);
    if ((a.section_deadline_at !== null) !== m.running)
      problems.push(`running ${a.section_deadline_at !== null}, model ${m.running}`);
    const writer = m.writer ? real.sessions[m.writer] : undefined;
    if (a.session_id !== writer)
      problems.push(`writer session ${a.session_id}, model ${m.writer} (${writer})`);
    if (NO_BACK[m.current] && a.furthest_item !== m.furthest)
      problems.push(`furthest ${a.furthest_item}, model ${m.furthest}`);
  }
  const rows = await real.t.ctx.db
    .selectFrom('answers')
    .select(['item_key', 'client_seq'])
    .where('attempt_id', '=', real.attemptId)
    .execute();
  const stored = new Map(rows.map((r) => [r.item_key, r.client_seq]));
  for (const [si, keys] of real.items.entries()) {
    for (const [ii, key] of keys.entries()) {
      const want = m.seq.get(`${si}:${ii}`) ?? 0;
      const have = stored.get(key) ?? 0;
      if (want !== have) problems.push(`answer ${si}:${ii} seq ${have}, model ${want}`);
    }
  }
  if (problems.length)
    throw new Divergence(`state diverged after ${real.steps.at(-1)}: ${problems.join('; ')}`);
}

async function learnPlan(real: Real) {
  const a = await real.t.ctx.db
    .selectFrom('attempts')
    .select(['id', 'plan'])
    .where('invitation_id', '=', real.invitationId)
    .executeTakeFirstOrThrow();
  real.attemptId = a.id;
  const plan = JSON.parse(a.plan) as {
    sections: Array<{ items: Array<{ key: string; optionOrder: string[] }> }>;
  };
  real.items = plan.sections.map((s) => s.items.map((i) => i.key));
  real.options = plan.sections.map((s) => s.items.map((i) => i.optionOrder));
}

const cand = (real: Real, who: Who) => {
  const b = real.browsers[who] ?? { cookie: '', ip: '10.250.0.1', headers: { 'x-assay-candidate': '1' } };
  return asCandidate(real.t, b);
};

// ---------------------------------------------------------------------------------------------
// Commands

type Cmd = fc.AsyncCommand<Model, Real>;

class Start implements Cmd {
  constructor(readonly who: Who) {}
  check = () => true;
  async run(m: Model, real: Real) {
    const ip = nextIp();
    const res = await real.t.app.inject({
      method: 'POST',
      url: '/api/v1/take/start',
      payload: { token: real.token },
      headers: { 'user-agent': `Model/${this.who}` },
      remoteAddress: ip,
    });
    expectOutcome(real, this.toString(), res, true);
    const cookie = cookieFrom(res);
    real.browsers[this.who] = {
      cookie,
      ip,
      headers: { cookie, 'x-assay-candidate': '1', 'user-agent': `Model/${this.who}` },
    };
    const token = cookie.split('=')[1] ?? '';
    const s = await real.t.ctx.db
      .selectFrom('candidate_sessions')
      .select('id')
      .where('token_hash', '=', hashToken(token))
      .executeTakeFirstOrThrow();
    real.sessions[this.who] = s.id;
    if (!m.started) {
      m.started = true;
      m.running = true;
      m.deadline = real.t.clock.now() + LIMIT;
      await learnPlan(real);
    }
    m.has[this.who] = true;
    if (!m.submitted) m.writer = this.who;
    await verifyState(real, m);
  }
  toString = () => `start(${this.who})`;
}

class Save implements Cmd {
  constructor(
    readonly who: Who,
    readonly si: number,
    readonly ii: number,
    readonly stale: number,
    readonly choice: number,
  ) {}
  check = () => true;
  async run(m: Model, real: Real) {
    const seq = this.stale ? Math.max(1, m.counter - this.stale) : ++m.counter;
    await save(m, real, { kind: 'save', who: this.who, si: this.si, ii: this.ii, seq, choice: this.choice });
  }
  toString = () => `save(${this.who}, ${this.si}:${this.ii}${this.stale ? `, stale ${this.stale}` : ''})`;
}

async function save(m: Model, real: Real, r: Extract<Request, { kind: 'save' }>) {
  m.history.push(r);
  const key = real.items[r.si]?.[r.ii] ?? `i${r.si}${r.ii}`;
  const options = real.options[r.si]?.[r.ii] ?? ['a'];
  const res = await cand(real, r.who).answer(key, [options[r.choice % options.length] ?? 'a'], r.seq);
  const ok = writable(m, r.who, r.si) && !(NO_BACK[r.si] && r.ii < m.furthest);
  expectOutcome(real, `save(${r.who}, ${r.si}:${r.ii}, #${r.seq})`, res, ok);
  if (ok && r.seq > (m.seq.get(`${r.si}:${r.ii}`) ?? 0)) {
    m.seq.set(`${r.si}:${r.ii}`, r.seq);
    if (NO_BACK[r.si]) m.furthest = Math.max(m.furthest, r.ii);
  }
  await verifyState(real, m);
}

class Batch implements Cmd {
  constructor(
    readonly who: Who,
    readonly si: number,
  ) {}
  check = () => true;
  async run(m: Model, real: Real) {
    const seqs: [number, number] = [++m.counter, ++m.counter];
    await batch(m, real, { kind: 'batch', who: this.who, si: this.si, seqs });
  }
  toString = () => `batch(${this.who}, section ${this.si})`;
}

function answersOf(real: Real, si: number, seqs: [number, number]) {
  // The second item first, so a no-going-back section sees the batch ordered by sequence number.
  return [1, 0].map((ii, k) => ({
    itemKey: real.items[si]?.[ii] ?? `i${si}${ii}`,
    choice: [real.options[si]?.[ii]?.[0] ?? 'a'],
    seq: seqs[k] as number,
  }));
}

async function batch(m: Model, real: Real, r: Extract<Request, { kind: 'batch' }>) {
  m.history.push(r);
  const res = await cand(real, r.who).put('/api/v1/take/answers', { answers: answersOf(real, r.si, r.seqs) });
  const ok = writable(m, r.who, r.si);
  expectOutcome(real, `batch(${r.who}, section ${r.si}, #${r.seqs.join('/')})`, res, ok);
  if (ok)
    applyBatch(m, r.si, [
      { ii: 1, seq: r.seqs[0] },
      { ii: 0, seq: r.seqs[1] },
    ]);
  await verifyState(real, m);
}

class SectionSubmit implements Cmd {
  constructor(
    readonly who: Who,
    readonly si: number,
    readonly withAnswers: boolean,
  ) {}
  check = () => true;
  async run(m: Model, real: Real) {
    const seqs: [number, number] | null = this.withAnswers ? [++m.counter, ++m.counter] : null;
    await sectionSubmit(m, real, { kind: 'section-submit', who: this.who, si: this.si, seqs });
  }
  toString = () => `submitSection(${this.who}, ${this.si}${this.withAnswers ? ', with answers' : ''})`;
}

async function sectionSubmit(m: Model, real: Real, r: Extract<Request, { kind: 'section-submit' }>) {
  m.history.push(r);
  const key = ['q1', 'q2'][r.si] ?? 'q1';
  const res = await cand(real, r.who).post(
    `/api/v1/take/sections/${key}/submit`,
    r.seqs ? { answers: answersOf(real, r.si, r.seqs) } : {},
  );
  let ok: boolean;
  if (!m.has[r.who]) ok = false;
  else if (!m.started || m.submitted || r.si < m.current)
    ok = true; // already done: a harmless no-op
  else ok = writable(m, r.who, r.si);
  expectOutcome(real, `submitSection(${r.who}, ${r.si}${r.seqs ? ', with answers' : ''})`, res, ok);
  if (ok && m.started && !m.submitted && r.si === m.current) {
    if (r.seqs)
      applyBatch(m, r.si, [
        { ii: 1, seq: r.seqs[0] },
        { ii: 0, seq: r.seqs[1] },
      ]);
    finishSection(m, r.si, true, real.t.clock.now());
  }
  await verifyState(real, m);
}

class SectionStart implements Cmd {
  constructor(
    readonly who: Who,
    readonly si: number,
  ) {}
  check = () => true;
  async run(m: Model, real: Real) {
    const key = ['q1', 'q2'][this.si] ?? 'q1';
    const res = await cand(real, this.who).post(`/api/v1/take/sections/${key}/start`);
    const ok = m.has[this.who] && m.started && !m.submitted && m.writer === this.who && this.si === m.current;
    expectOutcome(real, this.toString(), res, ok);
    if (ok && !m.running) {
      m.running = true;
      m.deadline = real.t.clock.now() + LIMIT;
      m.furthest = 0;
    }
    await verifyState(real, m);
  }
  toString = () => `startSection(${this.who}, ${this.si})`;
}

class Submit implements Cmd {
  constructor(readonly who: Who) {}
  check = () => true;
  async run(m: Model, real: Real) {
    const res = await cand(real, this.who).post('/api/v1/take/submit', {});
    const ok = m.has[this.who] && (m.submitted || m.writer === this.who);
    expectOutcome(real, this.toString(), res, ok);
    if (ok) {
      m.submitted = true;
      m.running = false;
    }
    await verifyState(real, m);
  }
  toString = () => `submit(${this.who})`;
}

class Claim implements Cmd {
  constructor(readonly who: Who) {}
  check = () => true;
  async run(m: Model, real: Real) {
    const res = await cand(real, this.who).post('/api/v1/take/session/claim');
    const ok = m.has[this.who] && !m.submitted;
    expectOutcome(real, this.toString(), res, ok);
    if (ok) m.writer = this.who;
    await verifyState(real, m);
  }
  toString = () => `claim(${this.who})`;
}

class Reload implements Cmd {
  constructor(readonly who: Who) {}
  check = () => true;
  async run(m: Model, real: Real) {
    const res = await cand(real, this.who).get('/api/v1/take/attempt');
    expectOutcome(real, this.toString(), res, m.has[this.who]);
    if (res.statusCode === 200) {
      const s = res.json() as {
        status: string;
        phase: string;
        currentSectionIndex: number | null;
        writer: boolean;
        current: { items?: Array<{ key: string; seq: number }> } | null;
      };
      const phase = m.submitted ? 'finished' : m.running ? 'section' : 'between-sections';
      const problems: string[] = [];
      if (s.phase !== phase) problems.push(`phase ${s.phase}, model ${phase}`);
      if (!m.submitted && s.currentSectionIndex !== m.current)
        problems.push(`section ${s.currentSectionIndex}, model ${m.current}`);
      if (!m.submitted && s.writer !== (m.writer === this.who)) problems.push(`writer ${s.writer}`);
      for (const [ii, item] of (s.current?.items ?? []).entries()) {
        const want = m.seq.get(`${m.current}:${ii}`) ?? 0;
        if (item.seq !== want) problems.push(`item ${ii} shows seq ${item.seq}, model ${want}`);
      }
      if (problems.length) throw new Divergence(`reload(${this.who}) shows ${problems.join('; ')}`);
    }
    await verifyState(real, m);
  }
  toString = () => `reload(${this.who})`;
}

class Replay implements Cmd {
  constructor(readonly back: number) {}
  check = (m: Readonly<Model>) => m.history.length > 0;
  async run(m: Model, real: Real) {
    const r = m.history[Math.max(0, m.history.length - 1 - (this.back % m.history.length))];
    if (!r) return;
    if (r.kind === 'save') await save(m, real, r);
    else if (r.kind === 'batch') await batch(m, real, r);
    else await sectionSubmit(m, real, r);
  }
  toString = () => `replay(${this.back} back)`;
}

class TimePasses implements Cmd {
  constructor(readonly pastDeadline: boolean) {}
  check = () => true;
  async run(m: Model, real: Real) {
    const now = real.t.clock.now();
    const step = this.pastDeadline && m.running ? m.deadline + GRACE + 1_000 - now : 60_000;
    real.t.clock.advance(Math.max(1_000, step));
    real.steps.push(`${this.toString()} (+${Math.round(step / 1000)} s)`);
    await real.t.runJobs();
    const later = real.t.clock.now();
    if (m.started && !m.submitted && m.running && later > m.deadline + GRACE)
      finishSection(m, m.current, false, later);
    await verifyState(real, m);
  }
  toString = () => (this.pastDeadline ? 'time passes the deadline' : 'a minute passes');
}

const who = fc.constantFrom<Who>('A', 'B');
const si = fc.constantFrom(0, 1);
const commands = [
  who.map((w) => new Start(w)),
  fc
    .tuple(who, si, fc.constantFrom(0, 1), fc.constantFrom(0, 0, 0, 1, 3), fc.nat(3))
    .map(([w, s, i, stale, c]) => new Save(w, s, i, stale, c)),
  fc.tuple(who, si).map(([w, s]) => new Batch(w, s)),
  fc.tuple(who, si, fc.boolean()).map(([w, s, a]) => new SectionSubmit(w, s, a)),
  fc.tuple(who, si).map(([w, s]) => new SectionStart(w, s)),
  who.map((w) => new Submit(w)),
  who.map((w) => new Claim(w)),
  who.map((w) => new Reload(w)),
  fc.nat(5).map((n) => new Replay(n)),
  fc.boolean().map((b) => new TimePasses(b)),
];

export async function lifecycleModel(c: CheckContext): Promise<Figure[]> {
  const runs = pick(c.scale, { test: 25, quick: 150, full: 1_200 });
  const t = await createTestApp(c.dialect);
  try {
    const org: TestOrg = await createTestOrg(t.ctx);
    for (let i = 0; i < 4; i++) await createTestQuestion(t.ctx, org, { kind: i % 2 ? 'multiple' : 'single' });
    const assessmentId = await createTestAssessment(t.ctx, org, [
      quizSection('q1', 2, { minutes: 10 }),
      quizSection('q2', 2, { minutes: 10, allowBack: false }),
    ]);
    let steps = 0;
    let executed = 0;
    const result = await fc.check(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 25, size: 'max' }), async (cmds) => {
        const inv = await createTestInvitation(t.ctx, org, assessmentId);
        const real: Real = {
          t,
          token: inv.token,
          invitationId: inv.invitationId,
          items: [],
          options: [],
          browsers: {},
          sessions: {},
          steps: [],
        };
        const model: Model = {
          started: false,
          submitted: false,
          current: 0,
          running: false,
          deadline: 0,
          writer: null,
          has: { A: false, B: false },
          seq: new Map(),
          furthest: 0,
          counter: 0,
          history: [],
        };
        executed++;
        // Most interesting sequences have an attempt: every run opens the link once first.
        await new Start('A').run(model, real);
        await fc.asyncModelRun(() => ({ model, real }), cmds);
        steps += real.steps.length;
      }),
      { numRuns: runs, seed: c.seed },
    );
    const failure = result.failed
      ? [
          `${result.errorInstance instanceof Error ? result.errorInstance.message : String(result.errorInstance)}`,
          `shrunk counterexample: ${fc.stringify(result.counterexample)} (seed ${c.seed}, path ${result.counterexamplePath})`,
        ]
      : [];
    return [
      zero(
        'B3',
        'illegal transitions accepted or state divergences',
        failure,
        `over ${fmt(executed)} model-based runs (${fmt(steps)} steps: start, autosave, batch, section submit/start, submit, take-back, reload, replay, time) checked against the model after every step`,
      ),
    ];
  } finally {
    await t.close();
  }
}
