/** Run before every test file: the fs tripwire (runtime/testing/fs-tripwire.ts) fails any test that opens a live db. */
import { afterEach, expect } from 'vitest';
import { installFsTripwire, takeViolations } from './fs-tripwire.ts';

installFsTripwire();

afterEach(() => {
  const v = takeViolations();
  expect(v.map((x) => `${x.call}(${x.path}) while ${x.file} was open through SQLite\n${x.stack}`)).toEqual([]);
});
