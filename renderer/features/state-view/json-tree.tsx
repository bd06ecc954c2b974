import { useState } from 'react';
import type { PathSegment } from '../../../studio/contract.ts';
import { pathText } from '../common/format.ts';

/** A collapsible JSON tree; every key has a "who wrote this?" button. */
export function JsonTree({
  value,
  path,
  onWho,
  name,
}: {
  value: unknown;
  path: readonly PathSegment[];
  onWho: (p: readonly PathSegment[]) => void;
  name?: string;
}) {
  const [open, setOpen] = useState(path.length < 3);
  const isObj = typeof value === 'object' && value !== null;
  const label = name !== undefined ? <span className="key">{name}: </span> : null;
  const who =
    path.length > 0 ? (
      <button
        type="button"
        className="who-btn"
        aria-label={`Who wrote ${pathText(path)}?`}
        title="Who wrote this?"
        onClick={() => onWho(path)}
      >
        ?
      </button>
    ) : null;
  if (!isObj) {
    return (
      <div className="leaf" role="treeitem" aria-label={`${name ?? 'value'} ${JSON.stringify(value)}`}>
        {label}
        <span className={`v-${value === null ? 'null' : typeof value}`}>{JSON.stringify(value)}</span>
        {who}
      </div>
    );
  }
  const entries: [PathSegment, unknown][] = Array.isArray(value)
    ? value.map((v, i) => [i, v])
    : Object.entries(value as Record<string, unknown>);
  const [l, r] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  return (
    <div className="node" role="treeitem" aria-expanded={open}>
      <button
        type="button"
        className="twisty"
        aria-label={open ? `Collapse ${name ?? 'root'}` : `Expand ${name ?? 'root'}`}
        onClick={() => setOpen(!open)}
      >
        {open ? '▾' : '▸'}
      </button>
      {label}
      {l}
      {!open && <span className="muted"> {entries.length} … </span>}
      {!open && r}
      {who}
      {open && (
        <div className="children" role="group">
          {entries.map(([k, v]) => (
            <JsonTree key={String(k)} value={v} path={[...path, k]} onWho={onWho} name={String(k)} />
          ))}
          <div>{r}</div>
        </div>
      )}
    </div>
  );
}
