/*
 * resolve: choosing among same-named operators or functions, following
 * PostgreSQL's oper_select_candidate / func_select_candidate: exact match
 * (a lone unknown operand is assumed to match the other side), then the
 * candidates every input can reach by implicit coercion, narrowed by most
 * exact matches, then most preferred types, then by resolving unknown
 * inputs (string category first), then by assuming unknowns are of the
 * known inputs' common type.
 */
#include <stdio.h>
#include <string.h>

#include "engine/bind.h"
#include "util/buf.h"

#define MAXC 64

static char category(uint32_t t)
{
    const eng_type *ty = eng_type_by_oid(t);
    return ty ? ty->category : 'X';
}

static bool preferred(uint32_t t)
{
    const eng_type *ty = eng_type_by_oid(t);
    return ty && ty->preferred;
}

static int filter_exact_or_preferred(const eng_proc **c, int n, const uint32_t *in, int nargs, bool pref)
{
    int best = -1, nb = 0;
    int score[MAXC];
    for (int k = 0; k < n; k++) {
        score[k] = 0;
        for (int i = 0; i < nargs; i++) {
            if (in[i] == OID_UNKNOWN)
                continue;
            if (c[k]->args[i] == in[i] || (pref && preferred(c[k]->args[i])))
                score[k]++;
        }
        if (score[k] > best)
            best = score[k];
    }
    for (int k = 0; k < n; k++)
        if (score[k] == best)
            c[nb++] = c[k];
    return nb;
}

/* Step: resolve unknown-typed inputs by the candidates' categories. */
static int filter_unknowns(const eng_proc **c, int n, const uint32_t *in, int nargs)
{
    char slot_cat[ENG_PROC_MAX_ARGS];
    bool slot_pref[ENG_PROC_MAX_ARGS], resolved = true;
    for (int i = 0; i < nargs; i++) {
        if (in[i] != OID_UNKNOWN)
            continue;
        slot_cat[i] = 0;
        slot_pref[i] = false;
        bool conflict = false;
        for (int k = 0; k < n; k++) {
            char cat = category(c[k]->args[i]);
            bool p = preferred(c[k]->args[i]);
            if (!slot_cat[i]) {
                slot_cat[i] = cat;
                slot_pref[i] = p;
            } else if (cat == slot_cat[i]) {
                slot_pref[i] |= p;
            } else if (cat == 'S') {
                slot_cat[i] = 'S';
                slot_pref[i] = p;
            } else {
                conflict = true; /* fatal only if no string type turns up */
            }
        }
        if (conflict && slot_cat[i] != 'S')
            resolved = false;
    }
    if (!resolved)
        return n;
    int nb = 0;
    for (int k = 0; k < n; k++) {
        bool keep = true;
        for (int i = 0; i < nargs && keep; i++) {
            if (in[i] != OID_UNKNOWN)
                continue;
            uint32_t t = c[k]->args[i];
            keep = category(t) == slot_cat[i] && (!slot_pref[i] || preferred(t));
        }
        if (keep)
            c[nb++] = c[k];
    }
    return nb ? nb : n;
}

/* Last step: unknowns take the (single) type of the known inputs. */
static int filter_known_type(const eng_proc **c, int n, const uint32_t *in, int nargs)
{
    uint32_t known = 0;
    for (int i = 0; i < nargs; i++) {
        if (in[i] == OID_UNKNOWN)
            continue;
        if (known && known != in[i])
            return n;
        known = in[i];
    }
    if (!known)
        return n;
    int nb = 0;
    for (int k = 0; k < n; k++) {
        bool keep = true;
        for (int i = 0; i < nargs && keep; i++)
            if (in[i] == OID_UNKNOWN)
                keep = eng_can_coerce(known, c[k]->args[i]);
        if (keep)
            c[nb++] = c[k];
    }
    return nb;
}

