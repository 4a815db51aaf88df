/*
 * hypercube: the 4-D point type and its operators (see hypercube.h).
 * ST_X/ST_Y/ST_Z/ST_M, ST_MakePoint and ST_AsText follow PostGIS's names
 * and output; ST_Distance is the full 4-D distance on purpose (PostGIS's
 * uses only X and Y), and `<->` / `<<->>` are the same distance.
 */
#include "engine/types/hypercube.h"

#include <math.h>
#include <string.h>

#include "engine/func/registry.h"
#include "engine/index/spatial4d.h"
#include "engine/types/float.h"
#include "engine/types/text.h"

static const char *const lane_names[4] = {"x", "y", "z", "m"};

void eng_hcube_get(const eng_val *v, double p[4])
{
    memcpy(p, v->s.p, HCUBE_LEN);
}

int eng_hcube_make(eng_ctx *c, const double p[4], eng_val *out)
{
    for (int d = 0; d < 4; d++) {
        if (!(p[d] >= 0.0 && p[d] <= 1.0)) {
            char *t = eng__float_to_text(c->mem, p[d], false, 1);
            pgw_error_set(c->err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE,
                          "hypercube coordinate %s = %s is outside [0, 1]", lane_names[d], t ? t : "?");
            return -1;
        }
    }
    double *q = arena_alloc(c->mem, HCUBE_LEN);
    if (!q)
        return eng__oom(c);
    memcpy(q, p, HCUBE_LEN);
    out->null = false;
    out->s.p = (const char *)q;
    out->s.n = HCUBE_LEN;
    return 0;
}

/* ---- I/O ------------------------------------------------------------- */

static bool hc_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' || ch == '\f';
}

/* `(x, y, z, m)`, or the same without the parentheses, as cube_in reads a
 * point; each lane is read with float8in's rules. */
static int hcube_in(eng_ctx *c, const char *s, size_t n, int32_t typmod, eng_val *out)
{
    (void)typmod;
    const char *p = s, *end = s + n;
    while (p < end && hc_space(*p))
        p++;
    while (end > p && hc_space(end[-1]))
        end--;
    if (p < end && *p == '(') {
        if (end - p < 2 || end[-1] != ')')
            return eng__bad_input(c, "hypercube", s, n);
        p++;
        end--;
    }
    double v[4];
    for (int d = 0; d < 4; d++) {
        const char *e = p;
        while (e < end && *e != ',')
            e++;
        if ((e == end) != (d == 3) || eng__float_parse(c, p, (size_t)(e - p), false, &v[d])) {
            pgw_error_clear(c->err);
            return eng__bad_input(c, "hypercube", s, n);
        }
        p = e + 1;
    }
    return eng_hcube_make(c, v, out);
}

static int float_digits(const eng_ctx *c)
{
    return c->env ? c->env->extra_float_digits : 1;
}

/* The four lanes joined by `sep`, between `open` and `close`. */
static char *lanes_text(eng_ctx *c, const eng_val *v, const char *open, const char *sep, const char *close,
                        size_t *len)
{
    double p[4];
    eng_hcube_get(v, p);
    char *l[4];
    for (int d = 0; d < 4; d++)
        if (!(l[d] = eng__float_to_text(c->mem, p[d], false, float_digits(c))))
            return eng__oom(c), NULL;
    char *s = arena_printf(c->mem, "%s%s%s%s%s%s%s%s%s", open, l[0], sep, l[1], sep, l[2], sep, l[3], close);
    if (!s)
        return eng__oom(c), NULL;
    *len = strlen(s);
    return s;
}

static char *hcube_out(eng_ctx *c, const eng_val *v, size_t *len)
{
    return lanes_text(c, v, "(", ", ", ")", len);
}

static int hcube_recv(eng_ctx *c, const uint8_t *p, size_t n, int32_t typmod, eng_val *out)
{
    (void)typmod;
    if (eng__recv_len(c, n, HCUBE_LEN))
        return -1;
    double v[4];
    for (int d = 0; d < 4; d++) {
        uint64_t u = 0;
        for (int k = 0; k < 8; k++)
            u = (u << 8) | p[d * 8 + k];
        memcpy(&v[d], &u, 8);
    }
    return eng_hcube_make(c, v, out);
}

