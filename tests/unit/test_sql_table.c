/* Tables through sql.h: DDL, DML, index lookups, aggregates, transactions, COPY. */
#include "sql_harness.h"

Test(sql_table, create_insert_select)
{
    sql_session *s = new_session();
    EXPECT(s, "create table ta(id int primary key, name varchar(5), v int default 7)", "", "CREATE TABLE");
    EXPECT(s, "insert into ta values (1,'a',1),(2,'b',2)", "", "INSERT 0 2");
    EXPECT(s, "insert into ta(id,name) values (3,'c') returning id, v", "3|7\n", "INSERT 0 1");
    EXPECT(s, "insert into ta values (4)", "", "INSERT 0 1");
    EXPECT(s, "select id, name from ta where id = 2", "2|b\n", "SELECT 1");
    EXPECT(s, "select id from ta order by id desc limit 2", "4\n3\n", "SELECT 2");
    EXPECT(s, "select count(*), sum(v), min(name), max(id) from ta", "4|17|a|4\n", "SELECT 1");
    EXPECT(s, "update ta set v = v + 10 where id = 2", "", "UPDATE 1");
    EXPECT(s, "select v from ta where id = 2", "12\n", "SELECT 1");
    EXPECT(s, "delete from ta where id > 2", "", "DELETE 2");
    EXPECT(s, "select count(*) from ta", "2\n", "SELECT 1");
    sql_session_free(s);
}

Test(sql_table, insert_select_generate_series)
{
    sql_session *s = new_session();
    EXPECT(s, "create table tb(a int not null, b int, f char(3))", "", "CREATE TABLE");
    EXPECT(s, "insert into tb(a,b) select x, (x - 1) / 10 + 1 from generate_series(1, 100) as x", "", "INSERT 0 100");
    EXPECT(s, "alter table tb add primary key (a)", "", "ALTER TABLE");
    EXPECT(s, "select b, f from tb where a = 55", "6|<null>\n", "SELECT 1");
    EXPECT(s, "select sum(b) from tb", "550\n", "SELECT 1");
    sql_session_free(s);
}

Test(sql_table, errors)
{
    sql_session *s = new_session();
    EXPECT(s, "create table tc(id int primary key, name varchar(3) not null)", "", "CREATE TABLE");
    EXPECT(s, "insert into tc values (1, 'x')", "", "INSERT 0 1");
    cap c;
    cr_assert_eq(q(s, "insert into tc values (2, 'y'), (1, 'z')", &c), -1);
    cr_assert_str_eq(c.err.sqlstate, "23505");
    cr_assert_str_eq(c.err.message, "duplicate key value violates unique constraint \"tc_pkey\"");
    cr_assert_str_eq(c.err.detail, "Key (id)=(1) already exists.");
    cr_assert_eq(q(s, "insert into tc values (3, null)", &c), -1);
    cr_assert_str_eq(c.err.sqlstate, "23502");
    cr_assert_eq(q(s, "insert into tc values (3, 'long')", &c), -1);
    cr_assert_str_eq(c.err.sqlstate, "22001");
    cr_assert_eq(q(s, "select * from nosuch", &c), -1);
    cr_assert_str_eq(c.err.sqlstate, "42P01");
    cr_assert_eq(q(s, "select nosuch from tc", &c), -1);
    cr_assert_str_eq(c.err.sqlstate, "42703");
    EXPECT(s, "select count(*) from tc", "1\n", "SELECT 1");
    EXPECT(s, "drop table if exists tc, nosuch", "", "DROP TABLE");
    sql_session_free(s);
}