static const eng_proc *select_candidate(const eng_proc *all, int nall, const uint32_t *in, int nargs, bool is_op,
                                        bool *ambiguous)
{
    const eng_proc *c[MAXC];
    int n = 0;
    *ambiguous = false;
    /* exact match, with binary_oper_exact's unknown rule */
    uint32_t ex[ENG_PROC_MAX_ARGS];
    for (int i = 0; i < nargs; i++)
        ex[i] = in[i];
    if (is_op && nargs == 2 && (in[0] == OID_UNKNOWN) != (in[1] == OID_UNKNOWN))
        ex[0] = ex[1] = in[0] == OID_UNKNOWN ? in[1] : in[0];
    for (int k = 0; k < nall; k++) {
        if (all[k].nargs != nargs)
            continue;
        bool same = true;
        for (int i = 0; i < nargs && same; i++)
            same = all[k].args[i] == ex[i];
        if (same)
            return &all[k];
    }
    for (int k = 0; k < nall && n < MAXC; k++) {
        if (all[k].nargs != nargs)
            continue;
        bool ok = true;
        for (int i = 0; i < nargs && ok; i++)
            ok = eng_can_coerce(in[i], all[k].args[i]);
        if (ok)
            c[n++] = &all[k];
    }
    if (n <= 1)
        return n ? c[0] : NULL;
    n = filter_exact_or_preferred(c, n, in, nargs, false);
    if (n > 1)
        n = filter_exact_or_preferred(c, n, in, nargs, true);
    if (n > 1)
        n = filter_unknowns(c, n, in, nargs);
    if (n > 1)
        n = filter_known_type(c, n, in, nargs);
    if (n == 1)
        return c[0];
    *ambiguous = true;
    return NULL;
}

static void format_args(buf *b, const uint32_t *in, int nargs, bool is_op, const char *name)
{
    if (is_op) {
        if (nargs == 2)
            buf_printf(b, "%s %s %s", eng_type_sqlname(in[0]), name, eng_type_sqlname(in[1]));
        else
            buf_printf(b, "%s %s", name, eng_type_sqlname(in[0]));
        return;
    }
    buf_printf(b, "%s(", name);
    for (int i = 0; i < nargs; i++)
        buf_printf(b, "%s%s", i ? ", " : "", eng_type_sqlname(in[i]));
    buf_put_str(b, ")");
}

const eng_proc *eng__resolve(bctx *b, const char *name, bool is_op, eng_expr **args, int nargs, int loc)
{
    uint32_t in[ENG_PROC_MAX_ARGS] = {0};
    int nall = 0;
    const eng_proc *all = nargs <= ENG_PROC_MAX_ARGS ? eng_procs_named(name, is_op, &nall) : NULL;
    for (int i = 0; i < nargs && i < ENG_PROC_MAX_ARGS; i++)
        in[i] = args[i]->type;
    bool ambiguous = false;
    const eng_proc *p = all ? select_candidate(all, nall, in, nargs, is_op, &ambiguous) : NULL;
    if (p)
        return p;
    buf sig;
    buf_init(&sig);
    format_args(&sig, in, nargs < ENG_PROC_MAX_ARGS ? nargs : ENG_PROC_MAX_ARGS, is_op, name);
    buf_put_u8(&sig, 0);
    const char *s = sig.failed ? name : (const char *)sig.data;
    const char *what = is_op ? "operator" : "function";
    if (ambiguous) {
        if (is_op)
            pgw_error_set(b->err, SQLSTATE_AMBIGUOUS_FUNCTION, "operator is not unique: %s", s);
        else
            pgw_error_set(b->err, SQLSTATE_AMBIGUOUS_FUNCTION, "function %s is not unique", s);
        pgw_error_hint(b->err, "Could not choose a best candidate %s. You might need to add explicit type casts.",
                       what);
    } else {
        if (is_op)
            pgw_error_set(b->err, SQLSTATE_UNDEFINED_FUNCTION, "operator does not exist: %s", s);
        else
            pgw_error_set(b->err, SQLSTATE_UNDEFINED_FUNCTION, "function %s does not exist", s);
        pgw_error_hint(b->err, "No %s matches the given name and argument types. You might need to add explicit "
                               "type casts.", what);
    }
    buf_free(&sig);
    eng__errpos(b, loc);
    return NULL;
}

eng_expr *eng__make_call(bctx *b, const char *name, bool is_op, eng_expr **args, int nargs, int loc)
{
    const eng_proc *p = eng__resolve(b, name, is_op, args, nargs, loc);
    if (!p)
        return NULL;
    if ((p->flags & ENG_F_SRF) && !b->srf_ok) {
        pgw_error_set(b->err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                      "set-returning functions are supported only at the top of a select-list item or in FROM");
        eng__errpos(b, loc);
        return NULL;
    }
    eng_expr *e = eng__bx_new(b, BX_FUNC, p->ret, loc, nargs);
    if (!e)
        return NULL;
    e->proc = p;
    for (int i = 0; i < nargs; i++) {
        uint32_t t = p->args[i];
        /* anytextcat/textanycat: the non-text operand through its output function */
        eng_cast_ctx cc = t == OID_ANYNONARRAY ? ENG_CAST_EXPLICIT : ENG_CAST_IMPLICIT;
        if (t == OID_ANYNONARRAY)
            t = OID_TEXT;
        if (!(e->args[i] = eng__coerce(b, args[i], t, -1, cc, args[i]->loc)))
            return NULL;
    }
    return e;
}
