/*
 * bind_from: the FROM clause — tables, set-returning functions, subqueries,
 * WITH queries and joins (INNER / LEFT / RIGHT / FULL / CROSS, ON, USING,
 * NATURAL, comma lists) — into eng_rel trees and the names of one query
 * level (eng_scope); column references resolved against them with
 * PostgreSQL's rules and error texts (42P01, 42703, 42702, 42712); and the
 * pushdown of WHERE conjuncts to the lowest join or scan that can test them.
 */
#include <string.h>

#include "engine/bind.h"
#include "engine/privs.h"
#include "engine/syscat.h"
#include "engine/temp.h"

static void *grow(bctx *b, void *v, int n, int *cap, size_t size)
{
    if (n < *cap)
        return v;
    int nc = *cap ? *cap * 2 : 8;
    void *nv = arena_alloc(b->a, (size_t)nc * size);
    if (!nv)
        return pgw_error_oom(b->err), NULL;
    if (n)
        memcpy(nv, v, (size_t)n * size);
    *cap = nc;
    return nv;
}

static eng_rte *add_rte(bctx *b, eng_scope *sc, const char *alias, int ncols, int loc)
{
    for (int i = 0; i < sc->nrtes; i++) {
        if (alias && sc->rtes[i].alias && strcmp(sc->rtes[i].alias, alias) == 0) {
            pgw_error_set(b->err, SQLSTATE_DUPLICATE_ALIAS, "table name \"%s\" specified more than once", alias);
            (void)loc; /* PostgreSQL gives no position here */
            return NULL;
        }
    }
    eng_rte *v = grow(b, sc->rtes, sc->nrtes, &sc->caprtes, sizeof(eng_rte));
    if (!v)
        return NULL;
    sc->rtes = v;
    eng_rte *r = &v[sc->nrtes++];
    memset(r, 0, sizeof(*r));
    r->alias = alias;
    r->lo = sc->width;
    r->ncols = ncols;
    sc->width += ncols;
    r->names = arena_calloc(b->a, (size_t)ncols + 1, sizeof(char *));
    r->types = arena_calloc(b->a, (size_t)ncols + 1, sizeof(uint32_t));
    r->typmods = arena_calloc(b->a, (size_t)ncols + 1, sizeof(int32_t));
    if (!r->names || !r->types || !r->typmods)
        return pgw_error_oom(b->err), NULL;
    return r;
}

static eng_rel *new_rel(bctx *b, eng_rel_kind k, const eng_rte *r)
{
    eng_rel *rel = arena_calloc(b->a, 1, sizeof(*rel));
    if (!rel)
        return pgw_error_oom(b->err), NULL;
    rel->kind = k;
    if (r) {
        rel->lo = r->lo;
        rel->ncols = r->ncols;
        rel->alias = r->alias;
    }
    return rel;
}

/* Column aliases AS t(a, b) rename the first columns. */
static int apply_colaliases(bctx *b, eng_rte *r, const ast_fromitem *f)
{
    if (f->colaliases.n > r->ncols) {
        pgw_error_set(b->err, SQLSTATE_INVALID_COLUMN_REFERENCE, "table \"%s\" has %d columns available but %d columns specified",
                      r->alias, r->ncols, f->colaliases.n);
        return -1; /* PostgreSQL gives no position here */
    }
    for (int i = 0; i < f->colaliases.n; i++)
        r->names[i] = f->colaliases.v[i];
    return 0;
}

/* `*` of one entry: alias.col for each of its columns. */
static int add_star(bctx *b, eng_scope *sc, const eng_rte *r)
{
    ast_target *v = arena_calloc(b->a, (size_t)(sc->nstar + r->ncols) + 1, sizeof(ast_target));
    if (!v)
        return pgw_error_oom(b->err), -1;
    if (sc->nstar)
        memcpy(v, sc->star, (size_t)sc->nstar * sizeof(ast_target));
    for (int i = 0; i < r->ncols; i++) {
        ast_expr *x = arena_calloc(b->a, 1, sizeof(*x));
        if (!x)
            return pgw_error_oom(b->err), -1;
        x->kind = AST_COLREF;
        x->loc = -1;
        x->str = r->names[i];
        x->name = r->alias;
        v[sc->nstar + i].expr = x;
        v[sc->nstar + i].name = r->names[i];
    }
    sc->star = v;
    sc->nstar += r->ncols;
    return 0;
}

