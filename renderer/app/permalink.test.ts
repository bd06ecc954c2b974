import { describe, expect, it } from 'vitest';
import { currentLink, linkParams, parseLink, shareableLink } from './permalink.ts';

const H = (c: string) => c.repeat(64);

describe('permalinks', () => {
  it('round-trips a link through URL parameters, keys in a fixed order', () => {
    const link = { actor: 'supervisor/counter', branch: 'fork-1', entry: H('a'), a: H('b'), b: H('c') };
    const params = linkParams(link);
    expect(params).toBe(`actor=supervisor%2Fcounter&branch=fork-1&entry=${H('a')}&a=${H('b')}&b=${H('c')}`);
    expect(parseLink(`#${params}`)).toEqual(link);
    expect(parseLink(`?${params}`)).toEqual(link);
  });

  it('drops what is not a link: no actor, bad hashes, overlong names', () => {
    expect(parseLink('')).toBeNull();
    expect(parseLink('#entry=' + H('a'))).toBeNull();
    expect(parseLink(`#actor=counter&entry=xyz&a=${H('A')}`)).toEqual({ actor: 'counter', a: H('a') });
    expect(parseLink(`#actor=counter&branch=${'x'.repeat(200)}`)).toEqual({ actor: 'counter' });
  });

  it('describes where the Studio stands', () => {
    const entry = { hash: H('d') } as never;
    expect(currentLink({ actorId: null, viewBranch: null, selected: null, diffA: null, diffB: null })).toBeNull();
    expect(
      currentLink({ actorId: 'counter', viewBranch: 'main', selected: { entry, index: 3 }, diffA: null, diffB: null }),
    ).toEqual({ actor: 'counter', branch: 'main', entry: H('d') });
  });

  it('shares a web link without the launch token, and a deep link from Electron', () => {
    const link = { actor: 'counter', entry: H('e') };
    expect(shareableLink(link, { kind: 'web', origin: 'http://127.0.0.1:4100', path: '/' })).toBe(
      `http://127.0.0.1:4100/#actor=counter&entry=${H('e')}`,
    );
    expect(shareableLink(link, { kind: 'electron', origin: 'studio://app', path: '/index.html' })).toBe(
      `theater-studio://open?actor=counter&entry=${H('e')}`,
    );
  });
});
