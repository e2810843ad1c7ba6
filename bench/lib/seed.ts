// Realistic data for a benchmark run, written through the services (and a little SQL where a service
// would only add time): the built-in bank, an organization with its owner, an open assessment from
// the Back-End Engineer template with one 40-question quiz section, cohorts of invited candidates
// whose link tokens the harness keeps, started attempts, and a graded cohort for the pipeline.
import { sql } from 'kysely';
import type { Ctx } from '../../server/context.js';
import { hashToken } from '../../server/crypto.js';
import { migrateToLatest } from '../../server/db/migrate.js';
import type { StaffActor } from '../../server/http/access.js';
import { jobRegistry } from '../../server/job-registry.js';
import { JobRunner } from '../../server/jobs/runner.js';
import type { QuizSection } from '../../server/modules/assessments/assessment.model.js';
import {
  createAssessment,
  findAssessmentOfOrg,
  getAssessment,
  openAssessment,
  updateAssessment,
} from '../../server/modules/assessments/assessments.service.js';
import { parsePlan } from '../../server/modules/attempts/attempt.model.js';
import { startAttempt, submitAttempt } from '../../server/modules/attempts/attempts.service.js';
import { syncBuiltInContent } from '../../server/modules/bank/content-sync.service.js';
import { inviteRows, targetFor } from '../../server/modules/invitations/invitations.service.js';
import { createOrgWithOwner, PASSWORD } from '../../server/test/factories.js';
import { type BenchCandidate, ipOf } from './common.js';

export const QUESTIONS = 40;
const meta = (ip: string) => ({ ip, requestId: 'bench-seed', userAgent: 'assay-bench' });

export type BenchOrg = { orgId: string; email: string; password: string; actor: StaffActor };

export async function seedBase(ctx: Ctx): Promise<BenchOrg> {
  await migrateToLatest(ctx.db);
  await syncBuiltInContent(ctx);
  const org = await createOrgWithOwner(ctx, 'Bench Co');
  return {
    orgId: org.orgId,
    email: org.email,
    password: PASSWORD,
    actor: {
      kind: 'staff',
      userId: org.userId,
      orgId: org.orgId,
      role: 'owner',
      via: 'session',
      sessionId: null,
      apiKeyId: null,
      mustChangePassword: false,
    },
  };
}

/**
 * An open assessment from the Back-End Engineer template, its quiz section only, 40 questions. The
 * time limit is long so that no deadline passes during a run.
 */
export async function createBenchAssessment(ctx: Ctx, org: BenchOrg, name: string): Promise<string> {
  const created = await createAssessment(
    ctx,
    org.actor,
    { roleTemplateId: 'backend-engineer', name },
    meta('127.0.0.1'),
  );
  const a = await getAssessment(ctx, org.actor, created.id);
  const quiz = a.sections.find((s): s is QuizSection => s.kind === 'quiz');
  if (!quiz) throw new Error('the Back-End Engineer template has no quiz section');
  await updateAssessment(
    ctx,
    org.actor,
    a.id,
    { sections: [{ ...quiz, questionCount: QUESTIONS, minutes: 480 }] },
    meta('127.0.0.1'),
  );
  await openAssessment(ctx, org.actor, a.id, meta('127.0.0.1'));
  return a.id;
}

/**
 * Invites `n` new candidates (through the invitations service, in batches of 500) and returns their
 * link tokens with a stable client address each. The invitation emails count as sent: they went
 * out days before the exam, so their jobs must not compete with the benchmark.
 */
export async function inviteCohort(
  ctx: Ctx,
  org: BenchOrg,
  assessmentId: string,
  label: string,
  n: number,
  ipBase: number,
): Promise<BenchCandidate[]> {
  const assessment = await findAssessmentOfOrg(ctx.db, org.orgId, assessmentId);
  if (!assessment) throw new Error('no assessment');
  const out: BenchCandidate[] = [];
  for (let i = 0; i < n; i += 500) {
    const rows = Array.from({ length: Math.min(500, n - i) }, (_, j) => ({
      email: `${label}-${i + j}@candidates.bench`,
      name: `${label} candidate ${i + j}`,
      extraTime: 1,
    }));
    const results = await ctx.db.transaction().execute(async (trx) => {
      const target = await targetFor(ctx, trx, assessment, 'csv');
      return inviteRows(ctx, trx, target, rows);
    });
    for (const r of results) {
      if (!r.token) throw new Error(`invitation for ${r.email} was not created`);
      out.push({ token: r.token, ip: ipOf(ipBase + out.length) });
    }
  }
  const now = ctx.clock.now();
  await ctx.db
    .updateTable('jobs')
    .set({ state: 'succeeded', updated_at: now })
    .where('name', '=', 'mail.send')
    .where('state', '=', 'queued')
    .execute();
  await ctx.db
    .updateTable('emails')
    .set({ status: 'sent', sent_at: now })
    .where('status', '=', 'queued')
    .execute();
  return out;
}

export type StartedCandidate = BenchCandidate & {
  attemptId: string;
  sessionId: string;
  sectionIndex: number;
};