static int from_table(bctx *b, eng_scope *sc, const ast_fromitem *f, eng_rel **out);

static const ast_cte *find_cte(bctx *b, const char *name, const eng_ctes **where, int *idx)
{
    for (const eng_ctes *c = b->ctes; c; c = c->parent)
        for (int i = c->n - 1; i >= 0; i--)
            if (strcmp(c->v[i].name, name) == 0) {
                *where = c;
                *idx = i;
                return &c->v[i];
            }
    return NULL;
}

/* A subquery (or WITH query) as a FROM entry. */
static int from_bound(bctx *b, eng_scope *sc, eng_select *sub, const char *alias, const ast_fromitem *f,
                      const ast_names *cte_cols, eng_rel **out)
{
    eng_rte *r = add_rte(b, sc, alias, sub->nvisible, f->loc);
    if (!r)
        return -1;
    for (int i = 0; i < sub->nvisible; i++) {
        r->names[i] = sub->targets[i].name;
        r->types[i] = sub->targets[i].expr->type;
        r->typmods[i] = sub->targets[i].expr->typmod;
    }
    if (cte_cols) {
        ast_fromitem named = {.colaliases = *cte_cols, .loc = f->loc};
        if (apply_colaliases(b, r, &named))
            return -1;
    }
    if (apply_colaliases(b, r, f) || add_star(b, sc, r))
        return -1;
    if (!(*out = new_rel(b, REL_SUBQUERY, r)))
        return -1;
    (*out)->sub = sub;
    return 0;
}

static int from_subquery(bctx *b, eng_scope *sc, const ast_select *q, const char *alias, const ast_fromitem *f,
                         const ast_names *cte_cols, eng_rel **out)
{
    eng_select *sub;
    /* LATERAL: the items before it are one level up, like an enclosing query's */
    if (eng__bind_query(b, q, f->lateral ? sc : sc->parent, &sub) || from_bound(b, sc, sub, alias, f, cte_cols, out))
        return -1;
    (*out)->lateral = f->lateral && sub->correlated;
    return 0;
}

static int from_cte(bctx *b, eng_scope *sc, const ast_fromitem *f, const ast_cte *cte, const eng_ctes *where, int idx,
                    eng_rel **out)
{
    /* a WITH query sees the ones before it; it is bound where it is used */
    eng_ctes upto = {where->v, idx, where->parent};
    const eng_ctes *saved = b->ctes;
    b->ctes = &upto;
    int rc;
    if (cte->recursive && cte->query->setop == SETOP_UNION) {
        eng_select *sub;
        rc = eng__bind_recursive(b, cte, sc->parent, &sub) ||
             from_bound(b, sc, sub, f->alias ? f->alias : cte->name, f, &cte->colnames, out);
    } else {
        rc = from_subquery(b, sc, cte->query, f->alias ? f->alias : cte->name, f, &cte->colnames, out);
    }
    b->ctes = saved;
    return rc;
}

/* The recursive query's own name inside its recursive term: the last round's rows. */
static int from_worktable(bctx *b, eng_scope *sc, const ast_fromitem *f, eng_rel **out)
{
    const eng_select *cols = b->wt_cols;
    eng_rte *r = add_rte(b, sc, f->alias ? f->alias : f->relname, cols->nvisible, f->loc);
    if (!r)
        return -1;
    for (int i = 0; i < cols->nvisible; i++) {
        r->names[i] = i < b->wt_colnames->n ? b->wt_colnames->v[i] : cols->targets[i].name;
        r->types[i] = cols->targets[i].expr->type;
        r->typmods[i] = cols->targets[i].expr->typmod;
    }
    if (apply_colaliases(b, r, f) || add_star(b, sc, r) || !(*out = new_rel(b, REL_WORKTABLE, r)))
        return -1;
    (*out)->sub = b->wt_key;
    return 0;
}

