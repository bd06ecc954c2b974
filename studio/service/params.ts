/**
 * One schema per StudioApi method: every payload from a renderer is checked here before the service touches it,
 * whichever transport it came through (Electron IPC or the web host's WebSocket). A payload that does not match is
 * refused with a bad-request ApiError naming the field, never passed on and never allowed to crash the host.
 *
 * Each schema is typed against the contract's Params<M>, so a contract change that the schema misses is a type error.
 */
import { z } from 'zod';
import { KIND_ORDER, METHODS, type MethodName, type Params } from '../contract.ts';
import { badRequest } from './api-error.ts';

const hex = z.string().regex(/^[0-9a-f]{64}$/, 'expected a 64-digit lowercase hex hash');
const actor = z.string().min(1).max(512);
const branch = z.string().min(1).max(128);
const nothing = z.object({}).strict();
/** Bounded so one request cannot make the service build a giant page. */
const limit = z.number().int().min(1).max(2000);
const seq = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const kind = z.enum(KIND_ORDER as unknown as ['call', 'return', 'error', 'import', 'event']);
/** Upload names are bare file names: no separators, no `..`, nothing hidden that could escape the upload folder. */
const fileName = z
  .string()
  .min(1)
  .max(255)
  .refine((n) => !/[\\/\0]/.test(n) && n !== '.' && n !== '..', 'a file name without path separators');
/** ~48 MiB decoded: far above any real actor, far below what would hurt the host. */
const base64 = z
  .string()
  .max(64 * 1024 * 1024)
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'expected base64');
const upload = z.object({ name: fileName, base64 }).strict();
const header = z.tuple([z.string().min(1).max(256), z.string().max(8192)]);

type Schemas = { readonly [M in MethodName]: z.ZodType<Params<M>> };

export const PARAM_SCHEMAS: Schemas = {
  openManifest: z.object({ path: z.string().min(1).max(4096) }).strict(),
  uploadManifest: z.object({ manifest: upload, files: z.array(upload).max(64) }).strict(),
  recentManifests: nothing,
  db: nothing,
  listActors: nothing,
  stopActor: z.object({ actor }).strict(),
  restartActor: z.object({ actor }).strict(),
  startActor: z.object({ actor }).strict(),
  logs: z.object({ actor: actor.optional(), limit }).strict(),
  entries: z
    .object({
      actor,
      branch: branch.optional(),
      offset: seq,
      limit,
      kinds: z.array(kind).max(KIND_ORDER.length).optional(),
      iface: z.string().max(256).optional(),
      fn: z.string().max(256).optional(),
      search: z.string().max(1024).optional(),
      hideNoops: z.boolean().optional(),
    })
    .strict(),
  entryIndex: z.object({ actor, branch: branch.optional(), hash: hex }).strict(),
  entry: z.object({ hash: hex, actor: actor.optional() }).strict(),
  graph: z
    .object({ actor, branch, fromSeq: seq, toSeq: seq })
    .strict()
    .refine(
      (p) => p.toSeq >= p.fromSeq && p.toSeq - p.fromSeq <= 100_000,
      'toSeq must be ≥ fromSeq, at most 100000 apart',
    ),
  stateAt: z.object({ hash: hex }).strict(),
  diff: z.object({ a: hex, b: hex }).strict(),
  diffBranches: z.object({ actor, a: branch, b: branch }).strict(),
  whoWrote: z
    .object({ hash: hex, path: z.array(z.union([z.string().max(1024), z.number().int().min(0)])).max(256) })
    .strict(),
  branches: z.object({ actor }).strict(),
  fork: z
    .object({
      actor,
      hash: hex,
      name: z
        .string()
        .regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, . _ -')
        .optional(),
    })
    .strict(),
  setLiveBranch: z.object({ actor, branch }).strict(),
  replay: z
    .object({ actor, branch: branch.optional(), componentPath: z.string().min(1).max(4096).optional() })
    .strict(),
  verify: z.object({ actor: actor.optional() }).strict(),
  fireHttp: z
    .object({
      actor,
      method: z.string().regex(/^[A-Z]{1,16}$/, 'an HTTP method in capitals, e.g. GET'),
      path: z.string().startsWith('/').max(8192),
      headers: z.array(header).max(100),
      body: z
        .string()
        .max(16 * 1024 * 1024)
        .optional(),
    })
    .strict(),
  fireMessage: z.object({ actor, kind: z.enum(['send', 'request']), json: z.string().max(16 * 1024 * 1024) }).strict(),
  exportBundle: z.object({ actor, branch: branch.optional(), withComponent: z.boolean().optional() }).strict(),
  importBundle: z
    .object({ path: z.string().min(1).max(4096).optional(), upload: upload.optional() })
    .strict()
    .refine((p) => (p.path === undefined) !== (p.upload === undefined), 'give exactly one of path or upload'),
  findEntries: z
    .object({
      prefix: z.string().regex(/^[0-9a-f]{6,64}$/, '6 to 64 lowercase hex digits'),
      limit: z.number().int().min(1).max(50),
    })
    .strict(),
  listPosition: z
    .object({
      actor,
      branch: branch.optional(),
      hash: hex,
      kinds: z.array(kind).max(KIND_ORDER.length).optional(),
      iface: z.string().max(256).optional(),
      fn: z.string().max(256).optional(),
      search: z.string().max(1024).optional(),
      hideNoops: z.boolean().optional(),
    })
    .strict(),
  logHistory: z
    .object({ actor, branch: branch.optional(), offset: seq, limit, search: z.string().max(1024).optional() })
    .strict(),
  openHub: z
    .object({
      url: z
        .string()
        .regex(/^postgres(ql)?:\/\/\S+$/, 'a postgres:// URL')
        .max(4096),
    })
    .strict(),
  closeHub: nothing,
  hub: nothing,
  attestations: z.object({ actor }).strict(),
  saveTest: z
    .object({
      actor,
      branch: branch.optional(),
      from: hex.optional(),
      to: hex.optional(),
      dir: z.string().min(1).max(4096).optional(),
      name: z.string().min(1).max(200).optional(),
      overwrite: z.boolean().optional(),
    })
    .strict(),
};

export function isMethod(name: unknown): name is MethodName {
  return typeof name === 'string' && (METHODS as readonly string[]).includes(name);
}

/** The method's params, checked; throws a bad-request StudioError saying what is wrong. Absent params mean `{}`. */
export function validateParams<M extends MethodName>(method: M, params: unknown): Params<M> {
  const schema = PARAM_SCHEMAS[method] as z.ZodType<Params<M>>;
  // Only plain data: an object with a crafted prototype could otherwise lend the schema fields it does not own.
  if (params !== undefined && params !== null && typeof params === 'object' && !isPlain(params)) {
    throw badRequest(`invalid params for ${method}: expected a plain JSON object`);
  }
  const r = schema.safeParse(params ?? {});
  if (r.success) return r.data;
  const first = r.error.issues[0];
  const where = first && first.path.length > 0 ? `${first.path.join('.')}: ` : '';
  throw badRequest(`invalid params for ${method}: ${where}${first?.message ?? 'does not match'}`);
}

function isPlain(v: object): boolean {
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null || Array.isArray(v);
}

/** Method name and params, both checked: the one gate every transport calls. */
export function validateRequest(method: unknown, params: unknown): { method: MethodName; params: unknown } {
  if (!isMethod(method)) throw badRequest(`unknown method ${JSON.stringify(method)}`);
  return { method, params: validateParams(method, params) };
}
