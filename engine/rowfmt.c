/*
 * rowfmt: how a table row is stored in a storage row (opaque bytes to
 * storage), and index keys.
 *
 * Row image: u16 ncols (little-endian; rows written before a column was
 * added have fewer, the rest read as NULL), then ceil(ncols/8) bytes of
 * NULL bitmap (bit set = NULL), then each non-NULL field in column order:
 *   integer-like types (bool, int2/4/8, oid, date, timestamp[tz]): 8 bytes int64 LE
 *   float4/float8: 8 bytes IEEE double LE
 *   interval: 16 bytes (us int64, days int32, months int32)
 *   text-like, bytea, vector and hypercube: u32 length LE + bytes (a vector's are its
 *     float4 elements in host order)
 *   anything else (numeric, ...): u32 length + the type's text output,
 *     read back with its input function
 * Index keys are the fields of the key columns in the same encoding,
 * concatenated; equal values give equal bytes because every type here has
 * one canonical stored form (bpchar is stored padded, numeric as its text).
 */
#include <stdio.h>
#include <string.h>

#include "engine/catalog.h"
#include "engine/types/types.h"
#include "util/buf.h"

enum { F_INT, F_FLOAT, F_INTERVAL, F_BYTES, F_TEXTIO };

static int field_class(uint32_t type)
{
    switch (type) {
    case OID_BOOL: case OID_INT2: case OID_INT4: case OID_INT8: case OID_OID:
    case OID_DATE: case OID_TIMESTAMP: case OID_TIMESTAMPTZ:
        return F_INT;
    case OID_FLOAT4: case OID_FLOAT8:
        return F_FLOAT;
    case OID_INTERVAL:
        return F_INTERVAL;
    case OID_TEXT: case OID_VARCHAR: case OID_BPCHAR: case OID_NAME: case OID_BYTEA: case OID_UNKNOWN:
    case OID_VECTOR: /* the floats in host order, 4 bytes each */
    case OID_HALFVEC: /* the halves in host order, 2 bytes each */
    case OID_BIT: case OID_VARBIT: /* bit count and bits (bit.h) */
    case OID_HYPERCUBE: /* four doubles in host order */
        return F_BYTES;
    default:
        return F_TEXTIO;
    }
}

static void put_le(buf *b, uint64_t v, int n)
{
    uint8_t x[8];
    for (int i = 0; i < n; i++)
        x[i] = (uint8_t)(v >> (8 * i));
    buf_append(b, x, (size_t)n);
}

