/**
 * Errors and news from actions, as a small stack in the bottom-left corner (over the log panel's tail, never over
 * the graph's controls). Each goes away by itself (actions/notices.ts) or with its × button.
 */
import { actions, useStudio } from '../../store/index.ts';

export function Notices() {
  const notices = useStudio((s) => s.notices);
  if (notices.length === 0) return null;
  return (
    <div className="notices" aria-label="Notices">
      {notices.map((n) => (
        <div key={n.id} className={`notice ${n.tone}`} role={n.tone === 'error' ? 'alert' : 'status'}>
          <span className="notice-text">{n.text}</span>
          <button type="button" className="x" aria-label="Dismiss notice" onClick={() => actions.dismiss(n.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
