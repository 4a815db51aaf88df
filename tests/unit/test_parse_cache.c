/* test_parse_cache: hits share one tree, LRU eviction, errors never cached,
 * and a cached text is bound afresh at every execution. */
#include "sql-compat/parse_cache.h"
#include "sql_harness.h"

static sqlc_parsed *parse(sqlc_parse_cache *c, const char *text)
{
    sqlc_parsed *p = NULL;
    pgw_error err = {0};
    cr_assert_eq(sqlc_parse_cached(c, text, &p, &err), 0, "%s: %s", text, err.message);
    return p;
}

Test(parse_cache, hit_returns_the_same_tree)
{
    sqlc_parse_cache *c = sqlc_parse_cache_new();
    sqlc_parsed *a = parse(c, "SELECT 1"), *b = parse(c, "SELECT 1"), *d = parse(c, "SELECT 1 ");
    cr_assert_eq(a, b);
    cr_assert_neq(a, d, "texts differing in one byte are different entries");
    sqlc_parse_cache_free(c);
    /* References outlive the cache. */
    cr_assert_str_eq(sqlc_text(a), "SELECT 1");
    sqlc_parsed_free(a);
    sqlc_parsed_free(b);
    sqlc_parsed_free(d);
}

Test(parse_cache, least_recently_used_is_evicted)
{
    sqlc_parse_cache *c = sqlc_parse_cache_new();
    sqlc_parsed *first = parse(c, "SELECT 0"), *kept = parse(c, "SELECT 1");
    char text[32];
    for (int i = 2; i <= 32; i++) { /* 31 more texts fill the 32 slots; "SELECT 1" stays recent */
        snprintf(text, sizeof(text), "SELECT %d", i);
        sqlc_parsed_free(parse(c, text));
        sqlc_parsed_free(parse(c, "SELECT 1"));
    }
    sqlc_parsed *again = parse(c, "SELECT 1"), *reparsed = parse(c, "SELECT 0");
    cr_assert_eq(again, kept);
    cr_assert_neq(reparsed, first, "the oldest entry was replaced and parsed again");
    cr_assert_str_eq(sqlc_text(reparsed), "SELECT 0");
    for (sqlc_parsed *p[] = {first, kept, again, reparsed}, **i = p; i < p + 4; i++)
        sqlc_parsed_free(*i);
    sqlc_parse_cache_free(c);
}

Test(parse_cache, syntax_errors_are_reported_every_time)
{
    sqlc_parse_cache *c = sqlc_parse_cache_new();
    for (int i = 0; i < 2; i++) {
        sqlc_parsed *p = NULL;
        pgw_error err = {0};
        cr_assert_eq(sqlc_parse_cached(c, "SELEC 1", &p, &err), -1);
        cr_assert_str_eq(err.sqlstate, "42601");
        cr_assert_null(p);
    }
    sqlc_parse_cache_free(c);
}

Test(parse_cache, repeated_text_is_bound_at_each_execution)
{
    sql_session *s = new_session();
    EXPECT_ERR(s, "SELECT count(*) FROM later", "42P01", "relation \"later\" does not exist", 22);
    EXPECT(s, "CREATE TABLE later (a int)", "", "CREATE TABLE");
    EXPECT(s, "SELECT count(*) FROM later", "0\n", "SELECT 1");
    EXPECT(s, "DROP TABLE later", "", "DROP TABLE");
    EXPECT_ERR(s, "SELECT count(*) FROM later", "42P01", "relation \"later\" does not exist", 22);
    sql_session_free(s);
}
