export type { SourceLoc, HandlerType, HandlerConfig, Manifest, RemoteAddress } from './types.ts';
export { ManifestError, formatManifestError } from './manifest-error.ts';
export { parseManifest } from './parse-manifest.ts';
export { loadManifest } from './load-manifest.ts';
export { normalizeHandlerType } from './handlers.ts';
