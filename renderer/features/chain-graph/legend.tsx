import { KIND_LABEL, KIND_ORDER, kindColor } from '../../viz/layout/kinds.ts';
import { useStudio } from '../../store/index.ts';

/** The kind colours, named once, right where the graph uses them. */
export function Legend() {
  const theme = useStudio((s) => s.theme);
  return (
    <ul className="legend" aria-label="Entry kinds">
      {KIND_ORDER.map((k) => (
        <li key={k} title={KIND_LABEL[k]}>
          <span className="swatch" style={{ background: kindColor(k, theme) }} />
          <span className="legend-label">{KIND_LABEL[k]}</span>
        </li>
      ))}
    </ul>
  );
}
