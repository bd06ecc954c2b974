/**
 * The Studio's icons, drawn as inline SVG so they look the same on every machine: a glyph such as "⑂" depends on the
 * system's fonts and shows as an empty box with Debian's defaults. 16×16 grid, stroked in the current text colour.
 */
import type { ReactNode } from 'react';

const PATHS = {
  /** Continue from here: a branch leaving the line. */
  fork: (
    <>
      <circle cx="4" cy="3" r="1.6" />
      <circle cx="4" cy="13" r="1.6" />
      <circle cx="12" cy="5" r="1.6" />
      <path d="M4 4.6v6.8M12 6.6c0 3-3 3.4-6.6 5.4" />
    </>
  ),
  link: (
    <>
      <path d="M6.6 9.4l2.8-2.8" />
      <path d="M7.4 4.6l1.3-1.3a2.6 2.6 0 0 1 3.7 3.7l-1.3 1.3" />
      <path d="M8.6 11.4l-1.3 1.3a2.6 2.6 0 0 1-3.7-3.7l1.3-1.3" />
    </>
  ),
  /** Save as test: a check mark. */
  check: <path d="M3 8.5l3.2 3.2L13 4.5" />,
  play: <path d="M5 3.5v9l7-4.5z" fill="currentColor" />,
  stop: <rect x="4" y="4" width="8" height="8" rx="1" fill="currentColor" />,
  restart: (
    <>
      <path d="M12.5 8a4.5 4.5 0 1 1-1.3-3.2" />
      <path d="M11.6 2.4v2.8H8.8" />
    </>
  ),
  replay: (
    <>
      <path d="M3.5 8a4.5 4.5 0 1 0 1.3-3.2" />
      <path d="M4.4 2.4v2.8h2.8" />
      <path d="M7 6v4l3-2z" fill="currentColor" />
    </>
  ),
  export: (
    <>
      <path d="M8 2.5v7.5M5 7l3 3 3-3" />
      <path d="M3 11.5v2h10v-2" />
    </>
  ),
  import: (
    <>
      <path d="M8 10V2.5M5 5.5l3-3 3 3" />
      <path d="M3 11.5v2h10v-2" />
    </>
  ),
  sun: (
    <>
      <circle cx="8" cy="8" r="2.8" />
      <path d="M8 1.5v1.6M8 12.9v1.6M1.5 8h1.6M12.9 8h1.6M3.4 3.4l1.1 1.1M11.5 11.5l1.1 1.1M3.4 12.6l1.1-1.1M11.5 4.5l1.1-1.1" />
    </>
  ),
  moon: <path d="M12.8 10.2A5.5 5.5 0 0 1 5.8 3.2a5.5 5.5 0 1 0 7 7z" />,
  first: <path d="M4 3v10M12 3.5v9L6 8z" fill="currentColor" />,
  prev: <path d="M11 3.5v9L5 8z" fill="currentColor" />,
  next: <path d="M5 3.5v9l6-4.5z" fill="currentColor" />,
  last: <path d="M12 3v10M4 3.5v9L10 8z" fill="currentColor" />,
  warning: (
    <>
      <path d="M8 2l6.3 11H1.7z" />
      <path d="M8 6.5v3M8 11.2v.3" />
    </>
  ),
} satisfies Record<string, ReactNode>;

export type IconName = keyof typeof PATHS;

export function Icon({ name, label }: { name: IconName; label?: string }) {
  return (
    <svg
      className="icon"
      viewBox="0 0 16 16"
      width="14"
      height="14"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.5"
      strokeLinecap="round"
      strokeLinejoin="round"
      role={label ? 'img' : undefined}
      aria-label={label}
      aria-hidden={label ? undefined : true}
    >
      {PATHS[name]}
    </svg>
  );
}
