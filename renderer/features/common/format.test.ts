import { describe, expect, it } from 'vitest';
import { plural } from './format.ts';

describe('plural', () => {
  it('says one of a thing in the singular and groups the digits of many', () => {
    expect([plural(1, 'entry', 'entries'), plural(0, 'entry', 'entries'), plural(1234, 'actor')]).toEqual([
      '1 entry',
      '0 entries',
      '1,234 actors',
    ]);
  });
});
