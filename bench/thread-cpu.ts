/**
 * CPU time per thread of this process, from /proc (Linux; elsewhere an empty map): what a loaded, shared machine
 * cannot blur. Throughput there depends on who else runs; CPU time per message does much less.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';

/** sysconf(_SC_CLK_TCK): 100 on every Linux we run on. */
const CLOCK_TICKS = 100;

/** CPU time (user + system, ms) of each OS thread of this process by thread id, with the thread's name. */
export function threadCpu(): Record<string, { name: string; ms: number }> {
  const out: Record<string, { name: string; ms: number }> = {};
  if (!existsSync('/proc/self/task')) return out;
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      // After the parenthesised name: state is field 3; utime and stime are fields 14 and 15 (clock ticks).
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const name = readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim();
      out[tid] = { name, ms: ((Number(rest[11]) + Number(rest[12])) * 1000) / CLOCK_TICKS };
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

/** CPU ms used between two snapshots, summed by thread name (threads that ended in between are lost). */
export function cpuByName(
  before: Record<string, { name: string; ms: number }>,
  after: Record<string, { name: string; ms: number }>,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [tid, t] of Object.entries(after)) {
    const used = t.ms - (before[tid]?.ms ?? 0);
    if (used > 0) out[t.name] = (out[t.name] ?? 0) + used;
  }
  return out;
}
