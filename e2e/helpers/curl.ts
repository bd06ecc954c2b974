/**
 * Real HTTP from outside the Studio, as a person scripting an actor would: curl, against the port the actor's
 * manifest opened. Used to load an actor while the Studio watches.
 */
import { spawn } from 'node:child_process';
import type { StudioService } from '../../studio/service/studio-service.ts';

/** The port of an actor's HTTP handler (what the actor tree and `npm start` print). */
export async function httpPort(service: StudioService, actor: string): Promise<number> {
  const a = (await service.listActors({})).find((x) => x.id === actor);
  const l = a?.listeners.find((x) => x.kind === 'http-server');
  if (!l) throw new Error(`${actor} has no HTTP listener`);
  return l.port;
}

/**
 * `n` requests fired by one curl process, `parallel` at a time (curl --parallel); resolves with the HTTP status of
 * each, in the order they completed.
 */
export function curlBurst(
  port: number,
  n: number,
  opts: { method?: string; path?: string; parallel?: number; body?: string } = {},
): Promise<number[]> {
  const url = `http://127.0.0.1:${port}${opts.path ?? '/increment'}`;
  // Options before the URLs apply to every one of them; each -o pairs with the next URL.
  const args = ['-s', '--no-progress-meter', '--parallel', '--parallel-max', String(opts.parallel ?? 8)];
  args.push('-X', opts.method ?? 'POST', '-w', '%{http_code}\\n');
  if (opts.body !== undefined) args.push('-H', 'content-type: application/json', '--data', opts.body);
  for (let i = 0; i < n; i++) args.push('-o', '/dev/null', url);
  return new Promise((resolve, reject) => {
    const p = spawn('curl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => {
      if (code !== 0) return reject(new Error(`curl exited ${code}: ${err}`));
      resolve(out.trim().split('\n').map(Number));
    });
  });
}
