/* test_sql_session: transactions, settings, parameters, binary I/O, portals, cancel. */
#include <pthread.h>
#include <unistd.h>

#include "sql_harness.h"
#include "util/version.h"

static char reports[1024];
static void rep(void *ctx, const char *n, const char *v)
{
    size_t l = strlen(reports);
    snprintf(reports + l, sizeof(reports) - l, "%s=%s;", n, v);
}

Test(sql_session, transactions)
{
    sql_session *s = new_session();
    cap c;
    cr_assert_eq(q(s, "COMMIT", &c), 0);
    cr_assert_str_eq(c.tags, "COMMIT");
    cr_assert_str_eq(c.notices, "WARNING 25P01 there is no transaction in progress;");
    EXPECT(s, "BEGIN", "", "BEGIN");
    cr_assert_eq(sql_session_txn_status(s), 'T');
    cr_assert_eq(q(s, "BEGIN", &c), 0);
    cr_assert_str_eq(c.notices, "WARNING 25001 there is already a transaction in progress;");
    EXPECT_ERR(s, "SELECT 1/0", "22012", "division by zero", 0);
    cr_assert_eq(sql_session_txn_status(s), 'E');
    EXPECT_ERR(s, "SELECT 1", "25P02", "current transaction is aborted, commands ignored until end of transaction block", 0);
    EXPECT(s, "COMMIT", "", "ROLLBACK");
    cr_assert_eq(sql_session_txn_status(s), 'I');
    EXPECT(s, "START TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY", "", "START TRANSACTION");
    EXPECT(s, "SHOW transaction_isolation", "repeatable read\n", "SHOW");
    EXPECT(s, "END", "", "COMMIT");
    EXPECT(s, "SHOW transaction_isolation", "read committed\n", "SHOW");
    EXPECT(s, "BEGIN; SELECT 1; ABORT", "1\n", "BEGIN;SELECT 1;ROLLBACK");
    sql_session_free(s);
}

Test(sql_session, settings)
{
    sql_session *s = new_session();
    cap c;
    reports[0] = 0;
    sql_session_reports(s, true, rep, NULL);
    cr_assert(strstr(reports, "server_version=" HCDB_SERVER_VERSION ";"));
    cr_assert(strstr(reports, "DateStyle=ISO, MDY;"));
    cr_assert(strstr(reports, "client_encoding=UTF8;"));
    cr_assert(strstr(reports, "is_superuser=on;"));
    cr_assert(strstr(reports, "session_authorization=alice;"));
    reports[0] = 0;
    sql_session_reports(s, false, rep, NULL);
    cr_assert_str_eq(reports, "");
    EXPECT(s, "SET application_name = 'psql'", "", "SET");
    sql_session_reports(s, false, rep, NULL);
    cr_assert_str_eq(reports, "application_name=psql;");
    EXPECT(s, "SHOW datestyle", "ISO, MDY\n", "SHOW");
    cr_assert_eq(q(s, "SHOW datestyle", &c), 0);
    cr_assert_str_eq(c.cols, "DateStyle:25,");
    EXPECT(s, "SET datestyle TO 'ISO'", "", "SET");
    EXPECT(s, "SHOW search_path", "\"$user\", public\n", "SHOW");
    EXPECT(s, "SET statement_timeout = '5s'; SHOW statement_timeout", "5s\n", "SET;SHOW");
    EXPECT(s, "RESET statement_timeout; SHOW statement_timeout", "0\n", "RESET;SHOW");
    EXPECT(s, "SET TIME ZONE 5; SHOW timezone", "<+05>-05\n", "SET;SHOW");
    EXPECT(s, "SELECT '2026-11-23 09:30:01.123456+00'::timestamptz", "2026-11-23 14:30:01.123456+05\n", "SELECT 1");
    EXPECT(s, "SET TIME ZONE 'UTC'; SELECT '2026-11-23 09:30:01.123456'::timestamptz", "2026-11-23 09:30:01.123456+00\n", "SET;SELECT 1");
    EXPECT(s, "SELECT set_config('hnsw.ef_search', '80', false), current_setting('hnsw.ef_search')", "80|80\n", "SELECT 1");
    EXPECT(s, "SELECT current_setting('foo.bar', true)", "<null>\n", "SELECT 1");
    EXPECT_ERR(s, "SHOW nosuch", "42704", "unrecognized configuration parameter \"nosuch\"", 0);
    EXPECT_ERR(s, "SET server_version = '1'", "55P02", "parameter \"server_version\" cannot be changed", 0);
    EXPECT_ERR(s, "SET client_encoding = 'foo'", "22023", "invalid value for parameter \"client_encoding\": \"foo\"", 0);
    /* SET is transactional */
    EXPECT(s, "BEGIN; SET application_name = 'inblock'; ROLLBACK; SHOW application_name", "psql\n", "BEGIN;SET;ROLLBACK;SHOW");
    reports[0] = 0;
    sql_session_reports(s, false, rep, NULL);
    cr_assert_str_eq(reports, "");
    EXPECT(s, "BEGIN; SET LOCAL work_mem = '64MB'; SHOW work_mem; COMMIT; SHOW work_mem", "64MB\n4MB\n", "BEGIN;SET;SHOW;COMMIT;SHOW");
    cr_assert_eq(q(s, "SHOW ALL", &c), 0);
    cr_assert_str_eq(c.cols, "name:25,setting:25,description:25,");
    cr_assert(strstr(c.out, "hnsw.ef_search|80") || strstr(c.out, "hnsw.ef_search|40"));
    sql_session_free(s);
}

