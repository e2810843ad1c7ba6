// From finished tests to a decision. A recruiter sets things up through the API (sign up, a short
// assessment with a quiz and an upload task, two candidates, a reviewer invited to the team); both
// candidates take the test through the candidate API, each with a cookie jar of their own, one
// answering every question right and one every question wrong. In the browser: the reviewer joins,
// lands on the review queue and grades both submissions blind (no candidate name or email anywhere on
// those pages), then the recruiter sorts the pipeline by score, compares the two, shortlists one and
// exports the CSV. axe checks the pipeline, the report, the comparison and the review pages.
import fs from 'node:fs';
import { AxeBuilder } from '@axe-core/playwright';
import { type APIRequestContext, expect, type Page, request, test } from '@playwright/test';

const run = Date.now().toString(36);
const PASSWORD = 'juniper-ferry-almanac-58';

async function expectAccessible(page: Page, what: string) {
  const { violations } = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
    .analyze();
  const serious = violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(serious, `serious or critical accessibility problems on the ${what}`).toEqual([]);
}

type Section = Record<string, unknown> & { key: string; kind: 'quiz' | 'upload' };
type Assessment = { id: string; revision: number; sections: Section[]; settings: Record<string, unknown> };
type OutboxItem = { id: string; kind: string; to: string; subject: string };
type PipelineRow = {
  invitationId: string;
  attemptId: string | null;
  candidate: { name: string; email: string };
};
type StaffItem = { key: string; options: Array<{ id: string }>; correct: string[] };
type StaffAttempt = { sections: Array<{ key: string; kind: string; items?: StaffItem[] }> };

/** The recruiter (an owner), through the API with the page's own cookies. */
class Staff {
  private csrf = '';
  constructor(private readonly api: APIRequestContext) {}

  async call<T>(method: 'GET' | 'POST' | 'PATCH', url: string, data?: unknown): Promise<T> {
    const res = await this.api.fetch(url, {
      method,
      headers: method === 'GET' ? {} : { 'x-csrf-token': this.csrf },
      ...(data === undefined ? {} : { data }),
    });
    expect(res.ok(), `${method} ${url}: ${res.status()} ${await res.text()}`).toBe(true);
    return (await res.json()) as T;
  }

  async signUp(email: string, organizationName: string): Promise<void> {
    const session = await this.call<{ csrfToken: string }>('POST', '/api/v1/auth/sign-up', {
      name: 'Rita Recruiter',
      email,
      password: PASSWORD,
      organizationName,
    });
    this.csrf = session.csrfToken;
  }

  async waitForEmail(to: string, subject: RegExp): Promise<OutboxItem> {
    let found: OutboxItem | undefined;
    await expect
      .poll(
        async () => {
          const box = await this.call<{ items: OutboxItem[] }>('GET', '/api/v1/outbox');
          found = box.items.find((m) => m.to === to && subject.test(m.subject));
          return found !== undefined;
        },
        { message: `an email to ${to} with subject ${subject}`, timeout: 30_000 },
      )
      .toBe(true);
    return found as OutboxItem;
  }

  async linkIn(email: OutboxItem, pattern: RegExp): Promise<string> {
    const detail = await this.call<{ text: string | null }>('GET', `/api/v1/outbox/${email.id}`);
    const match = pattern.exec(detail.text ?? '');
    expect(match, `the email “${email.subject}” holds a link`).not.toBeNull();
    return match?.[0] ?? '';
  }

  async pipelineRow(assessmentId: string, email: string): Promise<PipelineRow> {
    const page = await this.call<{ items: PipelineRow[] }>(
      'GET',
      `/api/v1/assessments/${assessmentId}/pipeline?q=${encodeURIComponent(email)}`,
    );
    const row = page.items.find((r) => r.candidate.email === email);
    expect(row, `${email} is in the pipeline`).toBeTruthy();
    return row as PipelineRow;
  }
}

