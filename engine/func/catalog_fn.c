/*
 * catalog_fn: the functions catalog queries and psql call — format_type,
 * pg_get_userbyid, pg_table_is_visible & co, pg_get_indexdef,
 * pg_get_constraintdef, pg_get_expr, obj_description, has_*_privilege,
 * quote_ident, size functions (bytes hcdb holds) and pg_size_pretty,
 * server facts (pg_postmaster_start_time, pg_is_in_recovery) and
 * pg_cancel_backend / pg_terminate_backend. Catalog reads take the
 * catalog's read lock (see regtypes.c on recursion).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "engine/ext.h"
#include "engine/func/registry.h"
#include "engine/seq.h"
#include "engine/syscat_internal.h"
#include "engine/temp.h"
#include "engine/types/numeric.h"
#include "engine/types/array.h"
#include "engine/types/text.h"
#include "util/buf.h"

static int text_out(eng_ctx *c, const char *s, eng_val *o)
{
    if (!s) {
        o->null = true;
        return 0;
    }
    return eng__text_val(c, s, strlen(s), o);
}

static int bool_out(bool b, eng_val *o)
{
    o->null = false;
    o->i = b;
    return 0;
}

static int int_out(int64_t v, eng_val *o)
{
    o->null = false;
    o->i = v;
    return 0;
}

static eng_catalog *catalog(eng_ctx *c)
{
    return c->env ? c->env->catalog : NULL;
}

static void lock(eng_ctx *c)
{
    if (catalog(c))
        eng_catalog_rdlock(catalog(c));
}

static void unlock(eng_ctx *c)
{
    if (catalog(c))
        eng_catalog_unlock(catalog(c));
}

/* ---- names and types ------------------------------------------------------- */

/* format_type(type, typmod): not strict — a NULL typmod means none. */
static int f_format_type(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    if (a[0].null) {
        o->null = true;
        return 0;
    }
    uint32_t oid = (uint32_t)a[0].i;
    if (!eng_type_by_oid(oid))
        return text_out(c, "???", o);
    char *s = eng_type_format(c->mem, oid, a[1].null ? -1 : (int32_t)a[1].i);
    return s ? text_out(c, s, o) : eng__oom(c);
}

static int f_userbyid(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    return text_out(c, eng__role_name(c, (uint32_t)a[0].i), o);
}

static int f_table_is_visible(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    lock(c);
    const eng_index *ix;
    const eng_table *t = eng__rel_by_oid(catalog(c), (uint32_t)a[0].i, &ix);
    char seq[8];
    bool is_seq = !t && catalog(c) && eng_seq_name(catalog(c), (uint32_t)a[0].i, seq, sizeof(seq));
    unlock(c);
    if (is_seq) /* sequences live in public, like the tables */
        return bool_out(!c->env->public_hidden, o);
    if (!t) {
        o->null = true; /* PostgreSQL: NULL for an OID that names nothing */
        return 0;
    }
    if (!t->vrel && eng_table_is_temp(t)) /* pg_temp comes first in the search path, its own session's only */
        return bool_out(eng_temp_pid(t) == c->env->backend_pid, o);
    return bool_out(t->vrel ? strcmp(t->vrel->schema, "pg_catalog") == 0 : !c->env->public_hidden, o);
}

static int f_type_is_visible(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    if (!eng_type_by_oid((uint32_t)a[0].i)) {
        o->null = true;
        return 0;
    }
    return bool_out(true, o);
}

static int f_function_is_visible(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    if (!eng__proc_by_oid((uint32_t)a[0].i)) {
        o->null = true;
        return 0;
    }
    return bool_out(true, o);
}

static int f_encoding_to_char(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    return text_out(c, a[0].i == 6 ? "UTF8" : a[0].i == 0 ? "SQL_ASCII" : "", o);
}

/* quote_ident(): quotes unless all lower-case letters, digits and _ not
 * starting with a digit (keywords are not checked here). */
static int f_quote_ident(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    const char *s = a[0].s.p;
    size_t len = a[0].s.n;
    bool plain = len > 0 && !isdigit((unsigned char)s[0]);
    for (size_t i = 0; i < len && plain; i++)
        plain = islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '_';
    if (plain)
        return eng__text_val(c, s, len, o);
    char *q = arena_alloc(c->mem, len * 2 + 3), *p = q;
    if (!q)
        return eng__oom(c);
    *p++ = '"';
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '"')
            *p++ = '"';
        *p++ = s[i];
    }
    *p++ = '"';
    return eng__text_val(c, q, (size_t)(p - q), o);
}

