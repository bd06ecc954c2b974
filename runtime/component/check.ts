/**
 * A component's real imports and exports, read from the component itself, checked against what its manifest
 * grants and asks for. Each mismatch names the manifest line and what to change.
 */
import type { HandlerConfig, HandlerType, Manifest, SourceLoc } from '../manifest/index.ts';
import { importHandler } from '../imports/index.ts';
import { wasiRefusal } from '../imports/wasi/index.ts';
import type { ComponentInfo } from './loader.ts';
import { theaterInterface } from './names.ts';

export class ActorLoadError extends Error {
  override readonly name = 'ActorLoadError';
  constructor(
    readonly loc: SourceLoc,
    readonly problems: readonly string[],
  ) {
    super(`${loc.file}:${loc.line}:${loc.column}: ${problems.join('\n  ')}`);
  }
}

/** The export a manifest handler needs the component to have. */
const HANDLER_EXPORTS: Partial<Record<HandlerType, string>> = {
  'http-server': theaterInterface('http-server'),
  'message-server': theaterInterface('message-server-client'),
};

export function checkComponent(c: ComponentInfo, m: Manifest): void {
  const problems: string[] = [];
  let loc = m.componentLoc;
  const grants = new Set(m.handlers.map((h) => h.type));

  if (!c.exports.includes(theaterInterface('actor'))) {
    problems.push(
      `${m.componentPath} does not export ${theaterInterface('actor')} (every actor must export init). ` +
        `It exports: ${c.exports.join(', ') || 'nothing'}.`,
    );
  }
  for (const h of m.handlers) {
    const needed = HANDLER_EXPORTS[h.type];
    if (needed && !c.exports.includes(needed)) {
      if (problems.length === 0) loc = h.loc;
      problems.push(
        `manifest asks for ${h.type} but the component does not export ${needed}. ` +
          `Export it from the component, or remove this handler (line ${h.loc.line}).`,
      );
    }
  }
  // One line per refused WASI package, not one per interface: they share a reason.
  problems.push(...wasiRefusal(c.imports.filter((i) => !importHandler(i))));
  for (const iface of c.imports) {
    const handler = importHandler(iface);
    if (!handler) {
      if (!iface.startsWith('wasi:'))
        problems.push(
          `the component imports ${iface}, which Theater does not provide. Theater provides: ${providedList()}.`,
        );
    } else if (handler.grantedBy && !grants.has(handler.grantedBy)) {
      problems.push(
        `the component imports ${iface} but the manifest does not grant it. Add ${handlerSnippet(m, handler.grantedBy)}.`,
      );
    }
  }
  if (problems.length > 0) throw new ActorLoadError(loc, problems);
}

function handlerSnippet(m: Manifest, type: HandlerConfig['type']): string {
  return m.form === 'seed' ? `[[handlers]] type = "${type}" to ${m.file}` : `[[handler]] type = "${type}" to ${m.file}`;
}

function providedList(): string {
  return (
    ['runtime', 'message-server-host', 'supervisor', 'timing', 'random'].map(theaterInterface).join(', ') +
    ', and WASI 0.2 (cli, clocks, io, random; filesystem with no directories)'
  );
}
