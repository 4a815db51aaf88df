/*
 * syscat_views: rows of the pg_catalog views (pg_tables, pg_indexes,
 * pg_settings, pg_stat_*), of the extension catalogs and of the
 * information_schema views. Activity counters hcdb does not keep (scans,
 * block reads) read 0; row counts and backends are live.
 */
#include <string.h>

#include "engine/ext.h"
#include "engine/syscat_internal.h"
#include "engine/temp.h"
#include "engine/types/types.h"

static eng_catalog *catalog_of(eng_vrows *r)
{
    return r->c->env ? r->c->env->catalog : NULL;
}

/* Calls fn(r, t) for every live user table. */
static int each_table(eng_vrows *r, void (*fn)(eng_vrows *r, const eng_table *t))
{
    eng_catalog *cat = catalog_of(r);
    for (size_t i = 0; cat; i++) {
        const eng_table *t = eng_catalog_table_at(cat, i);
        if (!t)
            break;
        fn(r, t);
    }
    return 0;
}

/* ---- extensions ------------------------------------------------------------ */

int eng__fill_extension(eng_vrows *r)
{
    eng_catalog *cat = catalog_of(r);
    for (size_t i = 0; cat; i++) {
        const eng_extension *e = eng_catalog_extension_at(cat, i);
        if (!e)
            break;
        eng__vrow(r);
        eng__vint(r, e->oid);
        eng__vtext(r, e->name);
        eng__vint(r, ENG_BOOTSTRAP_ROLE_OID);
        eng__vint(r, eng__nsp_oid(e->schema) ? eng__nsp_oid(e->schema) : ENG_NS_PUBLIC);
        eng__vbool(r, false);
        eng__vtext(r, e->version);
    }
    return 0;
}

int eng__fill_available_extensions(eng_vrows *r)
{
    eng_catalog *cat = catalog_of(r);
    for (int i = 0;; i++) {
        const eng_extdef *d = eng_ext_at(i);
        if (!d)
            break;
        const eng_extension *e = cat ? eng_catalog_extension(cat, d->name) : NULL;
        eng__vrow(r);
        eng__vtext(r, d->name);
        eng__vtext(r, d->version);
        eng__vtext(r, e ? e->version : NULL);
        eng__vtext(r, d->comment);
    }
    return 0;
}

int eng__fill_description(eng_vrows *r)
{
    eng_catalog *cat = catalog_of(r);
    for (size_t i = 0; cat; i++) {
        const eng_extension *e = eng_catalog_extension_at(cat, i);
        if (!e)
            break;
        const eng_extdef *d = eng_ext_find(e->name);
        eng__vrow(r);
        eng__vint(r, e->oid);
        eng__vint(r, 3079);                        /* pg_extension */
        eng__vint(r, 0);
        eng__vtext(r, d ? d->comment : NULL);
    }
    return 0;
}

/* ---- pg_settings ------------------------------------------------------------ */

static void setting_row(void *arg, const char *name, const char *value, const char *desc)
{
    eng_vrows *r = arg;
    eng__vrow(r);
    eng__vtext(r, name);
    eng__vtext(r, value);
    eng__vnull(r);                                 /* unit: values are shown with theirs */
    eng__vtext(r, "Ungrouped");
    eng__vtext(r, desc);
    eng__vnull(r);
    eng__vtext(r, "user");
    eng__vtext(r, "string");
    eng__vtext(r, "default");
    eng__vnull(r);
    eng__vnull(r);
    eng__vnull(r);
    eng__vtext(r, value);
    eng__vtext(r, value);
    eng__vnull(r);
    eng__vnull(r);
    eng__vbool(r, false);
}

int eng__fill_settings(eng_vrows *r)
{
    const eng_env *env = r->c->env;
    if (env && env->sys && env->sys->each_setting)
        env->sys->each_setting(env->ctx, setting_row, r);
    return 0;
}

/* ---- pg_tables, pg_indexes, pg_views ----------------------------------------- */

static void table_row(eng_vrows *r, const char *schema, const char *name, bool hasindexes)
{
    eng__vrow(r);
    eng__vtext(r, schema);
    eng__vtext(r, name);
    eng__vtext(r, eng__role_name(r->c, ENG_BOOTSTRAP_ROLE_OID));
    eng__vnull(r);
    eng__vbool(r, hasindexes);
    eng__vbool(r, false);
    eng__vbool(r, false);
    eng__vbool(r, false);
}

