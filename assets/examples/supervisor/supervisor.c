/*
 * The supervisor actor (world `supervisor-actor`): spawns two children and restarts them when they fail.
 *
 *   init                  spawn children/counter.toml and children/flaky.toml (paths relative to our manifest)
 *   handle-child-error    log, record {"child":id,"kind":"trap"|"handler-error"|"timeout"|"startup"}, restart-child
 *   handle-child-exit     log, record {"child":id,"kind":"exit"}
 *   handle-send           {"op":"crash-flaky"}  -> send(flaky, {"op":"crash"})
 *                         {"op":"stop-counter"} -> stop-child(counter)
 *   handle-request        {"op":"children"}     -> reply: list-children() as a JSON array of ids
 *
 * State: {"children":{"counter":"<id>","flaky":"<id>"},"events":[...]} (the last MAX_EVENTS events).
 */
#include "theater-abi.h"
#include "theater-json.h"

#define MAX_EVENTS 32

static const char *const ERROR_KINDS[] = { "trap", "handler-error", "timeout", "startup" };   /* enum error-kind */

/* ---- helpers -------------------------------------------------------------------------------------------------- */

/* "<prefix><detail>" as a NUL-terminated string in the arena (error results are built with th_str). */
static const char *concat(const char *prefix, th_bytes detail) {
  th_buf b = { 0, 0, 0 };
  th_buf_str(&b, prefix);
  th_buf_bytes(&b, detail);
  th_buf_put(&b, "", 1);
  return (const char *)b.ptr;
}

/* state.children[name] as a string, or 0. */
static int child_id(th_opt_bytes state, const char *name, th_bytes *id) {
  th_bytes children, raw;
  return state.is_some && th_json_get(state.val, "children", &children) && th_json_get(children, name, &raw) &&
         th_json_as_string(raw, id);
}

/* A copy of `state` with {"child":child,"kind":kind} appended to its events (oldest dropped past MAX_EVENTS). */
static th_bytes with_event(th_opt_bytes state, th_bytes child, const char *kind) {
  th_bytes children = th_str("{}"), events = th_str("[]");
  if (state.is_some) {
    th_json_get(state.val, "children", &children);
    th_json_get(state.val, "events", &events);
  }
  /* Find where each existing event starts, to keep only the newest MAX_EVENTS - 1. */
  const uint8_t *starts[MAX_EVENTS];
  size_t n = 0;
  const uint8_t *p = events.ptr, *end = events.ptr + events.len;
  if (events.len && *p == '[') {
    p = th_json_ws(p + 1, end);
    while (p && p < end && *p != ']') {
      if (n == MAX_EVENTS - 1) {                       /* full: forget the oldest */
        for (size_t i = 1; i < n; i++) starts[i - 1] = starts[i];
        n--;
      }
      starts[n++] = p;
      p = th_json_skip_value(p, end, 1);
      if (p) p = th_json_ws(p, end);
      if (p && p < end && *p == ',') p = th_json_ws(p + 1, end);
    }
  }
  th_buf b = { 0, 0, 0 };
  th_buf_str(&b, "{\"children\":");
  th_buf_bytes(&b, children);
  th_buf_str(&b, ",\"events\":[");
  for (size_t i = 0; i < n; i++) {
    const uint8_t *e = th_json_skip_value(starts[i], end, 1);
    th_buf_put(&b, starts[i], (size_t)(e - starts[i]));
    th_buf_str(&b, ",");
  }
  th_buf_str(&b, "{\"child\":");
  th_buf_json_string(&b, child);
  th_buf_str(&b, ",\"kind\":");
  th_buf_json_string(&b, th_str(kind));
  th_buf_str(&b, "}]}");
  return th_buf_done(&b);
}

static int op_is(th_bytes msg, const char *op) {
  th_bytes raw;
  return th_json_get(msg, "op", &raw) && th_json_is_string(raw, op);
}

/* ---- actor.init(state, (id)) ------------------------------------------------------------------------------------ */

static int spawn(const char *manifest, th_bytes *id, const char **err) {
  th_result_bytes r;
  th_bytes path = th_str(manifest);
  th_import_spawn(path.ptr, path.len, 0, NULL, 0, &r);     /* init-state: none (use the child manifest's) */
  if (r.is_err) {
    th_buf b = { 0, 0, 0 };
    th_buf_str(&b, "spawn ");
    th_buf_str(&b, manifest);
    th_buf_str(&b, ": ");
    th_buf_bytes(&b, r.val);
    th_buf_put(&b, "", 1);
    *err = (const char *)b.ptr;
    return 0;
  }
  *id = r.val;
  return 1;
}

TH_EXPORT("theater:simple/actor@0.1.0#init")
th_ret_state *supervisor_init(uint32_t state_some, const uint8_t *state_ptr, size_t state_len,
                              const uint8_t *id_ptr, size_t id_len) {
  (void)state_some; (void)state_ptr; (void)state_len;
  th_bytes counter, flaky;
  const char *err;
  if (!spawn("children/counter.toml", &counter, &err)) return th_err_state(err);
  if (!spawn("children/flaky.toml", &flaky, &err)) return th_err_state(err);

  th_buf s = { 0, 0, 0 };
  th_buf_str(&s, "{\"children\":{\"counter\":");
  th_buf_json_string(&s, counter);
  th_buf_str(&s, ",\"flaky\":");
  th_buf_json_string(&s, flaky);
  th_buf_str(&s, "},\"events\":[]}");
  th_bytes state = th_buf_done(&s);

  th_buf line = { 0, 0, 0 };
  th_buf_str(&line, "supervisor ");
  th_buf_put(&line, id_ptr, id_len);
  th_buf_str(&line, " started ");
  th_buf_bytes(&line, counter);
  th_buf_str(&line, " and ");
  th_buf_bytes(&line, flaky);
  th_log(th_buf_done(&line));
  return th_ok_state(th_some(state));
}
TH_POST_RETURN("theater:simple/actor@0.1.0#init")

