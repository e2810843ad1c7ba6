// Shared steps for the results and reviews tests: an organization with a member of each role, an
// open assessment with a quiz section (four single-choice questions, key 'a') and an upload section,
// and candidates who take it through the real candidate routes.
import type { StaffActor } from '../../http/access.js';
import { orgWithTeam } from '../../test/factories.js';
import { type Agent, nextIp, type TestApp } from '../../test/harness.js';
import type { AssessmentSettings } from '../assessments/assessment.model.js';
import {
  asCandidate,
  createTestAssessment,
  createTestInvitation,
  createTestQuestion,
  createTestUploadTask,
  json,
  quizSection,
  startBrowser,
  type TestOrg,
  uploadSection,
} from '../attempts/attempts.factories.js';

export type Scenario = Awaited<ReturnType<typeof resultsScenario>>;

export async function resultsScenario(
  t: TestApp,
  opts: { reviewersRequired?: number; settings?: Partial<AssessmentSettings>; upload?: boolean } = {},
) {
  const team = await orgWithTeam(t.app, t.ctx);
  const actor: StaffActor = {
    kind: 'staff',
    userId: team.userId,
    orgId: team.orgId,
    role: 'owner',
    via: 'session',
    sessionId: null,
    apiKeyId: null,
    mustChangePassword: false,
  };
  const org: TestOrg = { orgId: team.orgId, userId: team.userId, email: team.email, actor };
  for (let i = 0; i < 4; i++) await createTestQuestion(t.ctx, org);
  const task = await createTestUploadTask(t.ctx, org);
  const sections = [quizSection('q', 4, { shuffleOptions: false })];
  if (opts.upload !== false)
    sections.push(uploadSection('work', task.id, { reviewersRequired: opts.reviewersRequired ?? 1 }));
  const assessmentId = await createTestAssessment(t.ctx, org, sections, opts.settings);
  return { ...team, org, taskId: task.id, assessmentId };
}

/** Invites a candidate with a recognisable identity. */
export async function inviteCandidate(
  t: TestApp,
  s: Pick<Scenario, 'orgId' | 'assessmentId'>,
  who: { name: string; email?: string; externalId?: string | null },
) {
  const inv = await createTestInvitation(t.ctx, { orgId: s.orgId }, s.assessmentId, { email: who.email });
  await t.ctx.db
    .updateTable('candidates')
    .set({ name: who.name, external_id: who.externalId ?? null })
    .where('id', '=', inv.candidateId)
    .execute();
  return inv;
}

/**
 * Takes the assessment through the candidate routes: `correct` of the four questions right, a file
 * uploaded when there is an upload section, then submitted. Jobs are not run.
 */
export async function takeAssessment(
  t: TestApp,
  token: string,
  opts: { correct: number; fileName?: string; fileBody?: string; upload?: boolean },
) {
  const c = asCandidate(t, await startBrowser(t, token));
  const state = await c.state();
  const items = state.current.items as Array<{ key: string }>;
  for (const [i, item] of items.entries()) {
    json(await c.answer(item.key, [i < opts.correct ? 'a' : 'b'], 1));
  }
  if (opts.upload !== false) {
    json(await c.post('/api/v1/take/sections/q/submit', {}));
    json(await c.upload('work', opts.fileName ?? 'my-work.sql', opts.fileBody ?? 'select 1;\n'), 201);
  }
  json(await c.post('/api/v1/take/submit', {}));
  return c;
}

export async function attemptOf(t: TestApp, invitationId: string) {
  return t.ctx.db
    .selectFrom('attempts')
    .selectAll()
    .where('invitation_id', '=', invitationId)
    .executeTakeFirstOrThrow();
}

export function call(t: TestApp, agent: Agent) {
  const go = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
    t.app.inject({
      method,
      url,
      headers: agent.headers,
      remoteAddress: nextIp(),
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  return {
    get: (url: string) => go('GET', url),
    post: (url: string, payload?: unknown) => go('POST', url, payload),
    patch: (url: string, payload?: unknown) => go('PATCH', url, payload),
    delete: (url: string) => go('DELETE', url),
  };
}
