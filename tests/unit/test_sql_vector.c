/* test_sql_vector: pgvector's vector type — text and binary I/O, typmods,
 * errors with pgvector 0.8's texts and SQLSTATEs, operators, table columns. */
#include "sql_harness.h"

#include "engine/types/types.h"

/* ---- the type's I/O functions directly ------------------------------ */

typedef struct io {
    arena *a;
    pgw_error err;
    eng_ctx c;
    const eng_type *t;
} io;

static void io_init(io *x)
{
    memset(x, 0, sizeof(*x));
    x->a = arena_new();
    x->c.mem = x->a;
    x->c.err = &x->err;
    x->t = eng_type_by_oid(OID_VECTOR);
    cr_assert(x->t);
}

static const char *round_trip(io *x, const char *in, int32_t typmod)
{
    eng_val v;
    if (x->t->in(&x->c, in, strlen(in), typmod, &v))
        return NULL;
    size_t n;
    return x->t->out(&x->c, &v, &n);
}

Test(sql_vector, type_entry)
{
    const eng_type *t = eng_type_by_name("vector");
    cr_assert(t);
    cr_assert_eq(t->oid, 16385u);
    cr_assert_eq(t->len, -1);
    cr_assert_str_eq(eng_type_sqlname(OID_VECTOR), "vector");
}

Test(sql_vector, text_io)
{
    io x;
    io_init(&x);
    cr_assert_str_eq(round_trip(&x, "[1,2,3]", -1), "[1,2,3]");
    cr_assert_str_eq(round_trip(&x, " [ 1 , 2.5e0 ,3 ] ", -1), "[1,2.5,3]");
    cr_assert_str_eq(round_trip(&x, "[0.1,2.5]", 2), "[0.1,2.5]");
    cr_assert_str_eq(round_trip(&x, "[1e-7,-3.4e38,123456789]", -1), "[1e-07,-3.4e+38,1.2345679e+08]");
    cr_assert_str_eq(round_trip(&x, "[-0,0.333333333333]", -1), "[-0,0.33333334]");
    arena_free(x.a);
}

static void expect_in_err(const char *in, int32_t typmod, const char *state, const char *msg, const char *detail)
{
    io x;
    io_init(&x);
    eng_val v;
    cr_assert_eq(x.t->in(&x.c, in, strlen(in), typmod, &v), -1, "%s should fail", in);
    cr_assert_str_eq(x.err.sqlstate, state, "%s: %s", in, x.err.message);
    cr_assert_str_eq(x.err.message, msg, "%s", in);
    if (detail)
        cr_assert_str_eq(x.err.detail, detail, "%s", in);
    arena_free(x.a);
}

Test(sql_vector, text_errors)
{
    expect_in_err("1,2", -1, "22P02", "invalid input syntax for type vector: \"1,2\"",
                  "Vector contents must start with \"[\".");
    expect_in_err("[1,2", -1, "22P02", "invalid input syntax for type vector: \"[1,2\"", NULL);
    expect_in_err("[1,,2]", -1, "22P02", "invalid input syntax for type vector: \"[1,,2]\"", NULL);
    expect_in_err("[1 2]", -1, "22P02", "invalid input syntax for type vector: \"[1 2]\"", NULL);
    expect_in_err("[1]x", -1, "22P02", "invalid input syntax for type vector: \"[1]x\"",
                  "Junk after closing right brace.");
    expect_in_err("[ ]", -1, "22000", "vector must have at least 1 dimension", NULL);
    expect_in_err("[1,nan]", -1, "22000", "NaN not allowed in vector", NULL);
    expect_in_err("[-inf]", -1, "22000", "infinite value not allowed in vector", NULL);
    expect_in_err("[1e39]", -1, "22003", "\"1e39\" is out of range for type vector", NULL);
    expect_in_err("[1,2,3,4]", 3, "22000", "expected 3 dimensions, not 4", NULL);
}

Test(sql_vector, binary_io)
{
    io x;
    io_init(&x);
    eng_val v;
    cr_assert_eq(x.t->in(&x.c, "[1,2,-0.5]", 10, -1, &v), 0);
    size_t n;
    uint8_t *b = x.t->send(&x.c, &v, &n);
    static const uint8_t want[] = {0x00, 0x03, 0x00, 0x00, 0x3f, 0x80, 0x00, 0x00,
                                   0x40, 0x00, 0x00, 0x00, 0xbf, 0x00, 0x00, 0x00};
    cr_assert_eq(n, sizeof(want));
    cr_assert_eq(memcmp(b, want, n), 0);
    eng_val r;
    cr_assert_eq(x.t->recv(&x.c, want, sizeof(want), 3, &r), 0);
    cr_assert_str_eq(x.t->out(&x.c, &r, &n), "[1,2,-0.5]");

    cr_assert_eq(x.t->recv(&x.c, want, sizeof(want), 2, &r), -1);
    cr_assert_str_eq(x.err.message, "expected 2 dimensions, not 3");
    uint8_t bad[16];
    memcpy(bad, want, 16);
    bad[3] = 1;
    cr_assert_eq(x.t->recv(&x.c, bad, 16, -1, &r), -1);
    cr_assert_str_eq(x.err.sqlstate, "22000");
    cr_assert_str_eq(x.err.message, "expected unused to be 0, not 1");
    memcpy(bad, want, 16);
    bad[1] = 0;
    cr_assert_eq(x.t->recv(&x.c, bad, 16, -1, &r), -1);
    cr_assert_str_eq(x.err.message, "vector must have at least 1 dimension");
    memcpy(bad, want, 16);
    bad[12] = 0x7f, bad[13] = 0xc0; /* NaN */
    cr_assert_eq(x.t->recv(&x.c, bad, 16, -1, &r), -1);
    cr_assert_str_eq(x.err.message, "NaN not allowed in vector");
    cr_assert_eq(x.t->recv(&x.c, want, 12, -1, &r), -1);
    cr_assert_str_eq(x.err.sqlstate, "08P01");
    arena_free(x.a);
}

