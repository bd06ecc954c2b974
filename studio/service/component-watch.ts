/**
 * Watches the component file of each running actor: a rebuild on disk is the moment to offer "replay history against
 * the new build". Editors and compilers write in several steps, so changes are debounced into one notification.
 */
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';

const DEBOUNCE_MS = 300;

export class ComponentWatcher {
  private readonly watchers = new Map<string, { path: string; watcher: FSWatcher; timer?: NodeJS.Timeout }>();

  constructor(private readonly onChange: (actor: string, path: string) => void) {}

  watch(actor: string, path: string): void {
    if (this.watchers.get(actor)?.path === path) return;
    this.unwatch(actor);
    // The folder, not the file: a build that replaces the file (write to temp, rename) would end a file watch.
    let watcher: FSWatcher;
    try {
      watcher = watch(dirname(path), { persistent: false });
    } catch {
      return; // e.g. the folder vanished: nothing to offer
    }
    const entry: { path: string; watcher: FSWatcher; timer?: NodeJS.Timeout } = { path, watcher };
    watcher.on('change', (_type, file) => {
      if (file !== null && file.toString() !== basename(path)) return;
      clearTimeout(entry.timer);
      entry.timer = setTimeout(() => this.onChange(actor, path), DEBOUNCE_MS);
    });
    watcher.on('error', () => this.unwatch(actor));
    this.watchers.set(actor, entry);
  }

  unwatch(actor: string): void {
    const w = this.watchers.get(actor);
    if (!w) return;
    clearTimeout(w.timer);
    w.watcher.close();
    this.watchers.delete(actor);
  }

  close(): void {
    for (const actor of [...this.watchers.keys()]) this.unwatch(actor);
  }
}
