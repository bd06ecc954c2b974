/**
 * Tamper evidence in the Studio: with the Studio running on its db, someone edits the SQLite file directly (as with
 * the sqlite3 CLI: another connection, foreign keys off). A re-check of integrity names the first bad entry.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { expect, test } from './fixtures/studio.ts';
import { fireIncrements, rows, shot } from './helpers/studio-ui.ts';

function tamper<T>(dir: string, fn: (db: Database.Database) => T): T {
  const db = new Database(join(dir, 'studio.db'));
  db.pragma('busy_timeout = 10000'); // the running Studio writes to this file too
  db.pragma('foreign_keys = OFF');
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

test('a byte flipped in the db file under a running Studio: the integrity badge names the first bad entry', async ({
  studio,
}, info) => {
  const { page, dir } = studio;
  const badge = page.getByRole('status', { name: 'Integrity' });
  await fireIncrements(page, 3);
  await expect(badge).toHaveText(/✓ verified through #\d+/);

  // The log line "count -> 2" is an import entry's input blob; flip it to "count -> 9".
  const bad = tamper(dir, (db) => {
    const row = db
      .prepare(
        `SELECT e.hash AS hash, b.id AS blob, b.bytes AS bytes FROM entries e JOIN blobs b ON e.input_id = b.id
         WHERE instr(b.bytes, CAST('count -> 2' AS BLOB)) > 0 ORDER BY e.id LIMIT 1`,
      )
      .get() as { hash: Buffer; blob: number; bytes: Buffer };
    const bytes = Buffer.from(row.bytes);
    bytes[bytes.indexOf('count -> 2') + 9] = 0x39;
    db.prepare('UPDATE blobs SET bytes = ? WHERE id = ?').run(bytes, row.blob);
    return row.hash.toString('hex');
  });

  await page.getByRole('button', { name: 'Re-check integrity' }).click();
  await expect(badge).toHaveText(new RegExp(`✗ broken at ${bad.slice(0, 10)} \\(#\\d+\\): .*its input`));
  await expect(badge.locator('.integrity, :scope')).toHaveClass(/bad/);
  await shot(page, info, '01-broken-at-flipped-blob');
  // Clicking the broken verdict takes you to the bad entry (a click while a re-check runs only re-checks: retry).
  const details = page.getByRole('tabpanel', { name: 'Details' });
  await expect(async () => {
    await page.getByRole('button', { name: 'Re-check integrity' }).click();
    await expect(details.getByText(bad, { exact: true })).toBeVisible({ timeout: 2000 });
  }).toPass({ timeout: 20_000 });
  await shot(page, info, '02-bad-entry-selected');

  // Issue 13, item 10: the bad entry and everything recorded after it are marked; what came before is not.
  await expect(details.getByRole('note', { name: 'Unverified entry' })).toContainText('first bad entry');
  const seq = tamper(dir, (db) =>
    db.prepare('SELECT seq FROM entries WHERE hash = ?').pluck().get(Buffer.from(bad, 'hex')),
  );
  await expect(rows(page, new RegExp(`^#${seq} `))).toHaveAccessibleName(/\(unverified\)$/);
  await expect(rows(page, new RegExp(`^#${Number(seq) - 1} `))).not.toHaveAccessibleName(/unverified/);
  await expect(rows(page, /^#0 /)).not.toHaveAccessibleName(/unverified/);
  const list = page.getByRole('grid', { name: 'Entry list' });
  await expect(list.getByRole('row').last()).toHaveAccessibleName(/\(unverified\)$/);
  // A later entry says why it is marked, naming the first bad one.
  await list.getByRole('row').last().click();
  await expect(details.getByRole('note', { name: 'Unverified entry' })).toContainText(
    `Recorded after the first bad entry (#${seq}, ${bad.slice(0, 10)})`,
  );
  await expect(list.locator('.row.unverified .unverified-mark').first()).toBeVisible();
  await shot(page, info, '03-later-entries-marked-unverified');
});

test('a deleted entry row, and a changed hashed column, are named after a re-check', async ({ studio }, info) => {
  const { page, dir } = studio;
  const badge = page.getByRole('status', { name: 'Integrity' });
  await fireIncrements(page, 4);
  await expect(badge).toHaveText(/✓ verified through #\d+/);

  // Change a hashed column (origin studio → http: as if it had come over the network) on the 3rd request's call.
  const calls = tamper(
    dir,
    (db) =>
      db
        .prepare(
          "SELECT e.id AS id, e.hash AS hash FROM entries e JOIN fns f ON e.fn_id = f.id WHERE e.kind = 0 AND f.fn = 'handle-request' ORDER BY e.id",
        )
        .all() as {
        id: number;
        hash: Buffer;
      }[],
  );
  expect(calls.length).toBe(4);
  tamper(dir, (db) =>
    db.prepare('UPDATE entries SET origin = CASE origin WHEN 1 THEN 4 ELSE 1 END WHERE id = ?').run(calls[2]!.id),
  );
  await page.getByRole('button', { name: 'Re-check integrity' }).click();
  await expect(badge).toHaveText(
    new RegExp(`✗ broken at ${calls[2]!.hash.toString('hex').slice(0, 10)} \\(#\\d+\\): .*stored hash`),
  );
  await shot(page, info, '01-broken-at-changed-origin');

  // Now delete the 2nd request's call row as well: the first bad entry is now its child (earlier in the chain).
  const child = tamper(dir, (db) => {
    const c = db.prepare('SELECT hash FROM entries WHERE parent_id = ?').pluck().get(calls[1]!.id) as Buffer;
    db.prepare('DELETE FROM entries WHERE id = ?').run(calls[1]!.id);
    return c.toString('hex');
  });
  await page.getByRole('button', { name: 'Re-check integrity' }).click();
  await expect(badge).toHaveText(new RegExp(`✗ broken at ${child.slice(0, 10)} \\(#\\d+\\): .*not found`));
  await shot(page, info, '02-broken-at-deleted-parent');
});
