/**
 * How a person drives the Studio, as reusable steps: every helper goes through roles and labels the user sees,
 * never through the service behind the page.
 */
import { expect, type Page, type TestInfo } from '@playwright/test';

/** Save a screenshot under the test's output folder (numbered so they read in order). */
export async function shot(page: Page, info: TestInfo, name: string): Promise<void> {
  await page.screenshot({ path: info.outputPath(`${name}.png`) });
}

/** Rows of the entry list whose accessible name matches (e.g. /call .*handle-request/). */
export function rows(page: Page, name: RegExp) {
  return page.getByRole('grid', { name: 'Entry list' }).getByRole('row', { name });
}

export async function openTab(page: Page, name: 'Details' | 'State' | 'Diff' | 'Replay'): Promise<void> {
  await page.getByRole('tablist', { name: 'Inspector' }).getByRole('tab', { name }).click();
}

/** The compact one-line JSON of the state after the selected entry. */
export function stateText(page: Page) {
  return page.getByLabel('State text');
}

/** Fire `n` POST /increment requests from the HTTP panel, waiting for each 200. */
export async function fireIncrements(page: Page, n: number): Promise<void> {
  const drawer = page.getByRole('tablist', { name: 'Request panels' });
  const httpTab = drawer.getByRole('tab', { name: 'HTTP' });
  if ((await httpTab.getAttribute('aria-selected')) !== 'true') await httpTab.click();
  await page.getByLabel('HTTP method').selectOption('POST');
  await page.getByLabel('Request path').fill('/increment');
  const history = page.getByRole('list', { name: 'HTTP history' }).getByRole('listitem');
  const before = await history.count();
  for (let i = 0; i < n; i++) {
    await page.getByRole('button', { name: 'Send HTTP request' }).click();
    await expect(history).toHaveCount(before + i + 1);
    await expect(page.getByLabel('HTTP status')).toHaveText('200');
  }
}

/** Move the keyboard focus off any field so the global shortcuts apply. */
export async function focusApp(page: Page): Promise<void> {
  await page
    .getByRole('img', { name: /Chain graph canvas/ })
    .focus()
    .catch(() => {});
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
}

/** Press ← until the state reads `want` (at most `max` times). */
export async function stepBackUntilState(page: Page, want: string, max = 30): Promise<void> {
  await focusApp(page);
  for (let i = 0; i < max; i++) {
    if ((await stateText(page).textContent()) === want) return;
    const before = await page.getByLabel('Position').textContent();
    await page.keyboard.press('ArrowLeft');
    await expect(page.getByLabel('Position')).not.toHaveText(before ?? '');
    // The state is fetched lazily for the newly selected entry.
    await page.waitForTimeout(120);
  }
  await expect(stateText(page)).toHaveText(want);
}

/**
 * How many entry nodes the chain graph has painted on a lane, counted from the canvas pixels along the lane's
 * middle: runs of saturated colour (calls, returns, errors, imports; events are grey and not counted, nor are
 * the yellow highlight rings). What the user sees, without knowing the graph's scale.
 */
export async function paintedNodes(page: Page, lane = 0): Promise<number> {
  return page.getByRole('img', { name: /Chain graph canvas/ }).evaluate((el, laneIndex) => {
    const canvas = el as HTMLCanvasElement;
    const ratio = canvas.width / canvas.getBoundingClientRect().width;
    // renderer/features/chain-graph/paint.ts: TOP 22, LANE_H 40, LABEL_W 88 (CSS pixels)
    const y = Math.round((22 + laneIndex * 40 + 20) * ratio);
    const x0 = Math.round(88 * ratio);
    const row = canvas.getContext('2d')!.getImageData(x0, y, canvas.width - x0, 1).data;
    let runs = 0;
    let inRun = false;
    for (let i = 0; i < row.length; i += 4) {
      const [r, g, b] = [row[i]!, row[i + 1]!, row[i + 2]!];
      // Yellow is the highlight ring around entries a request produced, not a node.
      const yellow = r > 150 && g > 130 && b < 130;
      const saturated = Math.max(r, g, b) - Math.min(r, g, b) > 60 && !yellow;
      if (saturated && !inRun) runs++;
      inRun = saturated;
    }
    return runs;
  }, lane);
}
