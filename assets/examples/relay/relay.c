/*
 * The relay actor (world `misbehave`: runtime and message-server-host in, actor and message-server-client out):
 * passes a message on to another actor by name — on this runtime, or, when the manifest lists the name under the
 * message-server handler's `remotes`, to an actor on another node through its message port (docs/message-port.md).
 * Either way the receiving call records this relay's chain head as its cause, so the two chains link.
 *
 *   handle-send     {"op":"forward","to":"<actor>","msg":<json>}  -> send(to, msg); state.relayed + 1
 *   handle-request  {"op":"ask","to":"<actor>","msg":<json>}      -> reply: request(to, msg)'s reply; state.relayed + 1
 *
 * State: {"relayed":N}.
 */
#include "theater-abi.h"
#include "theater-json.h"

static int op_is(th_bytes msg, const char *op) {
  th_bytes raw;
  return th_json_get(msg, "op", &raw) && th_json_is_string(raw, op);
}

/* "<prefix><detail>" as a NUL-terminated string in the arena. */
static const char *concat(const char *prefix, th_bytes detail) {
  th_buf b = { 0, 0, 0 };
  th_buf_str(&b, prefix);
  th_buf_bytes(&b, detail);
  th_buf_put(&b, "", 1);
  return (const char *)b.ptr;
}

static uint64_t relayed(th_opt_bytes state) {
  th_bytes raw;
  uint64_t n = 0;
  if (state.is_some && th_json_get(state.val, "relayed", &raw)) th_json_as_u64(raw, &n);
  return n;
}

static th_opt_bytes counted(th_opt_bytes state) {
  th_buf b = { 0, 0, 0 };
  th_buf_str(&b, "{\"relayed\":");
  th_buf_u64(&b, relayed(state) + 1);
  th_buf_str(&b, "}");
  return th_some(th_buf_done(&b));
}

/* The target's name and the message to pass on; 0 (and *err) when the message does not say them. */
static int target(th_bytes msg, th_bytes *to, th_bytes *inner, const char **err) {
  th_bytes raw;
  if (!th_json_get(msg, "to", &raw) || !th_json_as_string(raw, to)) {
    *err = "expected \"to\": the name of the actor to pass the message to";
    return 0;
  }
  if (!th_json_get(msg, "msg", inner)) {
    *err = "expected \"msg\": the message to pass on";
    return 0;
  }
  return 1;
}

TH_EXPORT("theater:simple/actor@0.1.0#init")
th_ret_state *relay_init(uint32_t state_some, const uint8_t *state_ptr, size_t state_len, const uint8_t *id_ptr,
                         size_t id_len) {
  th_buf line = { 0, 0, 0 };
  th_buf_str(&line, "relay ");
  th_buf_put(&line, id_ptr, id_len);
  th_buf_str(&line, " ready");
  th_log(th_buf_done(&line));
  return th_ok_state(state_some ? th_opt(state_some, state_ptr, state_len) : th_some(th_str("{\"relayed\":0}")));
}
TH_POST_RETURN("theater:simple/actor@0.1.0#init")

TH_EXPORT("theater:simple/message-server-client@0.1.0#handle-send")
th_ret_state *relay_send(uint32_t state_some, const uint8_t *state_ptr, size_t state_len, const uint8_t *msg_ptr,
                         size_t msg_len) {
  th_opt_bytes state = th_opt(state_some, state_ptr, state_len);
  th_bytes msg = { msg_ptr, msg_len }, to, inner;
  const char *err;
  if (!op_is(msg, "forward")) return th_err_state("unknown op (expected \"forward\")");
  if (!target(msg, &to, &inner, &err)) return th_err_state(err);
  th_result_unit r;
  th_import_send(to.ptr, to.len, inner.ptr, inner.len, &r);
  if (r.is_err) return th_err_state(concat("forward failed: ", r.err));
  return th_ok_state(counted(state));
}
TH_POST_RETURN("theater:simple/message-server-client@0.1.0#handle-send")

TH_EXPORT("theater:simple/message-server-client@0.1.0#handle-request")
th_ret_request *relay_request(uint32_t state_some, const uint8_t *state_ptr, size_t state_len, const uint8_t *req_id,
                              size_t req_id_len, const uint8_t *msg_ptr, size_t msg_len) {
  (void)req_id;
  (void)req_id_len;
  th_opt_bytes state = th_opt(state_some, state_ptr, state_len);
  th_bytes msg = { msg_ptr, msg_len }, to, inner;
  const char *err;
  if (!op_is(msg, "ask")) return th_err_request("unknown op (expected \"ask\")");
  if (!target(msg, &to, &inner, &err)) return th_err_request(err);
  th_result_bytes r;
  th_import_request(to.ptr, to.len, inner.ptr, inner.len, &r);
  if (r.is_err) return th_err_request(concat("ask failed: ", r.val));
  return th_ok_request(counted(state), th_some(r.val));
}
TH_POST_RETURN("theater:simple/message-server-client@0.1.0#handle-request")
