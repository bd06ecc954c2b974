import { expect, test } from './fixtures/studio.ts';
import { shot } from './helpers/studio-ui.ts';

test('send a request from the message panel and see the response', async ({ studio }, info) => {
  const { page } = studio;
  await page.getByRole('tablist', { name: 'Request panels' }).getByRole('tab', { name: 'Message' }).click();
  const message = page.getByLabel('Message JSON');
  const send = page.getByRole('button', { name: 'Send message' });
  // Said in the user's terms, not the engine's ("Unexpected end of JSON input", "at position 17").
  await message.fill('');
  await expect(
    page.getByText('The message is empty: write a JSON value, e.g. {"op":"increment"} or "hello".'),
  ).toBeVisible();
  await expect(message).toHaveAttribute('aria-invalid', 'true');
  await expect(send).toBeDisabled();
  await shot(page, info, '00-empty-message');
  await message.fill('{"op":"increment"');
  await expect(
    page.getByText(
      'The message is not valid JSON at line 1, column 18: expected “,” or “}” after a property’s value, the text ends.',
    ),
  ).toBeVisible();
  await expect(send).toBeDisabled();
  await expect(page.getByText(/Unexpected|position/)).toHaveCount(0);
  await shot(page, info, '01-invalid-json');
  await message.fill('{"op":"increment"}');
  await send.click();
  await expect(page.getByLabel('Response', { exact: true })).toContainText('"count": 1');
  await shot(page, info, '02-message-response');
});
