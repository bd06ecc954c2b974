/** `init_state`: a JSON file next to the manifest, or an inline TOML table converted to JSON. */
import fs from 'node:fs';
import path from 'node:path';
import { isTable, type FieldChecks } from './field-checks.ts';
import type { TomlPath } from './located-toml.ts';
import { MAX_FILE_BYTES } from './types.ts';

const AT: TomlPath = ['init_state'];

export function readInitState(c: FieldChecks, dir: string, v: unknown): Uint8Array {
  if (typeof v === 'string') return fromFile(c, dir, v);
  if (isTable(v)) {
    checkJsonable(c, AT, v);
    return new TextEncoder().encode(JSON.stringify(v));
  }
  return c.fail(
    AT,
    `expected a path to a JSON file or a table, got ${c.got(AT, v)}.`,
    'Write init_state = "init.json" or init_state = { count = 0 }.',
  );
}

function fromFile(c: FieldChecks, dir: string, rel: string): Uint8Array {
  if (rel.trim() === '') c.fail(AT, 'must not be empty.', 'Write init_state = "init.json".');
  const file = path.resolve(dir, rel);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return c.fail(AT, `init_state file not found: ${file}.`, `Create it, or fix the path (relative to ${dir}).`);
  }
  if (stat.isDirectory()) c.fail(AT, `init_state is a directory: ${file}.`, 'Point it at a JSON file.');
  if (!stat.isFile())
    c.fail(AT, `init_state is not a regular file (a device, FIFO or socket): ${file}.`, 'Point it at a JSON file.');
  if (stat.size > MAX_FILE_BYTES)
    c.fail(
      AT,
      `init_state file is ${stat.size} bytes; the limit is ${MAX_FILE_BYTES}.`,
      'Keep initial state small; build larger state in init.',
    );
  let text: string;
  try {
    // fatal: a state file that is not UTF-8 is not JSON, and silently replacing bytes would hide that.
    text = new TextDecoder('utf-8', { fatal: true }).decode(fs.readFileSync(file));
  } catch (e) {
    return c.fail(
      AT,
      `cannot read init_state file ${file}: ${(e as Error).message}.`,
      'It must be a readable UTF-8 JSON file.',
    );
  }
  try {
    JSON.parse(text);
  } catch (e) {
    c.fail(AT, `init_state file ${file} is not valid JSON: ${(e as Error).message}.`, 'Fix the JSON in that file.');
  }
  return new TextEncoder().encode(text);
}

/** TOML has values JSON cannot hold faithfully; refuse them rather than store something the author didn't write. */
function checkJsonable(c: FieldChecks, at: TomlPath, v: unknown): void {
  if (typeof v === 'number' && !Number.isFinite(v))
    c.fail(at, `${v} cannot be represented in JSON state.`, 'Use a finite number or a string.');
  if (typeof v === 'number' && Number.isInteger(v) && !Number.isSafeInteger(v)) {
    c.fail(at, `${c.got(at, v)} is beyond what JSON numbers hold exactly (2^53).`, 'Write it as a string.');
  }
  if (Array.isArray(v)) v.forEach((x, i) => checkJsonable(c, [...at, i], x));
  else if (isTable(v)) for (const [k, x] of Object.entries(v)) checkJsonable(c, [...at, k], x);
  // Dates become ISO-8601 strings via JSON.stringify, which is what a JSON reader of the state would expect.
}