Test(sql_table, transactions)
{
    sql_session *s = new_session();
    EXPECT(s, "create table td(id int primary key, v int)", "", "CREATE TABLE");
    EXPECT(s, "begin", "", "BEGIN");
    EXPECT(s, "insert into td values (1, 1)", "", "INSERT 0 1");
    EXPECT(s, "savepoint a", "", "SAVEPOINT");
    EXPECT(s, "insert into td values (2, 2)", "", "INSERT 0 1");
    EXPECT(s, "rollback to savepoint a", "", "ROLLBACK");
    EXPECT(s, "commit", "", "COMMIT");
    EXPECT(s, "select id from td", "1\n", "SELECT 1");
    EXPECT(s, "begin", "", "BEGIN");
    EXPECT(s, "create table te(x int)", "", "CREATE TABLE");
    EXPECT(s, "delete from td", "", "DELETE 1");
    EXPECT(s, "rollback", "", "ROLLBACK");
    EXPECT(s, "select id from td", "1\n", "SELECT 1");
    cap c;
    cr_assert_eq(q(s, "select * from te", &c), -1);
    cr_assert_str_eq(c.err.sqlstate, "42P01");
    sql_session_free(s);
}

/* COPY FROM STDIN through the contract: COPY_IN, CopyData in pieces, CopyDone, DONE. */
static int copy_in(sql_session *s, const char *sql, const char *const *chunks, int n, cap *c)
{
    memset(c, 0, sizeof(*c));
    sql_batch *b;
    sql_stmt *st;
    sql_portal *p;
    sql_sink sink = {.ctx = c, .row = cap_row, .notice = cap_notice};
    sql_run_status status;
    cr_assert_eq(sql_batch_parse(s, sql, &b, &c->err), 0);
    cr_assert_eq(sql_batch_prepare(b, 0, &st, &c->err), 0, "%s", c->err.message);
    cr_assert_eq(sql_bind(s, st, NULL, NULL, 0, &p, &c->err), 0);
    int rc = sql_portal_run(p, &sink, 0, &status, &c->err);
    cr_assert_eq(rc, 0, "%s", c->err.message);
    cr_assert_eq(status, SQL_RUN_COPY_IN);
    for (int i = 0; i < n && rc == 0; i++)
        rc = sql_portal_copy_in(p, (const uint8_t *)chunks[i], strlen(chunks[i]), &c->err);
    if (rc == 0 && (rc = sql_portal_copy_in_end(p, NULL, &c->err)) == 0)
        rc = sql_portal_run(p, &sink, 0, &status, &c->err);
    if (rc == 0)
        snprintf(c->tags, sizeof(c->tags), "%s", sql_portal_tag(p));
    sql_portal_free(p);
    sql_stmt_free(st);
    sql_batch_free(b);
    return rc;
}

Test(sql_table, copy_from_stdin)
{
    sql_session *s = new_session();
    cap c;
    EXPECT(s, "create table tf(a int primary key, b int, f char(4), t text)", "", "CREATE TABLE");
    const char *text[] = {"1\t10\t\tx\\ty\n2\t2", "0\t\\N\t\\N\n", "\\.\n"};
    cr_assert_eq(copy_in(s, "copy tf from stdin with (freeze on)", text, 3, &c), 0, "%s", c.err.message);
    cr_assert_str_eq(c.tags, "COPY 2");
    EXPECT(s, "select a, b, f, t from tf order by a", "1|10|    |x\ty\n2|20|<null>|<null>\n", "SELECT 2");
    const char *csv[] = {"a,b,f,t\n3,30,\"q,\"\"\",\n"};
    cr_assert_eq(copy_in(s, "copy tf (a, b, f, t) from stdin with (format csv, header)", csv, 1, &c), 0, "%s",
                 c.err.message);
    EXPECT(s, "select f, t from tf where a = 3", "q,\" |<null>\n", "SELECT 1");
    const char *bad[] = {"4\t40\t\t\n5\tzz\t\t\n"};
    cr_assert_eq(copy_in(s, "copy tf from stdin", bad, 1, &c), -1);
    cr_assert_str_eq(c.err.sqlstate, "22P02");
    cr_assert(strstr(c.err.context, "line 2"), "%s", c.err.context);
    EXPECT(s, "select count(*) from tf", "3\n", "SELECT 1");
    sql_session_free(s);
}
