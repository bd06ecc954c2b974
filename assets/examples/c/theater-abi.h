/*
 * theater-abi.h: hand-written Component Model ("canonical ABI") glue for Theater actors written in C.
 *
 * No libc, no WASI, no generated bindings: an actor is one C file compiled with
 *
 *     clang --target=wasm32 -nostdlib -Oz -mbulk-memory -Wl,--no-entry -I assets/examples/c actor.c -o actor.core.wasm
 *
 * and then turned into a component by `componentEmbed` + `componentNew` (see ../build.mjs), which read the WIT world
 * (wit/theater.wit) and check that the core module's imports and exports match it.
 *
 * What the core module must provide
 * ---------------------------------
 *   - `memory`: exported by wasm-ld by default.
 *   - `cabi_realloc(old_ptr, old_size, align, new_size)`: the host calls it to copy strings and lists INTO our memory
 *     (the arguments of every export, and the results of imports such as `get-state`). Here it is a bump ("arena")
 *     allocator.
 *   - one export per WIT function, named "<package>/<interface>@<version>#<function>", for example
 *     "theater:simple/actor@0.1.0#init", taking the FLATTENED parameters (below).
 *   - optionally "cabi_post_<that name>", called by the host after it has read an export's results. We use it to reset
 *     the arena: everything allocated during a call (arguments, results, scratch) is dropped at once, so memory stays
 *     flat however many calls an actor serves.
 *
 * Flattening (wasm32: pointers and lengths are i32)
 * ------------------------------------------------
 *   string, list<T>       -> (ptr, len)            len counts elements; strings are UTF-8, len in bytes
 *   option<T>             -> (is_some, T...)       is_some: 0 = none, 1 = some; the payload is garbage when none
 *   record / tuple        -> the fields in order
 *   enum                  -> i32 (case index)
 *   u16 / u32 / bool      -> i32;  u64 -> i64
 * A function whose flattened parameters are more than 16 values receives ONE pointer to them in memory instead
 * (none of Theater's functions hits that limit). A function whose flattened RESULT is more than ONE value returns
 * ONE i32: a pointer to the result laid out in memory (the layouts below). Every Theater export returns a
 * `result<...>`, so every export returns such a pointer.
 *
 * For IMPORTS the rule is mirrored: when the result would be more than one value, the caller (us) passes an extra
 * last parameter, a pointer to a return area, and the host writes the result there (allocating any strings/lists it
 * contains through our `cabi_realloc`).
 *
 * Memory layout ("storing" a value)
 * ---------------------------------
 *   Each type has a size and an alignment; records are laid out like C structs. A variant (result, option, enum) is
 *   a discriminant (u8 for up to 256 cases) followed by the payload at the payload's alignment, so
 *     option<list<u8>>         = { u8 is_some; [pad 3]; u8 *ptr; u32 len; }        size 12, align 4
 *     result<string, string>   = { u8 is_err;  [pad 3]; union { ptr,len }; }      size 12, align 4
 *   The structs below are exactly those layouts; the _Static_asserts pin the offsets.
 *
 * Ownership: the host copies everything it needs out of our memory before it calls the post-return function, so a
 * result may point at static data or at arena memory.
 *
 * With wasi-libc (printf, time, rand, malloc)
 * -------------------------------------------
 * Compiled hosted with --target=wasm32-wasi --sysroot=<wasi-libc> (what `theater build` does for C projects), this
 * header leaves memcpy & co. to libc and takes its arena from malloc instead of owning the memory past __heap_base.
 * The WASI adapter (wasi_snapshot_preview1) allocates its own long-lived state through `cabi_realloc`, so that one
 * becomes libc's realloc and is never reset; the host's copies of arguments and import results go through
 * `cabi_export_realloc` / `cabi_import_realloc`, which use the arena and are reset after each call as before.
 */
#ifndef THEATER_ABI_H
#define THEATER_ABI_H

#if defined(__wasi__) && __STDC_HOSTED__
#define TH_LIBC 1
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#else
typedef unsigned char uint8_t;
typedef unsigned short uint16_t;
typedef unsigned int uint32_t;
typedef unsigned long long uint64_t;
typedef unsigned long size_t;    /* wasm32: 32 bits */
typedef unsigned long uintptr_t;
#define NULL ((void *)0)
#define offsetof(t, f) __builtin_offsetof(t, f)
#endif