/* ---- object definitions ------------------------------------------------------ */

static int f_indexdef(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    lock(c);
    const eng_index *ix;
    const eng_table *t = eng__rel_by_oid(catalog(c), (uint32_t)a[0].i, &ix);
    char *s = ix ? eng__indexdef(c->mem, t, ix, true) : NULL;
    unlock(c);
    if (ix && !s)
        return eng__oom(c);
    return text_out(c, s, o);
}

static int f_constraintdef(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    eng_catalog *cat = catalog(c);
    char *s = NULL;
    lock(c);
    for (size_t i = 0; cat && !s; i++) {
        const eng_table *t = eng_catalog_table_at(cat, i);
        if (!t)
            break;
        for (int k = 0; k < t->nindexes && !s; k++) {
            const eng_index *ix = t->indexes[k];
            if (!eng__index_is_constraint(ix) || eng__constraint_oid(ix) != (uint32_t)a[0].i)
                continue;
            s = arena_strdup(c->mem, ix->primary ? "PRIMARY KEY (" : "UNIQUE (");
            for (int x = 0; s && x < ix->ncols; x++)
                s = arena_printf(c->mem, "%s%s%s", s, x ? ", " : "", t->cols[ix->cols[x]].name);
            s = s ? arena_printf(c->mem, "%s)", s) : NULL;
        }
    }
    unlock(c);
    return text_out(c, s, o);
}

/* pg_get_function_result(): the result type as \df shows it. */
static int f_function_result(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    const eng_proc *p = eng__proc_by_oid((uint32_t)a[0].i);
    if (!p) {
        o->null = true;
        return 0;
    }
    const char *t = eng_type_sqlname(p->ret);
    char *s = p->flags & ENG_F_SRF ? arena_printf(c->mem, "SETOF %s", t) : arena_strdup(c->mem, t);
    return s ? text_out(c, s, o) : eng__oom(c);
}

/* pg_get_function_arguments(): "integer, text". */
static int f_function_arguments(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    const eng_proc *p = eng__proc_by_oid((uint32_t)a[0].i);
    if (!p) {
        o->null = true;
        return 0;
    }
    char *s = arena_strdup(c->mem, "");
    for (int k = 0; s && k < p->nargs; k++)
        s = arena_printf(c->mem, "%s%s%s", s, k ? ", " : "", eng_type_sqlname(p->args[k]));
    return s ? text_out(c, s, o) : eng__oom(c);
}

/* array_to_string(array, sep) over the array columns hcdb's catalogs show
 * as text in PostgreSQL's literal form ("{a,b}"); NULL elements are
 * skipped, as PostgreSQL does without a null string. */
static int f_array_to_string(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    const char *s = a[0].s.p, *end = s + a[0].s.n;
    buf b;
    buf_init(&b);
    if (s < end && *s == '{')
        s++;
    bool first = true;
    while (s < end && *s != '}') {
        buf elem;
        buf_init(&elem);
        bool quoted = *s == '"';
        for (s += quoted; s < end && (quoted ? *s != '"' : *s != ',' && *s != '}'); s++) {
            if (*s == '\\' && s + 1 < end)
                s++;
            buf_append(&elem, s, 1);
        }
        s += quoted && s < end;
        bool null = !quoted && elem.len == 4 && memcmp(elem.data, "NULL", 4) == 0;
        if (!null) {
            if (!first)
                buf_append(&b, a[1].s.p, a[1].s.n);
            buf_append(&b, elem.data, elem.len);
            first = false;
        }
        buf_free(&elem);
        s += s < end && *s == ',';
    }
    int rc = b.failed ? eng__oom(c) : eng__text_val(c, b.len ? (const char *)b.data : "", b.len, o);
    buf_free(&b);
    return rc;
}

/* pg_get_expr(): hcdb keeps expressions (pg_attrdef.adbin) as SQL text. */
static int f_get_expr(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    *o = a[0];
    return 0;
}

/* obj_description / col_description / shobj_description: the only
 * comments are the built-in extensions' (pg_description). */
