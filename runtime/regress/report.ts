/**
 * How test outcomes are shown: one line per test (with the divergence spelled out under a failure) for people,
 * JUnit XML for CI systems (written by junit-report-builder, the format Jenkins, GitLab and GitHub reporters read).
 */
import { isAbsolute, relative, resolve } from 'node:path';
import junitModule, { type Builder } from 'junit-report-builder';
import { plural, renderDiff, type CrossingView } from '../index.ts';
import type { TestOutcome } from './run-tests.ts';

// The package is CommonJS (`module.exports = builder`) typed as an ES default export, which TypeScript under NodeNext
// reads as { default: builder }; Node's default import is module.exports itself, the builder.
const junit = junitModule as unknown as Builder;

/** A test's path as printed: relative to the working folder when it is inside it, else absolute. */
function shown(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : resolve(file);
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** The lines printed for one outcome: the first is the test's own line, the rest (failures only) are indented. */
export function outcomeLines(t: TestOutcome, cwd = process.cwd()): string[] {
  const where = shown(t.file, cwd);
  switch (t.status) {
    case 'passed':
      return [
        `PASS  ${where}  ${t.name}: ${plural(t.entries, 'entry', 'entries')} replayed, same behaviour (${seconds(t.ms)})`,
      ];
    case 'error':
      return [`ERROR ${where}  ${t.message}`];
    case 'failed':
      return [`FAIL  ${where}  ${t.name}: ${summary(t)}`, ...details(t).map((l) => `      ${l}`)];
    default: {
      const never: never = t;
      return [String(never)];
    }
  }
}

/** One line: where and why it diverged, or why the replay could not run. */
function summary(t: Extract<TestOutcome, { status: 'failed' }>): string {
  const r = t.report;
  if (r.status === 'failed') return `the replay could not run: ${r.message}`;
  return `diverged at entry #${r.index}: ${r.reason}`;
}

/** Expected vs got and the state diff, as indented lines. */
function details(t: Extract<TestOutcome, { status: 'failed' }>): string[] {
  const r = t.report;
  if (r.status === 'failed') return [`against ${t.component}`];
  return [
    `against ${t.component} (${plural(r.count, 'entry', 'entries')} matched before it)`,
    `expected: ${crossing(r.expected)}`,
    `got:      ${crossing(r.got)}`,
    'state after the call, recorded → replayed:',
    ...renderDiff(r.stateDiff).map((l) => `  ${l}`),
  ];
}

function crossing(c: CrossingView | null): string {
  if (!c) return '(nothing)';
  const fn = `${c.iface.replace(/^[^/]*\//, '').replace(/@[\d.]+$/, '')}.${c.fn}`;
  const io = c.kind === 'return' || c.kind === 'error' ? `→ ${JSON.stringify(c.output)}` : JSON.stringify(c.input);
  return `#${c.seq} ${c.kind} ${fn} ${io}`;
}

export function totalsLine(all: readonly TestOutcome[]): string {
  const n = (s: TestOutcome['status']) => all.filter((t) => t.status === s).length;
  return `${all.length} test${all.length === 1 ? '' : 's'}: ${n('passed')} passed, ${n('failed')} failed, ${n('error')} error${n('error') === 1 ? '' : 's'}`;
}

/** The outcomes as a JUnit XML document: one suite, a test case per test, <failure> or <error> with the details. */
export function junitXml(all: readonly TestOutcome[], cwd = process.cwd()): string {
  const b = junit.newBuilder();
  const suite = b.testSuite().name('theater test');
  for (const t of all) {
    const c = suite
      .testCase()
      .className(`theater.${t.actor ?? 'unknown'}`)
      .name(t.name)
      .file(shown(t.file, cwd))
      .time(t.ms / 1000);
    if (t.status === 'failed') c.failure(summary(t), 'divergence').stacktrace(details(t).join('\n'));
    else if (t.status === 'error') c.error(t.message, 'test-error');
  }
  return b.build();
}
