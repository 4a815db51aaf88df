/*
 * seq_fn: nextval, currval, setval and lastval over engine/seq.c. The
 * argument is a relation name as regclass input reads it: unquoted parts
 * fold to lower case, "quoted" ones keep theirs, a schema prefix (public or
 * pg_temp) is dropped as hcdb has one namespace per database.
 */
#include <ctype.h>
#include <string.h>

#include "engine/func/registry.h"
#include "engine/seq.h"
#include "engine/types/text.h"

/* regclass arguments: the sequence's name, or "<oid>" (which no sequence has: 42P01). */
static char *oid_name(eng_ctx *c, const eng_val *v)
{
    char name[256];
    if (c->env && c->env->catalog && eng_seq_name(c->env->catalog, (uint32_t)v->i, name, sizeof(name)))
        return arena_strdup(c->mem, name);
    return arena_printf(c->mem, "%u", (uint32_t)v->i);
}

/* The sequence name in `v`, normalised (see the file comment). */
static char *seq_name(eng_ctx *c, const eng_val *v, bool is_oid)
{
    if (is_oid)
        return oid_name(c, v);
    char *out = arena_alloc(c->mem, v->s.n + 1);
    if (!out)
        return NULL;
    size_t n = 0;
    bool quoted = false;
    for (size_t i = 0; i < v->s.n; i++) {
        char ch = v->s.p[i];
        if (ch == '"') {
            if (quoted && i + 1 < v->s.n && v->s.p[i + 1] == '"')
                out[n++] = v->s.p[++i];
            else
                quoted = !quoted;
        } else if (ch == '.' && !quoted) {
            n = 0; /* keep the last part */
        } else {
            out[n++] = quoted ? ch : (char)tolower((unsigned char)ch);
        }
    }
    out[n] = 0;
    return out;
}

/* The catalog and the session's sequence memory, or -1 with an error. */
static int env_of(eng_ctx *c, eng_catalog **cat, eng_seq_session **ss)
{
    if (!c->env || !c->env->catalog || !c->env->seqs) {
        pgw_error_set(c->err, "0A000", "sequences are not available here");
        return -1;
    }
    *cat = c->env->catalog;
    *ss = c->env->seqs;
    return 0;
}

static int int_out(int64_t v, eng_val *o)
{
    o->null = false;
    o->i = v;
    return 0;
}

static int nextval(eng_ctx *c, const eng_val *a, bool is_oid, eng_val *o)
{
    eng_catalog *cat;
    eng_seq_session *ss;
    char *name = seq_name(c, &a[0], is_oid);
    int64_t v;
    if (!name)
        return eng__oom(c);
    if (env_of(c, &cat, &ss) || eng_seq_nextval(cat, c->env->txn, ss, name, &v, c->err))
        return -1;
    return int_out(v, o);
}

static int currval(eng_ctx *c, const eng_val *a, bool is_oid, eng_val *o)
{
    eng_catalog *cat;
    eng_seq_session *ss;
    char *name = seq_name(c, &a[0], is_oid);
    int64_t v;
    if (!name)
        return eng__oom(c);
    if (env_of(c, &cat, &ss) || eng_seq_currval(cat, ss, name, &v, c->err))
        return -1;
    return int_out(v, o);
}

static int f_lastval(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    (void)a, (void)n;
    eng_catalog *cat;
    eng_seq_session *ss;
    int64_t v;
    if (env_of(c, &cat, &ss) || eng_seq_lastval(cat, ss, &v, c->err))
        return -1;
    return int_out(v, o);
}

/* setval(name, value [, is_called]): returns value. */
static int setval(eng_ctx *c, const eng_val *a, int n, bool is_oid, eng_val *o)
{
    eng_catalog *cat;
    eng_seq_session *ss;
    char *name = seq_name(c, &a[0], is_oid);
    if (!name)
        return eng__oom(c);
    bool called = n < 3 || a[2].i;
    if (env_of(c, &cat, &ss) || eng_seq_setval(cat, c->env->txn, ss, name, a[1].i, called, c->err))
        return -1;
    return int_out(a[1].i, o);
}

