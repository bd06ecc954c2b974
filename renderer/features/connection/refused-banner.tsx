import { useStudio } from '../../store/index.ts';

/**
 * Says, once the web host has refused this page's token, why nothing will load and what to do. A tab left open while
 * the Studio restarted carries the earlier run's token (each run has its own); the page stops asking instead of
 * retrying with it forever.
 */
export function RefusedBanner() {
  const refused = useStudio((s) => s.connection === 'refused');
  if (!refused) return null;
  return (
    <div className="banner refused" role="alert" aria-label="Stale tab">
      <span>
        <strong>This tab&apos;s link is from an earlier Studio run</strong>, and the Studio running now does not accept
        it. Open the URL the Studio printed when it started (the one ending in <code>?token=…</code>); what you see here
        stays as it was and does not update.
      </span>
    </div>
  );
}