/* ---- through SQL ----------------------------------------------------- */

Test(sql_vector, operators)
{
    sql_session *s = new_session();
    EXPECT(s, "SELECT '[1,2,3]'::vector <-> '[4,5,6]'::vector", "5.196152422706632\n", "SELECT 1");
    EXPECT(s, "SELECT '[1,2,3]'::vector <#> '[4,5,6]', '[1,2,3]'::vector <=> '[4,5,6]', '[1,2,3]'::vector <+> '[4,5,6]'",
           "-32|0.025368153802923787|9\n", "SELECT 1");
    EXPECT(s, "SELECT l2_distance('[1,2,3]'::vector, '[4,5,6]'), inner_product('[1,2,3]'::vector, '[4,5,6]'), "
              "cosine_distance('[1,1]'::vector, '[-1,-1]'), l1_distance('[1,2,3]'::vector, '[4,5,6]')",
           "5.196152422706632|32|2|9\n", "SELECT 1");
    EXPECT(s, "SELECT vector_dims('[1,2,3]'::vector), vector_norm('[3,4]'), l2_normalize('[3,4]'::vector), "
              "l2_normalize('[0,0]'::vector)",
           "3|5|[0.6,0.8]|[0,0]\n", "SELECT 1");
    EXPECT(s, "SELECT '[1,2,3]'::vector + '[4,5,6]', '[1,2,3]'::vector - '[4,5,6]', '[1,2,3]'::vector * '[4,5,6]'",
           "[5,7,9]|[-3,-3,-3]|[4,10,18]\n", "SELECT 1");
    EXPECT(s, "SELECT '[1,2]'::vector < '[1,3]', '[1,2]'::vector = '[1,2]', '[1,2]'::vector < '[1,2,0]'",
           "t|t|t\n", "SELECT 1");
    EXPECT(s, "SELECT '[0,0]'::vector <=> '[1,1]'", "NaN\n", "SELECT 1");
    EXPECT_ERR(s, "SELECT '[1,2,3]'::vector <-> '[1,2,3,4]'", "22000", "different vector dimensions 3 and 4", 0);
    /* With halfvec beside vector, an untyped literal fits both, as in pgvector 0.7+. */
    EXPECT_ERR(s, "SELECT l2_distance('[1,2,3]', '[4,5,6]')", "42725",
               "function l2_distance(unknown, unknown) is not unique", 8);
    EXPECT_ERR(s, "SELECT '[1,2,3]'::vector(2)", "22000", "expected 2 dimensions, not 3", 0);
    EXPECT_ERR(s, "SELECT '[1e38]'::vector * '[10]'", "22003", "value out of range: overflow", 0);
    cap c;
    cr_assert_eq(q(s, "SELECT '[1]'::vector AS v, '[1]'::vector <-> '[2]' AS d", &c), 0);
    cr_assert_str_eq(c.cols, "v:16385,d:701,");
    sql_session_free(s);
}

Test(sql_vector, table_columns)
{
    sql_session *s = new_session();
    EXPECT(s, "CREATE TABLE items (id bigint PRIMARY KEY, embedding vector(3))", "", "CREATE TABLE");
    EXPECT(s, "INSERT INTO items VALUES (1, '[1,2,3]'), (2, '[4,5,6]'), (3, '[1,1,1]'), (4, NULL)", "",
           "INSERT 0 4");
    EXPECT(s, "SELECT id FROM items ORDER BY embedding <-> '[3,1,2]' LIMIT 2", "3\n1\n", "SELECT 2");
    EXPECT(s, "SELECT id, embedding <=> '[1,1,1]' AS d FROM items ORDER BY d LIMIT 1", "3|0\n", "SELECT 1");
    EXPECT(s, "SELECT id, embedding FROM items WHERE embedding <#> '[1,0,0]' < -3 ORDER BY id", "2|[4,5,6]\n",
           "SELECT 1");
    EXPECT(s, "UPDATE items SET embedding = embedding * '[2,2,2]' WHERE id = 3 RETURNING embedding", "[2,2,2]\n",
           "UPDATE 1");
    EXPECT_ERR(s, "INSERT INTO items VALUES (5, '[1,2,3,4]')", "22000", "expected 3 dimensions, not 4", 0);
    EXPECT_ERR(s, "CREATE TABLE big (v vector(16001))", "22023", "dimensions for type vector cannot exceed 16000", 0);
    EXPECT_ERR(s, "CREATE TABLE big (v vector(0))", "22023", "dimensions for type vector must be at least 1", 0);
    EXPECT(s, "SELECT id, embedding FROM items ORDER BY id", "1|[1,2,3]\n2|[4,5,6]\n3|[2,2,2]\n4|<null>\n",
           "SELECT 4");
    sql_session_free(s);
}
