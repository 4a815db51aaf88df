/*
 * bind_dml: INSERT / UPDATE / DELETE → eng_dml. Values are coerced to the
 * column's type and typmod in assignment context (PostgreSQL's
 * transformAssignedExpr): "column \"x\" is of type integer but expression
 * is of type text" when no assignment cast exists. Column DEFAULTs are
 * parsed from their SQL text through env->parse_expr and bound here.
 */
#include <string.h>

#include "engine/bind.h"
#include "engine/privs.h"
#include "engine/dml.h"
#include "engine/seq.h"
#include "engine/temp.h"

static eng_expr *assign(bctx *b, eng_expr *e, const eng_column *col, int loc)
{
    if (e->type != OID_UNKNOWN && e->type != col->type && !eng_cast_find(e->type, col->type, ENG_CAST_ASSIGN, &(eng_cast_fn){0}, &(bool){0})) {
        pgw_error_set(b->err, SQLSTATE_DATATYPE_MISMATCH, "column \"%s\" is of type %s but expression is of type %s",
                      col->name, eng_type_sqlname(col->type), eng_type_sqlname(e->type));
        pgw_error_hint(b->err, "You will need to rewrite or cast the expression.");
        eng__errpos(b, loc);
        return NULL;
    }
    return eng__coerce(b, e, col->type, col->typmod, ENG_CAST_ASSIGN, loc);
}

static eng_expr *default_expr(bctx *b, const eng_column *col)
{
    if (!col->def || !b->env->parse_expr)
        return NULL; /* NULL */
    ast_expr *x = b->env->parse_expr(b->env->ctx, b->a, col->def, b->err);
    if (!x)
        return NULL;
    const char *text = b->text;
    b->text = NULL; /* positions would point into the default's text */
    eng_expr *e = eng__bind_expr(b, x);
    b->text = text;
    return e ? assign(b, e, col, -1) : NULL;
}

static int find_col(bctx *b, const eng_table *t, const char *name, int loc)
{
    int c = eng_table_column(t, name);
    if (c < 0) {
        pgw_error_set(b->err, SQLSTATE_UNDEFINED_COLUMN, "column \"%s\" of relation \"%s\" does not exist", name, t->name);
        eng__errpos(b, loc);
    }
    return c;
}

/* Target column numbers of an INSERT (all columns when none are listed). */
static int insert_cols(bctx *b, const ast_insert *ins, const eng_table *t, int **out, int *n)
{
    *n = ins->cols.n ? ins->cols.n : t->ncols;
    *out = arena_calloc(b->a, (size_t)*n + 1, sizeof(int));
    if (!*out)
        return pgw_error_oom(b->err), -1;
    for (int i = 0; i < *n; i++) {
        int loc = ins->cols.locs && ins->cols.locs[i] >= 0 ? ins->cols.locs[i] : ins->loc;
        (*out)[i] = ins->cols.n ? find_col(b, t, ins->cols.v[i], loc) : i;
        if ((*out)[i] < 0)
            return -1;
        for (int k = 0; k < i; k++) {
            if ((*out)[k] == (*out)[i]) {
                pgw_error_set(b->err, SQLSTATE_DUPLICATE_COLUMN, "column \"%s\" specified more than once",
                              t->cols[(*out)[i]].name);
                eng__errpos(b, loc);
                return -1;
            }
        }
    }
    return 0;
}

/* One output row: listed columns from vals[i] (NULL = DEFAULT), the rest default. */
static eng_expr **row_exprs(bctx *b, const eng_table *t, const int *cols, int ncols, eng_expr **vals,
                            const int *locs)
{
    eng_expr **row = arena_calloc(b->a, (size_t)t->ncols + 1, sizeof(eng_expr *));
    if (!row)
        return pgw_error_oom(b->err), NULL;
    bool *given = arena_calloc(b->a, (size_t)t->ncols + 1, sizeof(bool));
    if (!given)
        return pgw_error_oom(b->err), NULL;
    for (int i = 0; i < ncols; i++) {
        const eng_column *col = &t->cols[cols[i]];
        given[cols[i]] = true;
        if (!vals[i]) {
            row[cols[i]] = default_expr(b, col);
        } else if (!(row[cols[i]] = assign(b, vals[i], col, locs ? locs[i] : vals[i]->loc))) {
            return NULL;
        }
        if (pgw_error_is_set(b->err))
            return NULL;
    }
    for (int c = 0; c < t->ncols; c++) {
        if (!given[c]) {
            row[c] = default_expr(b, &t->cols[c]);
            if (pgw_error_is_set(b->err))
                return NULL;
        }
    }
    return row;
}

