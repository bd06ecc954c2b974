/**
 * Issue 10's proof, as assertions: the torture run (torture.ts) for a minute, then what must hold whatever
 * happened — the file is intact, the chain verifies, every acknowledged request is in it, the refused writer wrote
 * nothing, and no reader or worker ever saw a bad chain. The figures are printed (docs/reliability.md §7).
 */
import { describe, expect, it } from 'vitest';
import { torture } from './torture.ts';

describe('one db, many processes, kill -9 of the writer', () => {
  it('loses no acknowledged request, never corrupts the file, refuses the second writer', async () => {
    const f = await torture({ seconds: 60, seed: 1, log: (l) => console.log(`torture: ${l}`) });
    console.log(`TORTURE FIGURES ${JSON.stringify(f)}`);
    expect(f.writerFailures).toEqual([]);
    expect(f.final.integrityCheck).toBe('ok');
    expect(f.final.verifyExit).toBe(0);
    expect(f.requests.acknowledged).toBeGreaterThan(0);
    expect(f.requests.missing).toEqual([]);
    expect(f.kills).toBeGreaterThanOrEqual(1);
    expect(f.secondWriter.attempts).toBeGreaterThanOrEqual(1);
    expect(f.secondWriter.other).toEqual([]);
    expect(f.secondWriter.refusedNamingTheWriter).toBe(f.secondWriter.attempts);
    expect(f.final.intruderActors).toBe(0);
    expect(f.opens.python).toBeGreaterThan(0);
    expect(f.cli.failures).toEqual([]);
    expect(f.workersInWriter.wrong).toEqual([]);
    expect(f.workersInWriter.verified + f.workersInWriter.replayed).toBeGreaterThan(0);
  }, 300_000);
});