_Static_assert(sizeof(void *) == 4, "theater-abi.h assumes wasm32");

/* Give a C function a component-level export name / bind a declaration to an import. */
#define TH_EXPORT(name) __attribute__((export_name(name)))
#define TH_IMPORT(module, name) __attribute__((import_module(module), import_name(name)))

/* ------------------------------------------------------------------------------------------------------------------
 * libc bits the compiler may call implicitly. With -mbulk-memory clang lowers __builtin_memcpy/memset to the
 * memory.copy/memory.fill instructions, so these do not recurse.
 * ---------------------------------------------------------------------------------------------------------------- */
#ifndef TH_LIBC
void *memcpy(void *dst, const void *src, size_t n) { __builtin_memcpy(dst, src, n); return dst; }
void *memmove(void *dst, const void *src, size_t n) { __builtin_memmove(dst, src, n); return dst; }
void *memset(void *dst, int c, size_t n) { __builtin_memset(dst, c, n); return dst; }
#endif

static inline int th_memeq(const void *a, const void *b, size_t n) {
  const uint8_t *x = a, *y = b;
  for (size_t i = 0; i < n; i++) if (x[i] != y[i]) return 0;
  return 1;
}
static inline size_t th_strlen(const char *s) { size_t n = 0; while (s[n]) n++; return n; }

/* ------------------------------------------------------------------------------------------------------------------
 * The arena: everything between __heap_base (set by wasm-ld, after data and stack) and th_arena_top is in use.
 * Allocation bumps th_arena_top, growing linear memory when needed; th_arena_reset() frees everything.
 * ---------------------------------------------------------------------------------------------------------------- */
#ifdef TH_LIBC
/* With libc the arena is a malloc'd block. A call that needs more gets a block twice as big; the blocks it outgrew
 * stay valid until the reset (the host reads results only then) and are freed there, so the arena settles at the
 * size the largest call needs. */
static uintptr_t th_arena_top, th_arena_base, th_arena_end;
static void *th_arena_retired; /* outgrown blocks, linked through their first word */
static inline void th_arena_reset(void) {
  while (th_arena_retired) {
    void *next = *(void **)th_arena_retired;
    free(th_arena_retired);
    th_arena_retired = next;
  }
  th_arena_top = th_arena_base;
}
static inline void *th_alloc(size_t align, size_t size) {
  if (align == 0) align = 1;
  uintptr_t p = (th_arena_top + align - 1) & ~(uintptr_t)(align - 1);
  if (th_arena_base == 0 || p + size > th_arena_end || p + size < p) {
    size_t cap = th_arena_base ? 2 * (th_arena_end - th_arena_base) : 65536;
    while (cap < size + align + sizeof(void *)) cap *= 2;
    uint8_t *block = malloc(cap);
    if (!block) __builtin_trap();
    if (th_arena_base) {
      void *old = (void *)(th_arena_base - sizeof(void *));
      *(void **)old = th_arena_retired;
      th_arena_retired = old;
    }
    th_arena_base = (uintptr_t)block + sizeof(void *);
    th_arena_end = (uintptr_t)block + cap;
    p = (th_arena_base + align - 1) & ~(uintptr_t)(align - 1);
  }
  th_arena_top = p + size;
  return (void *)p;
}
static inline int th_arena_fits(size_t extra) { return th_arena_top + extra <= th_arena_end; }

TH_EXPORT("cabi_realloc")
void *cabi_realloc(void *old_ptr, size_t old_size, size_t align, size_t new_size) {
  (void)old_size;
  (void)align; /* malloc's alignment (16) covers every canonical ABI type */
  void *p = realloc(old_ptr, new_size);
  if (!p && new_size) __builtin_trap();
  return p;
}
static void *th_arena_realloc(void *old_ptr, size_t old_size, size_t align, size_t new_size) {
  if (old_ptr && new_size <= old_size) return old_ptr;
  void *p = th_alloc(align, new_size);
  if (old_ptr && old_size) memcpy(p, old_ptr, old_size);
  return p;
}
TH_EXPORT("cabi_export_realloc")
void *cabi_export_realloc(void *o, size_t os, size_t a, size_t ns) { return th_arena_realloc(o, os, a, ns); }
TH_EXPORT("cabi_import_realloc")
void *cabi_import_realloc(void *o, size_t os, size_t a, size_t ns) { return th_arena_realloc(o, os, a, ns); }
#else
extern uint8_t __heap_base;
static uintptr_t th_arena_top;

