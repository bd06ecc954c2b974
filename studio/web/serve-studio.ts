/**
 * The web Studio as one call: a StudioSession on a db (and a hub, when given), the counter example (or any manifest)
 * opened, the web host on loopback. Used by `npm start` (bin/studio.js) and by the end-to-end fixture.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StudioSession } from '../service/studio-session.ts';
import type { StudioService } from '../service/studio-service.ts';
import type { OpenResult } from '../contract.ts';
import { startWebHost, type WebHost } from './web-host.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DEFAULT_MANIFEST = join(ROOT, 'assets', 'examples', 'counter', 'manifest.toml');
export const RENDERER_DIR = join(ROOT, 'dist', 'renderer');

export interface ServeOptions {
  readonly db: string;
  readonly dataDir?: string;
  /**
   * Opened at launch (unless another process writes the db); null opens nothing. Default: the counter example
   * (none when a hub is given).
   */
  readonly manifest?: string | null;
  /** A hub whose nodes' actors the Studio shows beside its own (postgres:// URL). */
  readonly hub?: string;
  readonly port?: number;
  readonly token?: string;
  readonly ephemeralPorts?: boolean;
  readonly staticDir?: string;
}

export interface ServedStudio {
  /** What the web host serves: the Studio's own db and actors, and the hub when one is open. */
  readonly session: StudioSession;
  /** The Studio's own db and actors (tests set up state through it). */
  readonly service: StudioService;
  readonly host: WebHost;
  readonly opened: OpenResult | null;
  close(): Promise<void>;
}

export async function serveStudio(o: ServeOptions): Promise<ServedStudio> {
  const session = await StudioSession.open({
    db: o.db,
    dataDir: o.dataDir ?? dirname(o.db),
    ephemeralPorts: o.ephemeralPorts,
    hub: o.hub,
  });
  let host: WebHost | undefined;
  try {
    const manifest = o.manifest === undefined ? (o.hub ? null : DEFAULT_MANIFEST) : o.manifest;
    // Another process writes this db (a `theater run`): the Studio watches it and starts nothing of its own.
    const watching = (await session.db({})).readOnly;
    const opened = manifest === null || watching ? null : await session.openManifest({ path: manifest });
    host = await startWebHost({
      service: session,
      staticDir: o.staticDir ?? RENDERER_DIR,
      port: o.port,
      token: o.token,
    });
    const h = host;
    return {
      session,
      service: session.local,
      host: h,
      opened,
      close: async () => {
        await h.close();
        await session.close();
      },
    };
  } catch (e) {
    await host?.close();
    await session.close();
    throw e;
  }
}
