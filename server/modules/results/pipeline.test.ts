import { CompiledQuery } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken, randomToken } from '../../crypto.js';
import { newId } from '../../ids.js';
import { createTestApp, dialects, nextIp, type TestApp } from '../../test/harness.js';
import {
  createTestAssessment,
  createTestInvitation,
  createTestOrg,
  json,
  quizSection,
  startBrowser,
} from '../attempts/attempts.factories.js';
import { type PipelineFilter, type PipelineSortKey, pipelineQuery } from './pipeline.repository.js';
import { attemptOf, call, inviteCandidate, resultsScenario, takeAssessment } from './test-scenario.js';

type Row = Record<string, unknown>;

describe.each(dialects)('pipeline (%s)', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(() => t.close());

  describe('at 10,000 candidates', () => {
    const N = 10_000;
    let orgId: string;
    let assessmentId: string;
    const expected: Array<{ id: string; score: number; name: string }> = [];

    beforeAll(async () => {
      const org = await createTestOrg(t.ctx);
      orgId = org.orgId;
      assessmentId = await createTestAssessment(t.ctx, org, [quizSection('q', 4)]);
      // A second assessment in the same organization, so per-assessment filters have work to do.
      const other = await createTestAssessment(t.ctx, org, [quizSection('q', 4)]);
      const now = t.clock.now();
      const candidates: Row[] = [];
      const invitations: Row[] = [];
      const attempts: Row[] = [];
      for (let i = 0; i < N; i++) {
        const candidateId = newId(now);
        const invitationId = newId(now);
        const name = `Candidate ${String((i * 7919) % N).padStart(5, '0')}`;
        candidates.push({
          id: candidateId,
          org_id: orgId,
          email: `c${i}@example.com`,
          name,
          external_id: null,
          is_demo: 0,
          erased_at: null,
          created_at: now,
          updated_at: now,
        });
        invitations.push({
          id: invitationId,
          org_id: orgId,
          assessment_id: i % 10 === 9 ? other : assessmentId,
          candidate_id: candidateId,
          token_hash: hashToken(randomToken(16)),
          source: 'csv',
          status: i % 3 === 0 ? 'invited' : 'completed',
          stage: 'new',
          extra_time: 1,
          reminders_sent: 0,
          created_at: now,
          sent_at: now,
          opened_at: null,
          started_at: null,
          completed_at: null,
          revoked_at: null,
          expires_at: now + 14 * 86_400_000,
          updated_at: now,
        });
        if (i % 3 !== 0) {
          const score = ((i * 37) % 1000) / 1000;
          attempts.push({
            id: newId(now),
            org_id: orgId,
            assessment_id: i % 10 === 9 ? other : assessmentId,
            invitation_id: invitationId,
            candidate_id: candidateId,
            is_preview: 0,
            is_demo: 0,
            status: 'graded',
            plan: '{"sections":[],"times":[]}',
            current_section: 0,
            section_deadline_at: null,
            close_at: now,
            session_id: null,
            extra_time: 1,
            started_at: now - 3_600_000,
            submitted_at: now - (i % 500) * 1000,
            graded_at: now,
            score,
            scores: JSON.stringify({ bySubtopic: { databases: score } }),
            percentile: (score * 100) / 1,
            integrity_tier: 'none',
            updated_at: now,
          });
          if (i % 10 !== 9) expected.push({ id: invitationId, score, name: name.toLowerCase() });
        }
      }
      const insert = async (table: 'candidates' | 'invitations' | 'attempts', rows: Row[]) => {
        for (let i = 0; i < rows.length; i += 500) {
          // biome-ignore lint/suspicious/noExplicitAny: generic seeding of three tables
          const chunk = rows.slice(i, i + 500) as any;
          await t.ctx.db.insertInto(table).values(chunk).execute();
        }
      };
      await insert('candidates', candidates);
      await insert('invitations', invitations);
      await insert('attempts', attempts);
      await t.ctx.db.executeQuery(CompiledQuery.raw('analyze'));
    }, 120_000);

    const filterFor = (sort: PipelineSortKey, extra: Partial<PipelineFilter> = {}): PipelineFilter => ({
      orgId,
      assessmentId,
      sort,
      order: sort === 'name' ? 'asc' : 'desc',
      limit: 50,
      now: t.clock.now(),
      ...extra,
    });

    async function planOf(f: PipelineFilter): Promise<string> {
      const c = pipelineQuery(t.ctx.db, t.ctx.dialect, f).compile();
      const prefix = dialect === 'sqlite' ? 'explain query plan ' : 'explain ';
      const res = await t.ctx.db.executeQuery(CompiledQuery.raw(prefix + c.sql, [...c.parameters]));
      return (res.rows as Row[])
        .map((r) => String(r.detail ?? r['QUERY PLAN'] ?? JSON.stringify(r)))
        .join('\n');
    }

    const sorts: PipelineSortKey[] = ['newest', 'score', 'percentile', 'submitted', 'name'];
    const variants = sorts.flatMap((sort) => [
      { label: `${sort}, one assessment`, sort, across: false, f: () => filterFor(sort) },
      {
        label: `${sort}, across assessments`,
        sort,
        across: true,
        f: () => filterFor(sort, { assessmentId: undefined }),
      },
      {
        label: `${sort}, one assessment, reversed, next page`,
        sort,
        across: false,
        f: () =>
          filterFor(sort, {
            order: sort === 'name' ? 'desc' : 'asc',
            after: {
              value:
                sort === 'name'
                  ? 'candidate 05000'
                  : sort === 'newest'
                    ? null
                    : sort === 'submitted'
                      ? t.clock.now() - 250_000
                      : 0.5,
              id: expected[0]!.id,
            },
          }),
      },
      {
        label: `${sort}, one assessment, filtered by status`,
        sort,
        across: false,
        f: () => filterFor(sort, { statuses: ['graded', 'invited'] }),
      },
    ]);

    it.each(variants)(
      'reads the $label sort through an index, without sorting',
      async ({ f, sort, across }) => {
        const plan = await planOf(f());
        if (dialect === 'sqlite') {
          // The sort's own index (newest: the id order of the assessment's or the organization's index).
          const index =
            sort === 'newest'
              ? across
                ? 'invitations_org_pipeline_idx'
                : 'invitations_assessment_idx'
              : `invitations_${across ? 'org_' : ''}pipeline_${sort}_idx`;
          expect(plan).toMatch(new RegExp(`(SEARCH|SCAN) i USING (COVERING )?INDEX ${index}\\b`));
          expect(plan).toContain('USING INDEX');
          expect(plan).not.toContain('USE TEMP B-TREE FOR ORDER BY');
        } else {
          expect(plan).toMatch(/Index (Only )?Scan( Backward)? using invitations_(\w+) on invitations i/);
          expect(plan).not.toMatch(/Sort Key/);
        }
      },
    );

    it('returns the top of the ranking and pages through it with a keyset cursor', async () => {
      const t0 = call(t, await ownerAgent(t, orgId));
      const byScore = [...expected].sort((a, b) => b.score - a.score || (a.id < b.id ? 1 : -1));
      const seen: string[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < 3; page++) {
        const res: { items: Array<{ invitationId: string; score: number }>; nextCursor: string | null } =
          json(
            await t0.get(
              `/api/v1/assessments/${assessmentId}/pipeline?sort=score&limit=100${cursor ? `&cursor=${cursor}` : ''}`,
            ),
          );
        seen.push(...res.items.map((r) => r.invitationId));
        cursor = res.nextCursor;
      }
      expect(seen).toEqual(byScore.slice(0, 300).map((r) => r.id));
      const byName = json(
        await t0.get(`/api/v1/assessments/${assessmentId}/pipeline?sort=name&limit=5&status=graded`),
      );
      expect(byName.items.map((r: { invitationId: string }) => r.invitationId)).toEqual(
        [...expected]
          .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : 1))
          .slice(0, 5)
          .map((r) => r.id),
      );
    });
  });

  describe('rows, statuses, filters and sorts', () => {
    it('derives each status from the invitation and its attempt', async () => {
      const s = await resultsScenario(t);
      const owner = call(t, s.agents.owner);
      const invited = await inviteCandidate(t, s, { name: 'Ivy Invited' });
      const opened = await inviteCandidate(t, s, { name: 'Otto Opened' });
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/take/opened',
        payload: { token: opened.token },
        remoteAddress: nextIp(),
      });
      const expiring = await createTestInvitation(t.ctx, { orgId: s.orgId }, s.assessmentId, {
        expiresInMs: 1000,
      });
      const revoked = await inviteCandidate(t, s, { name: 'Rex Revoked' });
      json(await owner.post(`/api/v1/invitations/${revoked.invitationId}/revoke`));
      const started = await inviteCandidate(t, s, { name: 'Ines InProgress' });
      await startBrowser(t, started.token);
      const reviewing = await inviteCandidate(t, s, { name: 'Ada Awaiting' });
      await takeAssessment(t, reviewing.token, { correct: 2 });
      await t.runJobs();
      const done = await inviteCandidate(t, s, { name: 'Gus Graded', externalId: 'ATS-77' });
      await takeAssessment(t, done.token, { correct: 4 });
      await t.runJobs();
      const item = await t.ctx.db
        .selectFrom('review_items')
        .select('id')
        .where('attempt_id', '=', (await attemptOf(t, done.invitationId)).id)
        .executeTakeFirstOrThrow();
      json(
        await call(t, s.agents.reviewer).post(`/api/v1/reviews/items/${item.id}/review`, {
          scores: { model: 2, keys: 2, indexes: 2 },
        }),
        201,
      );
      const submitted = await inviteCandidate(t, s, { name: 'Cleo Completed' });
      await takeAssessment(t, submitted.token, { correct: 1 });
      // Not graded yet: the grading job has not run.
      t.clock.advance(5000);

      const rows = json(await owner.get(`/api/v1/assessments/${s.assessmentId}/pipeline?limit=200`))
        .items as Array<{
        invitationId: string;
        status: string;
        score: number | null;
        candidate: { externalId: string | null };
        bySubtopic: Record<string, number>;
        timeTakenMs: number | null;
        integrityTier: string | null;
      }>;
      const statusOf = (id: string) => rows.find((r) => r.invitationId === id)?.status;
      expect(statusOf(invited.invitationId)).toBe('invited');
      expect(statusOf(opened.invitationId)).toBe('opened');
      expect(statusOf(expiring.invitationId)).toBe('expired');
      expect(statusOf(revoked.invitationId)).toBe('revoked');
      expect(statusOf(started.invitationId)).toBe('in_progress');
      expect(statusOf(submitted.invitationId)).toBe('completed');
      expect(statusOf(reviewing.invitationId)).toBe('awaiting_review');
      expect(statusOf(done.invitationId)).toBe('graded');
      const graded = rows.find((r) => r.invitationId === done.invitationId)!;
      expect(graded.score).toBeCloseTo(1, 10);
      expect(graded.bySubtopic).toEqual({ databases: 1 });
      expect(graded.candidate.externalId).toBe('ATS-77');
      expect(graded.integrityTier).toBe('none');
      expect(graded.timeTakenMs).toBeGreaterThanOrEqual(0);

      // Filters: status, score range, search, stage, integrity tier.
      const get = async (q: string) =>
        (
          json(await owner.get(`/api/v1/assessments/${s.assessmentId}/pipeline?${q}`)).items as Array<{
            invitationId: string;
          }>
        ).map((r) => r.invitationId);
      expect(await get('status=graded,awaiting_review&sort=score')).toEqual([
        done.invitationId,
        reviewing.invitationId,
      ]);
      expect(await get('minScore=0.9')).toEqual([done.invitationId]);
      expect(await get('maxScore=0.6')).toEqual([reviewing.invitationId]);
      expect(await get('q=ats-77')).toEqual([done.invitationId]);
      expect(await get('q=REX')).toEqual([revoked.invitationId]);
      expect(await get('q=%25')).toEqual([]);
      json(await owner.post(`/api/v1/invitations/${reviewing.invitationId}/stage`, { stage: 'shortlisted' }));
      expect(await get('stage=shortlisted')).toEqual([reviewing.invitationId]);
      expect(await get('integrityTier=major')).toEqual([]);
      expect((await owner.get(`/api/v1/assessments/${s.assessmentId}/pipeline?status=nope`)).statusCode).toBe(
        400,
      );
      expect(
        (await owner.get(`/api/v1/assessments/${s.assessmentId}/pipeline?cursor=garbage`)).statusCode,
      ).toBe(400);
      const wrongType = Buffer.from(JSON.stringify([0.5, 'x'])).toString('base64url');
      expect(
        (await owner.get(`/api/v1/assessments/${s.assessmentId}/pipeline?sort=submitted&cursor=${wrongType}`))
          .statusCode,
      ).toBe(400);

      // Sorts: by name (renaming the candidate moves the row), by a subtopic score, by submission.
      await t.ctx.db
        .updateTable('candidates')
        .set({ name: 'Aaron Renamed' })
        .where('id', '=', submitted.candidateId)
        .execute();
      expect((await get('sort=name&limit=1'))[0]).toBe(submitted.invitationId);
      expect(await get('sort=subtopic:databases&status=graded,awaiting_review')).toEqual([
        done.invitationId,
        reviewing.invitationId,
      ]);
      expect((await get('sort=submitted&limit=3')).slice(0, 3)).toEqual([
        submitted.invitationId,
        done.invitationId,
        reviewing.invitationId,
      ]);
      // Across assessments, the same rows (and nothing of other organizations).
      const across = json(await owner.get('/api/v1/pipeline?limit=200')).items as Array<{
        assessment: { id: string };
      }>;
      expect(across).toHaveLength(rows.length);
      expect(new Set(across.map((r) => r.assessment.id))).toEqual(new Set([s.assessmentId]));
      // Another organization's assessment is a 404.
      const other = await resultsScenario(t);
      expect((await owner.get(`/api/v1/assessments/${other.assessmentId}/pipeline`)).statusCode).toBe(404);
    });

    it('pages a filtered sort to the end without repeats or gaps, ties broken by id', async () => {
      const s = await resultsScenario(t, { upload: false });
      const owner = call(t, s.agents.owner);
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) {
        const inv = await inviteCandidate(t, s, { name: `Tie ${i}` });
        await takeAssessment(t, inv.token, { correct: i % 2 ? 2 : 3, upload: false });
        ids.push(inv.invitationId);
      }
      await t.runJobs();
      // The percentile refresh runs at the end of the minute.
      t.clock.advance(61_000);
      await t.runJobs();
      const threes = ids
        .filter((_, i) => i % 2 === 0)
        .sort()
        .reverse();
      const twos = ids
        .filter((_, i) => i % 2 === 1)
        .sort()
        .reverse();
      for (const sort of ['score', 'subtopic:databases', 'percentile']) {
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const page: { items: Array<{ invitationId: string }>; nextCursor: string | null } = json(
            await owner.get(
              `/api/v1/assessments/${s.assessmentId}/pipeline?sort=${sort}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
            ),
          );
          seen.push(...page.items.map((r) => r.invitationId));
          cursor = page.nextCursor;
        } while (cursor);
        expect(seen, sort).toEqual([...threes, ...twos]);
      }
    });
  });
});

async function ownerAgent(t: TestApp, orgId: string) {
  const { signInAgent } = await import('../../test/harness.js');
  const { PASSWORD } = await import('../../test/factories.js');
  const owner = await t.ctx.db
    .selectFrom('memberships as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select('u.email')
    .where('m.org_id', '=', orgId)
    .where('m.role', '=', 'owner')
    .executeTakeFirstOrThrow();
  return signInAgent(t.app, owner.email, PASSWORD);
}