static inline void th_arena_reset(void) { th_arena_top = (uintptr_t)&__heap_base; }

static inline void *th_alloc(size_t align, size_t size) {
  if (th_arena_top == 0) th_arena_reset();
  if (align == 0) align = 1;
  uintptr_t p = (th_arena_top + align - 1) & ~(uintptr_t)(align - 1);
  uintptr_t end = p + size;
  if (end < p) __builtin_trap();                                /* wrapped: absurd size */
  uintptr_t have = __builtin_wasm_memory_size(0) * 65536UL;
  if (end > have) {
    uintptr_t pages = (end - have + 65535) / 65536;
    if (__builtin_wasm_memory_grow(0, pages) == (size_t)-1) __builtin_trap();   /* out of memory */
  }
  th_arena_top = end;
  return (void *)p;
}

/* The canonical ABI's allocator. The host calls it with old_ptr = 0 to allocate; a resize keeps the old bytes. */
TH_EXPORT("cabi_realloc")
void *cabi_realloc(void *old_ptr, size_t old_size, size_t align, size_t new_size) {
  if (old_ptr && new_size <= old_size) return old_ptr;
  void *p = th_alloc(align, new_size);
  if (old_ptr && old_size) memcpy(p, old_ptr, old_size);
  return p;
}
#endif

/* Define the post-return function of one export: it only resets the arena. `export` is the export's full name. */
#define TH_POST_RETURN(export) TH_POST_RETURN_(export, __COUNTER__)
#define TH_POST_RETURN_(export, n) TH_POST_RETURN__(export, n)
#define TH_POST_RETURN__(export, n) \
  TH_EXPORT("cabi_post_" export) void th_post_return_##n(void *ret) { (void)ret; th_arena_reset(); }

/* ------------------------------------------------------------------------------------------------------------------
 * Value types, laid out exactly as the canonical ABI stores them.
 * ---------------------------------------------------------------------------------------------------------------- */

/* string / list<u8>: (ptr, len). 8 bytes, align 4. Not NUL-terminated! */
typedef struct { const uint8_t *ptr; size_t len; } th_bytes;

/* option<list<u8>>: the actor's `state`, and every optional JSON payload. 12 bytes. */
typedef struct { uint8_t is_some; th_bytes val; } th_opt_bytes;
_Static_assert(sizeof(th_opt_bytes) == 12 && offsetof(th_opt_bytes, val) == 4, "option<list<u8>> layout");

/* tuple<string, string>: one HTTP header. 16 bytes. */
typedef struct { th_bytes name; th_bytes value; } th_header;
_Static_assert(sizeof(th_header) == 16, "tuple<string,string> layout");

/* record http-response { status: u16, headers: list<tuple<string,string>>, body: option<list<u8>> }. 24 bytes. */
typedef struct { uint16_t status; const th_header *headers; size_t headers_len; th_opt_bytes body; } th_http_response;
_Static_assert(sizeof(th_http_response) == 24 && offsetof(th_http_response, headers) == 4 &&
               offsetof(th_http_response, body) == 12, "http-response layout");

/* Export results. All are `result<tuple<new-state, tuple<response...>>, string>`: u8 is_err, then at offset 4 either
 * the ok tuple or the error string. */

/* result<tuple<state>, string> (init, handle-send, handle-child-error, handle-child-exit). 16 bytes. */
typedef struct { uint8_t is_err; union { th_opt_bytes state; th_bytes err; } u; } th_ret_state;
_Static_assert(sizeof(th_ret_state) == 16 && offsetof(th_ret_state, u) == 4, "result<tuple<state>,string> layout");

/* result<tuple<state, tuple<option<json>>>, string> (message-server-client handle-request). 28 bytes. */
typedef struct {
  uint8_t is_err;
  union { struct { th_opt_bytes state; th_opt_bytes reply; } ok; th_bytes err; } u;
} th_ret_request;
_Static_assert(sizeof(th_ret_request) == 28 && offsetof(th_ret_request, u.ok.reply) == 16, "handle-request layout");

