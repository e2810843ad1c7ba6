// The staff accounts journey: an owner signs up, signs out and in again, invites a recruiter who
// joins from the emailed link in a browser of their own, and the audit log is for owners only.
// Accessibility is checked with axe on the sign-in, team and audit-log pages.
import { AxeBuilder } from '@axe-core/playwright';
import { expect, type Page, test } from '@playwright/test';

test.describe.configure({ mode: 'serial' });

const run = Date.now().toString(36);
const owner = {
  name: 'Olivia Owner',
  email: `owner-${run}@example.test`,
  password: 'plum-orchard-lantern-42',
  organization: `Accounts ${run}`,
};
const recruiter = {
  name: 'Rhys Recruiter',
  email: `recruiter-${run}@example.test`,
  password: 'cedar-harbour-violin-17',
};

async function expectAccessible(page: Page, what: string) {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const serious = violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(serious, `serious or critical accessibility problems on the ${what} page`).toEqual([]);
}

async function signIn(page: Page, email: string, password: string) {
  await page.getByRole('textbox', { name: 'Email' }).fill(email);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/assessments$/);
}

test('an owner signs up, invites a recruiter who joins, and only the owner reads the audit log', async ({
  page,
  browser,
}) => {
  await test.step('sign up a new organization', async () => {
    await page.goto('/sign-up');
    await page.getByRole('textbox', { name: 'Your name' }).fill(owner.name);
    await page.getByRole('textbox', { name: 'Work email' }).fill(owner.email);
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill(owner.password);
    await page.getByRole('textbox', { name: 'Organization name' }).fill(owner.organization);
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect(page).toHaveURL(/\/assessments$/);
    await expect(page.getByRole('banner')).toContainText(owner.organization);
  });

  await test.step('sign out', async () => {
    await page.getByRole('button', { name: `Account menu for ${owner.name}` }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/\/sign-in$/);
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
    // Signed out for real: a staff page sends us back to sign in.
    await page.goto('/team');
    await expect(page).toHaveURL(/\/sign-in\?next=%2Fteam$/);
  });

  await test.step('sign in', async () => {
    await page.goto('/sign-in');
    await expectAccessible(page, 'sign-in');
    await signIn(page, owner.email, owner.password);
  });

  await test.step('invite a recruiter from the Team page', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Team' }).click();
    await expect(page.getByRole('heading', { name: 'Team', level: 1 })).toBeVisible();
    await expect(page.getByRole('table', { name: 'Members' })).toContainText(owner.email);
    await expectAccessible(page, 'team');

    await page.getByRole('button', { name: 'Invite member' }).click();
    const dialog = page.getByRole('dialog', { name: 'Invite member' });
    await dialog.getByRole('textbox', { name: 'Email' }).fill(recruiter.email);
    await dialog.getByRole('combobox', { name: 'Role' }).selectOption('recruiter');
    await dialog.getByRole('button', { name: 'Send invitation' }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByRole('table', { name: 'Pending invitations' })).toContainText(recruiter.email);
  });

  let joinPath = '';
  await test.step('read the invitation link in the Outbox', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Outbox' }).click();
    const row = page.getByRole('row').filter({ hasText: recruiter.email });
    await row.getByRole('button', { name: /invited to join/ }).click();
    const drawer = page.getByRole('dialog');
    const body = drawer.locator('pre');
    await expect(body).toContainText('/join/');
    const match = /\/join\/[A-Za-z0-9_-]+/.exec((await body.textContent()) ?? '');
    expect(match, 'the invitation email holds a join link').not.toBeNull();
    joinPath = match?.[0] ?? '';
    await drawer.getByRole('button', { name: 'Close email' }).click();
  });

  // The recruiter has a browser of their own: nothing of the owner's session comes along.
  const recruiterContext = await browser.newContext({ baseURL: test.info().project.use.baseURL });
  const other = await recruiterContext.newPage();
  try {
    await test.step('the recruiter accepts by creating an account', async () => {
      await other.goto(joinPath);
      await expect(other.getByRole('heading', { name: `Join ${owner.organization} on Assay` })).toBeVisible();
      await expect(other.getByRole('textbox', { name: 'Email' })).toHaveValue(recruiter.email);
      await other.getByRole('textbox', { name: 'Your name' }).fill(recruiter.name);
      await other.getByRole('textbox', { name: 'Password', exact: true }).fill(recruiter.password);
      await other.getByRole('button', { name: 'Create account and join' }).click();
      await expect(other).toHaveURL(/\/assessments$/);
      await expect(other.getByRole('banner')).toContainText(owner.organization);
    });

    await test.step('the recruiter can’t open the audit log', async () => {
      const nav = other.getByRole('navigation', { name: 'Main' });
      await expect(nav.getByRole('link', { name: 'Team' })).toBeVisible();
      await expect(nav.getByRole('link', { name: 'Audit log' })).toHaveCount(0);
      await expect(nav.getByRole('link', { name: 'Outbox' })).toHaveCount(0);

      await other.goto('/audit-log');
      await expect(other.getByRole('heading', { name: 'Not available', level: 1 })).toBeVisible();
      await expect(other.getByText('Your role doesn’t include this page')).toBeVisible();
      await expect(other.getByRole('table')).toHaveCount(0);
      // The server refuses too, not only the page.
      expect((await other.request.get('/api/v1/audit-log')).status()).toBe(403);
    });
  } finally {
    await recruiterContext.close();
  }

  await test.step('the owner reads the audit log', async () => {
    await page.goto('/team');
    await expect(page.getByRole('table', { name: 'Members' })).toContainText(recruiter.email);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click();
    const entries = page.getByRole('table', { name: 'Audit log entries, newest first' });
    await expect(entries).toContainText('member.invited');
    await expect(entries).toContainText('member.joined');
    await expect(entries).toContainText('auth.sign_in');
    await expectAccessible(page, 'audit-log');
  });
});

test('asking for a password reset looks the same for a known and an unknown email', async ({ page }) => {
  const confirmation = async (email: string) => {
    await page.goto('/forgot-password');
    await page.getByRole('textbox', { name: 'Email' }).fill(email);
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await expect(page.getByRole('heading', { name: 'Check your email' })).toBeVisible();
    return ((await page.getByRole('main').textContent()) ?? '').replaceAll(email, '<email>');
  };

  const known = await confirmation(owner.email);
  const unknown = await confirmation(`nobody-${run}@example.test`);
  expect(known).toContain('If an account exists for <email>');
  // Nothing on the page tells whether the address has an account.
  expect(unknown).toBe(known);
});
