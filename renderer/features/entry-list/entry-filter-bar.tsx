import { useEffect, useState } from 'react';
import type { EntryKind } from '../../../studio/contract.ts';
import { actions, useStudio } from '../../store/index.ts';
import { plural } from '../common/format.ts';
import { KIND_LABEL, KIND_ORDER, kindColor } from '../../viz/layout/kinds.ts';

const HASH_PREFIX = /^[0-9a-f]{6,64}$/;

/** Filters for the list; typing is debounced so a search does not hit the service per keystroke. */
export function EntryFilterBar() {
  const filter = useStudio((s) => s.filter);
  const total = useStudio((s) => s.total);
  const theme = useStudio((s) => s.theme);
  const [search, setSearch] = useState(filter.search);
  const [fn, setFn] = useState(filter.fn);
  useEffect(() => {
    const t = setTimeout(() => {
      if (search === filter.search && fn === filter.fn) return;
      const typed = search.trim().toLowerCase();
      // A hash, or its first 6+ hex digits, goes to that entry; text that is no entry's hash searches payloads.
      if (HASH_PREFIX.test(typed)) {
        void actions.jumpToHash(typed).then(
          (found) => (found ? setSearch('') : actions.guard('Filtering the list', actions.setFilter({ search, fn }))),
          (e: unknown) => actions.report('Looking up the hash', e),
        );
      } else actions.guard('Filtering the list', actions.setFilter({ search, fn }));
    }, 250);
    return () => clearTimeout(t);
  }, [search, fn, filter.search, filter.fn]);

  const toggleKind = (k: EntryKind) =>
    actions.guard(
      'Filtering the list',
      actions.setFilter({
        kinds: filter.kinds.includes(k) ? filter.kinds.filter((x) => x !== k) : [...filter.kinds, k],
      }),
    );

  return (
    <div className="filter-bar" role="toolbar" aria-label="Entry filters">
      <input
        type="search"
        id="entry-search"
        aria-label="Search payloads"
        placeholder="Search payloads or a hash…  (/)"
        value={search}
        onChange={(e) => setSearch(e.target.value)}
      />
      <input
        type="text"
        aria-label="Filter by function"
        placeholder="function"
        className="narrow"
        value={fn}
        onChange={(e) => setFn(e.target.value)}
      />
      <select
        aria-label="Filter by interface"
        value={filter.iface}
        onChange={(e) => actions.guard('Filtering the list', actions.setFilter({ iface: e.target.value }))}
      >
        <option value="">all interfaces</option>
        {[
          'actor',
          'http-server',
          'message-server-client',
          'message-server-host',
          'runtime',
          'supervisor',
          'timing',
          'random',
        ].map((i) => (
          <option key={i} value={`theater:simple/${i}`}>
            {i}
          </option>
        ))}
      </select>
      <span className="kind-toggles">
        {KIND_ORDER.map((k) => (
          <button
            key={k}
            type="button"
            className="chip"
            aria-pressed={filter.kinds.includes(k)}
            aria-label={`Show only ${KIND_LABEL[k]}`}
            title={`Only ${KIND_LABEL[k]} (toggle)`}
            onClick={() => toggleKind(k)}
          >
            <span className="swatch" style={{ background: kindColor(k, theme) }} />
            <span className="chip-label">{k}</span>
          </button>
        ))}
      </span>
      <label className="check">
        <input
          type="checkbox"
          checked={filter.hideNoops}
          onChange={(e) => actions.guard('Filtering the list', actions.setFilter({ hideNoops: e.target.checked }))}
        />
        hide no-ops
      </label>
      <span className="spacer" />
      <span className="muted" aria-label="Entry count">
        {plural(total, 'entry', 'entries')}
      </span>
    </div>
  );
}
