/**
 * `theater build`: an actor project → its component, written next to the manifest (where the manifest's component
 * path points). Each step reports as it finishes; a failure is a BuildError that says what and where, and leaves the
 * previous component in place (the new one is written to a temporary file and renamed over it).
 */
import { createHash, randomBytes } from 'node:crypto';
import { renameSync, writeFileSync } from 'node:fs';
import { compileC } from './build-c.ts';
import { bundleTs, componentizeTs } from './build-ts.ts';
import { rel, type Project, type Step } from './project.ts';
import { refreshTypes } from './types-gen.ts';

export interface BuildResult {
  readonly out: string;
  readonly bytes: number;
  readonly sha256: string;
  readonly ms: number;
  readonly steps: readonly { readonly name: string; readonly ms: number }[];
}

export interface BuildOptions {
  /** Called as each step finishes. */
  readonly onStep?: (name: string, ms: number) => void;
}

export async function buildProject(p: Project, opts: BuildOptions = {}): Promise<BuildResult> {
  const started = performance.now();
  const steps: { name: string; ms: number }[] = [];
  const step: Step = async (name, run) => {
    const t = performance.now();
    const v = await run();
    const ms = performance.now() - t;
    steps.push({ name, ms });
    opts.onStep?.(name, ms);
    return v;
  };
  let component: Uint8Array;
  if (p.lang === 'ts') {
    await refreshTypes(p, step);
    const bundle = await bundleTs(p, step);
    component = await componentizeTs(p, bundle, step);
  } else {
    component = await compileC(p, step);
  }
  const tmp = `${p.out}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, component);
  renameSync(tmp, p.out); // one change event for watchers, and never a half-written component
  return {
    out: p.out,
    bytes: component.length,
    sha256: createHash('sha256').update(component).digest('hex'),
    ms: performance.now() - started,
    steps,
  };
}

export function describeResult(p: Project, r: BuildResult): string {
  const size = r.bytes >= 1e6 ? `${(r.bytes / 1e6).toFixed(1)} MB` : `${(r.bytes / 1e3).toFixed(1)} kB`;
  return `wrote ${rel(p, r.out)}  ${size}  sha256 ${r.sha256.slice(0, 16)}  (${(r.ms / 1000).toFixed(1)} s)`;
}