/* pg_get_serial_sequence(table, column): the sequence a serial or identity
 * column uses, schema-qualified, or NULL. The table name is read as
 * regclass input is; the column name is taken literally, as PostgreSQL does. */
static int f_serial_sequence(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    (void)n;
    eng_catalog *cat;
    eng_seq_session *ss;
    char *tname = seq_name(c, &a[0], false), *cname = arena_strndup(c->mem, a[1].s.p, a[1].s.n);
    if (!tname || !cname)
        return eng__oom(c);
    if (env_of(c, &cat, &ss))
        return -1;
    eng_table *t = eng_catalog_find(cat, tname);
    if (!t) {
        pgw_error_set(c->err, SQLSTATE_UNDEFINED_TABLE, "relation \"%.*s\" does not exist", (int)a[0].s.n, a[0].s.p);
        return -1;
    }
    int col = eng_table_column(t, cname);
    if (col < 0) {
        pgw_error_set(c->err, SQLSTATE_UNDEFINED_COLUMN, "column \"%s\" of relation \"%s\" does not exist", cname,
                      t->name);
        return -1;
    }
    eng_seq_info s;
    for (size_t i = 0; eng_seq_at(cat, i, &s); i++) {
        uint32_t rel;
        int oc;
        if (eng_seq_owner(cat, s.name, &rel, &oc) && rel == t->relid && oc == col) {
            char *q = arena_printf(c->mem, "public.%s", s.name);
            return q ? eng__text_val(c, q, strlen(q), o) : eng__oom(c);
        }
    }
    o->null = true;
    return 0;
}

/* Each takes the sequence as text (a name) or as regclass (an OID, as in
 * the column defaults of serial columns: nextval('t_id_seq'::regclass)). */
static int f_nextval(eng_ctx *c, const eng_val *a, int n, eng_val *o) { return (void)n, nextval(c, a, false, o); }
static int f_nextval_oid(eng_ctx *c, const eng_val *a, int n, eng_val *o) { return (void)n, nextval(c, a, true, o); }
static int f_currval(eng_ctx *c, const eng_val *a, int n, eng_val *o) { return (void)n, currval(c, a, false, o); }
static int f_currval_oid(eng_ctx *c, const eng_val *a, int n, eng_val *o) { return (void)n, currval(c, a, true, o); }
static int f_setval(eng_ctx *c, const eng_val *a, int n, eng_val *o) { return setval(c, a, n, false, o); }
static int f_setval_oid(eng_ctx *c, const eng_val *a, int n, eng_val *o) { return setval(c, a, n, true, o); }

void eng__register_seq(void)
{
    const int F = ENG_F_STRICT | ENG_F_VOLATILE | ENG_F_TABLES;
    eng__reg("nextval", false, OID_INT8, F, f_nextval, 1, OID_TEXT);
    eng__reg("nextval", false, OID_INT8, F, f_nextval_oid, 1, OID_REGCLASS);
    eng__reg("currval", false, OID_INT8, F, f_currval, 1, OID_TEXT);
    eng__reg("currval", false, OID_INT8, F, f_currval_oid, 1, OID_REGCLASS);
    eng__reg("pg_get_serial_sequence", false, OID_TEXT, F, f_serial_sequence, 2, OID_TEXT, OID_TEXT);
    eng__reg("lastval", false, OID_INT8, ENG_F_VOLATILE | ENG_F_TABLES, f_lastval, 0);
    eng__reg("setval", false, OID_INT8, F, f_setval, 2, OID_TEXT, OID_INT8);
    eng__reg("setval", false, OID_INT8, F, f_setval_oid, 2, OID_REGCLASS, OID_INT8);
    eng__reg("setval", false, OID_INT8, F, f_setval, 3, OID_TEXT, OID_INT8, OID_BOOL);
    eng__reg("setval", false, OID_INT8, F, f_setval_oid, 3, OID_REGCLASS, OID_INT8, OID_BOOL);
}
