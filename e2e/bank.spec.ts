// The question bank: browse and filter the built-in library, read a question with its key and
// explanation, then write a custom question and edit it into a second version.
import { AxeBuilder } from '@axe-core/playwright';
import { expect, type Page, test } from '@playwright/test';

const run = Date.now().toString(36);

async function signUp(page: Page) {
  await page.goto('/sign-up');
  await page.getByRole('textbox', { name: 'Your name' }).fill('Bea Banker');
  await page.getByRole('textbox', { name: 'Work email' }).fill(`bank-${run}@example.test`);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill('walnut-meadow-compass-93');
  await page.getByRole('textbox', { name: 'Organization name' }).fill(`Bank ${run}`);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/assessments$/);
}

async function expectAccessible(page: Page, what: string) {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const serious = violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(serious, `serious or critical accessibility problems on the ${what} page`).toEqual([]);
}

test('browse the bank, read a question, and write and edit a custom one', async ({ page }) => {
  await signUp(page);

  await test.step('filter the bank to hard database questions', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Question bank' }).click();
    await expect(page.getByRole('heading', { name: 'Question bank', level: 1 })).toBeVisible();
    const table = page.getByRole('table', { name: 'Questions' });
    const bodyRows = table.locator('tbody tr');
    await expect(bodyRows).toHaveCount(50);
    await page.getByRole('button', { name: 'Load more' }).click();
    await expect(bodyRows).toHaveCount(100);

    await page.getByRole('combobox', { name: 'Subtopic' }).selectOption({ label: 'Databases' });
    await page.getByRole('combobox', { name: 'Difficulty' }).selectOption('hard');
    await expect(page).toHaveURL(/subtopic=databases/);
    await expect(page).toHaveURL(/difficulty=hard/);
    // Every row shown is a hard database question (the list refetches after each filter change).
    const column = (n: number) => table.locator(`tbody tr td:nth-child(${n})`).allTextContents();
    await expect.poll(async () => new Set(await column(2))).toEqual(new Set(['Databases']));
    await expect.poll(async () => new Set(await column(3))).toEqual(new Set(['Hard']));
    await expectAccessible(page, 'question bank');
  });

  await test.step('open a question and read its explanation', async () => {
    const first = page.getByRole('table', { name: 'Questions' }).getByRole('link').first();
    await first.click();
    await expect(page).toHaveURL(/\/bank\/questions\/[^/]+$/);
    await expect(page.getByText('Part of the public built-in library')).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Explanation' })).toBeVisible();
    const explanation = page.locator('section', { has: page.getByRole('heading', { name: 'Explanation' }) });
    await expect(explanation).not.toHaveText('Explanation');
    await expect(page.getByText('Correct', { exact: true }).first()).toBeVisible();
    await expect(page.getByRole('button', { name: 'Edit' })).toHaveCount(0);
    await expectAccessible(page, 'question');
  });

  const slug = `e2e-custom-${run}`;
  await test.step('write a custom question', async () => {
    await page.getByRole('link', { name: '← Question bank' }).click();
    await page.getByRole('link', { name: 'New question' }).click();
    await expect(page.getByRole('heading', { name: 'New question', level: 1 })).toBeVisible();
    await page.getByRole('textbox', { name: 'Content id' }).fill(slug);
    await page.getByRole('combobox', { name: 'Subtopic' }).selectOption({ label: 'Databases' });
    await page.getByRole('combobox', { name: 'Difficulty' }).selectOption('medium');
    await page.getByRole('combobox', { name: 'Tags' }).fill('indexing');
    await page.getByRole('combobox', { name: 'Tags' }).press('Enter');
    await page
      .getByRole('textbox', { name: 'Question', exact: true })
      .fill('Which index helps `WHERE email = $1` on a table of **ten million** users?');
    await page
      .getByRole('textbox', { name: 'Option A', exact: true })
      .fill('No index: a sequential scan is fine');
    await page.getByRole('textbox', { name: 'Option B', exact: true }).fill('A B-tree index on email');
    await page.getByRole('textbox', { name: 'Option C', exact: true }).fill('A GIN index on email');
    await page.getByRole('button', { name: 'Remove option D' }).click();
    await expect(page.getByRole('textbox', { name: 'Option D', exact: true })).toHaveCount(0);
    await page.getByRole('checkbox', { name: 'Option B is correct' }).check();
    await page
      .getByRole('textbox', { name: 'Explanation', exact: true })
      .fill('An equality lookup on one column is what a B-tree index is for.');
    await expectAccessible(page, 'new question');
    await page.getByRole('button', { name: 'Create question' }).click();

    await expect(page.getByRole('heading', { name: slug, level: 1 })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Version 1 (current)' })).toBeVisible();
    await expect(page.getByText('ten million', { exact: true })).toBeVisible();
  });

  await test.step('edit it: version 2 appears in the history', async () => {
    await page.getByRole('link', { name: 'Edit' }).click();
    await expect(page.getByRole('heading', { name: `Edit ${slug}` })).toBeVisible();
    await expect(page.getByRole('checkbox', { name: 'Option B is correct' })).toBeChecked();
    await page
      .getByRole('textbox', { name: 'Option C', exact: true })
      .fill('A hash index on email, which also works');
    await page.getByRole('button', { name: 'Save as version 2' }).click();

    await expect(page.getByRole('heading', { name: 'Version 2 (current)' })).toBeVisible();
    const history = page.getByRole('navigation', { name: 'Version history' });
    await expect(history.getByRole('button', { name: /Version 2/ })).toBeVisible();
    await expect(history.getByRole('button', { name: /Version 1/ })).toBeVisible();
    await expect(page.getByText('A hash index on email, which also works')).toBeVisible();

    await history.getByRole('button', { name: /Version 1/ }).click();
    await expect(page.getByRole('heading', { name: 'Version 1', exact: true })).toBeVisible();
    await expect(page.getByText('A GIN index on email')).toBeVisible();
  });
});
