/** Fire HTTP requests at the actor's HTTP handler; see the response and which entries it produced. */
import { useState } from 'react';
import type { HttpFire, HttpFireResult } from '../../../studio/contract.ts';
import { actions, errorMessage, REQ_BODY_MAX, RES_BODY_MAX, useCurrentActor, useStudio } from '../../store/index.ts';
import { plural } from '../common/format.ts';
import { Icon } from '../common/icons.tsx';
import { jsonProblem } from '../common/json-problem.ts';
import { pathError, readHeaders } from './request-form.ts';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
const BODY_CUT = `Its body was longer than ${REQ_BODY_MAX / 1024} KiB and only that much was kept: it cannot be sent again as it was.`;

export function HttpPanel() {
  const actor = useCurrentActor();
  const history = useStudio((s) => s.httpHistory);
  const [method, setMethod] = useState('POST');
  const [path, setPath] = useState('/increment');
  const [headers, setHeaders] = useState('content-type: application/json');
  const [body, setBody] = useState('');
  const [busy, setBusy] = useState(false);
  const [last, setLast] = useState<{ res: HttpFireResult | null; error?: string } | null>(null);
  const http = actor?.listeners.find((l) => l.kind === 'http-server');
  const running = actor?.status === 'running';
  // Why a request cannot go, in the user's terms: a stopped actor has no listeners, but it may well have a handler.
  const why = !actor
    ? null
    : !running
      ? `${actor.id} is ${actor.status}: start it (▶ in the actor tree) to send it requests.`
      : !http
        ? `${actor.id} has no HTTP handler in its manifest.`
        : null;
  const read = readHeaders(headers);
  const headerError = 'error' in read ? read.error : null;
  const badPath = pathError(path);
  // An empty body is no body; one sent as JSON must be JSON.
  const bodyError = body.trim() && /json/i.test(headers) ? jsonProblem(body, 'The body') : null;

  const send = async (req: HttpFire) => {
    setBusy(true);
    try {
      setLast({ res: await actions.fireHttp(req) });
    } catch (e) {
      setLast({ res: null, error: errorMessage(e) });
    } finally {
      setBusy(false);
    }
  };
  const current = (): HttpFire | null =>
    actor && 'headers' in read && badPath === null
      ? { actor: actor.id, method, path: path || '/', headers: read.headers, ...(body ? { body } : {}) }
      : null;

  return (
    <div className="http-panel" aria-label="HTTP panel">
      <form
        className="req"
        onSubmit={(e) => {
          e.preventDefault();
          const r = current();
          if (r) void send(r);
        }}
      >
        <div className="row-form">
          <select aria-label="HTTP method" value={method} onChange={(e) => setMethod(e.target.value)}>
            {METHODS.map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>
          <input
            aria-label="Request path"
            aria-invalid={badPath !== null}
            className="grow mono"
            value={path}
            onChange={(e) => setPath(e.target.value)}
          />
          <button
            type="submit"
            className="primary"
            disabled={!actor || busy || why !== null || badPath !== null || headerError !== null}
            aria-label="Send HTTP request"
          >
            {busy ? 'Sending…' : 'Send'}
          </button>
        </div>
        {badPath && <div className="error-text small">{badPath}</div>}
        {why ? (
          <div className="warn-text small">{why}</div>
        ) : (
          http && (
            <div className="muted small">
              {actor?.id} listens on http://{http.host}:{http.port}
            </div>
          )
        )}
        {actor?.note && <div className="warn-text small">{actor.note}</div>}
        <div className="two-col">
          <label>
            Headers <span className="muted small">(one “name: value” per line)</span>
            <textarea
              aria-label="Request headers"
              aria-invalid={headerError !== null}
              className="mono"
              rows={3}
              value={headers}
              onChange={(e) => setHeaders(e.target.value)}
            />
            {headerError && <span className="error-text small">{headerError}</span>}
          </label>
          <label>
            Body{' '}
            <button
              type="button"
              className="link small"
              onClick={() => body.trim() && !bodyError && setBody(JSON.stringify(JSON.parse(body), null, 2))}
            >
              format JSON
            </button>
            <textarea
              aria-label="Request body"
              aria-invalid={bodyError !== null}
              className="mono"
              rows={3}
              value={body}
              onChange={(e) => setBody(e.target.value)}
            />
            {bodyError && <span className="error-text small">{bodyError}</span>}
          </label>
        </div>
      </form>
      <div className="two-col">
        <div className="response" aria-label="HTTP response">
          {last?.error && <p className="error-text">{last.error}</p>}
          {last?.res && <Response res={last.res} />}
          {!last && <p className="empty">Send a request to see the response.</p>}
        </div>
        <div className="history">
          <h4>History</h4>
          <ul aria-label="HTTP history">
            {history.map((h, i) => (
              <li key={h.at + ':' + i}>
                <button
                  type="button"
                  className="link mono"
                  aria-label={`Resend ${h.req.method} ${h.req.path}`}
                  // Only part of its body was kept: sending that part would be another request.
                  title={h.reqTruncated ? BODY_CUT : 'Send again'}
                  disabled={h.reqTruncated}
                  onClick={() => void send(h.req)}
                >
                  <Icon name="restart" />
                  <span>
                    {h.req.method} {h.req.path}
                  </span>
                </button>
                <span
                  className={h.res && h.res.status < 400 ? 'ok-text small' : 'error-text small'}
                  title={h.resTruncated ? `Its response body was kept in part (${RES_BODY_MAX / 1024} KiB)` : undefined}
                >
                  {' '}
                  {h.res ? h.res.status : 'failed'}
                </span>
                {h.reqTruncated && (
                  <span className="warn-text small" title={BODY_CUT}>
                    {' '}
                    body cut
                  </span>
                )}
              </li>
            ))}
          </ul>
        </div>
      </div>
    </div>
  );
}

function Response({ res }: { res: HttpFireResult }) {
  return (
    <>
      <div className="status-line">
        <span className={res.status < 400 ? 'ok-text' : 'error-text'} aria-label="HTTP status">
          {res.status}
        </span>
        <span className="muted">
          {' '}
          · {res.ms.toFixed(0)} ms · {plural(res.entries.length, 'entry', 'entries')}
        </span>
        {res.entries[0] && (
          <button
            type="button"
            className="link small"
            onClick={() => actions.guard('Going to the entry', actions.selectHash(res.entries[0]!))}
          >
            show in chain
          </button>
        )}
      </div>
      <div className="mono small muted">{res.headers.map(([k, v]) => `${k}: ${v}`).join('\n')}</div>
      <pre className="payload" aria-label="Response body">
        {res.body}
      </pre>
    </>
  );
}