static int bind_values(bctx *b, const ast_insert *ins, eng_dml *d, const int *cols, int ncols)
{
    d->nrows = ins->nrows ? ins->nrows : 1;
    d->rows = arena_calloc(b->a, (size_t)d->nrows + 1, sizeof(eng_expr **));
    eng_expr **vals = arena_calloc(b->a, (size_t)ncols + 1, sizeof(eng_expr *));
    if (!d->rows || !vals)
        return pgw_error_oom(b->err), -1;
    for (int r = 0; r < d->nrows; r++) {
        int n = ins->nrows ? ins->rowlen[r] : 0;
        if (!ins->cols.n && n < ncols)
            ncols = n; /* no column list: the first n columns, the rest default */
        if (ins->nrows && n != ncols) {
            pgw_error_set(b->err, SQLSTATE_SYNTAX_ERROR, n > ncols ? "INSERT has more expressions than target columns"
                                                                   : "INSERT has more target columns than expressions");
            /* PostgreSQL points at the first extra expression, or the first column left without one */
            eng__errpos(b, n > ncols                                   ? ins->rows[r][ncols]->loc
                           : ins->cols.locs && ins->cols.locs[n] >= 0 ? ins->cols.locs[n]
                                                                      : ins->rows[r][0]->loc);
            return -1;
        }
        for (int i = 0; i < ncols; i++) {
            const ast_expr *x = ins->nrows ? ins->rows[r][i] : NULL;
            vals[i] = NULL;
            if (x && x->kind != AST_DEFAULT &&
                (eng_seq_check_value(b->env->catalog, d->table, cols[i], false, ins->overriding_system, b->err) ||
                 !(vals[i] = eng__bind_expr(b, x))))
                return -1;
        }
        if (!(d->rows[r] = row_exprs(b, d->table, cols, ins->nrows ? ncols : 0, vals, NULL)))
            return -1;
    }
    return 0;
}

static int bind_source(bctx *b, const ast_insert *ins, eng_dml *d, const int *cols, int ncols)
{
    if (eng__bind_select_in(b, ins->select, &d->source))
        return -1;
    if (!ins->cols.n && d->source->nvisible < ncols)
        ncols = d->source->nvisible;
    if (d->source->nvisible != ncols) {
        pgw_error_set(b->err, SQLSTATE_SYNTAX_ERROR, d->source->nvisible > ncols
                                                         ? "INSERT has more expressions than target columns"
                                                         : "INSERT has more target columns than expressions");
        return -1;
    }
    eng_expr **vals = arena_calloc(b->a, (size_t)ncols + 1, sizeof(eng_expr *));
    if (!vals)
        return pgw_error_oom(b->err), -1;
    for (int i = 0; i < ncols; i++) {
        if (eng_seq_check_value(b->env->catalog, d->table, cols[i], false, ins->overriding_system, b->err))
            return -1;
        /* the source row's column i, typed as the source target */
        const eng_expr *src = d->source->targets[i].expr;
        if (!(vals[i] = eng__bx_new(b, BX_SCANCOL, src->type, src->loc, 0)))
            return -1;
        vals[i]->index = i;
        vals[i]->typmod = src->typmod;
    }
    d->nrows = 1;
    d->rows = arena_calloc(b->a, 2, sizeof(eng_expr **));
    if (!d->rows)
        return pgw_error_oom(b->err), -1;
    d->rows[0] = row_exprs(b, d->table, cols, ncols, vals, NULL);
    return d->rows[0] ? 0 : -1;
}

