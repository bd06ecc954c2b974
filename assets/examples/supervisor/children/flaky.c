/*
 * flaky: the supervisor example's fragile child (world `counter`). It counts like the counter, except that the
 * message {"op":"crash"} makes it trap (`unreachable`), which the runtime reports to its supervisor as an
 * actor-error of kind `trap`.
 *
 * State: {"count":N}.
 *   handle-send {"op":"crash"}       -> trap
 *   handle-send anything else         -> count + 1
 *   handle-request {"op":"crash"}    -> trap
 *   handle-request anything else      -> reply {"count":N}, state unchanged
 *   http handle-request               -> 404 (the counter world requires the export; flaky serves no HTTP)
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

static void crash_if_asked(th_bytes msg) {
  th_bytes op;
  if (th_json_get(msg, "op", &op) && th_json_is_string(op, "crash")) {
    th_log_cstr("flaky: crashing as asked");
    __builtin_trap();
  }
}

TH_EXPORT("theater:simple/actor@0.1.0#init")
th_ret_state *flaky_init(uint32_t state_some, const uint8_t *state_ptr, size_t state_len,
                         const uint8_t *id_ptr, size_t id_len) {
  th_opt_bytes state = th_opt(state_some, state_ptr, state_len);
  uint64_t count = read_count(state);
  th_buf line = { 0, 0, 0 };
  th_buf_str(&line, "flaky ");
  th_buf_put(&line, id_ptr, id_len);
  th_buf_str(&line, " ready at ");
  th_buf_u64(&line, count);
  th_log(th_buf_done(&line));
  return th_ok_state(th_some(count_json(count)));
}
TH_POST_RETURN("theater:simple/actor@0.1.0#init")

TH_EXPORT("theater:simple/http-server@0.1.0#handle-request")
th_ret_http *flaky_http(uint32_t state_some, const uint8_t *state_ptr, size_t state_len,
                        const uint8_t *method, size_t method_len, const uint8_t *uri, size_t uri_len,
                        const th_header *headers, size_t headers_len,
                        uint32_t body_some, const uint8_t *body_ptr, size_t body_len) {
  (void)method; (void)method_len; (void)uri; (void)uri_len; (void)headers; (void)headers_len;
  (void)body_some; (void)body_ptr; (void)body_len;
  return th_ok_http(th_opt(state_some, state_ptr, state_len), 404, NULL, 0, th_none());
}
TH_POST_RETURN("theater:simple/http-server@0.1.0#handle-request")

TH_EXPORT("theater:simple/message-server-client@0.1.0#handle-send")
th_ret_state *flaky_send(uint32_t state_some, const uint8_t *state_ptr, size_t state_len,
                         const uint8_t *msg_ptr, size_t msg_len) {
  th_bytes msg = { msg_ptr, msg_len };
  crash_if_asked(msg);
  uint64_t count = read_count(th_opt(state_some, state_ptr, state_len)) + 1;
  th_buf line = { 0, 0, 0 };
  th_buf_str(&line, "count -> ");
  th_buf_u64(&line, count);
  th_log(th_buf_done(&line));
  return th_ok_state(th_some(count_json(count)));
}
TH_POST_RETURN("theater:simple/message-server-client@0.1.0#handle-send")

TH_EXPORT("theater:simple/message-server-client@0.1.0#handle-request")
th_ret_request *flaky_request(uint32_t state_some, const uint8_t *state_ptr, size_t state_len,
                              const uint8_t *req_id, size_t req_id_len, const uint8_t *msg_ptr, size_t msg_len) {
  (void)req_id; (void)req_id_len;
  th_bytes msg = { msg_ptr, msg_len };
  crash_if_asked(msg);
  th_opt_bytes state = th_opt(state_some, state_ptr, state_len);
  return th_ok_request(state, th_some(count_json(read_count(state))));
}
TH_POST_RETURN("theater:simple/message-server-client@0.1.0#handle-request")
