// The candidate's journeys. A recruiter sets things up through the API (sign up, an assessment from
// the Back-End Engineer template cut down to a short quiz and one upload task, open it, invite one
// candidate, read the link from the outbox). Then, in the browser: open the link, start, answer, lose
// the connection and get it back without losing anything, reload and carry on with the same time
// left, upload, submit, see the result and find the email. A second journey lets the clock run out.
// axe checks the landing, a question, the upload section and the result page.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { type APIRequestContext, expect, type Page, test } from '@playwright/test';

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

// ---------------------------------------------------------------------------------------------
// The recruiter's side, through the API

type Section = Record<string, unknown> & { key: string; kind: 'quiz' | 'upload' };
type Assessment = { id: string; revision: number; sections: Section[]; settings: Record<string, unknown> };
type OutboxItem = { id: string; kind: string; to: string; subject: string };

class Staff {
  private csrf = '';
  constructor(private readonly api: APIRequestContext) {}

  private async call<T>(method: 'GET' | 'POST' | 'PATCH', url: string, data?: unknown): Promise<T> {
    const res = await this.api.fetch(url, {
      method,
      headers: method === 'GET' ? {} : { 'x-csrf-token': this.csrf },
      ...(data === undefined ? {} : { data }),
    });
    expect(res.ok(), `${method} ${url}: ${res.status()} ${await res.text()}`).toBe(true);
    return (await res.json()) as T;
  }

  async signUp(label: string): Promise<void> {
    const session = await this.call<{ csrfToken: string }>('POST', '/api/v1/auth/sign-up', {
      name: 'Rita Recruiter',
      email: `take-${label}-${run}@example.test`,
      password: PASSWORD,
      organizationName: `Take ${label} ${run}`,
    });
    this.csrf = session.csrfToken;
  }

  /** An open assessment made from the Back-End Engineer template, with the sections `shape` picks. */
  async openAssessment(
    shape: (template: Section[]) => Section[],
    settings: Record<string, unknown>,
  ): Promise<string> {
    const created = await this.call<Assessment>('POST', '/api/v1/assessments', {
      roleTemplateId: 'backend-engineer',
    });
    await this.call('PATCH', `/api/v1/assessments/${created.id}`, {
      sections: shape(created.sections),
      settings: { ...created.settings, ...settings },
      revision: created.revision,
    });
    await this.call('POST', `/api/v1/assessments/${created.id}/open`);
    return created.id;
  }

  /** Invites one candidate and returns the link token from the invitation email. */
  async invite(assessmentId: string, email: string, name: string): Promise<string> {
    await this.call('POST', `/api/v1/assessments/${assessmentId}/invitations`, { email, name });
    const mail = await this.waitForEmail(email, /invites you/);
    const detail = await this.call<{ text: string | null }>('GET', `/api/v1/outbox/${mail.id}`);
    const token = /\/i\/([A-Za-z0-9_-]+)/.exec(detail.text ?? '')?.[1];
    expect(token, 'the invitation email carries a link').toBeTruthy();
    return token as string;
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
}

const quizOf = (sections: Section[], questionCount: number, minutes: number): Section => {
  const quiz = sections.find((s) => s.kind === 'quiz');
  if (!quiz) throw new Error('the template has no quiz section');
  return { ...quiz, questionCount, minutes };
};

// ---------------------------------------------------------------------------------------------
// The candidate's side

/** Seconds left on the section clock, as the candidate sees it. */
async function secondsLeft(page: Page): Promise<number> {
  const text = (await page.getByRole('timer').textContent()) ?? '';
  const m = /(?:(\d+):)?(\d+):(\d\d) left/.exec(text);
  if (!m) throw new Error(`unreadable timer: ${text}`);
  return Number(m[1] ?? 0) * 3600 + Number(m[2]) * 60 + Number(m[3]);
}

/** The question card on screen, found by its heading "Question n". */
function question(page: Page, n: number) {
  return page.getByRole('region', { name: new RegExp(`^Question ${n}\\b`) });
}

/** Chooses the first option of question n (a radio or, for "choose all that apply", a checkbox). */
async function answerFirstOption(page: Page, n: number): Promise<void> {
  const card = question(page, n);
  await expect(card).toBeVisible();
  const option = card.locator('input[type=radio], input[type=checkbox]').first();
  await option.check();
  await expect(option).toBeChecked();
}

/** Answers kept on the device, not yet acknowledged by the server. (A string: e2e has no DOM types.) */
async function pendingAnswers(page: Page): Promise<number> {
  return (await page.evaluate(`(() => {
    let count = 0;
    for (let i = 0; i < localStorage.length; i++) {
      const key = localStorage.key(i);
      if (key.startsWith('assay.take.pending.')) count += Object.keys(JSON.parse(localStorage.getItem(key))).length;
    }
    return count;
  })()`)) as number;
}

function tempFile(name: string, content: string | Buffer): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'assay-take-')), name);
  fs.writeFileSync(file, content);
  return file;
}