static int bind_returning(bctx *b, const ast_target *tg, int n, eng_dml *d)
{
    d->nreturning = n;
    d->returning = arena_calloc(b->a, (size_t)n + 1, sizeof(eng_target));
    if (!d->returning)
        return pgw_error_oom(b->err), -1;
    for (int i = 0; i < n; i++) {
        eng_expr *e = eng__bind_expr(b, tg[i].expr);
        if (!e || (e->type == OID_UNKNOWN && !(e = eng__coerce(b, e, OID_TEXT, -1, ENG_CAST_IMPLICIT, e->loc))))
            return -1;
        d->returning[i].expr = e;
        d->returning[i].name = tg[i].name;
    }
    return 0;
}

static int expand_returning(bctx *b, const ast_target *tg, int n, eng_dml *d)
{
    ast_select in = {.ntargets = n, .targets = (ast_target *)tg}, out;
    if (eng__expand_star(b, &in, &out))
        return -1;
    return bind_returning(b, out.targets, out.ntargets, d);
}

static int bind_insert(bctx *b, const ast_insert *ins, eng_dml *d)
{
    int *cols, ncols;
    if (insert_cols(b, ins, d->table, &cols, &ncols))
        return -1;
    eng_scope *sc = b->scope;
    b->scope = NULL; /* VALUES cannot see the target table's columns */
    int rc = ins->select ? bind_source(b, ins, d, cols, ncols) : bind_values(b, ins, d, cols, ncols);
    b->scope = sc;
    return rc;
}

static int bind_update(bctx *b, const ast_update *u, eng_dml *d)
{
    d->nset = u->nset;
    d->set_cols = arena_calloc(b->a, (size_t)u->nset + 1, sizeof(int));
    d->set_exprs = arena_calloc(b->a, (size_t)u->nset + 1, sizeof(eng_expr *));
    if (!d->set_cols || !d->set_exprs)
        return pgw_error_oom(b->err), -1;
    for (int i = 0; i < u->nset; i++) {
        int c = find_col(b, d->table, u->set_cols[i], u->set_locs[i]);
        if (c < 0)
            return -1;
        d->set_cols[i] = c;
        eng_expr *e;
        if (u->set_exprs[i]->kind == AST_DEFAULT) {
            e = default_expr(b, &d->table->cols[c]);
            if (!e && pgw_error_is_set(b->err))
                return -1;
            if (!e && !(e = eng__bx_new(b, BX_CONST, d->table->cols[c].type, -1, 0)))
                return -1;
            if (e->kind == BX_CONST && e->type == d->table->cols[c].type && !e->nargs && !d->table->cols[c].def)
                e->val.null = true;
        } else if (eng_seq_check_value(b->env->catalog, d->table, c, true, false, b->err) ||
                   !(e = eng__bind_expr(b, u->set_exprs[i])) ||
                   !(e = assign(b, e, &d->table->cols[c], u->set_exprs[i]->loc))) {
            return -1;
        }
        d->set_exprs[i] = e;
    }
    return 0;
}

/* The arbiter of ON CONFLICT: the unique index named, or the one over exactly
 * the columns listed; NULL (every unique index) for a bare DO NOTHING. */
static int conflict_arbiter(bctx *b, const ast_insert *ins, eng_dml *d)
{
    const eng_table *t = d->table;
    if (ins->conflict_constraint) {
        for (int k = 0; k < t->nindexes; k++)
            if (t->indexes[k]->unique && strcmp(eng_temp_bare(t->indexes[k]->name), ins->conflict_constraint) == 0)
                return d->arbiter = t->indexes[k], 0;
        pgw_error_set(b->err, SQLSTATE_UNDEFINED_OBJECT, "constraint \"%s\" for table \"%s\" does not exist",
                      ins->conflict_constraint, eng_temp_bare(t->name));
        return -1;
    }
    if (!ins->conflict_cols.n) {
        if (ins->on_conflict == 1)
            return 0;
        pgw_error_set(b->err, SQLSTATE_SYNTAX_ERROR,
                      "ON CONFLICT DO UPDATE requires inference specification or constraint name");
        pgw_error_hint(b->err, "For example, ON CONFLICT (column_name).");
        eng__errpos(b, ins->conflict_loc);
        return -1;
    }
    uint64_t want = 0;
    for (int i = 0; i < ins->conflict_cols.n; i++) {
        int col = eng_table_column(t, ins->conflict_cols.v[i]);
        if (col < 0) {
            pgw_error_set(b->err, SQLSTATE_UNDEFINED_COLUMN, "column \"%s\" does not exist", ins->conflict_cols.v[i]);
            return -1;
        }
        want |= 1ull << (col % 64);
    }
    for (int k = 0; k < t->nindexes; k++) {
        const eng_index *ix = t->indexes[k];
        uint64_t have = 0;
        for (int i = 0; i < ix->ncols; i++)
            have |= 1ull << (ix->cols[i] % 64);
        if (ix->unique && ix->keys && have == want && ix->ncols == ins->conflict_cols.n)
            return d->arbiter = t->indexes[k], 0;
    }
    pgw_error_set(b->err, SQLSTATE_INVALID_COLUMN_REFERENCE,
                  "there is no unique or exclusion constraint matching the ON CONFLICT specification");
    return -1;
}

