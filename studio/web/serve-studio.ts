/**
 * The web Studio as one call: a StudioService on a db, the counter example (or any manifest) opened, the web host
 * on loopback. Used by `npm start` (bin/studio.js) and by the end-to-end fixture.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StudioService } from '../service/studio-service.ts';
import type { OpenResult } from '../contract.ts';
import { startWebHost, type WebHost } from './web-host.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DEFAULT_MANIFEST = join(ROOT, 'assets', 'examples', 'counter', 'manifest.toml');
export const RENDERER_DIR = join(ROOT, 'dist', 'renderer');

export interface ServeOptions {
  readonly db: string;
  readonly dataDir?: string;
  /** Opened at launch (unless another process writes the db); null opens nothing. Default: the counter example. */
  readonly manifest?: string | null;
  readonly port?: number;
  readonly token?: string;
  readonly ephemeralPorts?: boolean;
  readonly staticDir?: string;
}

export interface ServedStudio {
  readonly service: StudioService;
  readonly host: WebHost;
  readonly opened: OpenResult | null;
  close(): Promise<void>;
}

export async function serveStudio(o: ServeOptions): Promise<ServedStudio> {
  const service = StudioService.open({
    db: o.db,
    dataDir: o.dataDir ?? dirname(o.db),
    ephemeralPorts: o.ephemeralPorts,
  });
  let host: WebHost | undefined;
  try {
    const manifest = o.manifest === undefined ? DEFAULT_MANIFEST : o.manifest;
    // Another process writes this db (a `theater run`): the Studio watches it and starts nothing of its own.
    const watching = (await service.db({})).readOnly;
    const opened = manifest === null || watching ? null : await service.openManifest({ path: manifest });
    host = await startWebHost({ service, staticDir: o.staticDir ?? RENDERER_DIR, port: o.port, token: o.token });
    const h = host;
    return {
      service,
      host: h,
      opened,
      close: async () => {
        await h.close();
        await service.close();
      },
    };
  } catch (e) {
    await host?.close();
    await service.close();
    throw e;
  }
}