static void user_table_row(eng_vrows *r, const eng_table *t)
{
    table_row(r, eng__rel_schema(r, t), eng_temp_bare(t->name), t->nindexes > 0);
}

static int virtual_rows(eng_vrows *r, char relkind, void (*fn)(eng_vrows *r, const eng_table *t))
{
    for (int i = 0;; i++) {
        const eng_table *v = eng_syscat_at(i);
        if (!v)
            return 0;
        if (v->vrel->relkind == relkind)
            fn(r, v);
    }
}

static void catalog_table_row(eng_vrows *r, const eng_table *t)
{
    table_row(r, t->vrel->schema, t->name, false);
}

int eng__fill_tables(eng_vrows *r)
{
    return each_table(r, user_table_row) || virtual_rows(r, 'r', catalog_table_row);
}

static void index_rows(eng_vrows *r, const eng_table *t)
{
    for (int k = 0; k < t->nindexes; k++) {
        eng__vrow(r);
        eng__vtext(r, eng__rel_schema(r, t));
        eng__vtext(r, eng_temp_bare(t->name));
        eng__vtext(r, eng_temp_bare(t->indexes[k]->name));
        eng__vnull(r);
        eng__vtext(r, eng__indexdef(r->a, t, t->indexes[k], true));
    }
}

int eng__fill_indexes(eng_vrows *r)
{
    return each_table(r, index_rows);
}

static void view_row(eng_vrows *r, const eng_table *t)
{
    eng__vrow(r);
    eng__vtext(r, t->vrel->schema);
    eng__vtext(r, t->name);
    eng__vtext(r, eng__role_name(r->c, ENG_BOOTSTRAP_ROLE_OID));
    eng__vnull(r); /* built in: there is no SQL text behind it */
}

int eng__fill_views(eng_vrows *r)
{
    return virtual_rows(r, 'v', view_row);
}

/* ---- statistics ------------------------------------------------------------- */

static void activity_row(void *arg, const eng_activity *a)
{
    eng_vrows *r = arg;
    eng__vrow(r);
    eng__vint(r, 5);
    eng__vtext(r, a->datname);
    eng__vint(r, a->pid);
    eng__vnull(r);                                 /* leader_pid */
    eng__vint(r, ENG_BOOTSTRAP_ROLE_OID);
    eng__vtext(r, a->usename);
    eng__vtext(r, a->application_name ? a->application_name : "");
    eng__vtext(r, a->client_addr);
    eng__vnull(r);
    eng__vint(r, a->client_port); /* -1: not over TCP, as PostgreSQL shows a Unix socket */
    a->backend_start ? eng__vint(r, a->backend_start) : eng__vnull(r);
    a->xact_start ? eng__vint(r, a->xact_start) : eng__vnull(r);
    a->query_start ? eng__vint(r, a->query_start) : eng__vnull(r);
    a->state_change ? eng__vint(r, a->state_change) : eng__vnull(r);
    /* as PostgreSQL: a session waiting for its client reads ClientRead */
    bool waits = a->state && strncmp(a->state, "idle", 4) == 0;
    eng__vtext(r, waits ? "Client" : NULL);
    eng__vtext(r, waits ? "ClientRead" : NULL);
    eng__vtext(r, a->state);
    eng__vnull(r);
    eng__vnull(r);
    eng__vnull(r);                                 /* query_id: compute_query_id is off */
    eng__vtext(r, a->query ? a->query : "");
    eng__vtext(r, a->backend_type ? a->backend_type : "client backend");
}

int eng__fill_stat_activity(eng_vrows *r)
{
    const eng_env *env = r->c->env;
    if (env && env->sys && env->sys->each_session)
        env->sys->each_session(env->ctx, activity_row, r);
    return 0;
}

static void stat_table_row(eng_vrows *r, const eng_table *t)
{
    int64_t live = t->st ? (int64_t)st_table_count_approx(t->st) : 0;
    eng__vrow(r);
    eng__vint(r, t->relid);
    eng__vtext(r, "public");
    eng__vtext(r, t->name);
    for (int i = 0; i < 8; i++)
        eng__vint(r, 0);                           /* scan and tuple counters are not kept */
    eng__vint(r, live);
    for (int i = 0; i < 3; i++)
        eng__vint(r, 0);
    for (int i = 0; i < 4; i++)
        eng__vnull(r);
    for (int i = 0; i < 4; i++)
        eng__vint(r, 0);
}

