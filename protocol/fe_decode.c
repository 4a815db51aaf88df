/* fe_decode: bounds-checked decoding of frontend message bodies (see fe_decode.h). */
#include "protocol/fe_decode.h"

#include <stdbool.h>
#include <string.h>

#include "protocol/frame.h"
#include "util/buf.h"

/* A cursor over one message body; `bad` is sticky like buf's `failed`. */
typedef struct reader {
    const uint8_t *p;
    size_t left;
    pgw_error *err;
    bool bad;
} reader;

static void reader_init(reader *r, const uint8_t *body, uint32_t len, pgw_error *err)
{
    r->p = body;
    r->left = len;
    r->err = err;
    r->bad = false;
}

static void fail(reader *r, const char *message)
{
    if (!r->bad)
        pgw_error_set(r->err, SQLSTATE_PROTOCOL_VIOLATION, "%s", message);
    r->bad = true;
    r->left = 0;
}

static bool need(reader *r, size_t n)
{
    if (r->bad)
        return false;
    if (r->left < n) {
        fail(r, "insufficient data left in message");
        return false;
    }
    return true;
}

static uint8_t get_u8(reader *r)
{
    if (!need(r, 1))
        return 0;
    uint8_t v = r->p[0];
    r->p++, r->left--;
    return v;
}

static uint16_t get_u16(reader *r)
{
    if (!need(r, 2))
        return 0;
    uint16_t v = buf_get_u16be(r->p);
    r->p += 2, r->left -= 2;
    return v;
}

static uint32_t get_u32(reader *r)
{
    if (!need(r, 4))
        return 0;
    uint32_t v = buf_get_u32be(r->p);
    r->p += 4, r->left -= 4;
    return v;
}

static const uint8_t *get_bytes(reader *r, size_t n)
{
    if (!need(r, n))
        return NULL;
    const uint8_t *v = r->p;
    r->p += n, r->left -= n;
    return v;
}

/* A NUL-terminated string that must end inside the body. */
static const char *get_cstr(reader *r)
{
    if (r->bad)
        return "";
    const uint8_t *nul = memchr(r->p, 0, r->left);
    if (!nul) {
        fail(r, "invalid string in message");
        return "";
    }
    const char *s = (const char *)r->p;
    size_t n = (size_t)(nul - r->p) + 1;
    r->p += n, r->left -= n;
    return s;
}

/* Like PostgreSQL's pq_getmsgend: trailing bytes mean a malformed message. */
static int finish(reader *r)
{
    if (!r->bad && r->left != 0)
        fail(r, "invalid message format");
    return r->bad ? -1 : 0;
}

static int decode_startup_params(reader *r, pgw_startup *out)
{
    for (;;) {
        const char *name = get_cstr(r);
        if (r->bad)
            return -1;
        if (name[0] == '\0')
            break;
        const char *value = get_cstr(r);
        if (r->bad)
            return -1;
        if (out->nparams == PGW_STARTUP_PARAMS_MAX) {
            fail(r, "too many parameters in startup packet");
            return -1;
        }
        out->names[out->nparams] = name;
        out->values[out->nparams] = value;
        out->nparams++;
    }
    return finish(r);
}

int pgw_decode_startup(const uint8_t *body, uint32_t len, pgw_startup *out, pgw_error *err)
{
    reader r;
    reader_init(&r, body, len, err);
    out->nparams = 0;
    out->code = get_u32(&r);
    if (r.bad)
        return -1;
    switch (out->code) {
    case PGW_CANCEL_REQUEST_CODE:
        out->cancel_pid = get_u32(&r);
        out->cancel_key = get_u32(&r);
        return finish(&r);
    case PGW_SSL_REQUEST_CODE:
    case PGW_GSSENC_REQUEST_CODE:
        return finish(&r);
    default:
        if (PGW_PROTOCOL_MAJOR(out->code) != 3)
            return 0; /* the caller rejects the version; its body format is unknown */
        return decode_startup_params(&r, out);
    }
}

int pgw_decode_query(const uint8_t *body, uint32_t len, const char **sql, pgw_error *err)
{
    reader r;
    reader_init(&r, body, len, err);
    *sql = get_cstr(&r);
    return finish(&r);
}

