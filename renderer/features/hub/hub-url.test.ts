import { describe, expect, it } from 'vitest';
import { hubUrlError } from './hub-url.ts';

describe('the open-hub dialog’s URL check', () => {
  it('accepts what the service accepts, trimmed; an empty field is not an error yet', () => {
    for (const ok of [
      'postgres://user@host:5432/database',
      'postgresql://localhost/hub',
      '  postgres://u:p%20w@127.0.0.1:5433/h?sslmode=disable  ',
      '',
      '   ',
    ])
      expect(hubUrlError(ok)).toBeNull();
  });

  it('shows the URL meant when the scheme is missing', () => {
    expect(hubUrlError('localhost:5432/hub')).toBe('A hub URL starts with postgres://: postgres://localhost:5432/hub');
    expect(hubUrlError('//host/hub')).toBe('A hub URL starts with postgres://: postgres://host/hub');
  });

  it('says a hub is PostgreSQL when another scheme is given, and asks for lower case', () => {
    expect(hubUrlError('http://host:5432/hub')).toBe(
      'A hub is a PostgreSQL database, not http://…: its URL starts with postgres://, e.g. postgres://user@host:5432/database',
    );
    expect(hubUrlError('Postgres://host/hub')).toBe('Write the scheme in lower case: postgres://host/hub');
  });

  it('names an empty server, spaces and a URL too long', () => {
    expect(hubUrlError('postgres://')).toBe(
      'The URL names no server after postgres://, e.g. postgres://user@host:5432/database',
    );
    expect(hubUrlError('postgres://u:my pass@host/hub')).toBe(
      'A hub URL has no spaces (write a space in a password as %20).',
    );
    expect(hubUrlError(`postgres://host/${'h'.repeat(4096)}`)).toBe('The URL is 4112 characters long; at most 4096.');
  });
});
