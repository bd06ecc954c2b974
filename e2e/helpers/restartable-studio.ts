/** A Studio a test stops and starts again on the same port and db, as a user restarting `npm start -- --port N`. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveStudio, type ServedStudio } from '../../studio/web/serve-studio.ts';

export interface RestartableStudio {
  /** Serves the Studio's db: on `port` when given (the one an earlier start had), else on a free one. */
  start(port?: number): Promise<ServedStudio>;
  /** Stops every start and removes the db's folder. */
  dispose(): Promise<void>;
}

/** `token`: the same one for every start (a restart of the same run); none: a new one each time, as each launch. */
export function restartableStudio(token?: string): RestartableStudio {
  const dir = mkdtempSync(join(tmpdir(), 'studio-e2e-'));
  const served: ServedStudio[] = [];
  return {
    async start(port) {
      const s = await serveStudio({ db: join(dir, 'studio.db'), dataDir: dir, ephemeralPorts: true, port, token });
      served.push(s);
      return s;
    },
    async dispose() {
      for (const s of served) await s.close().catch(() => {});
      rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
    },
  };
}
