/* sql_harness: drive sql.h like the server does and capture everything. */
#ifndef HCDB_TESTS_SQL_HARNESS_H
#define HCDB_TESTS_SQL_HARNESS_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "sql-compat/sql.h"

typedef struct cap {
    char out[8192];     /* rows as "a|b\n", NULL as "<null>" */
    char tags[1024];    /* tags joined by ";" */
    char notices[1024]; /* "SQLSTATE message;" */
    char cols[1024];    /* "name:oid," of the last statement */
    pgw_error err;
    size_t outlen;      /* bytes in out (binary cells may hold NULs) */
    int nrows;
    int pause_every;    /* sink returns 1 after this many rows (0 = never) */
} cap;

static void cap_put(cap *c, const void *p, size_t n)
{
    if (c->outlen + n + 1 > sizeof(c->out))
        return;
    memcpy(c->out + c->outlen, p, n);
    c->outlen += n;
    c->out[c->outlen] = 0;
}

static int cap_row(void *ctx, int n, const sql_cell *cells)
{
    cap *c = ctx;
    for (int i = 0; i < n; i++) {
        if (i)
            cap_put(c, "|", 1);
        if (cells[i].len < 0)
            cap_put(c, "<null>", 6);
        else
            cap_put(c, cells[i].data, (size_t)cells[i].len);
    }
    cap_put(c, "\n", 1);
    c->nrows++;
    return c->pause_every && c->nrows % c->pause_every == 0;
}

static void cap_notice(void *ctx, const pgw_error *n)
{
    cap *c = ctx;
    size_t l = strlen(c->notices);
    snprintf(c->notices + l, sizeof(c->notices) - l, "%s %s %s;", n->severity, n->sqlstate, n->message);
}

/* Run a simple Query; returns 0, or -1 with c->err set (stops at the error). */
static int q(sql_session *s, const char *text, cap *c)
{
    memset(c, 0, sizeof(*c));
    sql_batch *b;
    if (sql_batch_parse(s, text, &b, &c->err))
        return -1;
    sql_sink sink = {c, cap_row, cap_notice};
    int rc = 0;
    for (int i = 0; i < sql_batch_count(b) && rc == 0; i++) {
        sql_stmt *st;
        sql_portal *p;
        if (sql_batch_prepare(b, i, &st, &c->err)) {
            rc = -1;
            break;
        }
        c->cols[0] = 0;
        for (int k = 0; k < sql_stmt_ncols(st); k++) {
            size_t l = strlen(c->cols);
            snprintf(c->cols + l, sizeof(c->cols) - l, "%s:%u,", sql_stmt_column(st, k)->name,
                     sql_stmt_column(st, k)->type_oid);
        }
        if (sql_bind(s, st, NULL, NULL, 0, &p, &c->err)) {
            sql_stmt_free(st);
            rc = -1;
            break;
        }
        sql_run_status status;
        do {
            rc = sql_portal_run(p, &sink, 0, &status, &c->err);
        } while (rc == 0 && status != SQL_RUN_DONE);
        if (rc == 0) {
            size_t l = strlen(c->tags);
            snprintf(c->tags + l, sizeof(c->tags) - l, "%s%s", l ? ";" : "", sql_portal_tag(p));
        }
        sql_portal_free(p);
        sql_stmt_free(st);
    }
    sql_batch_free(b);
    return rc;
}

static sql_server *test_srv;

static sql_session *new_session(void)
{
    pgw_error err;
    if (!test_srv)
        test_srv = sql_server_new("", NULL, &err);
    sql_session_info info = {.user = "alice", .database = "postgres", .backend_pid = 4242, .is_superuser = true};
    sql_session *s = sql_session_new(test_srv, &info, &err);
    cr_assert(s);
    return s;
}

/* Assert the single-statement output and tag. */
#define EXPECT(s, sql, rows, tag)                                                           \
    do {                                                                                    \
        cap c_;                                                                             \
        int rc_ = q(s, sql, &c_);                                                           \
        cr_assert_eq(rc_, 0, "%s: %s %s", sql, c_.err.sqlstate, c_.err.message);            \
        cr_assert_str_eq(c_.out, rows, "%s", sql);                                          \
        cr_assert_str_eq(c_.tags, tag, "%s", sql);                                          \
    } while (0)

#define EXPECT_ERR(s, sql, state, msg, pos)                                                 \
    do {                                                                                    \
        cap c_;                                                                             \
        int rc_ = q(s, sql, &c_);                                                           \
        cr_assert_eq(rc_, -1, "%s should fail", sql);                                       \
        cr_assert_str_eq(c_.err.sqlstate, state, "%s: %s", sql, c_.err.message);            \
        cr_assert_str_eq(c_.err.message, msg, "%s", sql);                                   \
        cr_assert_eq(c_.err.position, pos, "%s: position %d", sql, c_.err.position);        \
    } while (0)

#endif
