import { expect, test } from './fixtures/studio.ts';
import { shot } from './helpers/studio-ui.ts';

test('send a request from the message panel and see the response', async ({ studio }, info) => {
  const { page } = studio;
  await page.getByRole('tablist', { name: 'Request panels' }).getByRole('tab', { name: 'Message' }).click();
  await page.getByLabel('Message JSON').fill('{"op":"increment"');
  await expect(page.getByText(/Not valid JSON/)).toBeVisible();
  await expect(page.getByRole('button', { name: 'Send message' })).toBeDisabled();
  await shot(page, info, '01-invalid-json');
  await page.getByLabel('Message JSON').fill('{"op":"increment"}');
  await page.getByRole('button', { name: 'Send message' }).click();
  await expect(page.getByLabel('Response', { exact: true })).toContainText('"count": 1');
  await shot(page, info, '02-message-response');
});
