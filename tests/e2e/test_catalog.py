"""pg_catalog and information_schema relations and the catalog functions,
over psycopg2. Everything not marked hcdb_only also runs against PostgreSQL
15 (HCDB_E2E_REFERENCE=pg15), which checks the expectations themselves."""
import psycopg2
import pytest

SCHEMA = """
CREATE TABLE cat_items (id int PRIMARY KEY, title text NOT NULL, n int DEFAULT 3,
                        code varchar(10) UNIQUE, price numeric(8,2));
CREATE INDEX cat_items_n_idx ON cat_items (n);
"""


@pytest.fixture(scope="module")
def conn(trust_server):
    c = trust_server.pg_connect()
    c.autocommit = True
    with c.cursor() as cur:
        cur.execute(SCHEMA)
    yield c
    c.close()


def rows(conn, sql, args=None):
    with conn.cursor() as cur:
        cur.execute(sql, args)
        return cur.fetchall()


def error(conn, sql):
    with pytest.raises(psycopg2.Error) as e:
        rows(conn, sql)
    return e.value


def test_pg_class_lists_tables_and_indexes(conn):
    got = rows(conn, "SELECT relname, relkind, relnatts FROM pg_class "
                     "WHERE relnamespace = 'public'::regnamespace AND relname LIKE 'cat_items%%' ORDER BY relname")
    assert got == [("cat_items", "r", 5), ("cat_items_code_key", "i", 1), ("cat_items_n_idx", "i", 1),
                   ("cat_items_pkey", "i", 1)]


def test_pg_class_oid_is_the_regclass(conn):
    (oid, reloid), = rows(conn, "SELECT 'cat_items'::regclass::oid, oid FROM pg_class WHERE relname = 'cat_items'")
    assert oid == reloid
    assert rows(conn, "SELECT %s::regclass::text", (oid,)) == [("cat_items",)]


def test_pg_attribute_and_format_type(conn):
    got = rows(conn, "SELECT attname, format_type(atttypid, atttypmod), attnotnull, atthasdef FROM pg_attribute "
                     "WHERE attrelid = 'cat_items'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum")
    assert got == [("id", "integer", True, False), ("title", "text", True, False), ("n", "integer", False, True),
                   ("code", "character varying(10)", False, False), ("price", "numeric(8,2)", False, False)]


def test_pg_attrdef_and_pg_get_expr(conn):
    got = rows(conn, "SELECT adnum, pg_get_expr(adbin, adrelid) FROM pg_attrdef WHERE adrelid = 'cat_items'::regclass")
    assert got == [(3, "3")]


def test_pg_index_and_indexdef(conn):
    got = rows(conn, "SELECT pg_get_indexdef(indexrelid), indisunique, indisprimary FROM pg_index "
                     "WHERE indrelid = 'cat_items'::regclass ORDER BY 1")
    assert got == [("CREATE INDEX cat_items_n_idx ON public.cat_items USING btree (n)", False, False),
                   ("CREATE UNIQUE INDEX cat_items_code_key ON public.cat_items USING btree (code)", True, False),
                   ("CREATE UNIQUE INDEX cat_items_pkey ON public.cat_items USING btree (id)", True, True)]


def test_pg_constraint_and_constraintdef(conn):
    got = rows(conn, "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
                     "WHERE conrelid = 'cat_items'::regclass ORDER BY 1")
    assert got == [("cat_items_code_key", "u", "UNIQUE (code)"), ("cat_items_pkey", "p", "PRIMARY KEY (id)")]


def test_pg_tables_and_pg_indexes(conn):
    assert rows(conn, "SELECT schemaname, tableowner, hasindexes FROM pg_tables WHERE tablename = 'cat_items'") == \
        [("public", "postgres", True)]
    got = rows(conn, "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'cat_items' ORDER BY 1")
    assert [g[0] for g in got] == ["cat_items_code_key", "cat_items_n_idx", "cat_items_pkey"]
    assert got[2][1] == "CREATE UNIQUE INDEX cat_items_pkey ON public.cat_items USING btree (id)"
    # catalogs are tables of pg_catalog there too
    assert rows(conn, "SELECT schemaname FROM pg_tables WHERE tablename = 'pg_class'") == [("pg_catalog",)]


