/*
 * hc_sql: the hypercube functions on codepoints in SQL -- placement
 * (hc_map_codepoint), the reverse lookup (hc_codepoint_from_coords), Hilbert
 * keys and categories -- over engine/hypercube/. Errors carry the module's
 * SQLSTATEs (22003 codepoint out of range, 22023 surrogates where they mean
 * nothing -- an atom id needs UTF-8 -- and bad coordinates).
 *
 * Surrogates (U+D800..U+DFFF) are placed, as the reference places them, all
 * at its reserved point (1, 0, 0, 0) of the sphere, (1, 0.5, 0.5, 0.5) in the
 * unit cube: so a scan over any range of integers maps without failing. No
 * atom sits there, so they do not round-trip through the reverse lookup.
 *
 * Hilbert keys of a hypercube point use its lanes quantised to uint32 with
 * the reference's quantiser (x in [0,1] -> round(x * (2^32 - 1))). A key is
 * 128 bits: as bytea it is 16 bytes big-endian (hi, then lo), so bytea's
 * byte order is the key's unsigned order; as bigints the halves are the
 * two's-complement views SQL columns hold.
 */
#include <math.h>
#include <string.h>

#include "engine/func/registry.h"
#include "engine/hypercube/hc_atom.h"
#include "engine/hypercube/hc_category.h"
#include "engine/hypercube/hc_hilbert.h"
#include "engine/hypercube/hc_map.h"
#include "engine/hypercube/hc_reverse.h"
#include "engine/types/hypercube.h"
#include "engine/types/text.h"

#define HILBERT_KEY_LEN 16

/* An hc_status as an ErrorResponse; `what` names the offending input. */
static int hc_fail(eng_ctx *c, hc_status st, const char *what)
{
    if (st == HC_ERR_NOMEM)
        return eng__oom(c);
    pgw_error_set(c->err, hc_status_sqlstate(st), "%s", hc_status_message(st));
    if (what)
        pgw_error_detail(c->err, "%s", what);
    return -1;
}

static int codepoint_fail(eng_ctx *c, hc_status st, int64_t cp)
{
    char *d = arena_printf(c->mem, "The codepoint is %lld.", (long long)cp);
    return hc_fail(c, st, d);
}

static int f_map_codepoint(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    hc_point p;
    hc_status st = hc_map_codepoint(a[0].i, &p);
    if (st == HC_ERR_SURROGATE)
        p = (hc_point){1.0, 0.5, 0.5, 0.5};
    else if (st != HC_OK)
        return codepoint_fail(c, st, a[0].i);
    double v[4] = {p.x, p.y, p.z, p.m};
    return eng_hcube_make(c, v, o);
}

static int reverse(eng_ctx *c, const double v[4], eng_val *o)
{
    int32_t cp;
    hc_status st = hc_codepoint_from_coords(v[0], v[1], v[2], v[3], &cp);
    if (st != HC_OK)
        return hc_fail(c, st, NULL);
    o->null = false;
    o->i = cp;
    return 0;
}

static int f_from_coords(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    double v[4] = {a[0].f, a[1].f, a[2].f, a[3].f};
    return reverse(c, v, o);
}

static int f_from_point(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    double v[4];
    eng_hcube_get(&a[0], v);
    return reverse(c, v, o);
}

static int f_categorize(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    hc_category cat;
    hc_status st = hc_categorize(a[0].i, &cat);
    if (st != HC_OK)
        return codepoint_fail(c, st, a[0].i);
    const char *s = hc_category_name(cat);
    return eng__text_val(c, s, strlen(s), o);
}

static int f_atom_id(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    uint8_t *id = arena_alloc(c->mem, HC_ID_LEN);
    if (!id)
        return eng__oom(c);
    hc_status st = hc_atom_id(a[0].i, id);
    if (st != HC_OK)
        return codepoint_fail(c, st, a[0].i);
    o->null = false;
    o->s.p = (const char *)id;
    o->s.n = HC_ID_LEN;
    return 0;
}

/* ---- Hilbert keys --------------------------------------------------------- */

static hc_hilbert point_key(const eng_val *v)
{
    double p[4];
    uint32_t lanes[4];
    eng_hcube_get(v, p);
    for (int d = 0; d < 4; d++)
        lanes[d] = hc_quantize_unit(p[d] * 2.0 - 1.0);
    return hc_hilbert_encode(lanes);
}

static int key_point(eng_ctx *c, hc_hilbert h, eng_val *o)
{
    uint32_t lanes[4];
    double p[4];
    hc_hilbert_decode(h, lanes);
    for (int d = 0; d < 4; d++) {
        p[d] = (hc_dequantize_unit(lanes[d]) + 1.0) * 0.5;
        p[d] = p[d] < 0 ? 0 : p[d] > 1 ? 1 : p[d]; /* rounding at the faces */
    }
    return eng_hcube_make(c, p, o);
}

