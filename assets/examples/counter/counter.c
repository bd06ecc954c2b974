/*
 * The counter actor (world `counter` in wit/theater.wit): a number you can bump over HTTP or with messages.
 *
 * State: exactly {"count":N} (N a decimal u64). Built twice by ../build.mjs:
 *   counter/counter.wasm               COUNTER_STEP = 1
 *   counter-by-two/counter-by-two.wasm COUNTER_STEP = 2 (same source, -DCOUNTER_STEP=2; used to show replay divergence)
 *
 * Every export receives the state flattened as (is_some, ptr, len), then its own parameters flattened, and returns a
 * pointer to its result (see ../c/theater-abi.h for the layouts).
 */
#include "theater-abi.h"
#include "theater-json.h"

#ifndef COUNTER_STEP
#define COUNTER_STEP 1
#endif

/* ---- state ---------------------------------------------------------------------------------------------------- */

/* Read the count out of the state. `none` counts as 0; anything without a numeric "count" is rejected. */
static int read_count(th_opt_bytes state, uint64_t *count) {
  th_bytes raw;
  if (!state.is_some) { *count = 0; return 1; }
  return th_json_get(state.val, "count", &raw) && th_json_as_u64(raw, count);
}

/* {"count":N}, byte for byte. */
static th_bytes count_json(uint64_t count) {
  th_buf b = { 0, 0, 0 };
  th_buf_str(&b, "{\"count\":");
  th_buf_u64(&b, count);
  th_buf_str(&b, "}");
  return th_buf_done(&b);
}

static uint64_t bump(uint64_t count) {
  count += COUNTER_STEP;
  th_buf line = { 0, 0, 0 };
  th_buf_str(&line, "count -> ");
  th_buf_u64(&line, count);
  th_log(th_buf_done(&line));
  return count;
}

static const char BAD_STATE[] = "invalid state: expected {\"count\":N}";

/* Is msg a JSON object whose "op" member is the string `op`? */
static int op_is(th_bytes msg, const char *op) {
  th_bytes raw;
  return th_json_get(msg, "op", &raw) && th_json_is_string(raw, op);
}

/* ---- actor.init(state, (id)) ------------------------------------------------------------------------------------ */

TH_EXPORT("theater:simple/actor@0.1.0#init")
th_ret_state *counter_init(uint32_t state_some, const uint8_t *state_ptr, size_t state_len,
                           const uint8_t *id_ptr, size_t id_len) {
  th_opt_bytes state = th_opt(state_some, state_ptr, state_len);
  uint64_t count;
  if (!read_count(state, &count)) return th_err_state(BAD_STATE);
  /* No state yet: start at zero. Otherwise keep what we were given (e.g. the manifest's init_state) as is. */
  if (!state.is_some) state = th_some(count_json(0));

  th_buf line = { 0, 0, 0 };
  th_buf_str(&line, "counter ");
  th_buf_put(&line, id_ptr, id_len);
  th_buf_str(&line, " ready at ");
  th_buf_u64(&line, count);
  th_log(th_buf_done(&line));
  return th_ok_state(state);
}
TH_POST_RETURN("theater:simple/actor@0.1.0#init")

/* ---- http-server.handle-request(state, (request)) ---------------------------------------------------------------- */

static const th_header JSON_HEADERS[] = {
  { { (const uint8_t *)"content-type", 12 }, { (const uint8_t *)"application/json", 16 } },
};
static const char NOT_FOUND[] = "{\"error\":\"not found\"}";

static int bytes_eq(const uint8_t *p, size_t n, const char *s) { return n == th_strlen(s) && th_memeq(p, s, n); }

/* The request record arrives flattened: method (ptr,len), uri (ptr,len), headers (ptr,len), body (is_some,ptr,len). */
TH_EXPORT("theater:simple/http-server@0.1.0#handle-request")
th_ret_http *counter_http(uint32_t state_some, const uint8_t *state_ptr, size_t state_len,
                          const uint8_t *method, size_t method_len, const uint8_t *uri, size_t uri_len,
                          const th_header *headers, size_t headers_len,
                          uint32_t body_some, const uint8_t *body_ptr, size_t body_len) {
  (void)headers; (void)headers_len; (void)body_some; (void)body_ptr; (void)body_len;
  th_opt_bytes state = th_opt(state_some, state_ptr, state_len);
  uint64_t count;
  if (!read_count(state, &count)) {
    th_ret_http *r = &th_ret_area.http;   /* an err result has the same shape for every export */
    r->is_err = 1;
    r->u.err = th_str(BAD_STATE);
    return r;
  }
  size_t path_len = 0;                    /* ignore any query string */
  while (path_len < uri_len && uri[path_len] != '?') path_len++;

  if (bytes_eq(method, method_len, "POST") && bytes_eq(uri, path_len, "/increment")) {
    count = bump(count);
    th_bytes json = count_json(count);
    return th_ok_http(th_some(json), 200, JSON_HEADERS, 1, th_some(json));
  }
  if (bytes_eq(method, method_len, "GET") && bytes_eq(uri, path_len, "/count")) {
    return th_ok_http(state, 200, JSON_HEADERS, 1, th_some(count_json(count)));
  }
  return th_ok_http(state, 404, JSON_HEADERS, 1, th_some(th_str(NOT_FOUND)));
}
TH_POST_RETURN("theater:simple/http-server@0.1.0#handle-request")

/* ---- message-server-client.handle-send(state, (msg)) ------------------------------------------------------------- */

TH_EXPORT("theater:simple/message-server-client@0.1.0#handle-send")
th_ret_state *counter_send(uint32_t state_some, const uint8_t *state_ptr, size_t state_len,
                           const uint8_t *msg_ptr, size_t msg_len) {
  th_bytes msg = { msg_ptr, msg_len };
  uint64_t count;
  if (!read_count(th_opt(state_some, state_ptr, state_len), &count)) return th_err_state(BAD_STATE);
  if (!op_is(msg, "increment")) return th_err_state("unknown op");
  return th_ok_state(th_some(count_json(bump(count))));
}
TH_POST_RETURN("theater:simple/message-server-client@0.1.0#handle-send")

/* ---- message-server-client.handle-request(state, (request-id, msg)) ---------------------------------------------- */

TH_EXPORT("theater:simple/message-server-client@0.1.0#handle-request")
th_ret_request *counter_request(uint32_t state_some, const uint8_t *state_ptr, size_t state_len,
                                const uint8_t *req_id, size_t req_id_len, const uint8_t *msg_ptr, size_t msg_len) {
  (void)req_id; (void)req_id_len;
  th_opt_bytes state = th_opt(state_some, state_ptr, state_len);
  th_bytes msg = { msg_ptr, msg_len };
  uint64_t count;
  if (!read_count(state, &count)) return th_err_request(BAD_STATE);
  if (op_is(msg, "get")) return th_ok_request(state, th_some(count_json(count)));
  if (op_is(msg, "increment")) {
    th_bytes json = count_json(bump(count));
    return th_ok_request(th_some(json), th_some(json));
  }
  return th_err_request("unknown op");
}
TH_POST_RETURN("theater:simple/message-server-client@0.1.0#handle-request")
