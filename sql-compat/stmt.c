/*
 * stmt: batches, statement analysis and Bind (see sql.h). Analysis runs the
 * translator and, for SELECT, the binder; Bind converts parameter values
 * with the types' input or receive functions into the portal's arena.
 */
#include "sql-compat/stmt.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "engine/catalog.h"
#include "engine/types/text.h"
#include "sql-compat/activity.h"
#include "sql-compat/parse_cache.h"
#include "util/mem.h"

struct sql_batch {
    sql_session *s;
    sqlc_parsed *parsed;
};

static int aborted_error(pgw_error *err)
{
    pgw_error_set(err, SQLSTATE_IN_FAILED_SQL_TRANSACTION,
                  "current transaction is aborted, commands ignored until end of transaction block");
    return -1;
}

int sql_batch_parse(sql_session *s, const char *text, sql_batch **out, pgw_error *err)
{
    sql_batch *b = mem_calloc(1, sizeof(*b));
    if (!b) {
        pgw_error_oom(err);
        sqlc__fail(s);
        return -1;
    }
    sqlc__act_query(s, text);
    if (sqlc_parse_cached(s->parses, text, &b->parsed, err)) {
        mem_free(b);
        sqlc__fail(s);
        return -1;
    }
    b->s = s;
    *out = b;
    return 0;
}

int sql_batch_count(const sql_batch *b)
{
    return sqlc_nstmts(b->parsed);
}

void sql_batch_free(sql_batch *b)
{
    if (!b)
        return;
    sqlc_parsed_free(b->parsed);
    mem_free(b);
}

static sql_stmt *stmt_new(pgw_error *err)
{
    sql_stmt *st = mem_calloc(1, sizeof(*st));
    if (!st || !(st->mem = arena_new())) {
        mem_free(st);
        pgw_error_oom(err);
        return NULL;
    }
    st->refs = 1;
    return st;
}

static int show_columns(sql_stmt *st, pgw_error *err)
{
    bool all = strcasecmp(st->ast->show, "all") == 0;
    st->ncols = all ? 3 : 1;
    st->cols = arena_calloc(st->mem, 3, sizeof(sql_column));
    if (!st->cols)
        return pgw_error_oom(err), -1;
    static const char *const names[3] = {"name", "setting", "description"};
    for (int i = 0; i < st->ncols; i++) {
        st->cols[i].name = all ? names[i] : sqlc_settings_canonical(st->ast->show);
        st->cols[i].type_oid = OID_TEXT;
        st->cols[i].typlen = -1;
        st->cols[i].typmod = -1;
    }
    return 0;
}

static int select_columns(sql_stmt *st, pgw_error *err)
{
    st->ncols = st->sel->nvisible;
    st->cols = arena_calloc(st->mem, (size_t)st->ncols + 1, sizeof(sql_column));
    if (!st->cols)
        return pgw_error_oom(err), -1;
    for (int i = 0; i < st->ncols; i++) {
        const eng_expr *e = st->sel->targets[i].expr;
        const eng_type *t = eng_type_by_oid(e->type);
        st->cols[i].name = st->sel->targets[i].name;
        st->cols[i].type_oid = e->type;
        st->cols[i].typlen = t ? t->len : -1;
        st->cols[i].typmod = e->typmod;
    }
    return 0;
}

static int explain_columns(sql_stmt *st, pgw_error *err)
{
    st->ncols = 1;
    st->cols = arena_calloc(st->mem, 2, sizeof(sql_column));
    if (!st->cols)
        return pgw_error_oom(err), -1;
    st->cols[0].name = "QUERY PLAN";
    st->cols[0].type_oid = st->ast->explain.json ? 114u /* json */ : OID_TEXT;
    st->cols[0].typlen = -1;
    st->cols[0].typmod = -1;
    return 0;
}

