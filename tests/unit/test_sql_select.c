/* test_sql_select: SELECT without FROM through sql.h — output, names, types, errors. */
#include "sql_harness.h"

Test(sql_select, constants_and_names)
{
    sql_session *s = new_session();
    cap c;
    cr_assert_eq(q(s, "SELECT 1, 'two' AS two, 2.5, 1e3, 3000000000, NULL, true, 1::int8, '1'::text", &c), 0, "%s",
                 c.err.message);
    cr_assert_str_eq(c.out, "1|two|2.5|1000|3000000000|<null>|t|1|1\n");
    cr_assert_str_eq(c.tags, "SELECT 1");
    cr_assert_str_eq(c.cols, "?column?:23,two:25,?column?:1700,?column?:1700,?column?:20,?column?:25,?column?:16,"
                             "int8:20,text:25,");
    cr_assert_eq(q(s, "SELECT now(), version(), current_user, coalesce(1,2), case when true then 1 end, "
                      "greatest(1,2), nullif(1,2), 1::integer", &c), 0);
    cr_assert_str_eq(c.cols, "now:1184,version:25,current_user:19,coalesce:23,case:23,greatest:23,nullif:23,int4:23,");
    sql_session_free(s);
}

Test(sql_select, arithmetic)
{
    sql_session *s = new_session();
    EXPECT(s, "SELECT 1+2*3, 7/2, 7%3, -7/2, 2^10, 1/3::numeric, 10.0/4, 1.50*2.0", "7|3|1|-3|1024|0.33333333333333333333|2.5000000000000000|3.000\n", "SELECT 1");
    EXPECT(s, "SELECT 0.1::float8 + 0.2, 1e16::float8, 123456789012345678::float8, 0.1::float4, 'NaN'::float8, '-inf'::float8",
           "0.30000000000000004|1e+16|1.2345678901234568e+17|0.1|NaN|-Infinity\n", "SELECT 1");
    EXPECT(s, "SELECT 2.5 ^ 2, round(2.5), round(-2.5), round(1234.5678, 2), round(1234.5, -2), 5::numeric(5,2)",
           "6.2500000000000000|3|-3|1234.57|1200|5.00\n", "SELECT 1");
    EXPECT(s, "SELECT 1 + 1.5, 1 + 1.5::float8, 'a' || 'b', 'a' || 1, 1 || 'a', 'abc'::varchar(2), 'x'::char(3) || '|'",
           "2.5|2.5|ab|a1|1a|ab|x|\n", "SELECT 1");
    EXPECT_ERR(s, "SELECT 2147483647 + 1", "22003", "integer out of range", 0);
    EXPECT_ERR(s, "SELECT 1/0", "22012", "division by zero", 0);
    EXPECT_ERR(s, "SELECT 1.0/0", "22012", "division by zero", 0);
    EXPECT_ERR(s, "SELECT 'abc'::int", "22P02", "invalid input syntax for type integer: \"abc\"", 8);
    EXPECT_ERR(s, "SELECT '99999999999'::int", "22003", "value \"99999999999\" is out of range for type integer", 8);
    EXPECT_ERR(s, "SELECT 1 + 'a'::text", "42883", "operator does not exist: integer + text", 10);
    EXPECT_ERR(s, "SELECT foo(1)", "42883", "function foo(integer) does not exist", 8);
    EXPECT_ERR(s, "SELECT 12345.678::numeric(5,2)", "22003", "numeric field overflow", 0);
    sql_session_free(s);
}