static int from_table(bctx *b, eng_scope *sc, const ast_fromitem *f, eng_rel **out)
{
    const eng_ctes *where;
    int idx;
    if (!f->schema && b->wt_name && strcmp(f->relname, b->wt_name) == 0)
        return from_worktable(b, sc, f, out);
    const ast_cte *cte = f->schema ? NULL : find_cte(b, f->relname, &where, &idx);
    if (cte)
        return from_cte(b, sc, f, cte, where, idx, out);
    eng_table *t = b->env->catalog && !f->schema ? eng_temp_find(b->env->catalog, b->env->backend_pid, f->relname) : NULL;
    if (t && eng_table_is_temp(t)) {
        /* pg_temp is searched first, whatever search_path says */
    } else if ((t = eng_rel_find(b->env->catalog, f->relname)) && !t->vrel && !f->schema && b->env->public_hidden) {
        t = NULL; /* search_path leaves public out */
    }
    if (!t) {
        pgw_error_set(b->err, SQLSTATE_UNDEFINED_TABLE, "relation \"%s\" does not exist", f->relname);
        eng__errpos(b, f->loc);
        return -1;
    }
    eng_rte *r = add_rte(b, sc, f->alias ? f->alias : eng_temp_bare(t->name), t->ncols, f->loc);
    if (!r)
        return -1;
    b->saw_table = true;
    for (int i = 0; i < t->ncols; i++) {
        r->names[i] = t->cols[i].name;
        r->types[i] = t->cols[i].type;
        r->typmods[i] = t->cols[i].typmod;
    }
    if (apply_colaliases(b, r, f) || add_star(b, sc, r))
        return -1;
    if (!(*out = new_rel(b, REL_TABLE, r)))
        return -1;
    (*out)->table = t;
    return 0;
}

static int from_function(bctx *b, eng_scope *sc, const ast_fromitem *f, eng_rel **out)
{
    eng_scope *saved = b->scope;
    b->scope = sc; /* a function in FROM sees the items before it (PostgreSQL's implicit LATERAL) */
    b->srf_ok = true;
    eng_expr *fn = eng__bind_expr(b, f->func);
    b->srf_ok = false;
    b->scope = saved;
    if (!fn)
        return -1;
    if (fn->kind != BX_FUNC || !(fn->proc->flags & ENG_F_SRF)) {
        pgw_error_set(b->err, SQLSTATE_FEATURE_NOT_SUPPORTED, "only set-returning functions are supported in FROM yet");
        eng__errpos(b, f->loc);
        return -1;
    }
    b->saw_srf = false;
    const char *alias = f->alias ? f->alias : f->func->name;
    const eng_srf_cols *cols = fn->proc->cols;
    int nf = cols ? cols->n : 1;
    eng_rte *r = add_rte(b, sc, alias, nf + f->ordinality, f->loc);
    if (!r)
        return -1;
    r->names[0] = alias;
    r->types[0] = fn->type;
    r->typmods[0] = -1;
    for (int i = 0; cols && i < cols->n; i++) { /* RETURNS TABLE: its column names */
        r->names[i] = cols->names[i];
        r->types[i] = cols->types[i];
        r->typmods[i] = -1;
    }
    if (f->ordinality) {
        r->names[nf] = "ordinality";
        r->types[nf] = OID_INT8;
        r->typmods[nf] = -1;
    }
    if (apply_colaliases(b, r, f) || add_star(b, sc, r) || !(*out = new_rel(b, REL_FUNC, r)))
        return -1;
    (*out)->func = fn;
    (*out)->ordinality = f->ordinality;
    return 0;
}