/* DO UPDATE: SET and WHERE see the existing row and, after it, EXCLUDED (the row proposed). */
static int bind_conflict(bctx *b, const ast_insert *ins, eng_dml *d)
{
    d->conflict = ins->on_conflict;
    if (conflict_arbiter(b, ins, d) || ins->on_conflict == 1)
        return pgw_error_is_set(b->err) ? -1 : 0;
    eng_scope *sc = b->scope;
    eng_rte *r = arena_calloc(b->a, (size_t)sc->nrtes + 1, sizeof(eng_rte));
    if (!r)
        return pgw_error_oom(b->err), -1;
    memcpy(r, sc->rtes, sizeof(eng_rte) * (size_t)sc->nrtes);
    r[sc->nrtes] = r[0];
    r[sc->nrtes].alias = "excluded";
    r[sc->nrtes].lo = sc->width;
    sc->rtes = r;
    sc->caprtes = ++sc->nrtes;
    sc->width *= 2;
    if (bind_update(b, ins->conflict_set, d))
        return -1;
    if (ins->conflict_set->where) {
        eng_expr *w = eng__bind_expr(b, ins->conflict_set->where);
        if (!w || !(d->conflict_where = eng__coerce_to_bool(b, w, "WHERE")))
            return -1;
    }
    return 0;
}

/* UPDATE ... FROM / DELETE ... USING: SELECT <SET values> FROM items WHERE ...,
 * correlated to the target row (the target's columns are outer references). */
static int bind_from_sub(bctx *b, const ast_update *u, eng_dml *d)
{
    ast_select q = *u->from;
    q.where = u->where;
    q.ntargets = u->nset ? u->nset : 1;
    q.targets = arena_calloc(b->a, (size_t)q.ntargets + 1, sizeof(ast_target));
    ast_expr *one = arena_calloc(b->a, 1, sizeof(ast_expr));
    d->nset = u->nset;
    d->set_cols = arena_calloc(b->a, (size_t)u->nset + 1, sizeof(int));
    d->set_exprs = arena_calloc(b->a, (size_t)u->nset + 1, sizeof(eng_expr *));
    if (!q.targets || !one || !d->set_cols || !d->set_exprs)
        return pgw_error_oom(b->err), -1;
    *one = (ast_expr){.kind = AST_CONST_INT, .loc = -1, .ival = 1};
    q.targets[0].expr = one;
    for (int i = 0; i < u->nset; i++) {
        if (u->set_exprs[i]->kind == AST_DEFAULT) {
            pgw_error_set(b->err, SQLSTATE_FEATURE_NOT_SUPPORTED, "UPDATE ... FROM with SET col = DEFAULT is not supported yet");
            return -1;
        }
        if ((d->set_cols[i] = find_col(b, d->table, u->set_cols[i], u->set_locs[i])) < 0)
            return -1;
        q.targets[i].expr = u->set_exprs[i];
    }
    if (eng__bind_query(b, &q, b->scope, &d->from_sub))
        return -1;
    for (int i = 0; i < u->nset; i++) {
        const eng_column *col = &d->table->cols[d->set_cols[i]];
        eng_target *tg = &d->from_sub->targets[i];
        eng_expr *e;
        if (!(tg->expr = assign(b, tg->expr, col, u->set_exprs[i]->loc)) ||
            !(e = eng__bx_new(b, BX_SCANCOL, col->type, -1, 0)))
            return -1;
        e->index = d->table->ncols + i;
        e->typmod = col->typmod;
        d->set_exprs[i] = e;
    }
    return 0;
}

