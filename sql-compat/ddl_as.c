/*
 * ddl_as: CREATE TABLE ... AS query [WITH [NO] DATA]. The query was bound
 * when the statement was analysed (st->sel); its visible targets give the
 * new table's columns (names from the column list first, then the target
 * names; unknown-typed literals become text, as PostgreSQL resolves them),
 * and its rows are inserted by the ordinary INSERT ... SELECT path inside
 * the same storage statement, so a failure part-way leaves nothing.
 */
#include <stdio.h>

#include "engine/types/types.h"
#include "sql-compat/stmt.h"

int sqlc__ctas_columns(sql_portal *p, eng_column **out, int *ncols, pgw_error *err)
{
    const ast_create_table *ct = &p->st->ast->create;
    const eng_select *sel = p->st->sel;
    int n = sel->nvisible;
    if (ct->as_cols.n > n) {
        pgw_error_set(err, SQLSTATE_SYNTAX_ERROR, "too many column names were specified");
        return -1;
    }
    eng_column *cols = arena_calloc(p->mem, (size_t)n + 1, sizeof(eng_column));
    if (!cols)
        return pgw_error_oom(err), -1;
    for (int i = 0; i < n; i++) {
        const eng_expr *e = sel->targets[i].expr;
        cols[i].name = (char *)(i < ct->as_cols.n ? ct->as_cols.v[i] : sel->targets[i].name);
        cols[i].type = e->type == OID_UNKNOWN ? OID_TEXT : e->type;
        cols[i].typmod = e->type == OID_UNKNOWN ? -1 : e->typmod;
    }
    *out = cols;
    *ncols = n;
    return 0;
}

int sqlc__ctas_fill(sql_portal *p, eng_table *t, pgw_error *err)
{
    const eng_select *sel = p->st->sel;
    if (p->st->ast->create.with_no_data)
        return 0;
    /* row i of the source is column i of the table */
    eng_expr **vals = arena_calloc(p->mem, (size_t)t->ncols + 1, sizeof(eng_expr *));
    eng_expr *cells = arena_calloc(p->mem, (size_t)t->ncols + 1, sizeof(eng_expr));
    eng_expr ***rows = arena_calloc(p->mem, 2, sizeof(eng_expr **));
    if (!vals || !cells || !rows)
        return pgw_error_oom(err), -1;
    for (int i = 0; i < t->ncols; i++) {
        cells[i] = (eng_expr){.kind = BX_SCANCOL, .type = t->cols[i].type, .typmod = t->cols[i].typmod,
                              .loc = -1, .index = i};
        vals[i] = &cells[i];
    }
    rows[0] = vals;
    eng_dml d = {.kind = ENG_INSERT, .table = t, .nrows = 1, .rows = rows, .source = (eng_select *)sel};
    eng_ctx c = {.mem = p->row, .err = err, .env = &p->env, .params = p->params, .nparams = p->st->params.n};
    eng_dml_result res = {0};
    int rc = eng_dml_run(&d, &c, p->mem, &res);
    if (rc == 0)
        snprintf(p->tag, sizeof(p->tag), "SELECT %lld", (long long)res.count);
    return rc;
}