static int from_item(bctx *b, eng_scope *sc, const ast_fromitem *f, eng_rel **out);

/* Index of name among the star entries [from, to), -1 none, -2 ambiguous. */
static int star_find(const eng_scope *sc, int from, int to, const char *name)
{
    int found = -1;
    for (int i = from; i < to; i++) {
        if (strcmp(sc->star[i].name, name) != 0)
            continue;
        if (found >= 0)
            return -2;
        found = i;
    }
    return found;
}

static eng_expr *and_of(bctx *b, eng_expr *l, eng_expr *r)
{
    if (!l)
        return r;
    eng_expr *e = eng__bx_new(b, BX_AND, OID_BOOL, r->loc, 2);
    if (e) {
        e->args[0] = l;
        e->args[1] = r;
    }
    return e;
}

/* JOIN ... USING (cols): equality conditions, merged columns, and `*` with
 * the merged columns first, then the rest of the left, then of the right. */
static int join_using(bctx *b, eng_scope *sc, const ast_fromitem *f, const ast_names *cols, int lstar, int rstar,
                      eng_rel *j)
{
    int end = sc->nstar;
    ast_target *v = arena_calloc(b->a, (size_t)(end - lstar) + 1, sizeof(ast_target));
    bool *used = arena_calloc(b->a, (size_t)(end - lstar) + 1, sizeof(bool));
    if (!v || !used)
        return pgw_error_oom(b->err), -1;
    int nv = 0;
    for (int k = 0; k < cols->n; k++) {
        const char *name = cols->v[k];
        int li = star_find(sc, lstar, rstar, name), ri = star_find(sc, rstar, end, name);
        if (li < 0 || ri < 0) {
            if (li == -2 || ri == -2)
                pgw_error_set(b->err, SQLSTATE_AMBIGUOUS_COLUMN, "common column name \"%s\" appears more than once in %s table",
                              name, li == -2 ? "left" : "right");
            else
                pgw_error_set(b->err, SQLSTATE_UNDEFINED_COLUMN, "column \"%s\" specified in USING clause does not exist in %s table",
                              name, li < 0 ? "left" : "right");
            return -1;
        }
        eng_expr *l = eng__bind_expr(b, sc->star[li].expr), *r = l ? eng__bind_expr(b, sc->star[ri].expr) : NULL;
        if (!r)
            return -1;
        eng_expr *pair[2] = {l, r};
        eng_expr *eq = eng__make_call(b, "=", true, pair, 2, f->loc);
        if (!eq || !(eq = eng__coerce_to_bool(b, eq, "JOIN/USING")) || !(j->cond = and_of(b, j->cond, eq)))
            return -1;
        uint32_t t;
        if (eng__common_type(b, pair, 2, "JOIN/USING", &t))
            return -1;
        eng_expr *m;
        if (f->jointype == JOIN_FULL) {
            if (!(m = eng__bx_new(b, BX_COALESCE, t, f->loc, 2)))
                return -1;
            for (int s = 0; s < 2; s++)
                if (!(m->args[s] = eng__coerce(b, pair[s], t, -1, ENG_CAST_IMPLICIT, f->loc)))
                    return -1;
        } else if (!(m = eng__coerce(b, f->jointype == JOIN_RIGHT ? r : l, t, -1, ENG_CAST_IMPLICIT, f->loc))) {
            return -1;
        }
        eng_merged *mv = grow(b, sc->merged, sc->nmerged, &sc->capmerged, sizeof(eng_merged));
        if (!mv)
            return -1;
        sc->merged = mv;
        mv[sc->nmerged].name = name;
        mv[sc->nmerged++].expr = m;
        ast_expr *x = arena_calloc(b->a, 1, sizeof(*x));
        if (!x)
            return pgw_error_oom(b->err), -1;
        x->kind = AST_COLREF;
        x->loc = -1;
        x->str = name;
        v[nv].expr = x;
        v[nv++].name = name;
        used[li - lstar] = used[ri - lstar] = true;
    }
    for (int i = lstar; i < end; i++)
        if (!used[i - lstar])
            v[nv++] = sc->star[i];
    memcpy(sc->star + lstar, v, (size_t)nv * sizeof(ast_target));
    sc->nstar = lstar + nv;
    return 0;
}

