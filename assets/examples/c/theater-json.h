/*
 * theater-json.h: just enough JSON for the C example actors (no libc). Include after theater-abi.h.
 *
 * Reading: th_json_get(doc, "key", &value) finds a member of a top-level object and returns the raw bytes of its
 * value; th_json_as_string / th_json_as_u64 convert such a raw value. Whitespace is tolerated everywhere JSON allows
 * it; nested values are skipped correctly. Keys are compared byte-for-byte (no escapes in the keys we look up).
 * Writing: th_buf_json_string() appends a quoted, escaped string.
 */
#ifndef THEATER_JSON_H
#define THEATER_JSON_H

static inline const uint8_t *th_json_ws(const uint8_t *p, const uint8_t *end) {
  while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
  return p;
}

/* Skip a string starting at the opening quote; returns the position after the closing quote, or NULL. */
static inline const uint8_t *th_json_skip_string(const uint8_t *p, const uint8_t *end) {
  if (p >= end || *p != '"') return NULL;
  for (p++; p < end; p++) {
    if (*p == '\\') { p++; continue; }
    if (*p == '"') return p + 1;
    if (*p < 0x20) return NULL;
  }
  return NULL;
}

/* Skip any JSON value (leading whitespace allowed); returns the position after it, or NULL if malformed. */
static inline const uint8_t *th_json_skip_value(const uint8_t *p, const uint8_t *end, int depth) {
  p = th_json_ws(p, end);
  if (p >= end || depth > 64) return NULL;
  if (*p == '"') return th_json_skip_string(p, end);
  if (*p == '{' || *p == '[') {
    uint8_t close = *p == '{' ? '}' : ']';
    p = th_json_ws(p + 1, end);
    if (p < end && *p == close) return p + 1;
    for (;;) {
      if (close == '}') {
        p = th_json_skip_string(th_json_ws(p, end), end);
        if (!p) return NULL;
        p = th_json_ws(p, end);
        if (p >= end || *p != ':') return NULL;
        p++;
      }
      p = th_json_skip_value(p, end, depth + 1);
      if (!p) return NULL;
      p = th_json_ws(p, end);
      if (p >= end) return NULL;
      if (*p == close) return p + 1;
      if (*p != ',') return NULL;
      p++;
    }
  }
  /* number, true, false, null: a run of these characters */
  const uint8_t *start = p;
  while (p < end && ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') || *p == '-' || *p == '+' || *p == '.' ||
                     *p == 'E'))
    p++;
  return p > start ? p : NULL;
}

/* Is `doc` exactly one JSON value (surrounded by optional whitespace)? */
static inline int th_json_valid(th_bytes doc) {
  const uint8_t *end = doc.ptr + doc.len;
  const uint8_t *p = th_json_skip_value(doc.ptr, end, 0);
  return p && th_json_ws(p, end) == end;
}

/* Find member `key` of the top-level object `doc`. On success *value is the raw value (e.g. `"get"`, `12`, `[...]`). */
static inline int th_json_get(th_bytes doc, const char *key, th_bytes *value) {
  const uint8_t *p = doc.ptr, *end = doc.ptr + doc.len;
  size_t klen = th_strlen(key);
  if (!th_json_valid(doc)) return 0;
  p = th_json_ws(p, end);
  if (p >= end || *p != '{') return 0;
  p = th_json_ws(p + 1, end);
  if (p < end && *p == '}') return 0;
  for (;;) {
    const uint8_t *kstart = th_json_ws(p, end);
    const uint8_t *kend = th_json_skip_string(kstart, end);
    if (!kend) return 0;
    p = th_json_ws(kend, end);
    if (p >= end || *p != ':') return 0;
    const uint8_t *vstart = th_json_ws(p + 1, end);
    const uint8_t *vend = th_json_skip_value(vstart, end, 1);
    if (!vend) return 0;
    if ((size_t)(kend - kstart) == klen + 2 && th_memeq(kstart + 1, key, klen)) {
      value->ptr = vstart;
      value->len = (size_t)(vend - vstart);
      return 1;
    }
    p = th_json_ws(vend, end);
    if (p >= end || *p != ',') return 0;
    p++;
  }
}