static int run_ext(sql_session *s, const char *sql, const uint32_t *types, int ntypes, const sql_params *pr,
                   const int16_t *rf, int nrf, cap *c, long max_rows)
{
    memset(c, 0, sizeof(*c));
    sql_stmt *st;
    sql_portal *p;
    if (sql_prepare(s, sql, types, ntypes, &st, &c->err))
        return -1;
    for (int k = 0; k < sql_stmt_nparams(st); k++) {
        size_t l = strlen(c->cols);
        snprintf(c->cols + l, sizeof(c->cols) - l, "$%d:%u,", k + 1, sql_stmt_param_type(st, k));
    }
    if (sql_bind(s, st, pr, rf, nrf, &p, &c->err)) {
        sql_stmt_free(st);
        return -1;
    }
    sql_stmt_free(st); /* the portal keeps it alive */
    sql_sink sink = {c, cap_row, cap_notice};
    sql_run_status status;
    int rc = sql_portal_run(p, &sink, max_rows, &status, &c->err);
    if (rc == 0) {
        snprintf(c->tags, sizeof(c->tags), "%s", status == SQL_RUN_SUSPENDED ? "SUSPENDED" : sql_portal_tag(p));
        if (status == SQL_RUN_SUSPENDED && sql_portal_run(p, &sink, 0, &status, &c->err) == 0)
            snprintf(c->tags + strlen(c->tags), sizeof(c->tags) - strlen(c->tags), ";%s", sql_portal_tag(p));
    }
    sql_portal_free(p);
    return rc;
}