/* NATURAL JOIN: USING every name both sides' `*` have. */
static int natural_cols(bctx *b, const eng_scope *sc, int lstar, int rstar, ast_names *out)
{
    out->n = 0;
    out->v = arena_calloc(b->a, (size_t)(rstar - lstar) + 1, sizeof(char *));
    if (!out->v)
        return pgw_error_oom(b->err), -1;
    for (int i = lstar; i < rstar; i++)
        if (star_find(sc, rstar, sc->nstar, sc->star[i].name) != -1)
            out->v[out->n++] = sc->star[i].name;
    return 0;
}

static int from_join(bctx *b, eng_scope *sc, const ast_fromitem *f, eng_rel **out)
{
    eng_rel *j = new_rel(b, REL_JOIN, NULL);
    if (!j)
        return -1;
    j->lo = sc->width;
    int lstar = sc->nstar;
    if (from_item(b, sc, f->larg, &j->left))
        return -1;
    int rstar = sc->nstar;
    if (from_item(b, sc, f->rarg, &j->right))
        return -1;
    j->ncols = sc->width - j->lo;
    j->join = f->jointype == JOIN_LEFT ? EJ_LEFT : f->jointype == JOIN_FULL ? EJ_FULL
              : f->jointype == JOIN_RIGHT ? EJ_RIGHT : EJ_INNER;
    if (f->quals) {
        eng_scope *saved = b->scope;
        b->scope = sc;
        b->clause = "JOIN conditions";
        eng_expr *q = eng__bind_expr(b, f->quals);
        b->clause = NULL;
        b->scope = saved;
        if (!q || !(j->cond = eng__coerce_to_bool(b, q, "JOIN/ON")))
            return -1;
    } else if (f->using_cols.n || f->natural) {
        ast_names cols = f->using_cols;
        if (f->natural && natural_cols(b, sc, lstar, rstar, &cols))
            return -1;
        eng_scope *saved = b->scope;
        b->scope = sc;
        int rc = join_using(b, sc, f, &cols, lstar, rstar, j);
        b->scope = saved;
        if (rc)
            return -1;
    }
    *out = j;
    return 0;
}

static int from_item(bctx *b, eng_scope *sc, const ast_fromitem *f, eng_rel **out)
{
    if (++b->depth > ENG_MAX_DEPTH) {
        eng_err_depth(b->err);
        return -1;
    }
    int rc;
    switch (f->kind) {
    case FROM_TABLE:
        rc = from_table(b, sc, f, out);
        if (rc == 0 && (*out)->kind == REL_TABLE) /* a DML target is checked for its own privilege */
            rc = eng_priv_check_table(b->env, (*out)->table, ENG_PRIV_SELECT, b->err);
        break;
    case FROM_FUNCTION: rc = from_function(b, sc, f, out); break;
    case FROM_SUBQUERY: rc = from_subquery(b, sc, f->sub, f->alias, f, NULL, out); break;
    default: rc = from_join(b, sc, f, out); break;
    }
    b->depth--;
    return rc;
}

int eng__bind_from(bctx *b, const ast_select *sel, eng_select *out)
{
    eng_scope *sc = b->scope;
    for (int i = 0; i < sel->nfrom; i++) {
        eng_rel *r;
        if (from_item(b, sc, &sel->from[i], &r))
            return -1;
        if (!out->from) {
            out->from = r;
            continue;
        }
        eng_rel *j = new_rel(b, REL_JOIN, NULL);
        if (!j)
            return -1;
        j->join = EJ_INNER;
        j->left = out->from;
        j->right = r;
        j->lo = 0;
        j->ncols = sc->width;
        out->from = j;
    }
    out->width = sc->width;
    if (out->from && out->from->kind == REL_TABLE)
        out->table = out->from->table;
    if (out->from && out->from->kind == REL_FUNC) {
        out->scan_func = out->from->func;
        out->scan_type = out->from->func->type;
    }
    return 0;
}

