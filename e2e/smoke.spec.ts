import { expect, test } from './fixtures/studio.ts';

test('the Studio opens with the counter actor listed', async ({ studio }) => {
  const { page } = studio;
  await expect(page).toHaveTitle(/Studio/i);
  await expect(page.getByText('counter', { exact: true }).first()).toBeVisible();
  // The page talks to the service over the token-protected WebSocket: the actor it shows is the running one.
  const actors = await studio.service.listActors({});
  expect(actors.map((a) => a.id)).toContain('counter');
  await page.screenshot({ path: test.info().outputPath('smoke.png'), fullPage: true });
});

test('loads without a failed request, a page error or an error in the console', async ({ studio }) => {
  const { page } = studio;
  const problems: string[] = [];
  page.on('response', (r) => void (r.status() >= 400 && problems.push(`${r.status()} ${r.url()}`)));
  page.on('console', (m) => void (m.type() === 'error' && problems.push(`console: ${m.text()}`)));
  page.on('pageerror', (e) => problems.push(`page: ${e.message}`));
  await page.reload();
  await expect(page.getByText('counter', { exact: true }).first()).toBeVisible();
  await page.waitForLoadState('networkidle');
  expect(problems).toEqual([]);
});