static inline int th_hex(uint8_t c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Decode a raw JSON string value (with quotes) into UTF-8 bytes in the arena. Returns 0 if it is not a string. */
static inline int th_json_as_string(th_bytes raw, th_bytes *out) {
  if (raw.len < 2 || raw.ptr[0] != '"' || raw.ptr[raw.len - 1] != '"') return 0;
  const uint8_t *p = raw.ptr + 1, *end = raw.ptr + raw.len - 1;
  th_buf b = { 0, 0, 0 };
  th_buf_reserve(&b, raw.len);
  while (p < end) {
    uint8_t c = *p++;
    if (c != '\\') { b.ptr[b.len++] = c; continue; }
    if (p >= end) return 0;
    c = *p++;
    switch (c) {
      case 'b': c = '\b'; break;
      case 'f': c = '\f'; break;
      case 'n': c = '\n'; break;
      case 'r': c = '\r'; break;
      case 't': c = '\t'; break;
      case '"': case '\\': case '/': break;
      case 'u': {
        if (end - p < 4) return 0;
        uint32_t cp = 0;
        for (int i = 0; i < 4; i++) { int h = th_hex(p[i]); if (h < 0) return 0; cp = cp * 16 + (uint32_t)h; }
        p += 4;
        if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;   /* surrogates: not worth pairing here */
        uint8_t enc[3];
        size_t n;
        if (cp < 0x80) { enc[0] = (uint8_t)cp; n = 1; }
        else if (cp < 0x800) { enc[0] = (uint8_t)(0xC0 | cp >> 6); enc[1] = (uint8_t)(0x80 | (cp & 0x3F)); n = 2; }
        else {
          enc[0] = (uint8_t)(0xE0 | cp >> 12); enc[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
          enc[2] = (uint8_t)(0x80 | (cp & 0x3F)); n = 3;
        }
        for (size_t i = 0; i < n; i++) b.ptr[b.len++] = enc[i];   /* \uXXXX is 6 bytes, at most 3 out: fits */
        continue;
      }
      default: return 0;
    }
    b.ptr[b.len++] = c;
  }
  *out = th_buf_done(&b);
  return 1;
}

/* Parse a raw JSON value as a non-negative integer that fits in u64. */
static inline int th_json_as_u64(th_bytes raw, uint64_t *out) {
  if (raw.len == 0 || raw.len > 20) return 0;
  uint64_t v = 0;
  for (size_t i = 0; i < raw.len; i++) {
    uint8_t c = raw.ptr[i];
    if (c < '0' || c > '9') return 0;
    uint64_t next = v * 10 + (uint64_t)(c - '0');
    if (next / 10 != v) return 0;   /* overflow */
    v = next;
  }
  *out = v;
  return 1;
}

/* Is the raw value the JSON string `s` (exactly, after unescaping)? */
static inline int th_json_is_string(th_bytes raw, const char *s) {
  th_bytes str;
  size_t n = th_strlen(s);
  return th_json_as_string(raw, &str) && str.len == n && th_memeq(str.ptr, s, n);
}

/* Append `s` as a quoted JSON string. */
static inline void th_buf_json_string(th_buf *b, th_bytes s) {
  static const char hex[] = "0123456789abcdef";
  th_buf_put(b, "\"", 1);
  for (size_t i = 0; i < s.len; i++) {
    uint8_t c = s.ptr[i];
    if (c == '"' || c == '\\') { uint8_t e[2] = { '\\', c }; th_buf_put(b, e, 2); }
    else if (c < 0x20) { uint8_t e[6] = { '\\', 'u', '0', '0', (uint8_t)hex[c >> 4], (uint8_t)hex[c & 15] }; th_buf_put(b, e, 6); }
    else th_buf_put(b, &c, 1);
  }
  th_buf_put(b, "\"", 1);
}

#endif /* THEATER_JSON_H */