int eng__scope_table(bctx *b, const ast_fromitem *f, eng_scope *sc, eng_select *out)
{
    memset(sc, 0, sizeof(*sc));
    sc->sel = out;
    eng_rel *r;
    if (from_table(b, sc, f, &r))
        return -1;
    out->from = r;
    out->table = r->table;
    out->width = sc->width;
    out->uses_tables = true;
    b->scope = sc;
    return eng__name_columns(b, out);
}

/* ---- column references -------------------------------------------------- */

static eng_expr *col_at(bctx *b, const eng_rte *r, int col, int level, int loc)
{
    eng_expr *e = eng__bx_new(b, level ? BX_OUTERCOL : BX_SCANCOL, r->types[col], loc, 0);
    if (!e)
        return NULL;
    e->index = r->lo + col;
    e->typmod = r->typmods[col];
    e->ival = level;
    eng_scope *sc = b->scope;
    for (int i = 0; i < level && sc; i++, sc = sc->parent)
        if (sc->sel)
            sc->sel->correlated = true;
    return e;
}

static int rte_column(const eng_rte *r, const char *name)
{
    for (int i = 0; i < r->ncols; i++)
        if (strcmp(r->names[i], name) == 0)
            return i;
    return -1;
}

static eng_expr *undefined_col(bctx *b, const ast_expr *x)
{
    if (x->name)
        pgw_error_set(b->err, SQLSTATE_UNDEFINED_COLUMN, "column %s.%s does not exist", x->name, x->str);
    else
        pgw_error_set(b->err, SQLSTATE_UNDEFINED_COLUMN, "column \"%s\" does not exist", x->str);
    eng__errpos(b, x->loc);
    return NULL;
}

static eng_expr *qualified(bctx *b, const ast_expr *x)
{
    int level = 0;
    for (eng_scope *sc = b->scope; sc; sc = sc->parent, level++) {
        for (int i = 0; i < sc->nrtes; i++) {
            const eng_rte *r = &sc->rtes[i];
            if (!r->alias || strcmp(r->alias, x->name) != 0)
                continue;
            int col = rte_column(r, x->str);
            return col < 0 ? undefined_col(b, x) : col_at(b, r, col, level, x->loc);
        }
    }
    pgw_error_set(b->err, SQLSTATE_UNDEFINED_TABLE, "missing FROM-clause entry for table \"%s\"", x->name);
    eng__errpos(b, x->loc);
    return NULL;
}

eng_expr *eng__colref(bctx *b, const ast_expr *x)
{
    if (strcmp(x->str, "*") == 0) {
        if (!b->scope || !b->scope->nrtes)
            pgw_error_set(b->err, SQLSTATE_SYNTAX_ERROR, "SELECT * with no tables specified is not valid");
        else
            pgw_error_set(b->err, SQLSTATE_FEATURE_NOT_SUPPORTED, "* is only supported as a whole target");
        eng__errpos(b, x->loc);
        return NULL;
    }
    if (x->name)
        return qualified(b, x);
    int level = 0;
    for (eng_scope *sc = b->scope; sc; sc = sc->parent, level++) {
        for (int i = sc->nmerged - 1; i >= 0 && level == 0; i--)
            if (strcmp(sc->merged[i].name, x->str) == 0)
                return sc->merged[i].expr;
        const eng_rte *hit = NULL;
        int hitcol = -1;
        for (int i = 0; i < sc->nrtes; i++) {
            int col = rte_column(&sc->rtes[i], x->str);
            if (col < 0)
                continue;
            if (hit) {
                pgw_error_set(b->err, SQLSTATE_AMBIGUOUS_COLUMN, "column reference \"%s\" is ambiguous", x->str);
                eng__errpos(b, x->loc);
                return NULL;
            }
            hit = &sc->rtes[i];
            hitcol = col;
        }
        if (hit)
            return col_at(b, hit, hitcol, level, x->loc);
    }
    return undefined_col(b, x);
}

