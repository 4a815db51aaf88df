/* eval_array: evaluating ARRAY[...], op ANY/ALL (array) and a[i] (see bind_array.c). */
#include "engine/expr.h"
#include "engine/types/array.h"

static int construct(eng_ctx *c, const eng_expr *e, const eng_val *scan, eng_val *out)
{
    eng_val *v = arena_calloc(c->mem, (size_t)e->nargs + 1, sizeof(eng_val));
    if (!v)
        return eng__oom(c);
    for (int i = 0; i < e->nargs; i++)
        if (eng_eval(c, e->args[i], scan, &v[i]))
            return -1;
    return eng_array_pack(c, e->type, v, e->nargs, out);
}

static int subscript(eng_ctx *c, const eng_expr *e, const eng_val *scan, eng_val *out)
{
    eng_val a, i;
    if (eng_eval(c, e->args[0], scan, &a) || eng_eval(c, e->args[1], scan, &i))
        return -1;
    out->null = true;
    if (a.null || i.null)
        return 0;
    eng_array arr;
    if (eng_array_unpack(c, e->args[0]->type, &a, &arr))
        return -1;
    if (i.i >= 1 && i.i <= arr.n)
        *out = arr.v[i.i - 1];
    return 0;
}

static int scalar_array(eng_ctx *c, const eng_expr *e, const eng_val *scan, eng_val *out)
{
    eng_val l, a;
    if (eng_eval(c, e->args[0], scan, &l) || eng_eval(c, e->args[1], scan, &a))
        return -1;
    if (a.null) {
        out->null = true;
        return 0;
    }
    eng_array arr;
    if (eng_array_unpack(c, e->args[1]->type, &a, &arr))
        return -1;
    return eng__quantified(c, e, &l, arr.v, (size_t)arr.n, out);
}

int eng__eval_array(eng_ctx *c, const eng_expr *e, const eng_val *scan, eng_val *out)
{
    switch (e->kind) {
    case BX_ARRAY:
        return construct(c, e, scan, out);
    case BX_SUBSCRIPT:
        return subscript(c, e, scan, out);
    default:
        return scalar_array(c, e, scan, out);
    }
}
