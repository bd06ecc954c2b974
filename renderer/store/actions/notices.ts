/** Notices: how a failure reaches the user instead of a `.catch(() => {})`, and how news goes away again. */
import { ApiCallError, errorMessage } from '../../api/client.ts';
import type { NoticeTone } from '../slices.ts';
import type { ActionContext, NoticeActions } from './types.ts';

/** How long a notice stays: long enough to read, never long enough to sit on top of the controls for good. */
export const NOTICE_MS: Readonly<Record<NoticeTone, number>> = { info: 6000, error: 15000 };

export function noticeActions(ctx: ActionContext): NoticeActions {
  let nextId = 1;
  const notify = (tone: NoticeTone, text: string): void => {
    const id = nextId++;
    ctx.get().addNotice({ id, tone, text });
    setTimeout(() => ctx.get().dismissNotice(id), NOTICE_MS[tone]);
  };
  const report = (what: string, e: unknown): void => {
    // A lost connection fails every request in flight at once: the toolbar says "disconnected", once.
    if (e instanceof ApiCallError && e.code === 'disconnected') return;
    notify('error', `${what}: ${errorMessage(e)}`);
  };
  return {
    notify,
    report,
    guard: (what, p) => void p.catch((e: unknown) => report(what, e)),
    dismiss: (id) => ctx.get().dismissNotice(id),
  };
}
