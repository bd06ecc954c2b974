/**
 * js-notes: a tiny note store, a Theater actor written in TypeScript (world `message-actor`).
 *
 * Build: `node assets/examples/build.mjs js-notes` strips the types with esbuild and compiles the result with
 * componentize-js into js-notes.wasm. Type-check with the repository's `npm run typecheck` (theater.d.ts declares
 * the `theater:simple/...` modules).
 *
 * Messages (JSON):
 *   request {"op":"add","text":"..."}  -> reply: the new note {"id":"1a2b3c4d","text":"...","at":1700000000000}
 *   request {"op":"list"}              -> reply: every note, oldest first: [{"id":...,"text":...,"at":...}, ...]
 *   request {"op":"remove","id":"..."} -> reply: the removed note; err if there is no such note
 *   send    {"op":"add","text":"..."}     (also {"op":"remove","id":"..."}; "list" needs a request)
 * Bad JSON, an unknown op or a missing field -> err with a message saying what was wrong.
 *
 * State: {"notes":[{"id":"...","text":"...","at":N}, ...]}
 *
 * Everything the actor learns from the outside world comes through Theater's imports (`now`, `randomBytes`), which
 * the runtime records: replaying the chain gives the same ids and times. Do not use Date.now() or Math.random():
 * they are not recorded (and with the WASI features disabled at build time they are not even real).
 */
import { log } from 'theater:simple/runtime@0.1.0';
import { now } from 'theater:simple/timing@0.1.0';
import { randomBytes } from 'theater:simple/random@0.1.0';
import type { Actor, Json, MessageServerClient, State } from 'theater:simple/types@0.1.0';

interface Note {
  id: string;
  text: string;
  /** Milliseconds since the Unix epoch, from the runtime's clock. */
  at: number;
}

interface Notes {
  notes: Note[];
}

type Op = { op: 'add'; text: string } | { op: 'list' } | { op: 'remove'; id: string };

// ---- bytes <-> JSON -------------------------------------------------------------------------------------------------

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function toBytes(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

function parseJson(bytes: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(decoder.decode(bytes));
  } catch {
    // A thrown string becomes the export's `err(...)`, recorded in the chain and shown to the caller.
    throw `${what} is not valid JSON`;
  }
}

function loadNotes(state: State): Notes {
  if (state === undefined) return { notes: [] };
  const value = parseJson(state, 'state') as Partial<Notes> | null;
  if (!value || !Array.isArray(value.notes)) throw 'state is not {"notes":[...]}';
  return { notes: value.notes };
}

function parseOp(msg: Json): Op {
  const value = parseJson(msg, 'message') as Record<string, unknown> | null;
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw 'message must be a JSON object';
  switch (value.op) {
    case 'add':
      if (typeof value.text !== 'string') throw '"add" needs a string "text"';
      return { op: 'add', text: value.text };
    case 'list':
      return { op: 'list' };
    case 'remove':
      if (typeof value.id !== 'string') throw '"remove" needs a string "id"';
      return { op: 'remove', id: value.id };
    default:
      throw `unknown op ${JSON.stringify(value.op)} (expected "add", "list" or "remove")`;
  }
}

// ---- the operations -------------------------------------------------------------------------------------------------

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function addNote(notes: Notes, text: string): Note {
  // WIT u64 arrives as a BigInt; milliseconds fit comfortably in a JS number.
  const note: Note = { id: hex(randomBytes(4)), text, at: Number(now()) };
  notes.notes.push(note);
  log(`added note ${note.id}`);
  return note;
}

function removeNote(notes: Notes, id: string): Note {
  const index = notes.notes.findIndex((n) => n.id === id);
  const note = notes.notes[index];
  if (index < 0 || !note) throw `no note with id ${JSON.stringify(id)}`;
  notes.notes.splice(index, 1);
  log(`removed note ${id}`);
  return note;
}

/** Apply one operation; returns the reply. Throws (a string) on error, leaving the stored state untouched. */
function apply(notes: Notes, op: Op): unknown {
  switch (op.op) {
    case 'add':
      return addNote(notes, op.text);
    case 'list':
      return notes.notes;
    case 'remove':
      return removeNote(notes, op.id);
  }
}

// ---- exports --------------------------------------------------------------------------------------------------------
// componentize-js finds each exported interface as an export named after it in camelCase.

export const actor: Actor = {
  init(state, [id]) {
    const notes = loadNotes(state);
    log(`js-notes ${id} ready with ${notes.notes.length} note(s)`);
    return [toBytes(notes)];
  },
};

export const messageServerClient: MessageServerClient = {
  handleSend(state, [msg]) {
    const notes = loadNotes(state);
    const op = parseOp(msg);
    if (op.op === 'list') throw '"list" has a reply: send it as a request';
    apply(notes, op);
    return [toBytes(notes)];
  },

  handleRequest(state, [_requestId, msg]) {
    const notes = loadNotes(state);
    const reply = apply(notes, parseOp(msg));
    return [toBytes(notes), [toBytes(reply)]];
  },
};