/** A small hand-in for each kind of file an upload task may take: a good one and a thin one. */
const sampleFiles: Record<string, (good: boolean) => string> = {
  '.md': (good) =>
    good
      ? '# Webhook receiver\n\nVerify the signature, store the event, then acknowledge.\n'
      : '# Notes\n\nTODO\n',
  '.txt': (good) => (good ? 'Verify the signature, store the event, then acknowledge.\n' : 'TODO\n'),
  '.yaml': (good) =>
    good
      ? 'openapi: 3.1.0\ninfo:\n  title: Tool lending\n  version: 1.0.0\npaths:\n  /tools:\n    get:\n      responses:\n        "200":\n          description: The tools\n'
      : 'openapi: 3.1.0\n',
  '.json': (good) =>
    JSON.stringify(
      good ? { openapi: '3.1.0', info: { title: 'Tool lending', version: '1.0.0' }, paths: {} } : {},
    ),
};

/** A candidate's browser-less session: the candidate API with a cookie jar of its own. */
async function takeTest(
  staff: Staff,
  assessmentId: string,
  candidate: { email: string; token: string; right: boolean; file: string; name: string },
): Promise<void> {
  const api = await request.newContext({ baseURL: test.info().project.use.baseURL });
  const headers = { 'x-assay-candidate': '1' };
  const call = async <T>(method: 'GET' | 'POST' | 'PUT', url: string, data?: unknown): Promise<T> => {
    const res = await api.fetch(url, { method, headers, ...(data === undefined ? {} : { data }) });
    expect(res.ok(), `${method} ${url}: ${res.status()} ${await res.text()}`).toBe(true);
    return (await res.json()) as T;
  };
  type State = {
    phase: 'section' | 'between-sections' | 'finished';
    sections: Array<{ key: string; state: string }>;
    current: { kind: 'quiz' | 'upload'; key: string; items?: Array<{ key: string }> } | null;
  };
  try {
    await call('POST', '/api/v1/take/start', { token: candidate.token });
    // The answer key, read by the recruiter: this candidate chooses the right or a wrong option.
    const { attemptId } = await staff.pipelineRow(assessmentId, candidate.email);
    const keyed = await staff.call<StaffAttempt>('GET', `/api/v1/attempts/${attemptId}`);
    const keyOf = new Map(keyed.sections.flatMap((s) => s.items ?? []).map((i) => [i.key, i]));

    for (let guard = 0; guard < 6; guard++) {
      const state = await call<State>('GET', '/api/v1/take/attempt');
      if (state.phase === 'finished') break;
      if (state.phase === 'between-sections' || !state.current) {
        const next = state.sections.find((s) => s.state === 'ready');
        expect(next, 'a section is ready to start').toBeTruthy();
        await call('POST', `/api/v1/take/sections/${next?.key}/start`);
        continue;
      }
      const { current } = state;
      if (current.kind === 'quiz') {
        const answers = (current.items ?? []).map((item, i) => {
          const k = keyOf.get(item.key);
          const wrong = k?.options.find((o) => !k.correct.includes(o.id));
          const choice = candidate.right ? (k?.correct ?? []) : wrong ? [wrong.id] : [];
          return { itemKey: item.key, choice, seq: i + 1 };
        });
        await call('PUT', '/api/v1/take/answers', { answers });
        await call('POST', `/api/v1/take/sections/${current.key}/submit`, { answers: [] });
      } else {
        const res = await api.post(`/api/v1/take/uploads/${current.key}`, {
          headers,
          multipart: {
            file: { name: candidate.name, mimeType: 'text/plain', buffer: Buffer.from(candidate.file) },
          },
        });
        expect(res.status(), await res.text()).toBe(201);
        await call('POST', '/api/v1/take/submit', {});
        break;
      }
    }
  } finally {
    await api.dispose();
  }
}

/** Rows of the pipeline table as candidate names, top to bottom. */
async function namesInOrder(page: Page): Promise<string[]> {
  const table = page.getByRole('table', { name: 'Candidates' });
  return (await table.locator('tbody tr td:nth-child(2) a').allTextContents()).map((t) => t.trim());
}