static int f_obj_description(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    eng_catalog *cat = catalog(c);
    const char *comment = NULL;
    bool ext_class = n < 2 || (a[1].s.n == 12 && memcmp(a[1].s.p, "pg_extension", 12) == 0);
    lock(c);
    for (size_t i = 0; cat && ext_class && !comment; i++) {
        const eng_extension *e = eng_catalog_extension_at(cat, i);
        if (!e)
            break;
        const eng_extdef *d = e->oid == (uint32_t)a[0].i ? eng_ext_find(e->name) : NULL;
        comment = d ? d->comment : NULL;
    }
    unlock(c);
    return text_out(c, comment, o);
}

static int f_null_text(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    o->null = true;
    return 0;
}

/* ---- privileges ------------------------------------------------------------ */

/* has_*_privilege: every role is a superuser until GRANT exists, so any
 * existing object passes; unknown privileges and objects fail as in
 * PostgreSQL. The privilege list is "select, insert" with optional
 * " WITH GRANT OPTION". */
static int check_privs(eng_ctx *c, const eng_val *v, const char *const *known)
{
    char *s = arena_strndup(c->mem, v->s.p, v->s.n);
    if (!s)
        return eng__oom(c);
    for (char *tok = strtok(s, ","); tok; tok = strtok(NULL, ",")) {
        while (isspace((unsigned char)*tok))
            tok++;
        size_t len = strlen(tok);
        while (len && isspace((unsigned char)tok[len - 1]))
            tok[--len] = 0;
        if (len > 18 && strcasecmp(tok + len - 18, " WITH GRANT OPTION") == 0)
            tok[len - 18] = 0;
        bool ok = false;
        for (const char *const *k = known; *k && !ok; k++)
            ok = strcasecmp(tok, *k) == 0;
        if (!ok) {
            pgw_error_set(c->err, SQLSTATE_INVALID_PARAMETER_VALUE, "unrecognized privilege type: \"%s\"", tok);
            return -1;
        }
    }
    return 0;
}

static const char *const table_privs[] = {"SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES",
                                          "TRIGGER", NULL};
static const char *const schema_privs[] = {"USAGE", "CREATE", NULL};
static const char *const db_privs[] = {"CREATE", "CONNECT", "TEMPORARY", "TEMP", NULL};

/* The object argument (text name, or an OID) exists. */
static int table_exists(eng_ctx *c, const eng_val *obj, bool by_oid)
{
    eng_catalog *cat = catalog(c);
    lock(c);
    const eng_index *ix;
    bool ok = by_oid ? eng__rel_by_oid(cat, (uint32_t)obj->i, &ix) != NULL : false;
    char *name = by_oid ? NULL : arena_strndup(c->mem, obj->s.p, obj->s.n);
    if (name) {
        const char *bare = strncmp(name, "public.", 7) == 0 ? name + 7 : name;
        ok = eng_rel_find(cat, bare) != NULL;
    }
    unlock(c);
    if (!ok && !by_oid) {
        pgw_error_set(c->err, SQLSTATE_UNDEFINED_TABLE, "relation \"%.*s\" does not exist", (int)obj->s.n, obj->s.p);
        return -1;
    }
    return ok ? 1 : 0;
}

/* has_table_privilege([user,] table, privilege): the last two args. */
static int f_has_table(eng_ctx *c, const eng_val *a, int n, eng_val *o, bool by_oid)
{
    if (check_privs(c, &a[n - 1], table_privs))
        return -1;
    int rc = table_exists(c, &a[n - 2], by_oid);
    if (rc < 0)
        return -1;
    if (rc == 0) {
        o->null = true;
        return 0;
    }
    return bool_out(true, o);
}

static int f_has_table_name(eng_ctx *c, const eng_val *a, int n, eng_val *o) { return f_has_table(c, a, n, o, false); }
static int f_has_table_oid(eng_ctx *c, const eng_val *a, int n, eng_val *o) { return f_has_table(c, a, n, o, true); }

static int f_has_schema(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    if (check_privs(c, &a[n - 1], schema_privs))
        return -1;
    char *name = arena_strndup(c->mem, a[n - 2].s.p, a[n - 2].s.n);
    if (!name)
        return eng__oom(c);
    if (!eng__nsp_oid(name)) {
        pgw_error_set(c->err, SQLSTATE_INVALID_SCHEMA_NAME, "schema \"%s\" does not exist", name);
        return -1;
    }
    return bool_out(true, o);
}

