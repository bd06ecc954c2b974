import { expect, it } from 'vitest';
import { plural } from './plural.ts';

it('says 1 entry and 0 or 2 entries, 1 blob and 2 blobs', () => {
  expect([0, 1, 2].map((n) => plural(n, 'entry', 'entries'))).toEqual(['0 entries', '1 entry', '2 entries']);
  expect([plural(1, 'blob'), plural(2, 'blob')]).toEqual(['1 blob', '2 blobs']);
});
