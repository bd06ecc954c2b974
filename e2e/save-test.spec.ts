/**
 * Save as test, as a person does it: fire three increments, click the first request and shift-click the last
 * response, Save as test into a folder, then run `theater test` on the file the dialog names: it passes.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from './fixtures/studio.ts';
import { fireIncrements, rows, shot } from './helpers/studio-ui.ts';

const REPO = fileURLToPath(new URL('..', import.meta.url));

function theater(...args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(REPO, 'bin/theater.js'), ...args], { cwd: REPO }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
    );
  });
}

test('select a range, Save as test, and theater test passes on the file', async ({ studio }, info) => {
  test.setTimeout(120_000);
  const { page } = studio;
  await fireIncrements(page, 3);
  await expect(rows(page, /return .*http-server\.handle-request/)).toHaveCount(3);

  await test.step('pick the range: click the first request, shift-click the last response', async () => {
    await rows(page, /call .*http-server\.handle-request/)
      .first()
      .click();
    await rows(page, /return .*http-server\.handle-request/)
      .last()
      .click({ modifiers: ['Shift'] });
  });

  const folder = join(studio.dir, 'theater-tests');
  await test.step('Save as test into a folder', async () => {
    await page.getByRole('button', { name: 'Save as test' }).click();
    const dialog = page.getByRole('dialog', { name: 'Save as test' });
    await expect(dialog.getByRole('radio', { name: 'Picked entries #4 to #12' })).toBeChecked();
    // The default folder is theater-tests/ beside the counter's manifest.
    await expect(dialog.getByLabel('Test folder')).toHaveValue(/assets\/examples\/counter\/theater-tests$/);
    await dialog.getByLabel('Test folder').fill(folder);
    await dialog.getByLabel('Test name').fill('three increments');
    await dialog.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(dialog.getByRole('status', { name: 'Saved test' })).toContainText('Saved 9 entries (#4 to #12)');
    await shot(page, info, 'save-as-test');
  });

  const command = await page.getByLabel('Test command').textContent();
  const file = command!.replace(/^theater test /, '');
  expect(file).toBe(join(folder, 'three-increments.test.json'));
  const run = await theater('test', file);
  expect(run.code, run.out).toBe(0);
  expect(run.out).toMatch(/^PASS .*three-increments\.test\.json {2}three increments: 9 entries replayed/m);
});

test('saving again under a taken name says so, clears the earlier result, and Overwrite replaces the test', async ({
  studio,
}, info) => {
  test.setTimeout(120_000);
  const { page } = studio;
  await fireIncrements(page, 2);
  await rows(page, /return .*http-server\.handle-request/)
    .last()
    .click();

  await page.getByRole('button', { name: 'Save as test' }).click();
  const dialog = page.getByRole('dialog', { name: 'Save as test' });
  const saved = dialog.getByRole('status', { name: 'Saved test' });
  const error = dialog.getByRole('alert', { name: 'Save error' });
  const save = dialog.getByRole('button', { name: 'Save', exact: true });
  await dialog.getByLabel('Test folder').fill(join(studio.dir, 'tests'));
  await dialog.getByLabel('Test name').fill('again');

  // First save: from the selected entry to the head.
  await expect(dialog.getByRole('radio', { name: /From the selected entry/ })).toBeChecked();
  await save.click();
  await expect(saved).toContainText(/Saved \d+ entries \(#7 to #\d+\)/);
  const file = join(studio.dir, 'tests', 'again.test.json');
  expect(JSON.parse(readFileSync(file, 'utf8')).recorded.from.seq).toBe(7);

  // The same name again, now the whole branch: refused, and the earlier green result is gone.
  await dialog.getByRole('radio', { name: 'The whole branch' }).click();
  await save.click();
  await expect(error).toContainText('again.test.json already exists');
  await expect(saved).toHaveCount(0);
  // The refusal offers to overwrite: the dialog has that choice.
  const overwrite = dialog.getByRole('checkbox', { name: 'Overwrite a test of the same name' });
  await expect(overwrite).not.toBeChecked();
  await shot(page, info, 'save-as-test-exists');

  // Overwrite: the test on disk is now the whole branch, and the error is gone.
  await overwrite.check();
  await save.click();
  await expect(saved).toContainText(/Saved \d+ entries \(#0 to #\d+\)/);
  await expect(error).toHaveCount(0);
  expect(JSON.parse(readFileSync(file, 'utf8')).recorded.from.seq).toBe(0);
  const run = await theater('test', file);
  expect(run.code, run.out).toBe(0);
});