static int f_has_database(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    if (check_privs(c, &a[n - 1], db_privs))
        return -1;
    const char *db = c->env && c->env->database ? c->env->database : "postgres";
    if (a[n - 2].s.n != strlen(db) || memcmp(a[n - 2].s.p, db, a[n - 2].s.n) != 0) {
        pgw_error_set(c->err, SQLSTATE_UNDEFINED_DATABASE, "database \"%.*s\" does not exist", (int)a[n - 2].s.n,
                      a[n - 2].s.p);
        return -1;
    }
    return bool_out(true, o);
}

/* ---- sizes ------------------------------------------------------------------ */

enum { SZ_RELATION, SZ_TABLE, SZ_INDEXES, SZ_TOTAL };

/* Bytes of a relation OID by kind, or -1 when it names nothing. */
static int64_t rel_bytes(eng_ctx *c, uint32_t oid, int kind)
{
    lock(c);
    const eng_index *ix;
    const eng_table *t = eng__rel_by_oid(catalog(c), oid, &ix);
    int64_t n = -1;
    if (t && ix)
        n = kind == SZ_INDEXES ? 0 : eng__index_bytes(t, ix);
    else if (t) {
        int64_t heap = eng__table_bytes(t), idx = 0;
        for (int k = 0; k < t->nindexes; k++)
            idx += eng__index_bytes(t, t->indexes[k]);
        n = kind == SZ_INDEXES ? idx : kind == SZ_TOTAL ? heap + idx : heap;
    }
    unlock(c);
    return n;
}

static int size_of(eng_ctx *c, const eng_val *a, eng_val *o, int kind)
{
    int64_t n = rel_bytes(c, (uint32_t)a[0].i, kind);
    if (n < 0) {
        o->null = true; /* PostgreSQL: NULL for a dropped or unknown OID */
        return 0;
    }
    return int_out(n, o);
}

static int f_relation_size(eng_ctx *c, const eng_val *a, int n, eng_val *o) { return size_of(c, a, o, SZ_RELATION); }
static int f_table_size(eng_ctx *c, const eng_val *a, int n, eng_val *o) { return size_of(c, a, o, SZ_TABLE); }
static int f_indexes_size(eng_ctx *c, const eng_val *a, int n, eng_val *o) { return size_of(c, a, o, SZ_INDEXES); }
static int f_total_size(eng_ctx *c, const eng_val *a, int n, eng_val *o) { return size_of(c, a, o, SZ_TOTAL); }

static int f_database_size(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    eng_catalog *cat = catalog(c);
    int64_t total = 0;
    lock(c);
    for (size_t i = 0; cat; i++) {
        const eng_table *t = eng_catalog_table_at(cat, i);
        if (!t)
            break;
        total += eng__table_bytes(t);
        for (int k = 0; k < t->nindexes; k++)
            total += eng__index_bytes(t, t->indexes[k]);
    }
    unlock(c);
    return int_out(total, o);
}

static int f_database_size_name(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    const char *db = c->env && c->env->database ? c->env->database : "postgres";
    if (a[0].s.n != strlen(db) || memcmp(a[0].s.p, db, a[0].s.n) != 0) {
        pgw_error_set(c->err, SQLSTATE_UNDEFINED_DATABASE, "database \"%.*s\" does not exist", (int)a[0].s.n,
                      a[0].s.p);
        return -1;
    }
    return f_database_size(c, a, n, o);
}

/* pg_size_pretty(): PostgreSQL's rounding — halve-and-round at each unit
 * step while the value is at least 10240 of the current unit. */
static int f_size_pretty(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    static const char *const units[] = {"bytes", "kB", "MB", "GB", "TB", "PB"};
    int64_t size = a[0].i;
    int u = 0;
    int64_t limit = 10 * 1024;
    if (size < 0 ? -size >= limit : size >= limit) {
        size /= 512; /* to half-kB */
        for (u = 1;; u++) {
            int64_t half = size < 0 ? -size : size;
            if (u == 5 || half < limit * 2 - 1)
                break;
            size /= 1024;
        }
        size = size < 0 ? -((-size + 1) / 2) : (size + 1) / 2;
    }
    char *s = arena_printf(c->mem, "%lld %s", (long long)size, units[u]);
    return s ? text_out(c, s, o) : eng__oom(c);
}

