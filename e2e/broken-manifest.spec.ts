import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from './fixtures/studio.ts';
import { shot } from './helpers/studio-ui.ts';

test('load a broken manifest and see where and what to change', async ({ studio }, info) => {
  const { page } = studio;
  const dir = join(studio.dir, 'broken');
  mkdirSync(dir, { recursive: true });
  const manifest = join(dir, 'manifest.toml');
  writeFileSync(
    manifest,
    'name = "broken"\ncomponent_path = "counter.wasm"\n\n[interface]\nimplements = "theater:simple/actr"\n',
  );
  await page.getByRole('button', { name: 'Open manifest' }).click();
  const dialog = page.getByRole('dialog', { name: 'Open manifest' });
  await dialog.getByLabel('Manifest path').fill(manifest);
  await dialog.getByRole('button', { name: 'Open', exact: true }).click();
  const err = dialog.getByRole('alert', { name: 'Load error' });
  await expect(err).toBeVisible();
  await expect(err).toContainText('manifest.toml:');
  await shot(page, info, '01-broken-manifest');
});
