// The integrations journey: an owner creates an API key (shown once, copied), the key works against
// the API until it is revoked, and a webhook endpoint is added (its secret shown once) and managed.
// Accessibility is checked with axe on the integrations and endpoint pages.
import { AxeBuilder } from '@axe-core/playwright';
import { expect, type Page, test } from '@playwright/test';

test.describe.configure({ mode: 'serial' });

const run = Date.now().toString(36);
const owner = {
  name: 'Ida Integrator',
  email: `integrator-${run}@example.test`,
  password: 'saffron-lighthouse-kettle-58',
  organization: `Integrations ${run}`,
};

async function expectAccessible(page: Page, what: string) {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const serious = violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(serious, `serious or critical accessibility problems on the ${what} page`).toEqual([]);
}

test('an owner creates an API key that works until revoked, and sets up a webhook endpoint', async ({
  page,
  request,
}) => {
  await test.step('sign up and open Integrations', async () => {
    await page.goto('/sign-up');
    await page.getByRole('textbox', { name: 'Your name' }).fill(owner.name);
    await page.getByRole('textbox', { name: 'Work email' }).fill(owner.email);
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill(owner.password);
    await page.getByRole('textbox', { name: 'Organization name' }).fill(owner.organization);
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect(page).toHaveURL(/\/assessments$/);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Integrations' }).click();
    await expect(page.getByRole('heading', { name: 'Integrations', level: 1 })).toBeVisible();
    await expect(page.getByText('No API keys yet.')).toBeVisible();
    await expectAccessible(page, 'integrations');
  });

  let key = '';
  await test.step('create a key: it is shown once', async () => {
    await page.getByRole('button', { name: 'Create API key' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create API key' });
    await dialog.getByRole('button', { name: 'Create key' }).click();
    await expect(dialog.getByRole('textbox', { name: 'Name' })).toHaveAttribute('aria-invalid', 'true');
    await dialog.getByRole('textbox', { name: 'Name' }).fill('Greenhouse sync');
    await dialog.getByRole('radio', { name: 'Write' }).check();
    await dialog.getByRole('button', { name: 'Create key' }).click();
    const shown = page.getByRole('dialog', { name: 'Your new API key' });
    await expect(shown.getByText('This is the only time Assay shows the API key.')).toBeVisible();
    key = await shown.getByRole('textbox', { name: 'API key', exact: true }).inputValue();
    expect(key).toMatch(/^assay_live_/);
    await shown.getByRole('button', { name: 'Copy', exact: true }).click();
    await expect(shown.getByRole('button', { name: 'Copied', exact: true })).toBeVisible();
    await shown.getByRole('button', { name: 'I’ve copied the key' }).click();
    const table = page.getByRole('table', { name: 'API keys' });
    await expect(table).toContainText('Greenhouse sync');
    await expect(table).toContainText(key.slice(0, 17));
    await expect(table).not.toContainText(key);
  });

  await test.step('the key calls the API, and stops the moment it is revoked', async () => {
    const headers = { authorization: `Bearer ${key}` };
    expect((await request.get('/api/v1/team/members', { headers })).status()).toBe(200);
    await page.reload();
    await expect(page.getByRole('table', { name: 'API keys' })).not.toContainText('Never');
    await page.getByRole('button', { name: 'Revoke Greenhouse sync' }).click();
    await page
      .getByRole('dialog', { name: 'Revoke API key' })
      .getByRole('button', { name: 'Revoke key' })
      .click();
    await expect(page.getByText('No API keys yet.')).toBeVisible();
    expect((await request.get('/api/v1/team/members', { headers })).status()).toBe(401);
  });

  await test.step('add a webhook endpoint: private addresses are refused, the secret is shown once', async () => {
    await page.getByRole('tab', { name: 'Webhooks' }).click();
    await expect(page).toHaveURL(/tab=webhooks/);
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add webhook endpoint' });
    await dialog.getByRole('textbox', { name: 'Endpoint URL' }).fill('http://127.0.0.1:8080/hooks');
    await dialog.getByRole('checkbox', { name: /A candidate is invited/ }).check();
    await dialog.getByRole('button', { name: 'Add endpoint' }).click();
    await expect(dialog.getByText(/private, loopback or link-local/)).toBeVisible();
    await dialog.getByRole('textbox', { name: 'Endpoint URL' }).fill('https://hooks.example.com/assay');
    await dialog.getByRole('textbox', { name: 'Description' }).fill('ATS receiver');
    await dialog.getByRole('button', { name: 'Add endpoint' }).click();
    const shown = page.getByRole('dialog', { name: 'Your signing secret' });
    const secret = await shown.getByRole('textbox', { name: 'Signing secret', exact: true }).inputValue();
    expect(secret).toMatch(/^whsec_/);
    await shown.getByRole('button', { name: 'I’ve copied the secret' }).click();
    await expect(page.getByRole('heading', { name: 'Webhook endpoint', level: 1 })).toBeVisible();
    await expect(page.getByText('https://hooks.example.com/assay')).toBeVisible();
    await expect(page.getByText('invitation.created')).toBeVisible();
    await expect(page.getByText('Nothing delivered yet.')).toBeVisible();
    await expect(page.locator('body')).not.toContainText(secret);
    await expectAccessible(page, 'webhook endpoint');
  });

  await test.step('turn it off, rotate the secret, and delete it', async () => {
    await page.getByRole('button', { name: 'Edit' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit webhook endpoint' });
    await edit.getByRole('switch', { name: 'Send deliveries' }).uncheck();
    await edit.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByRole('alert').filter({ hasText: 'This endpoint is off' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Send test event' })).toBeDisabled();
    await page.getByRole('button', { name: 'Turn on' }).click();
    await expect(page.getByRole('button', { name: 'Send test event' })).toBeEnabled();

    await page.getByRole('button', { name: 'Rotate secret' }).click();
    await page
      .getByRole('dialog', { name: 'Rotate signing secret' })
      .getByRole('button', { name: 'Rotate secret' })
      .click();
    const rotated = page.getByRole('dialog', { name: 'Your new signing secret' });
    await expect(rotated.getByRole('textbox', { name: 'New signing secret' })).toHaveValue(/^whsec_/);
    await rotated.getByRole('button', { name: 'I’ve copied the secret' }).click();
    await expect(page.getByText(/Also signs deliveries until/)).toBeVisible();

    await page.getByRole('button', { name: 'Delete' }).click();
    await page
      .getByRole('dialog', { name: 'Delete webhook endpoint' })
      .getByRole('button', { name: 'Delete endpoint' })
      .click();
    await expect(page).toHaveURL(/\/settings\/integrations\?tab=webhooks$/);
    await expect(page.getByText('No endpoints yet.')).toBeVisible();
  });

  await test.step('the audit log records it all', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click();
    for (const action of [
      'api_key.created',
      'api_key.revoked',
      'webhook_endpoint.created',
      'webhook_endpoint.deleted',
    ])
      await expect(page.getByText(action).first()).toBeVisible();
  });
});