static int dml_columns(sql_stmt *st, pgw_error *err)
{
    st->ncols = st->dml->nreturning;
    st->cols = arena_calloc(st->mem, (size_t)st->ncols + 1, sizeof(sql_column));
    if (!st->cols)
        return pgw_error_oom(err), -1;
    for (int i = 0; i < st->ncols; i++) {
        const eng_expr *e = st->dml->returning[i].expr;
        const eng_type *t = eng_type_by_oid(e->type);
        st->cols[i].name = st->dml->returning[i].name;
        st->cols[i].type_oid = e->type;
        st->cols[i].typlen = t ? t->len : -1;
        st->cols[i].typmod = e->typmod;
    }
    return 0;
}

/* Analyse statement i of a parse: translate, bind, describe. */
static int analyse(sql_session *s, sqlc_parsed *parsed, int i, const uint32_t *types, int ntypes, bool fixed,
                   sql_stmt **out, pgw_error *err)
{
    if (s->txn == 'E' && !sqlc_stmt_is_txn_exit(parsed, i))
        return aborted_error(err);
    sql_stmt *st = stmt_new(err);
    if (!st)
        return -1;
    st->parsed = sqlc_parsed_ref(parsed);
    st->txn_exit = sqlc_stmt_is_txn_exit(parsed, i);
    st->params.fixed = fixed;
    if (ntypes > 0) {
        st->params.types = arena_calloc(st->mem, (size_t)ntypes, sizeof(uint32_t));
        if (!st->params.types) {
            pgw_error_oom(err);
            goto fail;
        }
        for (int k = 0; k < ntypes; k++) {
            if (types[k] && !eng_type_by_oid(types[k])) {
                pgw_error_set(err, SQLSTATE_UNDEFINED_OBJECT, "type with OID %u does not exist", types[k]);
                goto fail;
            }
            st->params.types[k] = types[k] == OID_UNKNOWN ? 0 : types[k];
        }
        st->params.n = st->params.cap = ntypes;
    }
    if (sqlc_translate(parsed, i, st->mem, &st->ast, err))
        goto fail;
    if (st->ast->kind == STMT_SELECT || st->ast->kind == STMT_EXPLAIN ||
        (st->ast->kind == STMT_COPY && st->ast->copy.query) ||
        (st->ast->kind == STMT_CREATE_TABLE && st->ast->create.as_query)) {
        eng_env env;
        sqlc__env(s, &env);
        const ast_select *sel = st->ast->kind == STMT_SELECT    ? &st->ast->select
                                : st->ast->kind == STMT_EXPLAIN ? st->ast->explain.query
                                : st->ast->kind == STMT_COPY    ? st->ast->copy.query
                                                                : st->ast->create.as_query;
        if (env.catalog)
            eng_catalog_rdlock(env.catalog);
        int rc = eng_bind_select(st->mem, sqlc_text(parsed), &env, sel, &st->params, &st->sel, err);
        if (env.catalog)
            eng_catalog_unlock(env.catalog);
        if (rc || (st->ast->kind == STMT_SELECT && select_columns(st, err)) ||
            (st->ast->kind == STMT_EXPLAIN && explain_columns(st, err)))
            goto fail;
    } else if (st->ast->kind == STMT_INSERT || st->ast->kind == STMT_UPDATE || st->ast->kind == STMT_DELETE) {
        eng_env env;
        sqlc__env(s, &env);
        if (!env.catalog) {
            pgw_error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "tables are not available on this server");
            goto fail;
        }
        eng_catalog_rdlock(env.catalog);
        int rc = eng_bind_dml(st->mem, sqlc_text(parsed), &env, st->ast, &st->params, &st->dml, err);
        eng_catalog_unlock(env.catalog);
        if (rc || dml_columns(st, err))
            goto fail;
    } else if (st->ast->kind == STMT_SHOW) {
        if (strcasecmp(st->ast->show, "all") != 0 && !sqlc_settings_get(s->settings, st->ast->show, false, err))
            goto fail;
        if (show_columns(st, err))
            goto fail;
    }
    *out = st;
    return 0;
fail:
    sqlc__stmt_release(st);
    return -1;
}

