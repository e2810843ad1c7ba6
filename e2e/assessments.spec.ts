// The recruiter's journey from nothing to a class of invited candidates: sign up, create an
// assessment from the Back-End Engineer template, tune a subtopic weight, open it, invite fifty
// candidates from a CSV file, find their invitation emails in the outbox, and follow one link as a
// candidate in a browser of their own. Accessibility is checked with axe on the builder's pages.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { expect, type Page, test } from '@playwright/test';

const run = Date.now().toString(36);
const CANDIDATES = 50;
const TEMPLATE = 'Back-End Engineer';

async function expectAccessible(page: Page, what: string) {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const serious = violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(serious, `serious or critical accessibility problems on the ${what} page`).toEqual([]);
}

function writeCandidatesCsv(): string {
  const rows = ['email,name,external id'];
  for (let i = 1; i <= CANDIDATES; i++) {
    rows.push(`cand-${run}-${i}@example.test,Candidate ${i},ATS-${1000 + i}`);
  }
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'assay-csv-')), 'candidates.csv');
  fs.writeFileSync(file, `${rows.join('\n')}\n`);
  return file;
}

type OutboxPage = { items: Array<{ id: string; kind: string; to: string }>; nextCursor: string | null };

test('create from a role template, open it, and invite fifty candidates from a CSV', async ({
  page,
  browser,
}) => {
  test.setTimeout(120_000);

  await test.step('sign up a new organization', async () => {
    await page.goto('/sign-up');
    await page.getByRole('textbox', { name: 'Your name' }).fill('Rosa Recruiter');
    await page.getByRole('textbox', { name: 'Work email' }).fill(`assess-${run}@example.test`);
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill('juniper-ferry-almanac-58');
    await page.getByRole('textbox', { name: 'Organization name' }).fill(`Assess ${run}`);
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect(page).toHaveURL(/\/assessments$/);
    await expect(page.getByRole('heading', { name: 'Assessments', level: 1 })).toBeVisible();
    await expectAccessible(page, 'assessments');
  });

  let assessmentId = '';
  await test.step(`create an assessment from the ${TEMPLATE} template`, async () => {
    await page.getByRole('button', { name: 'New assessment' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'New assessment' });
    await dialog.getByRole('radio', { name: new RegExp(`^${TEMPLATE}`) }).click();
    await dialog.getByRole('button', { name: 'Create assessment' }).click();
    await expect(dialog).toBeHidden();
    await expect(page).toHaveURL(/\/assessments\/[^/]+$/);
    assessmentId = /\/assessments\/([^/]+)$/.exec(page.url())?.[1] ?? '';
    await expect(page.getByRole('heading', { name: TEMPLATE, level: 1 })).toBeVisible();
    await expect(page.getByRole('main')).toContainText('Draft');
    await expectAccessible(page, 'assessment overview');
  });

  await test.step('move five points of weight from Databases to Server-Side Languages, and save', async () => {
    await page.getByRole('tab', { name: 'Sections' }).click();
    await expect(page).toHaveURL(new RegExp(`/assessments/${assessmentId}/sections$`));
    const quiz = page.getByRole('region', { name: /^1\. Concepts & Knowledge/ });
    const weightsGroup = quiz.getByRole('group', { name: 'Subtopic weights (%)' });
    const languages = weightsGroup.getByRole('textbox', { name: 'Server-Side Languages' });
    const databases = weightsGroup.getByRole('textbox', { name: 'Databases' });
    await expect(languages).toHaveValue('20');
    await expect(databases).toHaveValue('20');
    await languages.fill('25');
    // The live total shows the weights no longer add up until the other one comes down.
    await expect(weightsGroup.getByText('Total 105 of 100')).toBeVisible();
    await databases.fill('15');
    await expect(weightsGroup.getByText('Total 100 of 100')).toBeVisible();
    await expectAccessible(page, 'sections');
    await page.getByRole('button', { name: 'Save sections' }).click();
    await expect(page.getByText('Sections saved.')).toBeVisible();
    await expect(page.getByRole('button', { name: 'Save sections' })).toBeDisabled();

    const saved = await page.request.get(`/api/v1/assessments/${assessmentId}`);
    const body = (await saved.json()) as {
      sections: Array<{ kind: string; subtopicWeights?: Record<string, number> }>;
    };
    const weights = body.sections.find((s) => s.kind === 'quiz')?.subtopicWeights;
    expect(weights?.['server-side-languages']).toBe(25);
    expect(weights?.databases).toBe(15);
  });

  await test.step('open the assessment once the draw check passes', async () => {
    await page.getByRole('tab', { name: 'Overview' }).click();
    await expect(page.getByText('Ready to draw')).toBeVisible();
    await page.getByRole('button', { name: 'Open assessment' }).click();
    const confirm = page.getByRole('dialog', { name: 'Open this assessment?' });
    await confirm.getByRole('button', { name: 'Open assessment' }).click();
    await expect(confirm).toBeHidden();
    await expect(page.getByRole('region', { name: /^Status/ })).toContainText('Open');
    await expect(page.getByRole('button', { name: 'Close assessment' })).toBeVisible();
  });

  await test.step(`import a CSV of ${CANDIDATES} candidates`, async () => {
    await page.getByRole('tab', { name: 'Invitations' }).click();
    await page.getByRole('button', { name: 'Invite candidates' }).click();
    const dialog = page.getByRole('dialog', { name: `Invite candidates to ${TEMPLATE}` });
    await dialog.getByRole('tab', { name: 'CSV upload' }).click();
    await dialog.locator('input[type="file"]').setInputFiles(writeCandidatesCsv());
    await dialog.getByRole('button', { name: 'Upload and invite' }).click();
    await expect(dialog.getByText('Import finished')).toBeVisible({ timeout: 30_000 });
    await expect(dialog).toContainText(`Invited${CANDIDATES}`);
    await expect(dialog).toContainText('Rejected0');
    await dialog.getByRole('button', { name: 'Done' }).click();
    await expect(dialog).toBeHidden();
  });

  await test.step(`see ${CANDIDATES} invitations in the list`, async () => {
    const table = page.getByRole('table', { name: 'Invitations, newest first' });
    // One header row and one row per candidate.
    await expect(table.getByRole('row')).toHaveCount(CANDIDATES + 1);
    await expect(table).toContainText(`cand-${run}-1@example.test`);
    await expect(table).toContainText('ATS-1050');
    await expect(page.getByText(`${CANDIDATES} invitations shown`)).toBeVisible();
    await expectAccessible(page, 'invitations');

    await page.getByRole('searchbox', { name: 'Search' }).fill('ATS-1042');
    await expect(table.getByRole('row')).toHaveCount(2);
    await expect(table).toContainText('Candidate 42');
    await page.getByRole('searchbox', { name: 'Search' }).fill('');
    await expect(table.getByRole('row')).toHaveCount(CANDIDATES + 1);
  });

  let invitationPath = '';
  await test.step(`find ${CANDIDATES} invitation emails in the outbox`, async () => {
    const emails: OutboxPage['items'] = [];
    let cursor: string | null = null;
    do {
      const res = await page.request.get('/api/v1/outbox', {
        params: { kind: 'candidate-invitation', limit: 200, ...(cursor ? { cursor } : {}) },
      });
      expect(res.ok()).toBe(true);
      const body = (await res.json()) as OutboxPage;
      emails.push(...body.items);
      cursor = body.nextCursor;
    } while (cursor);
    const ours = emails.filter((e) => e.to.startsWith(`cand-${run}-`));
    expect(ours).toHaveLength(CANDIDATES);
    expect(new Set(ours.map((e) => e.to)).size).toBe(CANDIDATES);

    // The same mail on the Outbox page, as an admin would read it.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Outbox' }).click();
    const row = page.getByRole('row').filter({ hasText: `cand-${run}-7@example.test` });
    await row.getByRole('button', { name: new RegExp(`invites you to take "${TEMPLATE}"`) }).click();
    const body = page.getByRole('dialog').locator('pre');
    await expect(body).toContainText('/i/');
    invitationPath = /\/i\/[A-Za-z0-9_-]+/.exec((await body.textContent()) ?? '')?.[0] ?? '';
    expect(invitationPath, 'the invitation email holds a candidate link').not.toBe('');
  });

  // The candidate has a browser of their own: nothing of the recruiter's session comes along.
  const candidateContext = await browser.newContext({ baseURL: test.info().project.use.baseURL });
  try {
    await test.step('the candidate opens the link and sees the landing page', async () => {
      const candidate = await candidateContext.newPage();
      await candidate.goto(invitationPath);
      await expect(candidate.getByText(TEMPLATE).first()).toBeVisible();
      await expect(candidate.getByText('Candidate 7').first()).toBeVisible();
    });
  } finally {
    await candidateContext.close();
  }
});