/* Whether e reads a column of the target row (a scan column below ncols). */
static bool reads_target(const eng_expr *e, int ncols)
{
    if (!e)
        return false;
    if (e->kind == BX_SCANCOL && e->index < ncols)
        return true;
    for (int i = 0; i < e->nargs; i++)
        if (reads_target(e->args[i], ncols))
            return true;
    return false;
}

/* PostgreSQL's rule: reading the target's columns (WHERE, SET expressions, ON CONFLICT DO
 * UPDATE, RETURNING) needs SELECT on it besides the statement's own privilege. */
static int check_reads(const eng_env *env, const eng_dml *d, pgw_error *err)
{
    int n = d->table->ncols;
    bool reads = d->scan && reads_target(d->scan->where, n);
    for (int i = 0; i < d->nset && !reads; i++)
        reads = reads_target(d->set_exprs[i], n);
    for (int i = 0; i < d->nreturning && !reads; i++)
        reads = reads_target(d->returning[i].expr, n);
    reads = reads || reads_target(d->conflict_where, n);
    return reads ? eng_priv_check_table(env, d->table, ENG_PRIV_SELECT, err) : 0;
}

int eng_bind_dml(arena *a, const char *text, const eng_env *env, const ast_stmt *st, eng_params *params,
                 eng_dml **out, pgw_error *err)
{
    eng_registry_init();
    pgw_error_clear(err); /* NULL results below are told apart from errors by it */
    bctx b = {.a = a, .text = text, .env = env, .params = params, .err = err};
    eng_dml *d = arena_calloc(a, 1, sizeof(*d));
    eng_select *scan = arena_calloc(a, 1, sizeof(*scan));
    if (!d || !scan)
        return pgw_error_oom(err), -1;
    const char *rel = st->kind == STMT_INSERT ? st->insert.relname : st->update.relname;
    ast_fromitem f = {.kind = FROM_TABLE, .relname = rel,
                      .loc = st->kind == STMT_INSERT ? st->insert.loc : st->update.loc,
                      .alias = st->kind == STMT_INSERT ? NULL : st->update.alias};
    eng_scope sc;
    if (eng__scope_table(&b, &f, &sc, scan))
        return -1;
    d->table = scan->table;
    d->kind = st->kind == STMT_INSERT ? ENG_INSERT : st->kind == STMT_UPDATE ? ENG_UPDATE : ENG_DELETE;
    if (eng_priv_check_table(env, d->table, d->kind == ENG_INSERT ? ENG_PRIV_INSERT
                                            : d->kind == ENG_UPDATE ? ENG_PRIV_UPDATE : ENG_PRIV_DELETE, err))
        return -1;
    if (d->kind == ENG_INSERT) {
        if (bind_insert(&b, &st->insert, d) ||
            (st->insert.nreturning && expand_returning(&b, st->insert.returning, st->insert.nreturning, d)) ||
            (st->insert.on_conflict && bind_conflict(&b, &st->insert, d)))
            return -1;
    } else {
        if (st->update.from) {
            if (bind_from_sub(&b, &st->update, d))
                return -1;
        } else if (d->kind == ENG_UPDATE && bind_update(&b, &st->update, d)) {
            return -1;
        } else if (st->update.where) {
            eng_expr *w = eng__bind_expr(&b, st->update.where);
            if (!w || !(scan->where = eng__coerce_to_bool(&b, w, "WHERE")))
                return -1;
        }
        d->scan = scan;
        for (int i = 0; st->update.from && i < st->update.nreturning; i++) {
            const ast_expr *e = st->update.returning[i].expr;
            if (e->kind == AST_COLREF && e->ival == 1 && !e->name) {
                /* PostgreSQL's * there covers the FROM items too, which RETURNING cannot read here */
                pgw_error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                              "RETURNING * with UPDATE ... FROM or DELETE ... USING is not supported yet");
                return -1;
            }
        }
        if (st->update.nreturning && expand_returning(&b, st->update.returning, st->update.nreturning, d))
            return -1;
    }
    if (check_reads(env, d, err) || eng__finish_params(&b))
        return -1;
    *out = d;
    return 0;
}
