import { describe, expect, it } from 'vitest';
import { pathError, readHeaders } from './request-form.ts';

describe('the HTTP panel’s request form', () => {
  it('reads one “name: value” per line, skipping blank lines and keeping colons in values', () => {
    expect(readHeaders('content-type: application/json\n\n  x-at:  12:30 \n')).toEqual({
      headers: [
        ['content-type', 'application/json'],
        ['x-at', '12:30'],
      ],
    });
    expect(readHeaders('')).toEqual({ headers: [] });
  });

  it('names the line that is not a header instead of sending it as one (it was dropped or refused by the service)', () => {
    expect(readHeaders('accept: */*\nno colon here')).toEqual({
      error: 'Header line 2 has no “:”: write it as “name: value”.',
    });
    expect(readHeaders(': x')).toEqual({
      error: 'Header line 1 has no name before its “:”.',
    });
    expect(readHeaders('bad name: x')).toEqual({
      error: 'Header line 1: “bad name” cannot be a header name (no spaces, quotes or separators).',
    });
  });

  it('says a path must start with “/” and shows the one meant', () => {
    expect(pathError('/count')).toBeNull();
    expect(pathError('')).toBeNull();
    expect(pathError('count')).toBe('The path starts with “/”: /count');
  });
});
