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
