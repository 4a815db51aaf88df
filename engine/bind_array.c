/*
 * bind_array: ARRAY[...] constructors (element type by select_common_type),
 * `x op ANY/ALL (array)` and subscripts a[i], with PostgreSQL's errors.
 */
#include "engine/bind.h"
#include "engine/types/array.h"

static eng_expr *scancol(bctx *b, uint32_t type, int32_t typmod, int index, int loc)
{
    eng_expr *e = eng__bx_new(b, BX_SCANCOL, type, loc, 0);
    if (e) {
        e->index = index;
        e->typmod = typmod;
    }
    return e;
}

eng_expr *eng__pair_test(bctx *b, const char *op, const eng_expr *l, uint32_t rtype, int32_t rtypmod, int loc,
                         const char *construct)
{
    eng_expr *pair[2] = {scancol(b, l->type, l->typmod, 0, l->loc), scancol(b, rtype, rtypmod, 1, loc)};
    if (!pair[0] || !pair[1])
        return NULL;
    eng_scope *saved = b->scope;
    b->scope = NULL;
    eng_expr *cmp = eng__make_call(b, op, true, pair, 2, loc);
    b->scope = saved;
    return cmp ? eng__coerce_to_bool(b, cmp, construct) : NULL;
}

static eng_expr *no_array_type(bctx *b, uint32_t elem, int loc)
{
    pgw_error_set(b->err, SQLSTATE_UNDEFINED_OBJECT, "could not find array type for data type %s",
                  eng_type_sqlname(elem));
    eng__errpos(b, loc);
    return NULL;
}

eng_expr *eng__bind_array(bctx *b, const ast_expr *x)
{
    if (x->nargs == 0) {
        pgw_error_set(b->err, SQLSTATE_INDETERMINATE_DATATYPE, "cannot determine type of empty array");
        pgw_error_hint(b->err, "Explicitly cast to the desired type, for example ARRAY[]::integer[].");
        eng__errpos(b, x->loc);
        return NULL;
    }
    eng_expr **args = arena_calloc(b->a, (size_t)x->nargs + 1, sizeof(eng_expr *));
    if (!args)
        return pgw_error_oom(b->err), NULL;
    for (int i = 0; i < x->nargs; i++)
        if (!(args[i] = eng__bind_expr(b, x->args[i])))
            return NULL;
    uint32_t elem;
    if (eng__common_type(b, args, x->nargs, "ARRAY", &elem))
        return NULL;
    uint32_t at = eng_array_of(elem);
    if (!at)
        return no_array_type(b, elem, x->loc);
    eng_expr *e = eng__bx_new(b, BX_ARRAY, at, x->loc, x->nargs);
    if (!e)
        return NULL;
    for (int i = 0; i < x->nargs; i++)
        if (!(e->args[i] = eng__coerce(b, args[i], elem, -1, ENG_CAST_IMPLICIT, args[i]->loc)))
            return NULL;
    return e;
}

eng_expr *eng__bind_scalararray(bctx *b, const ast_expr *x)
{
    eng_expr *l = eng__bind_expr(b, x->args[0]), *r = l ? eng__bind_expr(b, x->args[1]) : NULL;
    if (!r)
        return NULL;
    if (r->type == OID_UNKNOWN) {
        /* '{1,2}' on the right takes the array type of the left side */
        uint32_t lt = l->type == OID_UNKNOWN ? OID_TEXT : l->type, at = eng_array_of(lt);
        if (!at)
            return no_array_type(b, lt, x->loc);
        if (!(r = eng__coerce(b, r, at, -1, ENG_CAST_IMPLICIT, r->loc)))
            return NULL;
    }
    uint32_t elem = eng_array_elem(r->type);
    if (!elem) {
        pgw_error_set(b->err, SQLSTATE_WRONG_OBJECT_TYPE, "op ANY/ALL (array) requires array on right side");
        eng__errpos(b, x->loc);
        return NULL;
    }
    if (l->type == OID_UNKNOWN && !(l = eng__coerce(b, l, elem, -1, ENG_CAST_IMPLICIT, l->loc)))
        return NULL;
    eng_expr *e = eng__bx_new(b, BX_SCALARARRAY, OID_BOOL, x->loc, 2);
    if (!e || !(e->subtest = eng__pair_test(b, x->name, l, elem, -1, x->loc, x->ival == SUBLINK_ALL ? "ALL" : "ANY")))
        return NULL;
    e->args[0] = l;
    e->args[1] = r;
    e->ival = (int)x->ival;
    return e;
}

eng_expr *eng__bind_subscript(bctx *b, const ast_expr *x)
{
    eng_expr *a = eng__bind_expr(b, x->args[0]), *i = a ? eng__bind_expr(b, x->args[1]) : NULL;
    if (!i)
        return NULL;
    uint32_t elem = eng_array_elem(a->type);
    if (!elem) {
        pgw_error_set(b->err, SQLSTATE_DATATYPE_MISMATCH,
                      "cannot subscript type %s because it does not support subscripting", eng_type_sqlname(a->type));
        eng__errpos(b, x->loc);
        return NULL;
    }
    if (!eng_can_coerce(i->type, OID_INT4) && i->type != OID_UNKNOWN) {
        pgw_error_set(b->err, SQLSTATE_DATATYPE_MISMATCH, "array subscript must have type integer");
        eng__errpos(b, i->loc);
        return NULL;
    }
    eng_expr *e = eng__bx_new(b, BX_SUBSCRIPT, elem, x->loc, 2);
    if (!e || !(i = eng__coerce(b, i, OID_INT4, -1, ENG_CAST_IMPLICIT, i->loc)))
        return NULL;
    e->args[0] = a;
    e->args[1] = i;
    return e;
}