/** Starts each candidate's attempt through the attempts service, as POST /take/start would. */
export async function startCohort(ctx: Ctx, cands: BenchCandidate[], concurrency = 1) {
  const started: StartedCandidate[] = new Array(cands.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < cands.length; i = next++) {
      const c = cands[i] as BenchCandidate;
      const s = await startAttempt(ctx, c.token as string, meta(c.ip));
      started[i] = { ...c, cookie: s.token, attemptId: s.attemptId, sessionId: '', sectionIndex: 0 };
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return withPlans(ctx, started);
}

/** Fills in the questions of each attempt (from its frozen plan) and the session that may write. */
export async function withPlans<T extends BenchCandidate & { attemptId: string }>(
  ctx: Ctx,
  cands: T[],
): Promise<Array<T & { sessionId: string; sectionIndex: number }>> {
  const byId = new Map<string, { plan: string; session_id: string | null }>();
  for (let i = 0; i < cands.length; i += 500) {
    const ids = cands.slice(i, i + 500).map((c) => c.attemptId);
    const rows = await ctx.db
      .selectFrom('attempts')
      .select(['id', 'plan', 'session_id'])
      .where('id', 'in', ids)
      .execute();
    for (const r of rows) byId.set(r.id, r);
  }
  return cands.map((c) => {
    const row = byId.get(c.attemptId);
    if (!row) throw new Error(`attempt ${c.attemptId} is missing`);
    const plan = parsePlan(row.plan);
    const sectionIndex = plan.sections.findIndex((s) => s.kind === 'quiz');
    const quiz = plan.sections[sectionIndex];
    if (quiz?.kind !== 'quiz') throw new Error('no quiz section in the plan');
    return {
      ...c,
      sessionId: row.session_id ?? '',
      sectionIndex,
      items: quiz.items.map((it) => ({ key: it.key, kind: it.kind, options: it.optionOrder })),
    };
  });
}

/** Attempt ids of candidates who started over HTTP, from their cookies (sessions are stored hashed). */
export async function attemptsOfCookies(ctx: Ctx, cookies: string[]): Promise<string[]> {
  const hashes = cookies.map((c) => hashToken(c));
  const found = new Map<string, string>();
  for (let i = 0; i < hashes.length; i += 500) {
    const rows = await ctx.db
      .selectFrom('candidate_sessions')
      .select(['token_hash', 'attempt_id'])
      .where('token_hash', 'in', hashes.slice(i, i + 500))
      .execute();
    for (const r of rows) found.set(r.token_hash, r.attempt_id);
  }
  return hashes.map((h) => found.get(h) ?? '');
}

/** Attempt ids of invitations, from the link tokens. */
export async function attemptsOfTokens(ctx: Ctx, tokens: string[]): Promise<Array<string | undefined>> {
  const hashes = tokens.map((t) => hashToken(t));
  const found = new Map<string, string>();
  for (let i = 0; i < hashes.length; i += 500) {
    const rows = await ctx.db
      .selectFrom('invitations as i')
      .innerJoin('attempts as a', 'a.invitation_id', 'i.id')
      .select(['i.token_hash', 'a.id'])
      .where('i.token_hash', 'in', hashes.slice(i, i + 500))
      .execute();
    for (const r of rows) found.set(r.token_hash, r.id);
  }
  return hashes.map((h) => found.get(h));
}

/**
 * A graded cohort for the recruiter's pipeline: each candidate starts, submits a full set of
 * answers (chosen at random, so scores spread) and is graded by the real job, then some move on
 * through the stages. Through the services, so everything the pipeline reads is as in production.
 */
export async function seedGradedCohort(
  ctx: Ctx,
  org: BenchOrg,
  assessmentId: string,
  n: number,
  concurrency: number,
  progress?: (done: number) => void,
): Promise<void> {
  const cands = await inviteCohort(ctx, org, assessmentId, 'pipeline', n, 900_000);
  let next = 0;
  let done = 0;
  const runner = new JobRunner(ctx, jobRegistry, { workerId: 'bench-seed' });
  const worker = async () => {
    for (let i = next++; i < cands.length; i = next++) {
      const c = cands[i] as BenchCandidate;
      const s = await startAttempt(ctx, c.token as string, meta(c.ip));
      const [planned] = await withPlans(ctx, [{ ...c, attemptId: s.attemptId }]);
      if (!planned) throw new Error('no plan');
      const actor = {
        kind: 'candidate' as const,
        attemptId: s.attemptId,
        orgId: org.orgId,
        sessionId: planned.sessionId,
      };
      const answers = (planned.items ?? []).map((it, j) => ({
        itemKey: it.key,
        // Random choices: a spread of scores around what guessing plus some knowledge gives.
        choice: [it.options[Math.random() < 0.55 ? 0 : (j + i) % it.options.length] as string],
        seq: 1,
      }));
      await submitAttempt(ctx, actor, answers);
      done++;
      if (done % 1000 === 0) {
        await runner.drain(100_000);
        progress?.(done);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  await runner.drain(100_000);
  // Move some of the cohort along the pipeline, as recruiters would have.
  const stages = ['shortlisted', 'interview', 'rejected'] as const;
  for (const [i, stage] of stages.entries()) {
    await sql`update invitations set stage = ${stage}
      where assessment_id = ${assessmentId} and id in (
        select id from invitations where assessment_id = ${assessmentId} order by id limit ${Math.floor(n / 10)} offset ${i * Math.floor(n / 10)})`.execute(
      ctx.db,
    );
  }
}