/* ---- supervisor-handlers ---------------------------------------------------------------------------------------- */

/* params: (child-id, actor-error { kind: error-kind, message: string }), flattened to (ptr, len, kind, ptr, len). */
TH_EXPORT("theater:simple/supervisor-handlers@0.1.0#handle-child-error")
th_ret_state *supervisor_child_error(uint32_t state_some, const uint8_t *state_ptr, size_t state_len,
                                     const uint8_t *child_ptr, size_t child_len, uint32_t kind,
                                     const uint8_t *msg_ptr, size_t msg_len) {
  th_bytes child = { child_ptr, child_len };
  const char *kind_name = kind < 4 ? ERROR_KINDS[kind] : "unknown";

  th_buf line = { 0, 0, 0 };
  th_buf_str(&line, "child ");
  th_buf_bytes(&line, child);
  th_buf_str(&line, " failed (");
  th_buf_str(&line, kind_name);
  th_buf_str(&line, "): ");
  th_buf_put(&line, msg_ptr, msg_len);
  th_buf_str(&line, "; restarting");
  th_log(th_buf_done(&line));

  th_result_unit r;
  th_import_restart_child(child.ptr, child.len, &r);
  if (r.is_err) th_log(th_str(concat("restart failed: ", r.err)));

  return th_ok_state(th_some(with_event(th_opt(state_some, state_ptr, state_len), child, kind_name)));
}
TH_POST_RETURN("theater:simple/supervisor-handlers@0.1.0#handle-child-error")

/* params: (child-id, data: option<list<u8>>), flattened to (ptr, len, is_some, ptr, len). */
TH_EXPORT("theater:simple/supervisor-handlers@0.1.0#handle-child-exit")
th_ret_state *supervisor_child_exit(uint32_t state_some, const uint8_t *state_ptr, size_t state_len,
                                    const uint8_t *child_ptr, size_t child_len,
                                    uint32_t data_some, const uint8_t *data_ptr, size_t data_len) {
  th_bytes child = { child_ptr, child_len };
  th_buf line = { 0, 0, 0 };
  th_buf_str(&line, "child ");
  th_buf_bytes(&line, child);
  th_buf_str(&line, " exited");
  if (data_some) {
    /* A log line is a WIT string, which must be valid UTF-8 (the host traps otherwise): quote the data only when
     * it is short printable ASCII. */
    int printable = data_len <= 200;
    for (size_t i = 0; printable && i < data_len; i++) printable = data_ptr[i] >= 0x20 && data_ptr[i] < 0x7f;
    if (printable) {
      th_buf_str(&line, ": ");
      th_buf_put(&line, data_ptr, data_len);
    } else {
      th_buf_str(&line, " with ");
      th_buf_u64(&line, data_len);
      th_buf_str(&line, " bytes of data");
    }
  }
  th_log(th_buf_done(&line));
  return th_ok_state(th_some(with_event(th_opt(state_some, state_ptr, state_len), child, "exit")));
}
TH_POST_RETURN("theater:simple/supervisor-handlers@0.1.0#handle-child-exit")

/* ---- message-server-client ------------------------------------------------------------------------------------- */

TH_EXPORT("theater:simple/message-server-client@0.1.0#handle-send")
th_ret_state *supervisor_send(uint32_t state_some, const uint8_t *state_ptr, size_t state_len,
                              const uint8_t *msg_ptr, size_t msg_len) {
  th_opt_bytes state = th_opt(state_some, state_ptr, state_len);
  th_bytes msg = { msg_ptr, msg_len }, id;
  th_result_unit r;
  if (op_is(msg, "crash-flaky")) {
    if (!child_id(state, "flaky", &id)) return th_err_state("no flaky child in state");
    th_bytes crash = th_str("{\"op\":\"crash\"}");
    th_import_send(id.ptr, id.len, crash.ptr, crash.len, &r);
    if (r.is_err) return th_err_state(concat("send to flaky failed: ", r.err));
    return th_ok_state(state);
  }
  if (op_is(msg, "stop-counter")) {
    if (!child_id(state, "counter", &id)) return th_err_state("no counter child in state");
    th_import_stop_child(id.ptr, id.len, &r);
    if (r.is_err) return th_err_state(concat("stop-child failed: ", r.err));
    return th_ok_state(state);
  }
  return th_err_state("unknown op");
}
TH_POST_RETURN("theater:simple/message-server-client@0.1.0#handle-send")

TH_EXPORT("theater:simple/message-server-client@0.1.0#handle-request")
th_ret_request *supervisor_request(uint32_t state_some, const uint8_t *state_ptr, size_t state_len,
                                   const uint8_t *req_id, size_t req_id_len, const uint8_t *msg_ptr, size_t msg_len) {
  (void)req_id; (void)req_id_len;
  th_bytes msg = { msg_ptr, msg_len };
  if (!op_is(msg, "children")) return th_err_request("unknown op");
  th_bytes list;                           /* list<string>: (ptr, len) of an array of (ptr, len) */
  th_import_list_children(&list);
  const th_bytes *ids = (const th_bytes *)list.ptr;
  th_buf b = { 0, 0, 0 };
  th_buf_str(&b, "[");
  for (size_t i = 0; i < list.len; i++) {
    if (i) th_buf_str(&b, ",");
    th_buf_json_string(&b, ids[i]);
  }
  th_buf_str(&b, "]");
  return th_ok_request(th_opt(state_some, state_ptr, state_len), th_some(th_buf_done(&b)));
}
TH_POST_RETURN("theater:simple/message-server-client@0.1.0#handle-request")
