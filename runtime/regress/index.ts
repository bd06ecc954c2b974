/** `theater test`'s engine: find chain tests, run them, report them (lines and JUnit XML). The CLI is a thin shell. */
export { findTests, NoTestsError } from './discover.ts';
export { runTest, runTests, type RunOptions, type TestOutcome } from './run-tests.ts';
export { junitXml, outcomeLines, totalsLine } from './report.ts';