int sql_batch_prepare(sql_batch *b, int i, sql_stmt **out, pgw_error *err)
{
    if (i < 0 || i >= sqlc_nstmts(b->parsed)) {
        pgw_error_set(err, SQLSTATE_INTERNAL_ERROR, "statement %d out of range", i);
        return -1;
    }
    if (analyse(b->s, b->parsed, i, NULL, 0, true, out, err)) {
        sqlc__fail(b->s);
        return -1;
    }
    return 0;
}

int sql_prepare(sql_session *s, const char *text, const uint32_t *param_types, int n, sql_stmt **out,
                pgw_error *err)
{
    sqlc_parsed *parsed;
    sqlc__act_query(s, text);
    if (sqlc_parse_cached(s->parses, text, &parsed, err)) {
        sqlc__fail(s);
        return -1;
    }
    int rc = 0, count = sqlc_nstmts(parsed);
    if (count > 1) {
        pgw_error_set(err, SQLSTATE_SYNTAX_ERROR, "cannot insert multiple commands into a prepared statement");
        rc = -1;
    } else if (count == 0) {
        sql_stmt *st = stmt_new(err);
        if (st) {
            st->empty = true;
            *out = st;
        } else {
            rc = -1;
        }
    } else {
        rc = analyse(s, parsed, 0, param_types, n, false, out, err);
    }
    sqlc_parsed_free(parsed);
    if (rc)
        sqlc__fail(s);
    return rc;
}

bool sql_stmt_is_empty(const sql_stmt *st)
{
    return st->empty;
}

int sql_stmt_nparams(const sql_stmt *st)
{
    return st->params.n;
}

uint32_t sql_stmt_param_type(const sql_stmt *st, int i)
{
    return i >= 0 && i < st->params.n ? st->params.types[i] : 0;
}

int sql_stmt_ncols(const sql_stmt *st)
{
    return st->ncols;
}

const sql_column *sql_stmt_column(const sql_stmt *st, int i)
{
    return i >= 0 && i < st->ncols ? &st->cols[i] : NULL;
}

void sqlc__stmt_release(sql_stmt *st)
{
    if (!st || --st->refs > 0)
        return;
    sqlc_parsed_free(st->parsed);
    arena_free(st->mem);
    mem_free(st);
}

void sql_stmt_free(sql_stmt *st)
{
    sqlc__stmt_release(st);
}

/* ---- Bind ---------------------------------------------------------------- */

static int16_t format_of(const int16_t *formats, int nformats, int i)
{
    return nformats == 0 ? 0 : nformats == 1 ? formats[0] : formats[i];
}

static int bind_param(sql_portal *p, const sql_params *pr, int i, pgw_error *err)
{
    eng_val *v = &p->params[i];
    int32_t len = pr->lengths[i];
    if (len < 0) {
        v->null = true;
        return 0;
    }
    uint32_t type = p->st->params.types[i];
    const eng_type *t = eng_type_by_oid(type);
    eng_ctx c = {.mem = p->mem, .err = err, .env = &p->env};
    const char *data = (const char *)pr->values[i];
    if (format_of(pr->formats, pr->nformats, i) == 1) {
        if (!t || !t->recv) {
            pgw_error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "binary input of type %s is not supported yet",
                          eng_type_sqlname(type));
            return -1;
        }
        if (t->recv(&c, (const uint8_t *)data, (size_t)len, -1, v)) {
            if (strcmp(err->sqlstate, SQLSTATE_INVALID_BINARY_REPRESENTATION) == 0 &&
                strcmp(err->message, "incorrect binary data format") == 0)
                pgw_error_set(err, SQLSTATE_INVALID_BINARY_REPRESENTATION,
                              "incorrect binary data format in bind parameter %d", i + 1);
            return -1;
        }
        return 0;
    }
    size_t ok = eng_utf8_valid_prefix(data, (size_t)len);
    if (ok != (size_t)len) {
        eng_utf8_error(err, data + ok, (size_t)len - ok);
        return -1;
    }
    if (!t || !t->in) {
        pgw_error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "input of type %s is not supported yet",
                      eng_type_sqlname(type));
        return -1;
    }
    return t->in(&c, data, (size_t)len, -1, v);
}