/** A small RFC 4180 reader: enough for quoted cells with commas and doubled quotes. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows.filter((r) => r.some((c) => c !== ''));
}

test('two candidates finish, a reviewer grades them blind, the recruiter compares, shortlists and exports', async ({
  page,
  browser,
}) => {
  test.setTimeout(240_000);
  const staff = new Staff(page.request);
  const strong = { name: 'Ada Strong', email: `ada-${run}@example.test` };
  const weak = { name: 'Bo Weak', email: `bo-${run}@example.test` };
  const reviewer = { name: 'Remy Reviewer', email: `remy-${run}@example.test` };
  const organization = `Results ${run}`;
  let assessmentId = '';
  let joinPath = '';
  const tokens: Record<string, string> = {};
  let accepted = '';

  await test.step('the recruiter opens an assessment with a quiz and an upload task and invites two', async () => {
    await staff.signUp(`results-${run}@example.test`, organization);
    const created = await staff.call<Assessment>('POST', '/api/v1/assessments', {
      roleTemplateId: 'backend-engineer',
    });
    assessmentId = created.id;
    const quiz = created.sections.find((s) => s.kind === 'quiz');
    const upload = created.sections.find((s) => s.kind === 'upload');
    if (!quiz || !upload) throw new Error('the template has no quiz or no upload section');
    accepted = (upload.accept as string[]).find((ext) => ext in sampleFiles) ?? '';
    if (!accepted) throw new Error(`no sample file for an upload that takes ${String(upload.accept)}`);
    await staff.call('PATCH', `/api/v1/assessments/${assessmentId}`, {
      sections: [
        { ...quiz, questionCount: 4, minutes: 10 },
        { ...upload, minutes: 10 },
      ],
      settings: { ...created.settings, feedbackPolicy: 'overall' },
      revision: created.revision,
    });
    await staff.call('POST', `/api/v1/assessments/${assessmentId}/open`);
    for (const c of [strong, weak]) {
      await staff.call('POST', `/api/v1/assessments/${assessmentId}/invitations`, c);
      const mail = await staff.waitForEmail(c.email, /invites you/);
      tokens[c.email] = (await staff.linkIn(mail, /\/i\/[A-Za-z0-9_-]+/)).slice(3);
    }
  });

  await test.step('a reviewer is invited to the team', async () => {
    await staff.call('POST', '/api/v1/team/invitations', { email: reviewer.email, role: 'reviewer' });
    const mail = await staff.waitForEmail(reviewer.email, /invited to join/);
    joinPath = await staff.linkIn(mail, /\/join\/[A-Za-z0-9_-]+/);
  });

  await test.step('both candidates take the test and hand in a design note', async () => {
    // Ada finishes first, so her submission is the oldest in the review queue.
    await takeTest(staff, assessmentId, {
      email: strong.email,
      token: tokens[strong.email] ?? '',
      right: true,
      file: sampleFiles[accepted]?.(true) ?? '',
      name: `design${accepted}`,
    });
    await takeTest(staff, assessmentId, {
      email: weak.email,
      token: tokens[weak.email] ?? '',
      right: false,
      file: sampleFiles[accepted]?.(false) ?? '',
      name: `design${accepted}`,
    });
  });

  const reviewerContext = await browser.newContext({ baseURL: test.info().project.use.baseURL });
  const rp = await reviewerContext.newPage();
  try {
    await test.step('the reviewer joins and lands on the review queue', async () => {
      await rp.goto(joinPath);
      await rp.getByRole('textbox', { name: 'Your name' }).fill(reviewer.name);
      await rp.getByRole('textbox', { name: 'Password', exact: true }).fill(PASSWORD);
      await rp.getByRole('button', { name: 'Create account and join' }).click();
      await expect(rp).toHaveURL(/\/reviews$/);
      await expect(rp.getByRole('heading', { name: 'Reviews', level: 1 })).toBeVisible();
      const nav = rp.getByRole('navigation', { name: 'Main' });
      await expect(nav.getByRole('link', { name: 'Reviews' })).toBeVisible();
      await expect(nav.getByRole('link', { name: 'Assessments' })).toHaveCount(0);
      // The review items are made by a job after submission: wait for both.
      await expect(async () => {
        await rp.reload();
        await expect(rp.getByRole('article')).toHaveCount(2, { timeout: 1000 });
      }).toPass({ timeout: 30_000 });
    });

    const blind = async (what: string) => {
      const text = ((await rp.locator('body').textContent()) ?? '').toLowerCase();
      for (const secret of [strong.name, weak.name, strong.email, weak.email, `design${accepted}`]) {
        expect(text, `the ${what} never shows “${secret}”`).not.toContain(secret.toLowerCase());
      }
    };

    await test.step('the queue is blind and accessible', async () => {
      await expect(rp.getByRole('article').first()).toContainText('Submitted');
      await expect(rp.getByRole('article').first()).toContainText('0 of 1 review done');
      await blind('review queue');
      await rp.screenshot({ path: '/tmp/results-review-queue.png', fullPage: true });
      await expectAccessible(rp, 'review queue');
    });

    /** Scores every criterion at its best (or worst) level, comments, submits. */
    const grade = async (best: boolean, comment: string) => {
      const rubric = rp.getByRole('region', { name: 'Rubric' });
      await expect(rubric).toBeVisible();
      const groups = rubric.getByRole('radiogroup');
      const count = await groups.count();
      expect(count).toBeGreaterThan(0);
      for (let i = 0; i < count; i++) {
        const radios = groups.nth(i).getByRole('radio');
        await (best ? radios.last() : radios.first()).check();
      }
      await rp.getByRole('textbox', { name: 'Comment' }).fill(comment);
      await rp.getByRole('button', { name: 'Submit review' }).click();
      await expect(rp.getByRole('heading', { name: 'Your review is in' })).toBeVisible();
    };

    await test.step('grade the oldest submission (Ada’s) at the top level, blind', async () => {
      await rp
        .getByRole('link', { name: /^Review Submission/ })
        .first()
        .click();
      await expect(rp.getByRole('heading', { name: /^Submission #/, level: 1 })).toBeVisible();
      await expect(rp.getByRole('complementary', { name: 'Reviewer notes' })).toBeVisible();
      await expect(rp.getByRole('link', { name: /^Download submission-/ })).toBeVisible();
      await blind('review page');
      await expectAccessible(rp, 'review page');
      await rp.screenshot({ path: '/tmp/results-review-item.png', fullPage: true });
      await grade(true, 'Clear and complete: verifies, stores, then acknowledges.');
      await expect(rp.getByRole('alert').filter({ hasText: 'All reviews are in' })).toBeVisible();
      await blind('review outcome');
      await rp.screenshot({ path: '/tmp/results-review-done.png', fullPage: true });
    });

    await test.step('the next submission (Bo’s) at the lowest level; then the queue is empty', async () => {
      await rp.getByRole('button', { name: 'Next submission' }).click();
      await expect(rp.getByRole('radiogroup').first()).toBeVisible();
      await blind('second review page');
      await grade(false, 'Only a heading and a TODO.');
      await rp.getByRole('button', { name: 'Next submission' }).click();
      await expect(rp.getByText('That was the last one')).toBeVisible();
      await rp.goto('/reviews');
      await expect(rp.getByText('Nothing to review')).toBeVisible();
      await expect(rp.getByRole('table', { name: 'Your recent reviews' })).toBeVisible();
      await blind('queue with recent reviews');
    });
  } finally {
    await reviewerContext.close();
  }

  await test.step('the recruiter sees both graded and sorts by score', async () => {
    await page.goto(`/assessments/${assessmentId}/candidates`);
    const table = page.getByRole('table', { name: 'Candidates' });
    await expect(async () => {
      await page.reload();
      await expect(table.getByText('Graded')).toHaveCount(2, { timeout: 1000 });
    }).toPass({ timeout: 30_000 });
    // Ranked by score, best first, by default.
    const score = table.getByRole('columnheader', { name: /^Score/ });
    await expect(score).toHaveAttribute('aria-sort', 'descending');
    expect(await namesInOrder(page)).toEqual([strong.name, weak.name]);
    await score.getByRole('button').click();
    await expect(score).toHaveAttribute('aria-sort', 'ascending');
    await expect.poll(() => namesInOrder(page)).toEqual([weak.name, strong.name]);
    await expect(page).toHaveURL(/order=asc/);
    await score.getByRole('button').click();
    await expect(score).toHaveAttribute('aria-sort', 'descending');
    await expect.poll(() => namesInOrder(page)).toEqual([strong.name, weak.name]);
    await page.screenshot({ path: '/tmp/results-pipeline.png' });
    await expectAccessible(page, 'pipeline');
  });

  await test.step('compare the two side by side', async () => {
    await page.getByRole('checkbox', { name: `Select ${strong.name}` }).check();
    await page.getByRole('checkbox', { name: `Select ${weak.name}` }).check();
    await page
      .getByRole('group', { name: 'Actions on the selected candidates' })
      .getByRole('button', { name: 'Compare' })
      .click();
    await expect(page).toHaveURL(/\/compare\?ids=/);
    await expect(page.getByRole('heading', { name: 'Compare candidates', level: 1 })).toBeVisible();
    const table = page.getByRole('table', { name: 'Candidates side by side' });
    await expect(table.getByRole('columnheader', { name: new RegExp(strong.name) })).toBeVisible();
    await expect(table.getByRole('columnheader', { name: new RegExp(weak.name) })).toBeVisible();
    await expect(table.getByRole('row', { name: /Overall score/ })).toContainText('(best)');
    await page.screenshot({ path: '/tmp/results-compare.png', fullPage: true });
    await expectAccessible(page, 'comparison');
  });

  await test.step('the report of the strong candidate', async () => {
    await page.getByRole('link', { name: strong.name }).click();
    await expect(page.getByRole('heading', { name: strong.name, level: 1 })).toBeVisible();
    await expect(page.getByTestId('report-score')).not.toHaveText('—');
    await expect(page.getByRole('heading', { name: 'Score by subtopic' })).toBeVisible();
    await expect(page.getByText(/No role benchmark yet: shown from 20 graded candidates/)).toBeVisible();
    await expect(page.getByRole('article', { name: 'Question 1' })).toContainText('Key');
    await expect(page.getByRole('region', { name: 'Uploads and reviews' })).toContainText(reviewer.name);
    await expect(page.getByRole('link', { name: 'Download HTML report' })).toHaveAttribute(
      'href',
      /report\.html/,
    );
    await page.screenshot({ path: '/tmp/results-report.png', fullPage: true });
    await page.emulateMedia({ media: 'print' });
    await page.screenshot({ path: '/tmp/results-report-print.png', fullPage: true });
    await page.emulateMedia({ media: 'screen' });
    await expectAccessible(page, 'candidate report');
  });

  await test.step('shortlist the strong candidate from the pipeline', async () => {
    await page.goto(`/assessments/${assessmentId}/candidates`);
    const table = page.getByRole('table', { name: 'Candidates' });
    await expect(table.getByRole('row', { name: new RegExp(strong.name) })).toBeVisible();
    await page.getByRole('checkbox', { name: `Select ${strong.name}` }).check();
    await page
      .getByRole('group', { name: 'Actions on the selected candidates' })
      .getByRole('button', { name: 'Shortlist' })
      .click();
    const dialog = page.getByRole('dialog', { name: 'Shortlist 1 candidate?' });
    await dialog.getByRole('textbox', { name: 'Note' }).fill('Strong on every subtopic.');
    await dialog.getByRole('button', { name: 'Shortlist' }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByText('1 candidate moved.')).toBeVisible();
    await expect(table.getByRole('row', { name: new RegExp(strong.name) })).toContainText('Shortlisted');
    await expect(table.getByRole('row', { name: new RegExp(weak.name) })).toContainText('New');
  });

  await test.step('export the CSV: two rows, one shortlisted', async () => {
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Export CSV' }).click();
    const file = await (await download).path();
    const rows = parseCsv(fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, ''));
    const [header, ...body] = rows;
    expect(body).toHaveLength(2);
    const col = (name: string) => header?.indexOf(name) ?? -1;
    expect(col('candidate_name')).toBeGreaterThanOrEqual(0);
    const byName = new Map(body.map((r) => [r[col('candidate_name')], r]));
    expect([...byName.keys()].sort()).toEqual([strong.name, weak.name].sort());
    expect(byName.get(strong.name)?.[col('stage')]).toBe('shortlisted');
    expect(byName.get(weak.name)?.[col('stage')]).toBe('new');
    expect(byName.get(strong.name)?.[col('status')]).toBe('graded');
    expect(Number(byName.get(strong.name)?.[col('score_percent')])).toBeGreaterThan(
      Number(byName.get(weak.name)?.[col('score_percent')]),
    );
  });
});