Test(sql_select, predicates)
{
    sql_session *s = new_session();
    EXPECT(s, "SELECT 1 = 1, 1 <> 1, 1 < 2.5, 'a' < 'b', NULL = 1, NULL IS NULL, 1 IS NOT NULL, true IS NOT FALSE",
           "t|f|t|t|<null>|t|t|t\n", "SELECT 1");
    EXPECT(s, "SELECT 2 BETWEEN 1 AND 3, 2 IN (1, 3), 2 NOT IN (1, 3), 3 IN (1, NULL), NULL IS DISTINCT FROM 1",
           "t|f|t|<null>|t\n", "SELECT 1");
    EXPECT(s, "SELECT 'abc' LIKE 'a%', 'abc' LIKE 'a_', 'ABC' ILIKE 'a%', 'abc' NOT LIKE '%c', true AND NULL, false AND NULL, true OR NULL",
           "t|f|t|f|<null>|f|t\n", "SELECT 1");
    EXPECT(s, "SELECT CASE 2 WHEN 1 THEN 'one' WHEN 2 THEN 'two' ELSE 'many' END, coalesce(NULL, 2, 3), greatest(1, 5, 3), least(2.5, 1), nullif(1, 1)",
           "two|2|5|1|<null>\n", "SELECT 1");
    EXPECT(s, "SELECT 1 WHERE false", "", "SELECT 0");
    EXPECT(s, "SELECT 1 WHERE 1 = 1 LIMIT 5 OFFSET 0", "1\n", "SELECT 1");
    EXPECT_ERR(s, "SELECT 1 WHERE 1", "42804", "argument of WHERE must be type boolean, not type integer", 16);
    EXPECT_ERR(s, "SELECT CASE WHEN true THEN 'x'::text ELSE 1 END", "42804", "CASE types integer and text cannot be matched", 28);
    EXPECT_ERR(s, "SELECT COALESCE(1, 'x'::text)", "42804", "COALESCE types integer and text cannot be matched", 20);
    sql_session_free(s);
}

Test(sql_select, syntax_and_relations)
{
    sql_session *s = new_session();
    EXPECT_ERR(s, "SELEC 1", "42601", "syntax error at or near \"SELEC\"", 1);
    EXPECT_ERR(s, "SELECT * FROM foo", "42P01", "relation \"foo\" does not exist", 15); /* PostgreSQL 15 */
    EXPECT_ERR(s, "SELECT x FROM foo", "42P01", "relation \"foo\" does not exist", 15);
    EXPECT_ERR(s, "SELECT x", "42703", "column \"x\" does not exist", 8);
    EXPECT_ERR(s, "CREATE VIEW v AS SELECT 1", "0A000", "CREATE VIEW is not supported yet", 0);
    EXPECT_ERR(s, "SELECT 'é' + ;", "42601", "syntax error at or near \";\"", 14);
    EXPECT_ERR(s, "SELECT 1 \xc3\x28", "22021", "invalid byte sequence for encoding \"UTF8\": 0xc3 0x28", 0);
    EXPECT(s, "SELECT 1; SELECT 2;", "1\n2\n", "SELECT 1;SELECT 1");
    EXPECT(s, "-- nothing", "", "");
    sql_session_free(s);
}

Test(sql_select, generate_series)
{
    sql_session *s = new_session();
    EXPECT(s, "SELECT generate_series(1, 3)", "1\n2\n3\n", "SELECT 3");
    EXPECT(s, "SELECT x * 2 FROM generate_series(1, 5) AS x WHERE x % 2 = 1 LIMIT 2", "2\n6\n", "SELECT 2");
    EXPECT(s, "SELECT generate_series(5, 1, -2), 'k'", "5|k\n3|k\n1|k\n", "SELECT 3");
    sql_session_free(s);
}

Test(sql_select, deep_nesting)
{
    sql_session *s = new_session();
    static char big[600000];
    int k = sprintf(big, "SELECT 1");
    for (int i = 0; i < 200000; i++)
        k += sprintf(big + k, "+1");
    EXPECT_ERR(s, big, "54001", "stack depth limit exceeded", 0);
    k = sprintf(big, "SELECT ");
    for (int i = 0; i < 100000; i++)
        big[k++] = '(';
    big[k++] = '1';
    for (int i = 0; i < 100000; i++)
        big[k++] = ')';
    big[k] = 0;
    EXPECT_ERR(s, big, "54001", "stack depth limit exceeded", 0);
    EXPECT(s, "SELECT ((((((((((1))))))))))", "1\n", "SELECT 1");
    sql_session_free(s);
}