int pgw_decode_parse(const uint8_t *body, uint32_t len, pgw_parse *out, pgw_error *err)
{
    reader r;
    reader_init(&r, body, len, err);
    out->name = get_cstr(&r);
    out->query = get_cstr(&r);
    out->nparam_types = get_u16(&r);
    out->param_types = get_bytes(&r, (size_t)out->nparam_types * 4);
    return finish(&r);
}

uint32_t pgw_parse_param_type(const pgw_parse *p, int i)
{
    return buf_get_u32be(p->param_types + (size_t)i * 4);
}

static int16_t *get_formats(reader *r, arena *a, int *count)
{
    *count = get_u16(r);
    const uint8_t *raw = get_bytes(r, (size_t)*count * 2);
    if (!raw || *count == 0)
        return NULL;
    int16_t *formats = arena_alloc(a, sizeof(int16_t) * (size_t)*count);
    if (!formats) {
        pgw_error_oom(r->err);
        r->bad = true;
        return NULL;
    }
    for (int i = 0; i < *count; i++)
        formats[i] = (int16_t)buf_get_u16be(raw + 2 * i);
    return formats;
}

static int get_bind_values(reader *r, arena *a, pgw_bind *out)
{
    out->nparams = get_u16(r);
    if (r->bad || out->nparams == 0)
        return r->bad ? -1 : 0;
    out->param_values = arena_alloc(a, sizeof(*out->param_values) * (size_t)out->nparams);
    out->param_lengths = arena_alloc(a, sizeof(*out->param_lengths) * (size_t)out->nparams);
    if (!out->param_values || !out->param_lengths) {
        pgw_error_oom(r->err);
        r->bad = true;
        return -1;
    }
    for (int i = 0; i < out->nparams && !r->bad; i++) {
        int32_t n = (int32_t)get_u32(r);
        if (n < -1) {
            fail(r, "invalid parameter length in Bind message");
            break;
        }
        out->param_lengths[i] = n;
        out->param_values[i] = n < 0 ? NULL : get_bytes(r, (size_t)n);
    }
    return r->bad ? -1 : 0;
}

int pgw_decode_bind(const uint8_t *body, uint32_t len, arena *a, pgw_bind *out, pgw_error *err)
{
    reader r;
    reader_init(&r, body, len, err);
    memset(out, 0, sizeof(*out));
    out->portal = get_cstr(&r);
    out->statement = get_cstr(&r);
    out->param_formats = get_formats(&r, a, &out->nparam_formats);
    if (get_bind_values(&r, a, out) < 0)
        return -1;
    out->result_formats = get_formats(&r, a, &out->nresult_formats);
    return finish(&r);
}

int pgw_decode_target(const uint8_t *body, uint32_t len, char msg_type, pgw_target *out, pgw_error *err)
{
    reader r;
    reader_init(&r, body, len, err);
    out->kind = (char)get_u8(&r);
    out->name = get_cstr(&r);
    if (finish(&r) < 0)
        return -1;
    if (out->kind != 'S' && out->kind != 'P') {
        pgw_error_set(err, SQLSTATE_PROTOCOL_VIOLATION, "invalid %s message subtype %d",
                      msg_type == 'D' ? "DESCRIBE" : "CLOSE", (int)(uint8_t)out->kind);
        return -1;
    }
    return 0;
}

int pgw_decode_execute(const uint8_t *body, uint32_t len, pgw_execute *out, pgw_error *err)
{
    reader r;
    reader_init(&r, body, len, err);
    out->portal = get_cstr(&r);
    out->max_rows = (int32_t)get_u32(&r);
    return finish(&r);
}

int pgw_decode_password(const uint8_t *body, uint32_t len, const char **password, pgw_error *err)
{
    reader r;
    reader_init(&r, body, len, err);
    *password = get_cstr(&r);
    return finish(&r);
}

int pgw_decode_sasl_initial(const uint8_t *body, uint32_t len, pgw_sasl_initial *out, pgw_error *err)
{
    reader r;
    reader_init(&r, body, len, err);
    out->mechanism = get_cstr(&r);
    out->len = (int32_t)get_u32(&r);
    if (out->len < -1)
        fail(&r, "invalid SASL response length");
    out->data = out->len > 0 ? get_bytes(&r, (size_t)out->len) : NULL;
    return finish(&r);
}

int pgw_decode_copy_fail(const uint8_t *body, uint32_t len, const char **reason, pgw_error *err)
{
    reader r;
    reader_init(&r, body, len, err);
    *reason = get_cstr(&r);
    return finish(&r);
}
