/** Global keyboard shortcuts and the help overlay that lists them (the one place both are defined). */
import { useEffect } from 'react';
import { actions, useStudio } from '../../store/index.ts';
import { isModalOpen, Modal } from '../common/modal.tsx';
import { copyLink } from '../permalink/copy-link.tsx';

interface Shortcut {
  readonly keys: readonly string[];
  readonly label: string;
  readonly run: () => void;
}

const s = () => useStudio.getState();
export const SHORTCUTS: readonly Shortcut[] = [
  // The graph runs left to right and the entry list top to bottom: both pairs of arrows step.
  {
    keys: ['ArrowLeft', 'ArrowUp', 'k'],
    label: 'Previous entry',
    run: () => actions.guard('Stepping', actions.step(-1)),
  },
  {
    keys: ['ArrowRight', 'ArrowDown', 'j'],
    label: 'Next entry',
    run: () => actions.guard('Stepping', actions.step(1)),
  },
  { keys: ['Home'], label: 'First entry', run: () => actions.guard('Selecting the entry', actions.selectIndex(0)) },
  {
    keys: ['End'],
    label: 'Last entry',
    run: () => actions.guard('Selecting the entry', actions.selectIndex(s().total - 1)),
  },
  {
    keys: ['d'],
    label: 'Pick the selected entry for diff (A, then B)',
    run: () => s().selected && actions.pickDiff(s().selected!.entry),
  },
  {
    keys: ['c'],
    label: 'Continue from here: fork at the selected entry and make the fork live',
    run: () => {
      const sel = s().selected;
      if (sel) actions.guard('Continue from here', actions.continueFrom(sel.entry));
    },
  },
  { keys: ['1'], label: 'Details tab', run: () => s().setRightTab('details') },
  { keys: ['2'], label: 'State tab', run: () => s().setRightTab('state') },
  { keys: ['3'], label: 'Diff tab', run: () => s().setRightTab('diff') },
  { keys: ['4'], label: 'Replay tab', run: () => s().setRightTab('replay') },
  { keys: ['h'], label: 'HTTP panel', run: () => s().setDrawer(s().drawer === 'http' ? null : 'http') },
  { keys: ['m'], label: 'Message panel', run: () => s().setDrawer(s().drawer === 'message' ? null : 'message') },
  { keys: ['r'], label: 'Replay the branch', run: () => void actions.runReplay() },
  { keys: ['v'], label: 'Re-check integrity', run: () => void actions.runVerify() },
  { keys: ['f'], label: 'Follow the live head', run: () => actions.setFollow(!s().follow) },
  { keys: ['o'], label: 'Open a manifest', run: () => s().setOpenDialog(true) },
  { keys: ['l'], label: 'Copy a link to this place', run: () => void copyLink() },
  { keys: ['/'], label: 'Search payloads', run: () => document.getElementById('entry-search')?.focus() },
  { keys: ['t'], label: 'Toggle dark / light theme', run: () => s().setTheme(s().theme === 'dark' ? 'light' : 'dark') },
  { keys: ['?'], label: 'This help', run: () => s().setHelp(!s().helpOpen) },
];

/** Inputs that take typed text: every key is theirs. (A file picker, a checkbox or a button takes none.) */
const TEXT_INPUTS = new Set(['text', 'search', 'number', 'email', 'url', 'password', 'tel']);
const MOVE_KEYS = new Set(['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End']);

/** Whether the focused element takes this key itself. */
function ownsKey(t: EventTarget | null, key: string): boolean {
  if (!(t instanceof HTMLElement)) return false;
  if (t.isContentEditable || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT') return true;
  if (t instanceof HTMLInputElement && TEXT_INPUTS.has(t.type)) return true;
  // Sliders and splitters move with the arrow keys, a radio group picks with them; the other shortcuts still apply.
  const role = t.getAttribute('role');
  const arrows =
    (t instanceof HTMLInputElement && (t.type === 'range' || t.type === 'radio')) ||
    role === 'slider' ||
    role === 'separator';
  return arrows && MOVE_KEYS.has(key);
}

export function useShortcuts(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      // A modal dialog has the keyboard: its own controls take the keys, Escape closes it (the dialog does that).
      if (isModalOpen()) return;
      if (e.ctrlKey || e.metaKey || e.altKey || ownsKey(e.target, e.key)) return;
      const sc = SHORTCUTS.find((x) => x.keys.includes(e.key));
      if (!sc) return;
      e.preventDefault();
      sc.run();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}

const KEY_TEXT: Record<string, string> = { ArrowLeft: '←', ArrowRight: '→', ArrowUp: '↑', ArrowDown: '↓' };

export function HelpOverlay() {
  const open = useStudio((st) => st.helpOpen);
  const setHelp = useStudio((st) => st.setHelp);
  if (!open) return null;
  return (
    <Modal label="Keyboard shortcuts" className="help" onClose={() => setHelp(false)}>
      <h2>Keyboard shortcuts</h2>
      <table>
        <tbody>
          {SHORTCUTS.map((sc) => (
            <tr key={sc.label}>
              <td>
                {sc.keys.map((k) => (
                  <kbd key={k}>{KEY_TEXT[k] ?? k}</kbd>
                ))}
              </td>
              <td>{sc.label}</td>
            </tr>
          ))}
          <tr>
            <td>
              <kbd>shift</kbd>+click
            </td>
            <td>Diff the clicked entry against the selected one</td>
          </tr>
          <tr>
            <td>wheel / drag</td>
            <td>Zoom / pan the graph</td>
          </tr>
        </tbody>
      </table>
      <div className="dialog-foot">
        <button type="button" autoFocus onClick={() => setHelp(false)}>
          Close
        </button>
      </div>
    </Modal>
  );
}