def test_pg_namespace_and_type(conn):
    got = rows(conn, "SELECT nspname, pg_get_userbyid(nspowner) FROM pg_namespace "
                     "WHERE nspname IN ('public', 'pg_catalog', 'information_schema') ORDER BY 1")
    assert got == [("information_schema", "postgres"), ("pg_catalog", "postgres"), ("public", "pg_database_owner")]
    got = rows(conn, "SELECT typname, typlen, typcategory FROM pg_type WHERE oid IN (23, 25, 1700) ORDER BY oid")
    assert got == [("int4", 4, "N"), ("text", -1, "S"), ("numeric", -1, "N")]


def test_pg_proc_has_core_functions(conn):
    got = rows(conn, "SELECT proname, pronargs, prorettype::regtype::text FROM pg_proc WHERE proname = 'pg_backend_pid'")
    assert got == [("pg_backend_pid", 0, "integer")]


def test_pg_database_and_roles(conn):
    assert rows(conn, "SELECT datname, pg_encoding_to_char(encoding) FROM pg_database WHERE datname = 'postgres'") == \
        [("postgres", "UTF8")]
    assert rows(conn, "SELECT rolname, rolsuper, rolcanlogin, rolpassword FROM pg_roles WHERE rolname = 'postgres'") == \
        [("postgres", True, True, "********")]
    assert rows(conn, "SELECT usename, usesuper FROM pg_user WHERE usename = 'postgres'") == [("postgres", True)]


@pytest.mark.hcdb_only
def test_pg_authid_shows_no_secret(conn):
    # PostgreSQL shows a superuser the SCRAM verifier here; hcdb never does
    assert rows(conn, "SELECT rolname, rolpassword FROM pg_authid") == [("postgres", None)]


def test_pg_settings(conn):
    assert rows(conn, "SELECT setting FROM pg_settings WHERE name = 'search_path'") == [('"$user", public',)]


def test_information_schema(conn):
    assert rows(conn, "SELECT table_schema, table_type FROM information_schema.tables "
                      "WHERE table_name = 'cat_items'") == [("public", "BASE TABLE")]
    got = rows(conn, "SELECT column_name, ordinal_position, is_nullable, data_type, character_maximum_length, "
                     "column_default FROM information_schema.columns WHERE table_name = 'cat_items' "
                     "ORDER BY ordinal_position")
    assert got == [("id", 1, "NO", "integer", None, None), ("title", 2, "NO", "text", None, None),
                   ("n", 3, "YES", "integer", None, "3"), ("code", 4, "YES", "character varying", 10, None),
                   ("price", 5, "YES", "numeric", None, None)]
    got = rows(conn, "SELECT constraint_type FROM information_schema.table_constraints "
                     "WHERE table_name = 'cat_items' ORDER BY 1")
    assert got == [("CHECK",), ("CHECK",), ("PRIMARY KEY",), ("UNIQUE",)]
    got = rows(conn, "SELECT constraint_name, column_name, ordinal_position FROM information_schema.key_column_usage "
                     "WHERE table_name = 'cat_items' ORDER BY 1")
    assert got == [("cat_items_code_key", "code", 1), ("cat_items_pkey", "id", 1)]
    assert ("public",) in rows(conn, "SELECT schema_name FROM information_schema.schemata")


def test_catalog_names_resolve_qualified_and_not(conn):
    a = rows(conn, "SELECT count(*) FROM pg_catalog.pg_namespace")
    b = rows(conn, "SELECT count(*) FROM pg_namespace")
    assert a == b and a[0][0] >= 3


def test_information_schema_needs_its_schema_name(conn):
    assert error(conn, "SELECT * FROM schemata").pgcode == "42P01"


def test_reg_types(conn):
    got = rows(conn, "SELECT 'pg_class'::regclass::oid, 'pg_catalog.pg_extension'::regclass::oid, "
                     "'int4'::regtype::text, 23::regtype::text, 'pg_catalog'::regnamespace::oid, "
                     "'information_schema.tables'::regclass::text")
    assert got == [(1259, 3079, "integer", "integer", 11, "information_schema.tables")]