/* ---- server ------------------------------------------------------------------ */

static int f_start_time(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    int64_t t = c->env && c->env->sys ? c->env->sys->start_time : 0;
    if (!t) {
        o->null = true;
        return 0;
    }
    return int_out(t, o);
}

static int f_false(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    return bool_out(false, o);
}

static int signal(eng_ctx *c, const eng_val *a, eng_val *o, bool terminate)
{
    const eng_sysinfo *sys = c->env ? c->env->sys : NULL;
    if (!sys || !sys->signal_backend || !sys->signal_backend(c->env->ctx, (int32_t)a[0].i, terminate)) {
        /* PostgreSQL: a WARNING and false for a pid that is no backend */
        return bool_out(false, o);
    }
    return bool_out(true, o);
}

/* hcdb has no publications (logical replication): a table qualifies, nothing else. */
static int f_is_publishable(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    lock(c);
    const eng_index *ix;
    const eng_table *t = eng__rel_by_oid(catalog(c), (uint32_t)a[0].i, &ix);
    unlock(c);
    return bool_out(t && !t->vrel && !ix, o);
}

/* inet_server_addr() / inet_client_addr(): the address text (hcdb has no
 * inet type, so the value is text). */
static int f_server_addr(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    return text_out(c, c->env ? c->env->server_addr : NULL, o);
}

static int f_client_addr(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    return text_out(c, c->env ? c->env->client_addr : NULL, o);
}

/* txid_current(): the id of the statement's storage transaction. */
static int f_txid_current(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    if (!c->env || !c->env->txn) {
        pgw_error_set(c->err, SQLSTATE_INTERNAL_ERROR, "no transaction");
        return -1;
    }
    return int_out((int64_t)st_txn_id(c->env->txn), o);
}

/* current_schemas(include_implicit): the schemas of search_path that
 * exist, pg_catalog first when asked. */
static int f_current_schemas(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    bool public = !c->env || !c->env->public_hidden;
    const char *s = a[0].i ? (public ? "{pg_catalog,public}" : "{pg_catalog}") : (public ? "{public}" : "{}");
    return text_out(c, s, o);
}

static int f_reload_conf(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    const eng_sysinfo *sys = c->env ? c->env->sys : NULL;
    if (sys && sys->reload_conf)
        sys->reload_conf(c->env->ctx);
    return bool_out(true, o);
}

static int f_cancel_backend(eng_ctx *c, const eng_val *a, int n, eng_val *o) { return signal(c, a, o, false); }
static int f_terminate_backend(eng_ctx *c, const eng_val *a, int n, eng_val *o) { return signal(c, a, o, true); }