/* ---- `*` ---------------------------------------------------------------- */

static bool is_star(const ast_expr *x)
{
    return x->kind == AST_COLREF && strcmp(x->str, "*") == 0;
}

/* Targets that `*` or `t.*` stands for (appended to out when out->targets is set). */
static int star_targets(bctx *b, const ast_expr *x, ast_target *out, int *n)
{
    const eng_scope *sc = b->scope;
    if (!x->name) {
        if (!sc || !sc->nstar) {
            pgw_error_set(b->err, SQLSTATE_SYNTAX_ERROR, "SELECT * with no tables specified is not valid");
            eng__errpos(b, x->loc);
            return -1;
        }
        if (out)
            memcpy(out + *n, sc->star, (size_t)sc->nstar * sizeof(ast_target));
        *n += sc->nstar;
        return 0;
    }
    for (; sc; sc = sc->parent) {
        for (int i = 0; i < sc->nrtes; i++) {
            const eng_rte *r = &sc->rtes[i];
            if (!r->alias || strcmp(r->alias, x->name) != 0)
                continue;
            for (int c = 0; c < r->ncols && out; c++) {
                ast_expr *cr = arena_calloc(b->a, 1, sizeof(*cr));
                if (!cr)
                    return pgw_error_oom(b->err), -1;
                cr->kind = AST_COLREF;
                cr->loc = x->loc;
                cr->str = r->names[c];
                cr->name = r->alias;
                out[*n + c].expr = cr;
                out[*n + c].name = r->names[c];
            }
            *n += r->ncols;
            return 0;
        }
    }
    pgw_error_set(b->err, SQLSTATE_UNDEFINED_TABLE, "missing FROM-clause entry for table \"%s\"", x->name);
    eng__errpos(b, x->loc);
    return -1;
}

int eng__expand_star(bctx *b, const ast_select *sel, ast_select *out)
{
    *out = *sel;
    int n = 0;
    bool any = false;
    for (int i = 0; i < sel->ntargets; i++) {
        if (!is_star(sel->targets[i].expr)) {
            n++;
            continue;
        }
        any = true;
        if (star_targets(b, sel->targets[i].expr, NULL, &n))
            return -1;
    }
    if (!any)
        return 0;
    out->targets = arena_calloc(b->a, (size_t)n + 1, sizeof(ast_target));
    if (!out->targets)
        return pgw_error_oom(b->err), -1;
    out->ntargets = 0;
    for (int i = 0; i < sel->ntargets; i++) {
        if (!is_star(sel->targets[i].expr))
            out->targets[out->ntargets++] = sel->targets[i];
        else if (star_targets(b, sel->targets[i].expr, out->targets, &out->ntargets))
            return -1;
    }
    return 0;
}

/* ---- WHERE pushdown ------------------------------------------------------ */

/* Columns of the FROM row e reads: [*lo, *hi]; false if e must stay on top
 * (subqueries, volatile calls, aggregates). */
static bool col_range(const eng_expr *e, int *lo, int *hi)
{
    if (!e)
        return true;
    switch (e->kind) {
    case BX_SCANCOL:
        if (e->index < *lo)
            *lo = e->index;
        if (e->index > *hi)
            *hi = e->index;
        return true;
    case BX_SUBLINK: case BX_AGG: case BX_GROUPREF:
        return false;
    case BX_FUNC:
        if (e->proc->flags & ENG_F_VOLATILE)
            return false;
        break;
    default:
        break;
    }
    for (int i = 0; i < e->nargs; i++)
        if (!col_range(e->args[i], lo, hi))
            return false;
    return true;
}

