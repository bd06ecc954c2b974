/**
 * The examples' chain tests (made with `theater test save` from a real counter session: see README.md here) run
 * as CI would run them: they pass against the counter they were recorded with, and the very same tests fail against
 * counter-by-two, naming the first entry where its behaviour differs.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

function theater(...args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(REPO, 'bin/theater.js'), ...args], { cwd: REPO }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
    );
  });
}

describe("the examples' chain tests", () => {
  it('pass against counter.wasm', async () => {
    const r = await theater('test', 'assets/examples');
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(
      /^PASS {2}assets\/examples\/counter\/theater-tests\/three-increments-and-a-read\.test\.json/m,
    );
    expect(r.out).toContain('2 tests: 2 passed, 0 failed, 0 errors');
  });

  it('fail against counter-by-two.wasm, at the first increment', async () => {
    const r = await theater(
      'test',
      'assets/examples',
      '--component',
      'assets/examples/counter-by-two/counter-by-two.wasm',
    );
    expect(r.code, r.out).toBe(1);
    expect(r.out).toMatch(/^FAIL {2}.*three-increments-and-a-read\.test\.json .*diverged at entry #5: /m);
    // The range test compares states and responses only: it fails at the response, with the state diff.
    expect(r.out).toMatch(
      /^FAIL {2}.*two-increments-state-and-responses\.test\.json .*diverged at entry #6: .*differs in output, state/m,
    );
    expect(r.out).toContain('~ $.count: 1 → 2');
    expect(r.out).toContain('2 tests: 0 passed, 2 failed, 0 errors');
  });
});
