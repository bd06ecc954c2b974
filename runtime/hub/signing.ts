/**
 * Ed25519 keys and the two statements a node signs (Node's own crypto; no library). A hub is a shared database: a
 * writer with access to it can rewrite history and recompute every hash, which verify alone cannot tell from the
 * real thing. What it cannot do is sign as a node:
 * - a **head statement**, signed by the node as it ships a branch head: "on node N, actor A's branch B has head H
 *   at seq S". `hub verify` checks every branch head against it.
 * - an **attestation**, signed by a node that replayed a chain from the hub: "I replayed N's actor A, branch B
 *   through head H: verified" (or how it diverged).
 * Both are canonical encodings (docs/chain-format.md §2) of small maps, so anyone can re-check them; docs/hub.md
 * lists their fields.
 *
 * Key files: the private key as PKCS#8 PEM (created 0600 on first use), the public key beside it as `<file>.pub`
 * (SPKI PEM). The hub stores each node's public key, but a verifier that does not trust the hub pins the keys it
 * got from the nodes themselves (`--keys <dir>`).
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { encode } from '../chain/canonical.ts';
import { sha256, toHex, type Hash } from '../chain/entry.ts';
import { makeDirs } from '../make-dirs.ts';

export const HEAD_STATEMENT = 'theater-head/1';
export const ATTESTATION_STATEMENT = 'theater-attestation/1';

export interface NodeKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** SPKI DER of the public key: what the hub stores and statements are checked against. */
  readonly publicDer: Uint8Array;
  readonly file: string;
}

/** A key file or keys folder that cannot be used: missing, unreadable, not a key, not Ed25519 (an input error). */
export class KeyFileError extends Error {
  override readonly name = 'KeyFileError';
}

/** Loads a node's private key, or creates it (and `<file>.pub`) when `create` and the file does not exist. */
export function loadNodeKey(file: string, opts: { create?: boolean } = {}): NodeKey {
  if (!existsSync(file)) {
    if (!opts.create) throw new KeyFileError(`no key file at ${file}`);
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    makeDirs(dirname(file));
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    chmodSync(file, 0o600);
    writeFileSync(`${file}.pub`, publicKey.export({ type: 'spki', format: 'pem' }));
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(readFileSync(file));
  } catch (e) {
    throw new KeyFileError(`${file} is not a private key file (PKCS#8 PEM): ${(e as Error).message}`, { cause: e });
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new KeyFileError(`${file} holds a ${privateKey.asymmetricKeyType} key; Theater signs with Ed25519`);
  }
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, publicDer: publicKeyDer(publicKey), file };
}

export function publicKeyDer(k: KeyObject): Uint8Array {
  return new Uint8Array(k.export({ type: 'spki', format: 'der' }));
}

/** A short fingerprint of a public key for messages: the first 16 hex digits of SHA-256 of its SPKI DER. */
export function fingerprint(publicDer: Uint8Array): string {
  return toHex(sha256(publicDer)).slice(0, 16);
}

/** Public keys pinned by the verifier: `<node>.pub` files (SPKI PEM) in a directory, by node name. */
export function loadPinnedKeys(dir: string): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  let files: string[];
  try {
    files = readdirSync(dir);
  } catch (e) {
    throw new KeyFileError(`cannot read the keys folder ${dir}: ${(e as Error).message}`, { cause: e });
  }
  for (const f of files) {
    if (extname(f) !== '.pub') continue;
    try {
      out.set(basename(f, '.pub'), publicKeyDer(createPublicKey(readFileSync(join(dir, f)))));
    } catch (e) {
      throw new KeyFileError(`${join(dir, f)} is not a public key (SPKI PEM): ${(e as Error).message}`, { cause: e });
    }
  }
  if (out.size === 0) throw new KeyFileError(`the keys folder ${dir} holds no <node>.pub files`);
  return out;
}

export interface HeadStatement {
  readonly node: string;
  readonly actor: string;
  readonly branch: string;
  /** null for a branch with no entries. */
  readonly head: Hash | null;
  /** The head's seq, -1 when empty. */
  readonly seq: number;
}

export function headStatement(h: HeadStatement): Uint8Array {
  return encode({ t: HEAD_STATEMENT, node: h.node, actor: h.actor, branch: h.branch, head: h.head, seq: h.seq });
}

export interface AttestationStatement {
  /** The node that replayed. */
  readonly attester: string;
  /** The node, actor and branch whose chain was replayed. */
  readonly node: string;
  readonly actor: string;
  readonly branch: string;
  readonly head: Hash;
  readonly seq: number;
  readonly verdict: 'verified' | 'diverged' | 'failed';
  /** What was checked and, unless verified, where it went wrong (one line). */
  readonly detail: string;
  /** sha256 hex of the component that was replayed. */
  readonly component: string | null;
  /** ms since epoch. */
  readonly at: number;
}

export function attestationStatement(a: AttestationStatement): Uint8Array {
  return encode({
    t: ATTESTATION_STATEMENT,
    attester: a.attester,
    node: a.node,
    actor: a.actor,
    branch: a.branch,
    head: a.head,
    seq: a.seq,
    verdict: a.verdict,
    detail: a.detail,
    component: a.component,
    at: a.at,
  });
}

export function signStatement(key: NodeKey, statement: Uint8Array): Uint8Array {
  return new Uint8Array(sign(null, statement, key.privateKey));
}

/** Whether `signature` is a valid Ed25519 signature of `statement` by the key with this SPKI DER. */
export function checkSignature(publicDer: Uint8Array, statement: Uint8Array, signature: Uint8Array | null): boolean {
  if (!signature) return false;
  try {
    const key = createPublicKey({ key: Buffer.from(publicDer), format: 'der', type: 'spki' });
    return verify(null, statement, key, signature);
  } catch {
    return false;
  }
}