static int f_hilbert_encode(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    hc_hilbert h = point_key(&a[0]);
    uint8_t *k = arena_alloc(c->mem, HILBERT_KEY_LEN);
    if (!k)
        return eng__oom(c);
    for (int i = 0; i < 8; i++) {
        k[i] = (uint8_t)(h.hi >> (56 - 8 * i));
        k[8 + i] = (uint8_t)(h.lo >> (56 - 8 * i));
    }
    o->null = false;
    o->s.p = (const char *)k;
    o->s.n = HILBERT_KEY_LEN;
    return 0;
}

static int f_hilbert_decode(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    if (a[0].s.n != HILBERT_KEY_LEN) {
        pgw_error_set(c->err, SQLSTATE_INVALID_PARAMETER_VALUE, "a Hilbert key is %d bytes, not %zu",
                      HILBERT_KEY_LEN, a[0].s.n);
        return -1;
    }
    const uint8_t *k = (const uint8_t *)a[0].s.p;
    hc_hilbert h = {0, 0};
    for (int i = 0; i < 8; i++) {
        h.hi = (h.hi << 8) | k[i];
        h.lo = (h.lo << 8) | k[8 + i];
    }
    return key_point(c, h, o);
}

static int f_hilbert_decode2(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    return key_point(c, hc_hilbert_from_int64(a[0].i, a[1].i), o);
}

static int f_hilbert_lo(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    o->null = false;
    o->i = (int64_t)point_key(&a[0]).lo;
    return 0;
}

static int f_hilbert_hi(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    o->null = false;
    o->i = (int64_t)point_key(&a[0]).hi;
    return 0;
}

/* hypercube_map_codepoint(cp): the reference's full atom record as one row --
 * raw uint32 lanes (as bigint), Hilbert key halves of those lanes, id, category. */
static const char *const atom_names[] = {"x", "y", "z", "m", "hilbert_lo", "hilbert_hi", "hash", "category"};
static const uint32_t atom_types[] = {OID_INT8, OID_INT8, OID_INT8, OID_INT8, OID_INT8, OID_INT8, OID_BYTEA, OID_TEXT};
static const eng_srf_cols atom_cols = {8, atom_names, atom_types};

static int srf_atom_record(eng_ctx *c, const eng_val *a, int n, int64_t *st, bool *done, eng_val *o)
{
    if (st[0]) {
        *done = true;
        return 0;
    }
    st[0] = 1;
    hc_atom r;
    hc_status hs = hc_atom_record(a[0].i, &r);
    uint8_t *id = arena_alloc(c->mem, HC_ID_LEN);
    if (hs != HC_OK)
        return codepoint_fail(c, hs, a[0].i);
    if (!id)
        return eng__oom(c);
    for (int d = 0; d < 4; d++)
        o[d] = (eng_val){.null = false, .i = r.lanes[d]};
    o[4] = (eng_val){.null = false, .i = (int64_t)r.hilbert.lo};
    o[5] = (eng_val){.null = false, .i = (int64_t)r.hilbert.hi};
    memcpy(id, r.id, HC_ID_LEN);
    o[6].null = false;
    o[6].s.p = (const char *)id;
    o[6].s.n = HC_ID_LEN;
    const char *cat = hc_category_name(r.category);
    return eng__text_val(c, cat, strlen(cat), &o[7]);
}

void eng__register_hc(void)
{
    const uint32_t H = OID_HYPERCUBE, F = OID_FLOAT8, I4 = OID_INT4, I8 = OID_INT8;
    /* Codepoints as bigint: int4 arguments coerce to it, bigint columns fit, and
     * one signature keeps an unknown literal from being ambiguous. */
    eng__reg("hc_map_codepoint", false, H, ENG_F_STRICT, f_map_codepoint, 1, I8);
    eng__reg("hc_categorize", false, OID_TEXT, ENG_F_STRICT, f_categorize, 1, I8);
    eng__reg("hypercube_categorize", false, OID_TEXT, ENG_F_STRICT, f_categorize, 1, I8);
    eng__reg("hc_atom_id", false, OID_BYTEA, ENG_F_STRICT, f_atom_id, 1, I8);
    eng__reg_srf_cols("hypercube_map_codepoint", &atom_cols, ENG_F_STRICT, srf_atom_record, 1, I8);
    eng__reg("hc_codepoint_from_coords", false, I4, ENG_F_STRICT, f_from_coords, 4, F, F, F, F);
    eng__reg("hc_codepoint_from_coords", false, I4, ENG_F_STRICT, f_from_point, 1, H);
    eng__reg("hc_hilbert_encode", false, OID_BYTEA, ENG_F_STRICT, f_hilbert_encode, 1, H);
    eng__reg("hc_hilbert_decode", false, H, ENG_F_STRICT, f_hilbert_decode, 1, OID_BYTEA);
    eng__reg("hc_hilbert_decode", false, H, ENG_F_STRICT, f_hilbert_decode2, 2, I8, I8);
    eng__reg("hc_hilbert_lo", false, I8, ENG_F_STRICT, f_hilbert_lo, 1, H);
    eng__reg("hc_hilbert_hi", false, I8, ENG_F_STRICT, f_hilbert_hi, 1, H);
}