test('demo data: load it from the empty list, filter and save a view, give extra minutes, remove it', async ({
  page,
}) => {
  test.setTimeout(180_000);
  const staff = new Staff(page.request);
  await staff.signUp(`demo-${run}@example.test`, `Demo ${run}`);

  await test.step('load the demo from the empty assessments list', async () => {
    await page.goto('/assessments');
    await expect(page.getByText('No assessments yet')).toBeVisible();
    await page.getByRole('button', { name: 'Load demo data' }).click();
    await expect(page).toHaveURL(/\/assessments\/[^/]+\/candidates$/, { timeout: 60_000 });
    await expect(page.getByText(/Demo data loaded: \d+ simulated candidates/)).toBeVisible();
    const table = page.getByRole('table', { name: 'Candidates' });
    await expect(table.getByText('Demo', { exact: true }).first()).toBeVisible();
    await expectAccessible(page, 'pipeline with demo data');
  });

  await test.step('filter to candidates in progress and save that as a view', async () => {
    await page.getByRole('combobox', { name: 'Status' }).click({ force: true });
    await page.getByRole('option', { name: 'In progress' }).click();
    await page.keyboard.press('Escape');
    await expect(page).toHaveURL(/status=in_progress/);
    const table = page.getByRole('table', { name: 'Candidates' });
    await expect(table.locator('tbody tr').first()).toContainText('In progress');
    await page.getByRole('button', { name: 'Save view…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Save this view' });
    await dialog.getByRole('textbox', { name: 'Name' }).fill('Taking it now');
    await dialog.getByRole('button', { name: 'Save view' }).click();
    await expect(dialog).toBeHidden();
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expect(page).not.toHaveURL(/status=/);
    await page.getByRole('combobox', { name: 'Saved view' }).selectOption({ label: 'Taking it now' });
    await expect(page).toHaveURL(/status=in_progress/);
  });

  await test.step('give a candidate in progress ten extra minutes', async () => {
    await page.getByRole('table', { name: 'Candidates' }).locator('tbody tr a').first().click();
    await page.getByRole('button', { name: 'Give extra minutes' }).click();
    const dialog = page.getByRole('dialog', { name: 'Give extra minutes' });
    await dialog.getByRole('textbox', { name: 'Extra minutes' }).fill('10');
    await dialog.getByRole('button', { name: 'Give extra minutes' }).click();
    await expect(page.getByText(/^10 extra minutes given/)).toBeVisible();
  });

  await test.step('remove the demo from Organization settings', async () => {
    await page.goto('/settings/organization');
    await page.getByRole('button', { name: 'Remove demo data' }).click();
    await page
      .getByRole('dialog', { name: 'Remove all demo data?' })
      .getByRole('button', { name: 'Remove demo data' })
      .click();
    await expect(page.getByText(/Demo data removed/)).toBeVisible();
    await expect(page.getByRole('button', { name: 'Load demo data' })).toBeVisible();
    await page.goto('/assessments');
    await expect(page.getByText('No assessments yet')).toBeVisible();
  });
});
