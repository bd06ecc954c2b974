import { describe, expect, it } from 'vitest';
import { appUrlForDeepLink, deepLinkInArgs, openDeepLink } from './deep-link.ts';

const H = 'ab'.repeat(32);

describe('theater-studio:// deep links', () => {
  it('become the app URL with the same place after #, known keys only', () => {
    expect(
      appUrlForDeepLink(`theater-studio://open?actor=supervisor%2Fcounter&branch=main&entry=${H}&evil=1&b=${H}`),
    ).toBe(`studio://app/index.html#actor=supervisor%2Fcounter&branch=main&entry=${H}&b=${H}`);
  });

  it('refuse anything else: another scheme or host, no actor, an empty or overlong value, garbage', () => {
    expect(appUrlForDeepLink(`https://open?actor=counter`)).toBeNull();
    expect(appUrlForDeepLink(`theater-studio://delete?actor=counter`)).toBeNull();
    expect(appUrlForDeepLink(`theater-studio://open?entry=${H}`)).toBeNull();
    expect(appUrlForDeepLink(`theater-studio://open?actor=`)).toBeNull();
    expect(appUrlForDeepLink(`theater-studio://open?actor=${'x'.repeat(600)}`)).toBeNull();
    expect(appUrlForDeepLink('not a url')).toBeNull();
  });

  it('are found among a second instance’s arguments', () => {
    expect(deepLinkInArgs(['/usr/bin/theater-studio', '--db', 'x.db', 'theater-studio://open?actor=c'])).toBe(
      'theater-studio://open?actor=c',
    );
    expect(deepLinkInArgs(['/usr/bin/theater-studio'])).toBeUndefined();
  });

  it('navigate the window and bring it forward; a foreign link does nothing', () => {
    const calls: string[] = [];
    const win = {
      loadURL: async (u: string) => calls.push(`load ${u}`),
      isMinimized: () => true,
      restore: () => calls.push('restore'),
      focus: () => calls.push('focus'),
    };
    expect(openDeepLink(win, 'theater-studio://open?actor=counter')).toBe(true);
    expect(calls).toEqual(['load studio://app/index.html#actor=counter', 'restore', 'focus']);
    expect(openDeepLink(win, 'https://example.com/')).toBe(false);
    expect(calls).toHaveLength(3);
  });
});