test('a candidate takes a quiz and an upload section, offline for a while, and sees the result', async ({
  page,
  context,
  request,
  browser,
}) => {
  test.setTimeout(150_000);
  const staff = new Staff(request);
  const email = `casey-${run}@example.test`;
  let token = '';
  let ext = '';

  await test.step('the recruiter opens a short assessment and invites a candidate', async () => {
    await staff.signUp('journey');
    const id = await staff.openAssessment(
      (sections) => {
        const upload = sections.find((s) => s.kind === 'upload');
        if (!upload) throw new Error('the template suggests no upload task');
        // Any text format the task takes will do for the files handed in below.
        ext = (upload.accept as string[]).find((e) => !['.zip', '.pdf', '.docx'].includes(e)) ?? '';
        expect(ext, 'the upload task takes a text format').not.toBe('');
        return [quizOf(sections, 6, 10), { ...upload, maxFiles: 1, minutes: 10 }];
      },
      {
        intro:
          'Welcome! This short test covers **back-end** basics.\n\n- Answer what you can\n- Then hand in your work',
        feedbackPolicy: 'by-subtopic',
        integritySignals: ['tab-hidden', 'window-blur', 'copy-paste', 'second-session'],
        accommodationsContact: 'talent@example.test',
      },
    );
    token = await staff.invite(id, email, 'Casey Candidate');
  });

  await test.step('the landing page explains the test and starts nothing', async () => {
    await page.goto(`/i/${token}`);
    await expect(page.getByRole('heading', { name: 'Back-End Engineer', level: 1 })).toBeVisible();
    await expect(page.getByText('Casey Candidate, ')).toBeVisible();
    await expect(page.locator('strong', { hasText: 'back-end' })).toBeVisible();
    await expect(page.getByRole('table', { name: 'Sections' })).toContainText('6 multiple-choice questions');
    await expect(page.getByText('when you copy or paste text')).toBeVisible();
    await expect(page.getByText(/signals, never verdicts/)).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Your privacy' })).toBeVisible();
    await expect(page.getByRole('link', { name: 'talent@example.test' })).toHaveAttribute(
      'href',
      'mailto:talent@example.test',
    );
    await page.screenshot({ path: '/tmp/take-landing.png', fullPage: true });
    await expectAccessible(page, 'landing page');
  });

  await test.step('start, after a confirmation; the address loses the token', async () => {
    await page.getByRole('button', { name: 'Start the test' }).click();
    const dialog = page.getByRole('dialog', { name: 'Start the test?' });
    await expect(dialog).toContainText('The timer of the first section');
    await dialog.getByRole('button', { name: 'Start the test' }).click();
    await expect(page).toHaveURL(/\/take$/);
    expect(page.url()).not.toContain(token);
    await expect(page.getByRole('heading', { name: 'Concepts & Knowledge', level: 1 })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Question 1 of 6' })).toBeVisible();
    await expect(page.getByRole('timer')).toHaveText(/^(10:00|9:\d\d) left$/);
  });

  await test.step('answer half the questions; each is saved', async () => {
    for (const n of [1, 2, 3]) {
      await answerFirstOption(page, n);
      await page.getByRole('button', { name: 'Next' }).click();
    }
    await expect(page.getByTestId('save-status')).toHaveText('Saved');
    expect(await pendingAnswers(page)).toBe(0);
    await expect(page.getByText('3 of 6 answered')).toBeVisible();
    await expectAccessible(page, 'quiz question');
  });

  await test.step('offline, answers stay on the device; back online, they are saved', async () => {
    await context.setOffline(true);
    await answerFirstOption(page, 4);
    await page.getByRole('button', { name: 'Next' }).click();
    await answerFirstOption(page, 5);
    await expect(page.getByTestId('save-status')).toHaveText(
      'Offline — your answers are kept on this device',
    );
    expect(await pendingAnswers(page)).toBe(2);
    await page.screenshot({ path: '/tmp/take-offline.png' });

    await context.setOffline(false);
    await expect(page.getByTestId('save-status')).toHaveText('Saved', { timeout: 15_000 });
    expect(await pendingAnswers(page)).toBe(0);
  });

  await test.step('a reload continues at the same question with the same time left', async () => {
    const before = await secondsLeft(page);
    const at = Date.now();
    await page.reload();
    await expect(page.getByRole('heading', { name: 'Question 5 of 6' })).toBeVisible();
    const after = await secondsLeft(page);
    const elapsed = (Date.now() - at) / 1000;
    expect(Math.abs(before - elapsed - after)).toBeLessThanOrEqual(2);
    // Every answer came back from the server, including the two given offline.
    const map = page.getByRole('navigation', { name: 'Questions' });
    for (const n of [1, 2, 3, 4, 5]) {
      await map.getByRole('button', { name: `Question ${n}, answered` }).click();
      await expect(
        question(page, n).locator('input[type=radio], input[type=checkbox]').first(),
      ).toBeChecked();
    }
    await expect(map.getByRole('button', { name: 'Question 6, not answered' })).toBeVisible();
  });

  await test.step('opened in a second browser, the first one asks before it takes the test back', async () => {
    const other = await browser.newContext();
    const second = await other.newPage();
    await second.goto(`/i/${token}`);
    await second.getByRole('button', { name: 'Continue the test' }).click();
    await second.getByRole('dialog').getByRole('button', { name: 'Continue the test' }).click();
    await expect(second.getByRole('heading', { name: 'Concepts & Knowledge', level: 1 })).toBeVisible();
    await other.close();

    await page
      .getByRole('navigation', { name: 'Questions' })
      .getByRole('button', { name: /^Question 6/ })
      .click();
    await answerFirstOption(page, 6);
    const moved = page.getByRole('dialog', { name: 'This test was opened in another window' });
    await expect(moved).toBeVisible();
    await moved.getByRole('button', { name: 'Continue here' }).click();
    await expect(moved).toBeHidden();
    await expect(page.getByTestId('save-status')).toHaveText('Saved');
    await expect(question(page, 6).locator('input[type=radio], input[type=checkbox]').first()).toBeChecked();
  });

  await test.step('finish the quiz and submit the section', async () => {
    await page.getByRole('button', { name: 'Submit section' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Submit this section?' });
    await expect(dialog).toContainText('You’ve answered every question.');
    await dialog.getByRole('button', { name: 'Submit section' }).click();
    // Checked for accessibility next: wait until the dialog has faded out and left the page; half-way
    // through its fade its title has too little contrast.
    await expect(page.locator('[data-modal-content]')).toHaveCount(0);
    await expect(page.getByRole('heading', { name: 'Hand in your work' })).toBeVisible();
    await expect(page.getByText('Section 2 of 2')).toBeVisible();
  });

  await test.step('upload: clear errors for a wrong file, then hand in and replace the work', async () => {
    await expectAccessible(page, 'upload section');
    const input = page.locator('input[type=file]');
    await input.setInputFiles(tempFile('setup.exe', 'MZ not a document'));
    await expect(page.getByText(/“setup\.exe” isn’t an accepted file type/)).toBeVisible();
    // Accepted by its name, refused by the server for its contents (415): text with binary bytes.
    await input.setInputFiles(
      tempFile(`binary${ext}`, Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0xff])),
    );
    await expect(
      page.getByText(`“binary${ext}” isn’t an accepted file, or its contents don’t match`),
    ).toBeVisible();

    const first = `answer${ext}`;
    const second = `answer-v2${ext}`;
    await input.setInputFiles(
      tempFile(first, 'openapi: 3.1.0\ninfo: { title: Tool lending, version: 1.0.0 }\n'),
    );
    const files = page.getByRole('table', { name: 'Your files' });
    await expect(files.getByRole('cell', { name: first, exact: true })).toBeVisible();
    await expect(page.getByText('Not uploaded')).toBeHidden();

    const chooser = page.waitForEvent('filechooser');
    await files.getByRole('button', { name: `Replace ${first}` }).click();
    await (await chooser).setFiles(
      tempFile(second, 'openapi: 3.1.0\ninfo: { title: Tool lending, version: 2.0.0 }\n'),
    );
    await expect(files.getByRole('cell', { name: second, exact: true })).toBeVisible();
    await expect(files.getByRole('cell', { name: first, exact: true })).toHaveCount(0);
    await page.screenshot({ path: '/tmp/take-upload.png', fullPage: true });
  });

  await test.step('submit the test and see the result page', async () => {
    await page.getByRole('button', { name: 'Submit test' }).click();
    const dialog = page.getByRole('dialog', { name: 'Submit your test?' });
    await expect(dialog).toContainText('You’re handing in one file.');
    await dialog.getByRole('button', { name: 'Submit test' }).click();
    await expect(page).toHaveURL(/\/take\/result$/);
    await expect(page.getByRole('heading', { name: 'Thank you — your test is submitted' })).toBeVisible();
    await expect(page.getByText(/Your uploaded work is waiting for review/)).toBeVisible({ timeout: 20_000 });
    await expect(page.getByRole('region', { name: 'Receipt' })).toContainText(`answer-v2${ext}`);
    await page.screenshot({ path: '/tmp/take-result-receipt.png', fullPage: true });
    await expectAccessible(page, 'result page');
  });

  await test.step('the receipt email is in the outbox', async () => {
    await staff.waitForEmail(email, /We received your submission/);
  });

  await test.step('the link now says the test is done', async () => {
    await page.goto(`/i/${token}`);
    await expect(page.getByRole('heading', { name: 'You’ve already taken this test' })).toBeVisible();
  });
});

test('when time runs out, each section closes on its own; the test is graded, with the score by topic', async ({
  page,
  request,
}) => {
  test.setTimeout(240_000);
  const staff = new Staff(request);
  const email = `dana-${run}@example.test`;
  await staff.signUp('deadline');
  const id = await staff.openAssessment(
    (sections) => [
      { ...quizOf(sections, 2, 1), key: 'warm-up', title: 'Warm-up' },
      { ...quizOf(sections, 2, 1), key: 'concepts', title: 'Concepts' },
    ],
    { feedbackPolicy: 'by-subtopic' },
  );
  const token = await staff.invite(id, email, 'Dana Deadline');

  await page.setViewportSize({ width: 375, height: 740 });
  await page.goto(`/i/${token}`);
  await page.getByRole('button', { name: 'Start the test' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Start the test' }).click();
  await expect(page.getByRole('heading', { name: 'Question 1 of 2' })).toBeVisible();

  await test.step('a phone-sized screen shows the question without sideways scrolling', async () => {
    await expect(page.getByRole('timer')).toBeVisible();
    await expect(page.getByTestId('save-status')).toBeVisible();
    const overflow = (await page.evaluate(
      'document.documentElement.scrollWidth - window.innerWidth',
    )) as number;
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: '/tmp/take-phone.png', fullPage: true });
  });

  await test.step('answer from the keyboard alone', async () => {
    const first = question(page, 1).locator('input[type=radio], input[type=checkbox]').first();
    await first.focus();
    await page.keyboard.press('Space');
    await expect(first).toBeChecked();
    await expect(page.getByTestId('save-status')).toHaveText('Saved');
  });

  await test.step('the first section runs out: its answers are in and the next one waits', async () => {
    await expect(page.getByText('1 minute left in this section.')).toBeAttached();
    await expect(page.getByRole('heading', { name: 'Concepts', level: 1 })).toBeVisible({ timeout: 90_000 });
    await expect(page.getByText('“Warm-up” is over and your answers are in.')).toBeVisible();
    await page.screenshot({ path: '/tmp/take-between.png', fullPage: true });
    await page.getByRole('button', { name: 'Start section 2' }).click();
    await expect(page.getByRole('heading', { name: 'Question 1 of 2' })).toBeVisible();
    await expect(page.getByText('Section 2 of 2')).toBeVisible();
    await answerFirstOption(page, 1);
  });

  await test.step('the last section runs out: the test is submitted and graded', async () => {
    await expect(page).toHaveURL(/\/take\/result$/, { timeout: 90_000 });
    await expect(page.getByTestId('overall-score')).toBeVisible({ timeout: 30_000 });
    await expect(page.getByRole('heading', { name: 'By topic' })).toBeVisible();
    await page.screenshot({ path: '/tmp/take-result-score.png', fullPage: true });
  });

  await test.step('the result email is in the outbox', async () => {
    await staff.waitForEmail(email, /Your result for/);
  });
});
