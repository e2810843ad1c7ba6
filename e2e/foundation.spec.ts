import { expect, test } from '@playwright/test';

test('the app loads from the same server that answers /healthz', async ({ page, request }) => {
  const health = await request.get('/healthz');
  expect(health.status()).toBe(200);
  expect(await health.json()).toEqual({ status: 'ok' });

  await page.goto('/');
  await expect(page).toHaveTitle(/Assay/);
  // Signed out, the app lands on the sign-in page.
  await expect(page.getByRole('heading', { name: /sign in/i })).toBeVisible();
  const csp = (await page.request.get('/')).headers()['content-security-policy'];
  expect(csp).toContain("script-src 'self'");
});

test('the API docs render', async ({ page }) => {
  await page.goto('/docs/');
  await expect(page.getByText('Assay API').first()).toBeVisible();
});