/* result<tuple<state, tuple<http-response>>, string> (http-server handle-request). 40 bytes. */
typedef struct {
  uint8_t is_err;
  union { struct { th_opt_bytes state; th_http_response resp; } ok; th_bytes err; } u;
} th_ret_http;
_Static_assert(sizeof(th_ret_http) == 40 && offsetof(th_ret_http, u.ok.resp) == 16, "http handle-request layout");

/* Import results: result<_, string> and result<string-or-list, string>. 12 bytes each. */
typedef struct { uint8_t is_err; th_bytes err; } th_result_unit;
typedef struct { uint8_t is_err; th_bytes val; } th_result_bytes;   /* val is the ok value or the error message */
_Static_assert(sizeof(th_result_unit) == 12 && sizeof(th_result_bytes) == 12, "import result layouts");

/* result<option<list<u8>>, string> (supervisor get-child-state). 16 bytes. */
typedef struct { uint8_t is_err; union { th_opt_bytes state; th_bytes err; } u; } th_result_opt_bytes;

/* The return area of an export: static, because the host reads it before the next call can happen. */
static union {
  th_ret_state state;
  th_ret_request request;
  th_ret_http http;
  uint64_t align8;
} th_ret_area;

/* Constructors for values and export results. */
static inline th_bytes th_str(const char *s) { th_bytes b = { (const uint8_t *)s, th_strlen(s) }; return b; }
static inline th_opt_bytes th_some(th_bytes b) { th_opt_bytes o = { 1, b }; return o; }
static inline th_opt_bytes th_none(void) { th_opt_bytes o = { 0, { NULL, 0 } }; return o; }
/* The flattened option parameter (is_some, ptr, len) as a value. */
static inline th_opt_bytes th_opt(uint32_t is_some, const uint8_t *ptr, size_t len) {
  th_opt_bytes o = { (uint8_t)(is_some != 0), { is_some ? ptr : NULL, is_some ? len : 0 } };
  return o;
}

static inline th_ret_state *th_ok_state(th_opt_bytes state) {
  th_ret_state *r = &th_ret_area.state; r->is_err = 0; r->u.state = state; return r;
}
static inline th_ret_state *th_err_state(const char *msg) {
  th_ret_state *r = &th_ret_area.state; r->is_err = 1; r->u.err = th_str(msg); return r;
}
static inline th_ret_request *th_ok_request(th_opt_bytes state, th_opt_bytes reply) {
  th_ret_request *r = &th_ret_area.request; r->is_err = 0; r->u.ok.state = state; r->u.ok.reply = reply; return r;
}
static inline th_ret_request *th_err_request(const char *msg) {
  th_ret_request *r = &th_ret_area.request; r->is_err = 1; r->u.err = th_str(msg); return r;
}
static inline th_ret_http *th_ok_http(th_opt_bytes state, uint16_t status, const th_header *headers, size_t n_headers,
                              th_opt_bytes body) {
  th_ret_http *r = &th_ret_area.http;
  r->is_err = 0;
  r->u.ok.state = state;
  r->u.ok.resp.status = status;
  r->u.ok.resp.headers = headers;
  r->u.ok.resp.headers_len = n_headers;
  r->u.ok.resp.body = body;
  return r;
}

/* ------------------------------------------------------------------------------------------------------------------
 * Imports. A declaration only becomes a core-module import if the actor calls it, so declaring them all is harmless;
 * the component may import only what its world allows (componentNew checks).
 * ---------------------------------------------------------------------------------------------------------------- */
#define TH_RUNTIME "theater:simple/runtime@0.1.0"
#define TH_SUPERVISOR "theater:simple/supervisor@0.1.0"
#define TH_MESSAGE_HOST "theater:simple/message-server-host@0.1.0"

/* runtime.log(msg: string) */
TH_IMPORT(TH_RUNTIME, "log") void th_import_log(const uint8_t *ptr, size_t len);
/* runtime.get-state() -> list<u8>: two result values, so a return pointer. */
TH_IMPORT(TH_RUNTIME, "get-state") void th_import_get_state(th_bytes *ret);
/* runtime.shutdown(data: option<list<u8>>) -> result<_, string> */
TH_IMPORT(TH_RUNTIME, "shutdown") void th_import_shutdown(uint32_t is_some, const uint8_t *ptr, size_t len,
                                                          th_result_unit *ret);