int eng__fill_stat_user_tables(eng_vrows *r)
{
    return each_table(r, stat_table_row);
}

static void stat_index_rows(eng_vrows *r, const eng_table *t)
{
    for (int k = 0; k < t->nindexes; k++) {
        eng__vrow(r);
        eng__vint(r, t->relid);
        eng__vint(r, t->indexes[k]->relid);
        eng__vtext(r, "public");
        eng__vtext(r, t->name);
        eng__vtext(r, t->indexes[k]->name);
        for (int i = 0; i < 3; i++)
            eng__vint(r, 0);
    }
}

int eng__fill_stat_user_indexes(eng_vrows *r)
{
    return each_table(r, stat_index_rows);
}

static void statio_row(eng_vrows *r, const eng_table *t)
{
    eng__vrow(r);
    eng__vint(r, t->relid);
    eng__vtext(r, "public");
    eng__vtext(r, t->name);
    /* every block is in memory: reads 0, and no block counting yet */
    for (int i = 0; i < 4; i++)
        eng__vint(r, 0);
}

int eng__fill_statio_user_tables(eng_vrows *r)
{
    return each_table(r, statio_row);
}

static void count_session(void *arg, const eng_activity *a)
{
    (void)a;
    (*(int *)arg)++;
}

int eng__fill_stat_database(eng_vrows *r)
{
    const eng_env *env = r->c->env;
    int n = 0;
    if (env && env->sys && env->sys->each_session)
        env->sys->each_session(env->ctx, count_session, &n);
    eng__vrow(r);
    eng__vint(r, 5);
    eng__vtext(r, "postgres");
    eng__vint(r, n);
    for (int i = 0; i < 13; i++)
        eng__vint(r, 0);
    return 0;
}

/* ---- information_schema ------------------------------------------------------- */

static const char *dbname(eng_vrows *r)
{
    return r->c->env && r->c->env->database ? r->c->env->database : "postgres";
}

static void is_table_row(eng_vrows *r, const char *schema, const char *name, bool view)
{
    eng__vrow(r);
    eng__vtext(r, dbname(r));
    eng__vtext(r, schema);
    eng__vtext(r, name);
    eng__vtext(r, view ? "VIEW" : strncmp(schema, "pg_temp_", 8) == 0 ? "LOCAL TEMPORARY" : "BASE TABLE");
    for (int i = 0; i < 5; i++)
        eng__vnull(r);
    eng__vtext(r, view ? "NO" : "YES");
    eng__vtext(r, "NO");
    eng__vnull(r);
}

static void is_user_table(eng_vrows *r, const eng_table *t)
{
    is_table_row(r, eng__rel_schema(r, t), eng_temp_bare(t->name), false);
}

static void is_virtual_table(eng_vrows *r, const eng_table *t)
{
    is_table_row(r, t->vrel->schema, t->name, t->vrel->relkind == 'v');
}

int eng__fill_is_tables(eng_vrows *r)
{
    return each_table(r, is_user_table) || virtual_rows(r, 'r', is_virtual_table) ||
           virtual_rows(r, 'v', is_virtual_table);
}

/* data_type as information_schema spells it. */
static const char *is_data_type(uint32_t type)
{
    switch (type) {
    case OID_VECTOR: case OID_HALFVEC: return "USER-DEFINED";
    case OID_BPCHAR: return "character";
    default: return eng_type_sqlname(type);
    }
}