static uint8_t *hcube_send(eng_ctx *c, const eng_val *v, size_t *len)
{
    double p[4];
    eng_hcube_get(v, p);
    uint8_t *o = arena_alloc(c->mem, HCUBE_LEN);
    if (!o)
        return eng__oom(c), NULL;
    for (int d = 0; d < 4; d++) {
        uint64_t u;
        memcpy(&u, &p[d], 8);
        for (int k = 0; k < 8; k++)
            o[d * 8 + k] = (uint8_t)(u >> (56 - 8 * k));
    }
    *len = HCUBE_LEN;
    return o;
}

const eng_type eng__type_hypercube = {OID_HYPERCUBE, "hypercube", "hypercube", -1, 'U', false,
                                      hcube_in, hcube_out, hcube_recv, hcube_send, NULL};

/* ---- operators and functions ------------------------------------------ */

static int f_distance(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    double p[4], q[4];
    eng_hcube_get(&a[0], p);
    eng_hcube_get(&a[1], q);
    o->null = false;
    o->f = sqrt(s4d_dist2(p, q));
    return 0;
}

static int f_eq(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    double p[4], q[4];
    eng_hcube_get(&a[0], p);
    eng_hcube_get(&a[1], q);
    o->null = false;
    o->i = p[0] == q[0] && p[1] == q[1] && p[2] == q[2] && p[3] == q[3];
    return 0;
}

static int f_ne(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    int rc = f_eq(c, a, n, o);
    o->i = !o->i;
    return rc;
}

static int lane(const eng_val *a, int d, eng_val *o)
{
    double p[4];
    eng_hcube_get(&a[0], p);
    o->null = false;
    o->f = p[d];
    return 0;
}

static int f_x(eng_ctx *c, const eng_val *a, int n, eng_val *o) { return lane(a, 0, o); }
static int f_y(eng_ctx *c, const eng_val *a, int n, eng_val *o) { return lane(a, 1, o); }
static int f_z(eng_ctx *c, const eng_val *a, int n, eng_val *o) { return lane(a, 2, o); }
static int f_m(eng_ctx *c, const eng_val *a, int n, eng_val *o) { return lane(a, 3, o); }

static int f_make(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    double p[4] = {a[0].f, a[1].f, a[2].f, a[3].f};
    return eng_hcube_make(c, p, o);
}

/* PostGIS's WKT of a POINT ZM: `POINT ZM (x y z m)`. */
static int f_astext(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    size_t len;
    char *s = lanes_text(c, &a[0], "POINT ZM (", " ", ")", &len);
    if (!s)
        return -1;
    o->null = false;
    o->s.p = s;
    o->s.n = len;
    return 0;
}

/* ST_DWithin(a, b, r): distance <= r, the same test the index's radius search makes. */
static int f_dwithin(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    double p[4], q[4];
    eng_hcube_get(&a[0], p);
    eng_hcube_get(&a[1], q);
    o->null = false;
    o->i = a[2].f >= 0 && s4d_dist2(p, q) <= a[2].f * a[2].f;
    return 0;
}

void eng__register_hypercube(void)
{
    const uint32_t H = OID_HYPERCUBE, F = OID_FLOAT8;
    eng__reg("<->", true, F, ENG_F_STRICT, f_distance, 2, H, H);
    eng__reg("<<->>", true, F, ENG_F_STRICT, f_distance, 2, H, H);
    eng__reg("st_distance", false, F, ENG_F_STRICT, f_distance, 2, H, H);
    eng__reg("=", true, OID_BOOL, ENG_F_STRICT, f_eq, 2, H, H);
    eng__reg("<>", true, OID_BOOL, ENG_F_STRICT, f_ne, 2, H, H);
    eng__reg("st_x", false, F, ENG_F_STRICT, f_x, 1, H);
    eng__reg("st_y", false, F, ENG_F_STRICT, f_y, 1, H);
    eng__reg("st_z", false, F, ENG_F_STRICT, f_z, 1, H);
    eng__reg("st_m", false, F, ENG_F_STRICT, f_m, 1, H);
    eng__reg("st_makepoint", false, H, ENG_F_STRICT, f_make, 4, F, F, F, F);
    eng__reg("st_pointzm", false, H, ENG_F_STRICT, f_make, 4, F, F, F, F);
    eng__reg("st_astext", false, OID_TEXT, ENG_F_STRICT, f_astext, 1, H);
    eng__reg("st_dwithin", false, OID_BOOL, ENG_F_STRICT, f_dwithin, 3, H, H, F);
}
