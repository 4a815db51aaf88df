/*
 * bytea_fn: get_byte and set_byte (PostgreSQL's 2202E for an index outside
 * the value) and substr / substring over bytes.
 */
#include <string.h>

#include "engine/func/registry.h"

static int check_index(eng_ctx *c, const eng_val *b, int64_t i)
{
    if (i < 0 || (size_t)i >= b->s.n) {
        pgw_error_set(c->err, SQLSTATE_ARRAY_SUBSCRIPT_ERROR, "index %lld out of valid range, 0..%lld", (long long)i,
                      (long long)b->s.n - 1);
        return -1;
    }
    return 0;
}

static int f_get_byte(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    (void)n;
    if (check_index(c, &a[0], a[1].i))
        return -1;
    o->null = false;
    o->i = (uint8_t)a[0].s.p[a[1].i];
    return 0;
}

/* set_byte(b, i, v): a copy of b with byte i set to the low 8 bits of v. */
static int f_set_byte(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    (void)n;
    if (check_index(c, &a[0], a[1].i))
        return -1;
    char *p = arena_alloc(c->mem, a[0].s.n);
    if (!p)
        return eng__oom(c);
    memcpy(p, a[0].s.p, a[0].s.n);
    p[a[1].i] = (char)(uint8_t)a[2].i;
    o->null = false;
    o->s.p = p;
    o->s.n = a[0].s.n;
    return 0;
}

/* bytea_substr(): bytes start .. start+len-1, 1-based, clipped. */
static int f_substr(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    int64_t start = a[1].i, len = n > 2 ? a[2].i : INT32_MAX;
    if (n > 2 && len < 0) {
        pgw_error_set(c->err, SQLSTATE_SUBSTRING_ERROR, "negative substring length not allowed");
        return -1;
    }
    int64_t end = start + len, size = (int64_t)a[0].s.n; /* end exclusive, 1-based */
    if (start < 1)
        start = 1;
    if (end > size + 1)
        end = size + 1;
    o->null = false;
    o->s.p = a[0].s.p + (start <= size ? start - 1 : 0);
    o->s.n = end > start ? (size_t)(end - start) : 0;
    return 0;
}

void eng__register_bytea_fn(void)
{
    static const char *const substr_names[2] = {"substr", "substring"};
    for (int k = 0; k < 2; k++) {
        eng__reg(substr_names[k], false, OID_BYTEA, ENG_F_STRICT, f_substr, 2, OID_BYTEA, OID_INT4);
        eng__reg(substr_names[k], false, OID_BYTEA, ENG_F_STRICT, f_substr, 3, OID_BYTEA, OID_INT4, OID_INT4);
    }
    eng__reg("get_byte", false, OID_INT4, ENG_F_STRICT, f_get_byte, 2, OID_BYTEA, OID_INT4);
    eng__reg("set_byte", false, OID_BYTEA, ENG_F_STRICT, f_set_byte, 3, OID_BYTEA, OID_INT4, OID_INT4);
}
