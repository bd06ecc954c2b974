/** Naming rules between WIT (kebab-case, versioned) and jco's JS (camelCase, versionless import keys). */

/** "theater:simple/runtime@0.1.0" → "theater:simple/runtime" */
export function stripVersion(name: string): string {
  const at = name.indexOf('@');
  return at < 0 ? name : name.slice(0, at);
}

/** "random-bytes" → "randomBytes" (jco's rule for function names). */
export function camelCase(kebab: string): string {
  return kebab.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** "randomBytes" → "random-bytes". Exact inverse of camelCase for WIT identifiers, which are lower-case words. */
export function kebabCase(camel: string): string {
  return camel.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

export const THEATER_PACKAGE = 'theater:simple';

export function theaterInterface(short: string): string {
  return `${THEATER_PACKAGE}/${short}`;
}