@pytest.mark.parametrize("sql,code", [
    ("SELECT 'no_such_table'::regclass", "42P01"),
    ("SELECT 'no_such_type'::regtype", "42704"),
    ("SELECT 'no_such_schema'::regnamespace", "3F000"),
    ("SELECT has_table_privilege('cat_items', 'fly')", "22023"),
    ("SELECT has_table_privilege('no_such_table', 'select')", "42P01"),
    ("SELECT has_schema_privilege('no_such_schema', 'usage')", "3F000"),
    ("SELECT has_database_privilege('no_such_db', 'connect')", "3D000"),
])
def test_bad_catalog_input(conn, sql, code):
    assert error(conn, sql).pgcode == code


def test_visibility_and_privileges(conn):
    got = rows(conn, "SELECT pg_table_is_visible('cat_items'::regclass), pg_table_is_visible('pg_class'::regclass), "
                     "has_table_privilege('cat_items', 'select, insert'), "
                     "has_table_privilege('postgres', 'cat_items', 'update WITH GRANT OPTION'), "
                     "has_schema_privilege('public', 'usage'), has_database_privilege('postgres', 'connect')")
    assert got == [(True, True, True, True, True, True)]


def test_misc_functions(conn):
    got = rows(conn, "SELECT quote_ident('plain'), quote_ident('Mixed Case'), quote_ident('a\"b'), "
                     "pg_is_in_recovery(), pg_postmaster_start_time() <= now(), pg_get_userbyid(10)")
    assert got == [("plain", '"Mixed Case"', '"a""b"', False, True, "postgres")]


@pytest.mark.parametrize("n,text", [(0, "0 bytes"), (1023, "1023 bytes"), (10239, "10239 bytes"),
                                    (10240, "10 kB"), (123456789, "118 MB"), (5 * 1024 ** 4, "5120 GB"),
                                    (-20000, "-20 kB")])
def test_size_pretty(conn, n, text):
    assert rows(conn, "SELECT pg_size_pretty(%s::bigint)", (n,)) == [(text,)]


def test_sizes_grow_with_rows(conn):
    with conn.cursor() as cur:
        cur.execute("CREATE TABLE cat_sized (id int PRIMARY KEY, body text)")
        before = rows(conn, "SELECT pg_relation_size('cat_sized'), pg_total_relation_size('cat_sized')")[0]
        cur.execute("INSERT INTO cat_sized SELECT g, %s || g FROM generate_series(1, 2000) g", ("x" * 200,))
        rel, total, idx, table = rows(conn, "SELECT pg_relation_size('cat_sized'), pg_total_relation_size('cat_sized'), "
                                            "pg_indexes_size('cat_sized'), pg_table_size('cat_sized')")[0]
    assert rel > before[0] and rel >= 2000 * 200
    assert total > before[1] and total >= rel + idx > rel and idx > 0
    assert table >= rel
    (db,), = rows(conn, "SELECT pg_database_size('postgres')")
    assert db >= total


def test_function_result_and_arguments(conn):
    got = rows(conn, "SELECT pg_get_function_arguments('pg_sleep'::regproc), pg_get_function_result('pg_sleep'::regproc)")
    assert got == [("double precision", "void")]


@pytest.mark.hcdb_only
def test_array_to_string_over_catalog_array_text(conn):
    # hcdb's catalogs show array columns as text in PostgreSQL's literal form
    got = rows(conn, "SELECT array_to_string('{a,\"b c\",NULL,d}', '|'), array_to_string('{}', ',')")
    assert got == [("a|b c|d", "")]


@pytest.mark.hcdb_only
def test_vector_type_moves_to_the_extension_schema(conn):
    q = "SELECT typnamespace::regnamespace::text FROM pg_type WHERE typname = 'vector'"
    with conn.cursor() as cur:
        cur.execute("DROP EXTENSION IF EXISTS vector")
        assert rows(conn, q) == [("pg_catalog",)]
        cur.execute("CREATE EXTENSION vector")
        assert rows(conn, q) == [("public",)]
        cur.execute("DROP EXTENSION vector")