static void is_column_rows(eng_vrows *r, const eng_table *t)
{
    for (int k = 0; k < t->ncols; k++) {
        const eng_column *col = &t->cols[k];
        const eng_type *ty = eng_type_by_oid(col->type);
        bool chars = col->type == OID_VARCHAR || col->type == OID_BPCHAR;
        eng__vrow(r);
        eng__vtext(r, dbname(r));
        eng__vtext(r, "public");
        eng__vtext(r, t->name);
        eng__vtext(r, col->name);
        eng__vint(r, k + 1);
        eng__vdefault(r, col->def);
        eng__vtext(r, col->notnull ? "NO" : "YES");
        eng__vtext(r, is_data_type(col->type));
        chars && col->typmod >= 4 ? eng__vint(r, col->typmod - 4) : eng__vnull(r);
        chars || col->type == OID_TEXT ? eng__vint(r, chars && col->typmod >= 4 ? (col->typmod - 4) * 4 : 1073741824)
                                       : eng__vnull(r);
        int prec = col->type == OID_INT2 ? 16 : col->type == OID_INT4 ? 32 : col->type == OID_INT8 ? 64
                 : col->type == OID_FLOAT4 ? 24 : col->type == OID_FLOAT8 ? 53 : 0;
        prec ? eng__vint(r, prec) : eng__vnull(r);
        prec ? eng__vint(r, 2) : eng__vnull(r);
        prec && col->type <= OID_INT4 ? eng__vint(r, 0) : eng__vnull(r);
        ty && ty->category == 'D' ? eng__vint(r, col->type == OID_DATE ? 0 : 6) : eng__vnull(r);
        eng__vtext(r, dbname(r));
        eng__vtext(r, col->type == OID_VECTOR || col->type == OID_HALFVEC ? "public" : "pg_catalog");
        eng__vtext(r, ty ? ty->name : NULL);
        eng__vtext(r, "NO");
        eng__vtext(r, "NEVER");
        eng__vtext(r, "YES");
    }
}

int eng__fill_is_columns(eng_vrows *r)
{
    return each_table(r, is_column_rows);
}

int eng__fill_is_schemata(eng_vrows *r)
{
    static const uint32_t order[] = {ENG_NS_INFORMATION_SCHEMA, ENG_NS_PG_CATALOG, ENG_NS_PG_TOAST, ENG_NS_PUBLIC};
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
        eng__vrow(r);
        eng__vtext(r, dbname(r));
        eng__vtext(r, eng__nsp_name(order[i]));
        eng__vtext(r, eng__role_name(r->c, order[i] == ENG_NS_PUBLIC ? ENG_DATABASE_OWNER_OID
                                                                    : ENG_BOOTSTRAP_ROLE_OID));
    }
    return 0;
}

static void constraint_rows(eng_vrows *r, const eng_table *t)
{
    for (int k = 0; k < t->nindexes; k++) {
        const eng_index *ix = t->indexes[k];
        if (!eng__index_is_constraint(ix))
            continue;
        eng__vrow(r);
        eng__vtext(r, dbname(r));
        eng__vtext(r, "public");
        eng__vtext(r, ix->name);
        eng__vtext(r, dbname(r));
        eng__vtext(r, "public");
        eng__vtext(r, t->name);
        eng__vtext(r, ix->primary ? "PRIMARY KEY" : "UNIQUE");
        eng__vtext(r, "NO");
        eng__vtext(r, "NO");
        eng__vtext(r, "YES");
        eng__vtext(r, "YES");
    }
    /* PostgreSQL lists NOT NULL columns as CHECK constraints here */
    for (int k = 0; k < t->ncols; k++) {
        if (!t->cols[k].notnull)
            continue;
        eng__vrow(r);
        eng__vtext(r, dbname(r));
        eng__vtext(r, "public");
        eng__vtext(r, arena_printf(r->a, "%u_%u_%d_not_null", ENG_NS_PUBLIC, t->relid, k + 1));
        eng__vtext(r, dbname(r));
        eng__vtext(r, "public");
        eng__vtext(r, t->name);
        eng__vtext(r, "CHECK");
        eng__vtext(r, "NO");
        eng__vtext(r, "NO");
        eng__vtext(r, "YES");
        eng__vnull(r);
    }
}

int eng__fill_is_table_constraints(eng_vrows *r)
{
    return each_table(r, constraint_rows);
}

static void key_column_rows(eng_vrows *r, const eng_table *t)
{
    for (int k = 0; k < t->nindexes; k++) {
        const eng_index *ix = t->indexes[k];
        if (!eng__index_is_constraint(ix))
            continue;
        for (int c = 0; c < ix->ncols; c++) {
            eng__vrow(r);
            eng__vtext(r, dbname(r));
            eng__vtext(r, "public");
            eng__vtext(r, ix->name);
            eng__vtext(r, dbname(r));
            eng__vtext(r, "public");
            eng__vtext(r, t->name);
            eng__vtext(r, t->cols[ix->cols[c]].name);
            eng__vint(r, c + 1);
            eng__vnull(r);
        }
    }
}

int eng__fill_is_key_column_usage(eng_vrows *r)
{
    return each_table(r, key_column_rows);
}