/* message-server-host.send(actor-id: string, msg: list<u8>) -> result<_, string> */
TH_IMPORT(TH_MESSAGE_HOST, "send") void th_import_send(const uint8_t *id, size_t id_len, const uint8_t *msg,
                                                       size_t msg_len, th_result_unit *ret);
/* message-server-host.request(actor-id: string, msg: list<u8>) -> result<list<u8>, string> */
TH_IMPORT(TH_MESSAGE_HOST, "request") void th_import_request(const uint8_t *id, size_t id_len, const uint8_t *msg,
                                                             size_t msg_len, th_result_bytes *ret);

/* supervisor.spawn(manifest: string, init-state: option<list<u8>>) -> result<actor-id, string> */
TH_IMPORT(TH_SUPERVISOR, "spawn") void th_import_spawn(const uint8_t *manifest, size_t manifest_len, uint32_t is_some,
                                                       const uint8_t *state, size_t state_len, th_result_bytes *ret);
/* supervisor.list-children() -> list<actor-id>: ret receives (ptr, len) of an array of th_bytes. */
TH_IMPORT(TH_SUPERVISOR, "list-children") void th_import_list_children(th_bytes *ret);
/* supervisor.stop-child / restart-child(child-id: string) -> result<_, string> */
TH_IMPORT(TH_SUPERVISOR, "stop-child") void th_import_stop_child(const uint8_t *id, size_t id_len, th_result_unit *ret);
TH_IMPORT(TH_SUPERVISOR, "restart-child") void th_import_restart_child(const uint8_t *id, size_t id_len,
                                                                       th_result_unit *ret);
/* supervisor.get-child-state(child-id: string) -> result<option<list<u8>>, string> */
TH_IMPORT(TH_SUPERVISOR, "get-child-state") void th_import_get_child_state(const uint8_t *id, size_t id_len,
                                                                           th_result_opt_bytes *ret);

static inline void th_log(th_bytes msg) { th_import_log(msg.ptr, msg.len); }
static inline void th_log_cstr(const char *msg) { th_import_log((const uint8_t *)msg, th_strlen(msg)); }

/* ------------------------------------------------------------------------------------------------------------------
 * A growable byte buffer in the arena, for building JSON and log lines.
 * ---------------------------------------------------------------------------------------------------------------- */
typedef struct { uint8_t *ptr; size_t len, cap; } th_buf;

static inline void th_buf_reserve(th_buf *b, size_t extra) {
  if (b->len + extra <= b->cap) return;
  size_t cap = b->cap ? b->cap * 2 : 64;
  while (cap < b->len + extra) cap *= 2;
#ifdef TH_LIBC
  if (b->ptr && (uintptr_t)(b->ptr + b->cap) == th_arena_top && th_arena_fits(cap - b->cap)) {
#else
  if (b->ptr && (uintptr_t)(b->ptr + b->cap) == th_arena_top) {     /* last allocation: extend in place */
#endif
    th_alloc(1, cap - b->cap);
  } else {
    uint8_t *p = th_alloc(1, cap);
    if (b->len) memcpy(p, b->ptr, b->len);
    b->ptr = p;
  }
  b->cap = cap;
}
static inline void th_buf_put(th_buf *b, const void *data, size_t n) {
  th_buf_reserve(b, n);
  memcpy(b->ptr + b->len, data, n);
  b->len += n;
}
static inline void th_buf_bytes(th_buf *b, th_bytes s) { th_buf_put(b, s.ptr, s.len); }
static inline void th_buf_str(th_buf *b, const char *s) { th_buf_put(b, s, th_strlen(s)); }
static inline void th_buf_u64(th_buf *b, uint64_t v) {
  char tmp[20];
  int n = 0;
  do { tmp[n++] = (char)('0' + v % 10); v /= 10; } while (v);
  th_buf_reserve(b, (size_t)n);
  while (n) b->ptr[b->len++] = (uint8_t)tmp[--n];
}
static inline th_bytes th_buf_done(const th_buf *b) { th_bytes r = { b->ptr, b->len }; return r; }

#endif /* THEATER_ABI_H */
