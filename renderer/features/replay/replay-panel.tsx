/** Replay the branch (or against another build) and show the verdict; a divergence is marked on the graph. */
import { useState } from 'react';
import type { ReplayBuild } from '../../../studio/contract.ts';
import { actions, useStudio } from '../../store/index.ts';
import { plural, pretty } from '../common/format.ts';
import { Icon } from '../common/icons.tsx';
import { DiffBody } from '../diff-view/diff-view.tsx';

export function ReplayPanel() {
  const replay = useStudio((s) => s.replay);
  const progress = useStudio((s) => s.progress);
  const [path, setPath] = useState('');
  return (
    <div className="replay" aria-label="Replay">
      <p className="muted small">
        Re-runs every recorded call on a fresh instance, answering imports from the record, and compares each new
        entry's hash with the recorded one.
      </p>
      <div className="row-form">
        <button
          type="button"
          className="primary"
          disabled={replay.phase === 'running'}
          onClick={() => void actions.runReplay()}
          aria-label="Replay chain"
        >
          <Icon name="replay" />
          <span>Replay chain</span>
        </button>
      </div>
      <form
        className="row-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (path.trim()) void actions.runReplay(path.trim());
        }}
      >
        <input
          aria-label="Component path to replay against"
          placeholder="…/another-build.wasm"
          value={path}
          onChange={(e) => setPath(e.target.value)}
        />
        <button type="submit" disabled={!path.trim() || replay.phase === 'running'} aria-label="Replay against build">
          Replay against build
        </button>
      </form>
      {progress && progress.task === 'replay' && (
        <progress aria-label="Replay progress" max={progress.total} value={progress.done}>
          {progress.done}/{progress.total}
        </progress>
      )}
      {replay.phase === 'running' && !progress && <p className="muted">Replaying…</p>}
      {replay.phase === 'error' && <p className="error-text">{replay.message}</p>}
      {replay.phase === 'done' && <ReplayVerdict />}
    </div>
  );
}

/** Which build a replay ran: its file, its sha256, and whether it is the one that recorded the chain. */
function BuildLine({ build }: { build: ReplayBuild }) {
  const file = build.path.split('/').at(-1);
  return (
    <div className="small" aria-label="Replayed build">
      {build.from !== undefined && `from #${build.from} `}against{' '}
      <span className="mono" title={build.path}>
        {file}
      </span>{' '}
      <span className="mono muted" title={build.sha256}>
        sha256 {build.sha256.slice(0, 12)}
      </span>{' '}
      {build.recorded ? '(the build that recorded it)' : '(another build than the one that recorded it)'}
    </div>
  );
}

/** The build the replay ran, or each build with the entry it took over from when the chain was recorded by several. */
function Builds({ r }: { r: { build?: ReplayBuild; builds?: readonly ReplayBuild[] } }) {
  if (r.builds) return r.builds.map((b) => <BuildLine key={`${b.from}-${b.sha256}`} build={b} />);
  return r.build ? <BuildLine build={r.build} /> : null;
}

function ReplayVerdict() {
  const replay = useStudio((s) => s.replay);
  if (replay.phase !== 'done') return null;
  const r = replay.result;
  switch (r.status) {
    case 'verified':
      return (
        <div className="verdict ok" role="status" aria-label="Replay result">
          ✓ Replay verified: {plural(r.count, 'entry', 'entries')} reproduced exactly (head {r.head.slice(0, 10)})
          <Builds r={r} />
        </div>
      );
    case 'failed':
      return (
        <div className="verdict bad" role="status" aria-label="Replay result">
          ✗ Replay failed: {r.message}
        </div>
      );
    case 'diverged':
      return (
        <div className="verdict bad" role="status" aria-label="Replay result">
          <div>
            ✗ Diverged at{' '}
            <button
              type="button"
              className="link mono"
              onClick={() => actions.guard('Going to the entry', actions.selectHash(r.entry))}
            >
              #{r.seq}
            </button>{' '}
            (entry {r.index + 1} of the replay)
          </div>
          <Builds r={r} />
          <div className="exp-got">
            <div>
              <h4>Expected (recorded)</h4>
              <div className="mono small">
                {r.expected.kind} {r.expected.iface}.{r.expected.fn}
              </div>
              <pre className="payload" aria-label="Expected">
                {pretty({ input: r.expected.input, output: r.expected.output })}
              </pre>
            </div>
            <div>
              <h4>Got (replayed)</h4>
              <div className="mono small">
                {r.got.kind} {r.got.iface}.{r.got.fn}
              </div>
              <pre className="payload" aria-label="Got">
                {pretty({ input: r.got.input, output: r.got.output })}
              </pre>
            </div>
          </div>
          {r.stateDiff && (
            <>
              <h4>State diff (recorded → replayed)</h4>
              <DiffBody diff={r.stateDiff} />
            </>
          )}
        </div>
      );
  }
}