void eng__register_catalog(void)
{
    const int S = ENG_F_STRICT, V = ENG_F_STRICT | ENG_F_VOLATILE;
    eng__reg("format_type", false, OID_TEXT, 0, f_format_type, 2, OID_OID, OID_INT4);
    eng__reg("pg_get_userbyid", false, OID_NAME, S, f_userbyid, 1, OID_OID);
    eng__reg("pg_table_is_visible", false, OID_BOOL, V, f_table_is_visible, 1, OID_OID);
    eng__reg("pg_type_is_visible", false, OID_BOOL, S, f_type_is_visible, 1, OID_OID);
    eng__reg("pg_function_is_visible", false, OID_BOOL, S, f_function_is_visible, 1, OID_OID);
    eng__reg("pg_encoding_to_char", false, OID_NAME, S, f_encoding_to_char, 1, OID_INT4);
    eng__reg("quote_ident", false, OID_TEXT, S, f_quote_ident, 1, OID_TEXT);
    eng__reg("pg_get_indexdef", false, OID_TEXT, V, f_indexdef, 1, OID_OID);
    eng__reg("pg_get_indexdef", false, OID_TEXT, V, f_indexdef, 3, OID_OID, OID_INT4, OID_BOOL);
    eng__reg("pg_get_constraintdef", false, OID_TEXT, V, f_constraintdef, 1, OID_OID);
    eng__reg("pg_get_constraintdef", false, OID_TEXT, V, f_constraintdef, 2, OID_OID, OID_BOOL);
    eng__reg("pg_get_function_result", false, OID_TEXT, S, f_function_result, 1, OID_OID);
    eng__reg("pg_get_function_arguments", false, OID_TEXT, S, f_function_arguments, 1, OID_OID);
    eng__reg("array_to_string", false, OID_TEXT, S, f_array_to_string, 2, OID_TEXT, OID_TEXT);
    eng__reg("pg_get_expr", false, OID_TEXT, S, f_get_expr, 2, OID_TEXT, OID_OID);
    eng__reg("pg_get_expr", false, OID_TEXT, S, f_get_expr, 3, OID_TEXT, OID_OID, OID_BOOL);
    eng__reg("obj_description", false, OID_TEXT, V, f_obj_description, 1, OID_OID);
    eng__reg("obj_description", false, OID_TEXT, V, f_obj_description, 2, OID_OID, OID_NAME);
    eng__reg("shobj_description", false, OID_TEXT, V, f_null_text, 2, OID_OID, OID_NAME);
    eng__reg("col_description", false, OID_TEXT, V, f_null_text, 2, OID_OID, OID_INT4);
    eng__reg("has_table_privilege", false, OID_BOOL, V, f_has_table_name, 2, OID_TEXT, OID_TEXT);
    eng__reg("has_table_privilege", false, OID_BOOL, V, f_has_table_oid, 2, OID_OID, OID_TEXT);
    eng__reg("has_table_privilege", false, OID_BOOL, V, f_has_table_name, 3, OID_NAME, OID_TEXT, OID_TEXT);
    eng__reg("has_table_privilege", false, OID_BOOL, V, f_has_table_oid, 3, OID_NAME, OID_OID, OID_TEXT);
    eng__reg("has_schema_privilege", false, OID_BOOL, V, f_has_schema, 2, OID_TEXT, OID_TEXT);
    eng__reg("has_schema_privilege", false, OID_BOOL, V, f_has_schema, 3, OID_NAME, OID_TEXT, OID_TEXT);
    eng__reg("has_database_privilege", false, OID_BOOL, V, f_has_database, 2, OID_TEXT, OID_TEXT);
    eng__reg("has_database_privilege", false, OID_BOOL, V, f_has_database, 3, OID_NAME, OID_TEXT, OID_TEXT);
    eng__reg("pg_relation_size", false, OID_INT8, V, f_relation_size, 1, OID_REGCLASS);
    eng__reg("pg_table_size", false, OID_INT8, V, f_table_size, 1, OID_REGCLASS);
    eng__reg("pg_indexes_size", false, OID_INT8, V, f_indexes_size, 1, OID_REGCLASS);
    eng__reg("pg_total_relation_size", false, OID_INT8, V, f_total_size, 1, OID_REGCLASS);
    eng__reg("pg_database_size", false, OID_INT8, V, f_database_size_name, 1, OID_NAME);
    eng__reg("pg_database_size", false, OID_INT8, V, f_database_size, 1, OID_OID);
    eng__reg("pg_size_pretty", false, OID_TEXT, S, f_size_pretty, 1, OID_INT8);
    eng__reg("pg_postmaster_start_time", false, OID_TIMESTAMPTZ, S, f_start_time, 0);
    eng__reg("pg_is_in_recovery", false, OID_BOOL, S, f_false, 0);
    eng__reg("pg_get_statisticsobjdef_columns", false, OID_TEXT, S, f_null_text, 1, OID_OID);
    eng__reg("pg_relation_is_publishable", false, OID_BOOL, V, f_is_publishable, 1, OID_REGCLASS);
    eng__reg("inet_server_addr", false, OID_TEXT, 0, f_server_addr, 0);
    eng__reg("inet_client_addr", false, OID_TEXT, 0, f_client_addr, 0);
    eng__reg("txid_current", false, OID_INT8, ENG_F_VOLATILE | ENG_F_TABLES, f_txid_current, 0);
    eng__reg("current_schemas", false, eng_array_of(OID_NAME), S, f_current_schemas, 1, OID_BOOL);
    eng__reg("pg_reload_conf", false, OID_BOOL, V, f_reload_conf, 0);
    eng__reg("pg_cancel_backend", false, OID_BOOL, V, f_cancel_backend, 1, OID_INT4);
    eng__reg("pg_terminate_backend", false, OID_BOOL, V, f_terminate_backend, 1, OID_INT4);
}