Test(sql_session, parameters_and_binary)
{
    sql_session *s = new_session();
    cap c;
    const uint8_t *vals[2] = {(const uint8_t *)"41", (const uint8_t *)"x"};
    int32_t lens[2] = {2, 1};
    sql_params pr = {1, vals, lens, NULL, 0};
    cr_assert_eq(run_ext(s, "SELECT $1::int + 1", NULL, 0, &pr, NULL, 0, &c, 0), 0, "%s", c.err.message);
    cr_assert_str_eq(c.out, "42\n");
    cr_assert_str_eq(c.cols, "$1:23,");
    uint8_t be41[4] = {0, 0, 0, 41};
    const uint8_t *bvals[1] = {be41};
    int32_t blens[1] = {4};
    int16_t one = 1;
    sql_params bpr = {1, bvals, blens, &one, 1};
    cr_assert_eq(run_ext(s, "SELECT $1::int + 1", NULL, 0, &bpr, &one, 1, &c, 0), 0, "%s", c.err.message);
    cr_assert_eq(c.out[0], 0);
    cr_assert_eq(c.out[3], 42);
    cr_assert_eq(run_ext(s, "SELECT $1 + 1, $2 = 'x'", NULL, 0, &(sql_params){2, vals, lens, NULL, 0}, NULL, 0, &c, 0), 0);
    cr_assert_str_eq(c.cols, "$1:23,$2:25,");
    cr_assert_str_eq(c.out, "42|t\n");
    cr_assert_eq(run_ext(s, "SELECT $1", NULL, 0, &pr, NULL, 0, &c, 0), 0);
    cr_assert_str_eq(c.cols, "$1:25,");
    cr_assert_eq(run_ext(s, "SELECT $1 + 1", NULL, 0, NULL, NULL, 0, &c, 0), -1);
    cr_assert_str_eq(c.err.sqlstate, "08P01");
    cr_assert_str_eq(c.err.message, "bind message supplies 0 parameters, but prepared statement \"\" requires 1");
    cr_assert_eq(run_ext(s, "SELECT 1.5::numeric, 'ab'::bytea, true", NULL, 0, NULL, &one, 1, &c, 0), 0);
    cr_assert(c.outlen == 18 && memcmp(c.out, "\0\x02\0\0\0\0\0\x01\0\x01\x13\x88|ab|\x01\n", 18) == 0);
    EXPECT(s, "SELECT '\\x6162'::bytea, 'a\\\\b'::bytea", "\\x6162|\\x615c62\n", "SELECT 1");
    sql_session_free(s);
}

Test(sql_session, portal_suspend_and_pause)
{
    sql_session *s = new_session();
    cap c;
    cr_assert_eq(run_ext(s, "SELECT generate_series(1, 5)", NULL, 0, NULL, NULL, 0, &c, 2), 0);
    cr_assert_str_eq(c.tags, "SUSPENDED;SELECT 3");
    cr_assert_str_eq(c.out, "1\n2\n3\n4\n5\n");
    cr_assert_eq(run_ext(s, "SELECT 1", NULL, 0, NULL, NULL, 0, &c, 1), 0);
    cr_assert_str_eq(c.tags, "SUSPENDED;SELECT 0");
    memset(&c, 0, sizeof(c));
    c.pause_every = 2;
    sql_stmt *st;
    sql_portal *p;
    cr_assert_eq(sql_prepare(s, "SELECT generate_series(1, 3)", NULL, 0, &st, &c.err), 0);
    cr_assert_eq(sql_bind(s, st, NULL, NULL, 0, &p, &c.err), 0);
    sql_sink sink = {&c, cap_row, cap_notice};
    sql_run_status status;
    cr_assert_eq(sql_portal_run(p, &sink, 0, &status, &c.err), 0);
    cr_assert_eq(status, SQL_RUN_PAUSED);
    cr_assert_eq(sql_portal_run(p, &sink, 0, &status, &c.err), 0);
    cr_assert_eq(status, SQL_RUN_DONE);
    cr_assert_str_eq(sql_portal_tag(p), "SELECT 3");
    sql_portal_free(p);
    sql_stmt_free(st);
    sql_session_free(s);
}

static void *canceller(void *arg)
{
    usleep(50000);
    sql_session_cancel(arg);
    return NULL;
}

Test(sql_session, cancel_and_timeout)
{
    sql_session *s = new_session();
    pthread_t t;
    pthread_create(&t, NULL, canceller, s);
    EXPECT_ERR(s, "SELECT pg_sleep(5)", "57014", "canceling statement due to user request", 0);
    pthread_join(t, NULL);
    EXPECT(s, "SELECT pg_sleep(0.01)", "\n", "SELECT 1");
    EXPECT(s, "SET statement_timeout = 30", "", "SET");
    EXPECT_ERR(s, "SELECT pg_sleep(5)", "57014", "canceling statement due to statement timeout", 0);
    sql_session_cancel(s); /* stale: dropped when the next statement starts */
    EXPECT(s, "SELECT 1", "1\n", "SELECT 1");
    sql_session_free(s);
}