static uint64_t get_le(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

int eng__val_encode(eng_ctx *c, uint32_t type, const eng_val *v, buf *b)
{
    switch (field_class(type)) {
    case F_INT:
        put_le(b, (uint64_t)v->i, 8);
        return 0;
    case F_FLOAT: {
        uint64_t u;
        memcpy(&u, &v->f, 8);
        put_le(b, u, 8);
        return 0;
    }
    case F_INTERVAL:
        put_le(b, (uint64_t)v->iv.us, 8);
        put_le(b, (uint32_t)v->iv.days, 4);
        put_le(b, (uint32_t)v->iv.months, 4);
        return 0;
    case F_BYTES:
        put_le(b, (uint32_t)v->s.n, 4);
        buf_append(b, v->s.p, v->s.n);
        return 0;
    default: {
        const eng_type *t = eng_type_by_oid(type);
        size_t n = 0;
        char *s = t && t->out ? t->out(c, v, &n) : NULL;
        if (!s) {
            if (!pgw_error_is_set(c->err))
                pgw_error_set(c->err, SQLSTATE_FEATURE_NOT_SUPPORTED, "storing type %s is not supported yet",
                              eng_type_sqlname(type));
            return -1;
        }
        put_le(b, (uint32_t)n, 4);
        buf_append(b, s, n);
        return 0;
    }
    }
}

uint8_t *eng_row_encode(eng_ctx *c, const eng_table *t, const eng_val *vals, size_t *len)
{
    buf b;
    buf_init(&b);
    put_le(&b, (uint16_t)t->ncols, 2);
    size_t nb = ((size_t)t->ncols + 7) / 8;
    uint8_t bits[256] = {0};
    for (int i = 0; i < t->ncols; i++)
        if (vals[i].null)
            bits[i / 8] |= (uint8_t)(1u << (i % 8));
    buf_append(&b, bits, nb);
    for (int i = 0; i < t->ncols; i++) {
        if (!vals[i].null && eng__val_encode(c, t->cols[i].type, &vals[i], &b)) {
            buf_free(&b);
            return NULL;
        }
    }
    uint8_t *out = b.failed ? NULL : arena_alloc(c->mem, b.len ? b.len : 1);
    if (out) {
        memcpy(out, b.data, b.len);
        *len = b.len;
    } else {
        pgw_error_oom(c->err);
    }
    buf_free(&b);
    return out;
}

static int corrupt(eng_ctx *c, const eng_table *t)
{
    pgw_error_set(c->err, SQLSTATE_INTERNAL_ERROR, "corrupted row in table \"%s\"", t->name);
    return -1;
}

static int decode_field(eng_ctx *c, const eng_table *t, int col, const uint8_t **pp, const uint8_t *end,
                        eng_val *v)
{
    const uint8_t *p = *pp;
    uint32_t type = t->cols[col].type;
    v->null = false;
    switch (field_class(type)) {
    case F_INT:
        if (end - p < 8)
            return corrupt(c, t);
        v->i = (int64_t)get_le(p, 8);
        *pp = p + 8;
        return 0;
    case F_FLOAT: {
        if (end - p < 8)
            return corrupt(c, t);
        uint64_t u = get_le(p, 8);
        memcpy(&v->f, &u, 8);
        *pp = p + 8;
        return 0;
    }
    case F_INTERVAL:
        if (end - p < 16)
            return corrupt(c, t);
        v->iv.us = (int64_t)get_le(p, 8);
        v->iv.days = (int32_t)get_le(p + 8, 4);
        v->iv.months = (int32_t)get_le(p + 12, 4);
        *pp = p + 16;
        return 0;
    default: {
        if (end - p < 4)
            return corrupt(c, t);
        uint32_t n = (uint32_t)get_le(p, 4);
        p += 4;
        if ((size_t)(end - p) < n)
            return corrupt(c, t);
        *pp = p + n;
        if (field_class(type) == F_BYTES) {
            /* storage keeps the row image alive for the statement */
            v->s.p = (const char *)p;
            v->s.n = n;
            return 0;
        }
        const eng_type *ty = eng_type_by_oid(type);
        return ty && ty->in ? ty->in(c, (const char *)p, n, -1, v) : corrupt(c, t);
    }
    }
}

int eng_row_decode(eng_ctx *c, const eng_table *t, const uint8_t *data, size_t len, eng_val *vals)
{
    if (len < 2)
        return corrupt(c, t);
    int n = (int)get_le(data, 2);
    size_t nb = ((size_t)n + 7) / 8;
    if (len < 2 + nb)
        return corrupt(c, t);
    const uint8_t *bits = data + 2, *p = data + 2 + nb, *end = data + len;
    for (int i = 0; i < t->ncols; i++) {
        if (i >= n || (bits[i / 8] & (1u << (i % 8)))) {
            vals[i].null = true;
            continue;
        }
        if (decode_field(c, t, i, &p, end, &vals[i]))
            return -1;
    }
    return 0;
}

bool eng_index_key(eng_ctx *c, const eng_table *t, const eng_index *ix, const eng_val *vals, uint8_t **key,
                   size_t *len)
{
    uint8_t small[256];
    buf b;
    buf_init(&b);
    (void)small;
    for (int i = 0; i < ix->ncols; i++) {
        const eng_val *v = &vals[ix->cols[i]];
        if (v->null || eng__val_encode(c, t->cols[ix->cols[i]].type, v, &b)) {
            buf_free(&b);
            return false;
        }
    }
    *key = arena_alloc(c->mem, b.len ? b.len : 1);
    if (!*key || b.failed) {
        buf_free(&b);
        return false;
    }
    memcpy(*key, b.data, b.len);
    *len = b.len;
    buf_free(&b);
    return true;
}

char *eng_index_key_text(eng_ctx *c, const eng_table *t, const eng_index *ix, const eng_val *vals)
{
    buf b;
    buf_init(&b);
    buf_append(&b, "Key (", 5);
    for (int i = 0; i < ix->ncols; i++)
        buf_printf(&b, "%s%s", i ? ", " : "", t->cols[ix->cols[i]].name);
    buf_append(&b, ")=(", 3);
    for (int i = 0; i < ix->ncols; i++) {
        const eng_val *v = &vals[ix->cols[i]];
        const eng_type *ty = eng_type_by_oid(t->cols[ix->cols[i]].type);
        size_t n = 0;
        char *s = v->null ? NULL : ty && ty->out ? ty->out(c, v, &n) : NULL;
        if (i)
            buf_append(&b, ", ", 2);
        if (s)
            buf_append(&b, s, n);
        else
            buf_append(&b, "null", 4);
    }
    buf_append(&b, ") already exists.", 17);
    char *out = arena_strndup(c->mem, (const char *)b.data, b.len);
    buf_free(&b);
    return out;
}
