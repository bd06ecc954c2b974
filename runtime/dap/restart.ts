/**
 * What `restart` replays: the recorded path from its start, re-executed against the component (the recorded build,
 * or the launch configuration's `component`) on a worker thread, reported as one line in the Debug Console.
 */
import { plural, replay, TimeTravelError } from '../index.ts';

export async function restartReplay(db: string, actor: string, branch: string, component?: string): Promise<string> {
  try {
    const r = await replay({ db, actor, branch, component });
    const against = component ? ` against ${component}` : '';
    switch (r.status) {
      case 'verified':
        return `replay from the start${against}: verified ${plural(r.count, 'entry', 'entries')}, same head ${r.head?.slice(0, 16) ?? ''}`;
      case 'diverged':
        return `replay from the start${against}: DIVERGED at entry #${r.index}: ${r.reason}`;
      case 'failed':
        return `replay from the start could not run: ${r.message}`;
      default: {
        const never: never = r;
        return String(never);
      }
    }
  } catch (e) {
    if (e instanceof TimeTravelError || e instanceof Error) return `replay from the start could not run: ${e.message}`;
    throw e;
  }
}