static bool within(const eng_rel *r, int lo, int hi)
{
    return lo >= r->lo && hi < r->lo + r->ncols;
}

static eng_expr *and2(arena *a, eng_expr *l, eng_expr *r)
{
    if (!l)
        return r;
    eng_expr *e = arena_calloc(a, 1, sizeof(*e));
    eng_expr **args = arena_calloc(a, 2, sizeof(eng_expr *));
    if (!e || !args)
        return NULL;
    e->kind = BX_AND;
    e->type = OID_BOOL;
    e->typmod = -1;
    e->loc = r->loc;
    e->nargs = 2;
    e->args = args;
    args[0] = l;
    args[1] = r;
    return e;
}

/* Items that test pushed-down quals themselves: joins, table and subquery scans. */
static bool accepts(const eng_rel *r)
{
    return r->kind == REL_JOIN || r->kind == REL_TABLE || r->kind == REL_SUBQUERY;
}

/* Push conjunct q (reading [lo, hi]) as deep as it stays correct: through
 * inner joins to either side, through outer joins to the preserved side. */
static bool push(arena *a, eng_rel *r, eng_expr *q, int lo, int hi)
{
    if (r->kind != REL_JOIN) {
        eng_expr *n = and2(a, r->quals, q);
        if (!n)
            return false;
        r->quals = n;
        return true;
    }
    bool left_ok = r->join == EJ_INNER || r->join == EJ_LEFT;
    bool right_ok = r->join == EJ_INNER || r->join == EJ_RIGHT;
    if (left_ok && within(r->left, lo, hi) && accepts(r->left))
        return push(a, r->left, q, lo, hi);
    if (right_ok && within(r->right, lo, hi) && accepts(r->right))
        return push(a, r->right, q, lo, hi);
    if (r->join != EJ_INNER)
        return false;
    eng_expr *n = and2(a, r->cond, q);
    if (!n)
        return false;
    r->cond = n;
    return true;
}

static eng_expr *push_conjuncts(arena *a, eng_rel *from, eng_expr *w)
{
    if (w->kind == BX_AND) {
        eng_expr *rest = NULL;
        for (int i = 0; i < w->nargs; i++) {
            eng_expr *k = push_conjuncts(a, from, w->args[i]);
            if (k && !(rest = and2(a, rest, k)))
                return w; /* out of memory: leave the WHERE whole, still correct */
        }
        return rest;
    }
    int lo = 1 << 30, hi = -1;
    if (!col_range(w, &lo, &hi) || hi < 0)
        return w;
    return push(a, from, w, lo, hi) ? NULL : w;
}

/* Only worth it (and only done) when there is a join: a lone scan keeps its
 * WHERE as the Filter it always had. */
void eng__push_quals_arena(arena *a, eng_select *s)
{
    if (!s->where || !s->from || s->from->kind != REL_JOIN)
        return;
    s->where = push_conjuncts(a, s->from, s->where);
}

int eng__name_columns(bctx *b, eng_select *s)
{
    const eng_scope *sc = b->scope;
    s->col_names = arena_calloc(b->a, (size_t)s->width + 1, sizeof(char *));
    s->col_rels = arena_calloc(b->a, (size_t)s->width + 1, sizeof(char *));
    s->col_types = arena_calloc(b->a, (size_t)s->width + 1, sizeof(uint32_t));
    if (!s->col_names || !s->col_rels || !s->col_types)
        return pgw_error_oom(b->err), -1;
    for (int i = 0; i < sc->nrtes; i++) {
        const eng_rte *r = &sc->rtes[i];
        for (int k = 0; k < r->ncols && r->lo + k < s->width; k++) {
            s->col_names[r->lo + k] = r->names[k];
            s->col_rels[r->lo + k] = r->alias;
            s->col_types[r->lo + k] = r->types[k];
        }
    }
    return 0;
}
