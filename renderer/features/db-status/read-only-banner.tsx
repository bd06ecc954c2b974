import { useDb, writerName } from './db-status.ts';

/** Says, while another process writes the db, that the Studio is watching it read-only, and who writes. */
export function ReadOnlyBanner() {
  const db = useDb();
  if (!db?.readOnly) return null;
  const since = db.writer ? new Date(db.writer.since).toLocaleString() : null;
  return (
    <div className="banner read-only" role="status" aria-label="Read-only">
      <span>
        <strong>Read-only.</strong> {writerName(db)}
        {since ? ` has been writing this db since ${since}` : ' is writing this db'}. Its new entries appear as it
        commits them, and requests you fire go to its actors' ports; start, stop, fork and import are off until it
        stops.
      </span>
    </div>
  );
}
