/*
 * misbehave: an actor that does what it is asked, including the things an actor must never be able to do to the
 * runtime. Each misdeed is recorded on the chain and contained: the runtime and every other actor carry on.
 *
 * Messages (handle-send, or handle-request for a reply):
 *   {"op":"count"}          -> count + 1; a request replies {"count":N}
 *   {"op":"get"}            -> (request) reply {"count":N}
 *   {"op":"spin"}           -> loops forever: the runtime's watchdog terminates the call at the time limit
 *   {"op":"trap"}           -> `unreachable`: a trap; the runtime starts a fresh instance
 *   {"op":"alloc"}          -> grows memory until the limit (64 MiB, set at link time) refuses, then traps
 *   {"op":"error"}          -> returns err("asked to fail")
 *   {"op":"send-missing"}   -> sends to an actor that does not exist and returns the runtime's error as err
 * State: {"count":N}.
 */
#include "theater-abi.h"
#include "theater-json.h"

static uint64_t read_count(th_opt_bytes state) {
  th_bytes raw;
  uint64_t count = 0;
  if (state.is_some && th_json_get(state.val, "count", &raw)) th_json_as_u64(raw, &count);
  return count;
}

static th_bytes count_json(uint64_t count) {
  th_buf b = { 0, 0, 0 };
  th_buf_str(&b, "{\"count\":");
  th_buf_u64(&b, count);
  th_buf_str(&b, "}");
  return th_buf_done(&b);
}

static int op_is(th_bytes msg, const char *op) {
  th_bytes raw;
  return th_json_get(msg, "op", &raw) && th_json_is_string(raw, op);
}

static volatile uint64_t spins;

/* Runs the misdeeds. Returns an error message, or NULL when the message was an ordinary one. */
static const char *misbehave(th_bytes msg) {
  if (op_is(msg, "spin")) {
    th_log_cstr("spinning forever");
    for (;;) spins++;
  }
  if (op_is(msg, "trap")) {
    th_log_cstr("trapping");
    __builtin_trap();
  }
  if (op_is(msg, "alloc")) {
    th_log_cstr("allocating without bound");
    for (;;) {
      long page = __builtin_wasm_memory_grow(0, 16); /* 1 MiB at a time */
      if (page < 0) __builtin_trap();                /* the memory limit refused: out of memory */
      ((volatile uint8_t *)(uintptr_t)(page * 65536))[0] = 1;
    }
  }
  if (op_is(msg, "error")) return "asked to fail";
  if (op_is(msg, "send-missing")) {
    th_result_unit r;
    th_bytes to = th_str("nobody-here");
    th_bytes body = th_str("{\"op\":\"count\"}");
    th_import_send(to.ptr, to.len, body.ptr, body.len, &r);
    if (r.is_err) {
      th_log(r.err);
      return "send to nobody-here failed, as expected";
    }
    return "send to nobody-here unexpectedly succeeded";
  }
  return NULL;
}

TH_EXPORT("theater:simple/actor@0.1.0#init")
th_ret_state *misbehave_init(uint32_t state_some, const uint8_t *state_ptr, size_t state_len,
                             const uint8_t *id_ptr, size_t id_len) {
  (void)id_ptr; (void)id_len;
  return th_ok_state(th_some(count_json(read_count(th_opt(state_some, state_ptr, state_len)))));
}
TH_POST_RETURN("theater:simple/actor@0.1.0#init")

TH_EXPORT("theater:simple/message-server-client@0.1.0#handle-send")
th_ret_state *misbehave_send(uint32_t state_some, const uint8_t *state_ptr, size_t state_len,
                             const uint8_t *msg_ptr, size_t msg_len) {
  th_bytes msg = { msg_ptr, msg_len };
  const char *err = misbehave(msg);
  if (err) return th_err_state(err);
  return th_ok_state(th_some(count_json(read_count(th_opt(state_some, state_ptr, state_len)) + 1)));
}
TH_POST_RETURN("theater:simple/message-server-client@0.1.0#handle-send")

TH_EXPORT("theater:simple/message-server-client@0.1.0#handle-request")
th_ret_request *misbehave_request(uint32_t state_some, const uint8_t *state_ptr, size_t state_len,
                                  const uint8_t *id_ptr, size_t id_len, const uint8_t *msg_ptr, size_t msg_len) {
  (void)id_ptr; (void)id_len;
  th_bytes msg = { msg_ptr, msg_len };
  th_opt_bytes state = th_opt(state_some, state_ptr, state_len);
  const char *err = misbehave(msg);
  if (err) return th_err_request(err);
  uint64_t count = read_count(state);
  if (op_is(msg, "count")) {
    count++;
    state = th_some(count_json(count));
  }
  return th_ok_request(state, th_some(count_json(count)));
}
TH_POST_RETURN("theater:simple/message-server-client@0.1.0#handle-request")
