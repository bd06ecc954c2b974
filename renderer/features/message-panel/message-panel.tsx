/** Send (fire and forget) or request (wait for a reply) a JSON message to any running actor. */
import { useState } from 'react';
import type { ActorView, MessageFireResult } from '../../../studio/contract.ts';
import { actions, errorMessage, useStudio } from '../../store/index.ts';
import { plural, pretty } from '../common/format.ts';
import { jsonProblem } from '../common/json-problem.ts';

const MESSAGE_EXPORT = 'theater:simple/message-server-client';

export function MessagePanel() {
  const actors = useStudio((s) => s.actors);
  const actorId = useStudio((s) => s.actorId);
  const [target, setTarget] = useState<string>('');
  const [kind, setKind] = useState<'send' | 'request'>('request');
  const [json, setJson] = useState('{"op":"increment"}');
  const [busy, setBusy] = useState(false);
  const [res, setRes] = useState<{ r: MessageFireResult | null; error?: string } | null>(null);
  const jsonError = jsonProblem(json, 'The message');
  // The target stays what the user chose, also when it stops: the panel says so instead of switching silently.
  const to = target || actorId || '';
  const toActor = actors.find((a) => a.id === to);
  const takesMessages = (a: ActorView) => a.status === 'running' && a.exports.includes(MESSAGE_EXPORT);
  const targets = actors.filter((a) => takesMessages(a) || a.id === to);
  const why = !toActor
    ? null
    : toActor.status !== 'running'
      ? `${toActor.id} is ${toActor.status}: start it to send it messages.`
      : !takesMessages(toActor)
        ? `${toActor.id} does not take messages (its component does not export message-server-client).`
        : null;

  const fire = async () => {
    if (!to || jsonError || why) return;
    setBusy(true);
    try {
      setRes({ r: await actions.fireMessage({ actor: to, kind, json }) });
    } catch (e) {
      setRes({ r: null, error: errorMessage(e) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="message-panel"
      aria-label="Message panel"
      onSubmit={(e) => {
        e.preventDefault();
        void fire();
      }}
    >
      <div className="row-form">
        <select aria-label="Target actor" value={to} onChange={(e) => setTarget(e.target.value)}>
          {targets.map((a) => (
            <option key={a.id} value={a.id}>
              {a.id}
              {takesMessages(a) ? '' : ` (${a.status})`}
            </option>
          ))}
        </select>
        <span role="radiogroup" aria-label="Message kind" className="seg">
          {(['request', 'send'] as const).map((k) => (
            <label key={k} className={kind === k ? 'on' : ''}>
              <input type="radio" name="msg-kind" checked={kind === k} onChange={() => setKind(k)} />
              {k}
            </label>
          ))}
        </span>
        <button
          type="submit"
          className="primary"
          disabled={busy || !!jsonError || !to || why !== null}
          aria-label="Send message"
        >
          {busy ? 'Sending…' : kind === 'request' ? 'Request' : 'Send'}
        </button>
      </div>
      {why && <div className="warn-text small">{why}</div>}
      <div className="two-col">
        <label>
          Message (JSON)
          <textarea
            aria-label="Message JSON"
            aria-invalid={jsonError !== null}
            className="mono"
            rows={4}
            value={json}
            onChange={(e) => setJson(e.target.value)}
          />
          {jsonError ? (
            <span className="error-text small">{jsonError}</span>
          ) : (
            <span className="ok-text small">valid JSON</span>
          )}
        </label>
        <div aria-label="Message response">
          {!res && (
            <p className="empty">{kind === 'request' ? 'The reply appears here.' : 'Send delivers without a reply.'}</p>
          )}
          {res?.error && <p className="error-text">{res.error}</p>}
          {res?.r && (
            <>
              <div className="status-line">
                <span className={res.r.ok ? 'ok-text' : 'error-text'}>{res.r.ok ? 'ok' : 'error'}</span>
                <span className="muted">
                  {' '}
                  · {res.r.ms.toFixed(0)} ms · {plural(res.r.entries.length, 'entry', 'entries')}
                </span>
                {res.r.entries[0] && (
                  <button
                    type="button"
                    className="link small"
                    onClick={() => actions.guard('Going to the entry', actions.selectHash(res.r!.entries[0]!))}
                  >
                    show in chain
                  </button>
                )}
              </div>
              {res.r.error && <p className="error-text">{res.r.error}</p>}
              {res.r.response !== undefined && (
                <pre className="payload" aria-label="Response">
                  {pretty(res.r.response)}
                </pre>
              )}
            </>
          )}
        </div>
      </div>
    </form>
  );
}
