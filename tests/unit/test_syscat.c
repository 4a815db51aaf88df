/* test_syscat: catalog relation lookup, the extension registry, and the
 * catalog views, extensions and grants through the sql.h contract. */
#include "engine/ext.h"
#include "engine/syscat.h"
#include "sql_harness.h"

Test(syscat, names_resolve_like_the_search_path)
{
    eng_table *a = eng_rel_find(NULL, "pg_class"), *b = eng_rel_find(NULL, "pg_catalog.pg_class");
    cr_assert(a && a == b);
    cr_assert_eq(a->relid, 1259u);
    cr_assert_str_eq(eng_syscat_schema(a), "pg_catalog");
    cr_assert_not_null(eng_rel_find(NULL, "information_schema.tables"));
    cr_assert_null(eng_rel_find(NULL, "tables"), "information_schema is not on the path");
    cr_assert_null(eng_rel_find(NULL, "pg_catalog.no_such"));
    cr_assert_eq(eng_syscat_by_oid(3079), eng_rel_find(NULL, "pg_extension"));
}

Test(syscat, extension_registry)
{
    const eng_extdef *v = eng_ext_find("vector");
    cr_assert(v);
    cr_assert_str_eq(v->version, "0.8.0");
    cr_assert_null(eng_ext_find("no_such_ext"));
    const char *schema;
    cr_assert_not(eng_ext_proc_visible(NULL, "l2_distance", &schema), "not created: hidden");
    cr_assert(eng_ext_proc_visible(NULL, "version", &schema));
    cr_assert_str_eq(schema, "pg_catalog");
    for (int i = 1; eng_ext_at(i); i++)
        cr_assert_lt(strcmp(eng_ext_at(i - 1)->name, eng_ext_at(i)->name), 0, "sorted by name");
}

Test(syscat, views_follow_ddl_and_extensions)
{
    sql_session *s = new_session();
    cap c;
    cr_assert_eq(q(s, "CREATE TABLE u_t (id int PRIMARY KEY, v text)", &c), 0);
    EXPECT(s, "SELECT relname, relkind FROM pg_class WHERE relname LIKE 'u_t%' ORDER BY 1", "u_t|r\nu_t_pkey|i\n",
           "SELECT 2");
    EXPECT(s, "SELECT count(*) FROM pg_extension WHERE extname = 'pgcrypto'", "0\n", "SELECT 1");
    EXPECT(s, "CREATE EXTENSION pgcrypto", "", "CREATE EXTENSION");
    EXPECT(s, "SELECT extversion FROM pg_extension WHERE extname = 'pgcrypto'", "1.3\n", "SELECT 1");
    EXPECT_ERR(s, "CREATE EXTENSION pgcrypto", "42710", "extension \"pgcrypto\" already exists", 0);
    EXPECT(s, "DROP EXTENSION pgcrypto", "", "DROP EXTENSION");
    EXPECT(s, "DROP TABLE u_t", "", "DROP TABLE");
    EXPECT(s, "SELECT count(*) FROM pg_class WHERE relname LIKE 'u_t%'", "0\n", "SELECT 1");
    sql_session_free(s);
}

Test(syscat, grants_are_catalog_records)
{
    sql_session *s = new_session();
    cap c;
    cr_assert_eq(q(s, "CREATE TABLE g_t (a int)", &c), 0);
    /* without a role store only the session's own role exists */
    EXPECT(s, "GRANT SELECT ON g_t TO alice", "", "GRANT");
    EXPECT(s, "REVOKE ALL ON g_t FROM PUBLIC", "", "REVOKE");
    EXPECT_ERR(s, "GRANT SELECT ON g_t TO bob", "42704", "role \"bob\" does not exist", 0);
    EXPECT_ERR(s, "GRANT USAGE ON g_t TO alice", "0LP01", "invalid privilege type USAGE for table", 0);
    EXPECT(s, "DROP TABLE g_t", "", "DROP TABLE");
    sql_session_free(s);
}