static int check_formats(sql_portal *p, const sql_params *params, const int16_t *rf, int nrf, pgw_error *err)
{
    int n = params ? params->n : 0, need = p->st->params.n;
    if (n != need) {
        pgw_error_set(err, SQLSTATE_PROTOCOL_VIOLATION,
                      "bind message supplies %d parameters, but prepared statement \"%s\" requires %d", n, "", need);
        return -1;
    }
    if (params && params->nformats > 1 && params->nformats != n) {
        pgw_error_set(err, SQLSTATE_PROTOCOL_VIOLATION, "bind message has %d parameter formats but %d parameters",
                      params->nformats, n);
        return -1;
    }
    for (int i = 0; params && i < params->nformats; i++) {
        if (params->formats[i] != 0 && params->formats[i] != 1) {
            pgw_error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "unsupported format code: %d", params->formats[i]);
            return -1;
        }
    }
    int ncols = p->st->ncols;
    if (nrf > 1 && nrf != ncols) {
        pgw_error_set(err, SQLSTATE_PROTOCOL_VIOLATION, "bind message has %d result formats but query has %d columns",
                      nrf, ncols);
        return -1;
    }
    for (int i = 0; i < nrf; i++) {
        if (rf[i] != 0 && rf[i] != 1) {
            pgw_error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "unsupported format code: %d", rf[i]);
            return -1;
        }
    }
    return 0;
}

static int bind_inner(sql_session *s, sql_stmt *st, const sql_params *params, const int16_t *rf, int nrf,
                      sql_portal *p, pgw_error *err)
{
    if (s->txn == 'E' && !st->txn_exit)
        return aborted_error(err);
    if (check_formats(p, params, rf, nrf, err))
        return -1;
    sqlc__env(s, &p->env);
    p->params = arena_calloc(p->mem, (size_t)st->params.n + 1, sizeof(eng_val));
    p->formats = arena_calloc(p->mem, (size_t)st->ncols + 1, sizeof(int16_t));
    if (!p->params || !p->formats)
        return pgw_error_oom(err), -1;
    for (int i = 0; i < st->params.n; i++)
        if (bind_param(p, params, i, err))
            return -1;
    for (int i = 0; i < st->ncols; i++)
        p->formats[i] = format_of(rf, nrf, i);
    return 0;
}

int sql_bind(sql_session *s, sql_stmt *st, const sql_params *params, const int16_t *result_formats, int nformats,
             sql_portal **out, pgw_error *err)
{
    sql_portal *p = mem_calloc(1, sizeof(*p));
    if (!p || !(p->mem = arena_new()) || !(p->row = arena_new())) {
        if (p)
            arena_free(p->mem);
        mem_free(p);
        pgw_error_oom(err);
        sqlc__fail(s);
        return -1;
    }
    sqlc__stmt_start(s);
    p->s = s;
    p->st = st;
    st->refs++;
    if (bind_inner(s, st, params, result_formats, nformats, p, err)) {
        sql_portal_free(p);
        sqlc__fail(s);
        return -1;
    }
    *out = p;
    return 0;
}

void sql_portal_free(sql_portal *p)
{
    if (!p)
        return;
    sqlc__copy_free(p);
    if (p->stmt_open && p->s->stx) {
        /* an unfinished statement (suspended, abandoned COPY) leaves nothing */
        st_stmt_rollback(p->s->stx);
        if (p->s->txn == 'I')
            sqlc__txn_abort(p->s);
    }
    if (p->exec)
        eng_exec_close(p->exec);
    sqlc__stmt_release(p->st);
    arena_free(p->row);
    arena_free(p->mem);
    mem_free(p);
}

const char *sql_portal_tag(const sql_portal *p)
{
    return p->tag;
}

const sql_stmt *sql_portal_stmt(const sql_portal *p)
{
    return p->st;
}

int16_t sql_portal_format(const sql_portal *p, int i)
{
    return i >= 0 && i < p->st->ncols ? p->formats[i] : 0;
}
