/*
 * syscat: the list of virtual relations with their PostgreSQL columns, name
 * and OID lookup, and the row builder the fill functions use (see
 * syscat.h). Columns are written as "name type, ..." strings, parsed once.
 */
#include "engine/syscat_internal.h"
#include "engine/progress.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "engine/types/array.h"
#include "engine/types/text.h"
#include "util/mem.h"

typedef struct vdef {
    const char *schema, *name;
    uint32_t oid;           /* PostgreSQL's for catalog tables; views get 12000+ */
    char relkind;
    const char *cols;
    eng_vfill fill;
} vdef;

#define PGC "pg_catalog"
#define ISC "information_schema"

/* Columns a view shows about one table's activity counters. */
#define STAT_TABLE_COLS                                                                                         \
    "relid oid, schemaname name, relname name, seq_scan int8, seq_tup_read int8, idx_scan int8, "            \
    "idx_tup_fetch int8, n_tup_ins int8, n_tup_upd int8, n_tup_del int8, n_tup_hot_upd int8, "               \
    "n_live_tup int8, n_dead_tup int8, n_mod_since_analyze int8, n_ins_since_vacuum int8, "                   \
    "last_vacuum timestamptz, last_autovacuum timestamptz, last_analyze timestamptz, "                        \
    "last_autoanalyze timestamptz, vacuum_count int8, autovacuum_count int8, analyze_count int8, "           \
    "autoanalyze_count int8"

#define ROLE_COLS                                                                                               \
    "rolsuper bool, rolinherit bool, rolcreaterole bool, rolcreatedb bool, rolcanlogin bool, "               \
    "rolreplication bool"

static const vdef defs[] = {
    {PGC, "pg_namespace", 2615, 'r', "oid oid, nspname name, nspowner oid", eng__fill_namespace},
    {PGC, "pg_class", 1259, 'r',
     "oid oid, relname name, relnamespace oid, reltype oid, reloftype oid, relowner oid, relam oid, "
     "relfilenode oid, reltablespace oid, relpages int4, reltuples float4, relallvisible int4, "
     "reltoastrelid oid, relhasindex bool, relisshared bool, relpersistence char, relkind char, "
     "relnatts int2, relchecks int2, relhasrules bool, relhastriggers bool, relhassubclass bool, "
     "relrowsecurity bool, relforcerowsecurity bool, relispopulated bool, relreplident char, "
     "relispartition bool, relrewrite oid, relacl text, reloptions text[], relpartbound text",
     eng__fill_class},
    {PGC, "pg_attribute", 1249, 'r',
     "attrelid oid, attname name, atttypid oid, attstattarget int4, attlen int2, attnum int2, "
     "attndims int4, attcacheoff int4, atttypmod int4, attbyval bool, attalign char, attstorage char, "
     "attcompression char, attnotnull bool, atthasdef bool, atthasmissing bool, attidentity char, "
     "attgenerated char, attisdropped bool, attislocal bool, attinhcount int4, attcollation oid",
     eng__fill_attribute},
    {PGC, "pg_attrdef", 2604, 'r', "oid oid, adrelid oid, adnum int2, adbin text", eng__fill_attrdef},
    {PGC, "pg_type", 1247, 'r',
     "oid oid, typname name, typnamespace oid, typowner oid, typlen int2, typbyval bool, typtype char, "
     "typcategory char, typispreferred bool, typisdefined bool, typdelim char, typrelid oid, "
     "typelem oid, typarray oid, typalign char, typstorage char, typnotnull bool, typbasetype oid, "
     "typtypmod int4, typndims int4, typcollation oid, typdefault text",
     eng__fill_type},
    {PGC, "pg_proc", 1255, 'r',
     "oid oid, proname name, pronamespace oid, proowner oid, prolang oid, procost float4, "
     "prorows float4, provariadic oid, prokind char, prosecdef bool, proleakproof bool, "
     "proisstrict bool, proretset bool, provolatile char, proparallel char, pronargs int2, "
     "pronargdefaults int2, prorettype oid, proargtypes text, prosrc text, probin text",
     eng__fill_proc},
    {PGC, "pg_index", 2610, 'r',
     "indexrelid oid, indrelid oid, indnatts int2, indnkeyatts int2, indisunique bool, "
     "indnullsnotdistinct bool, indisprimary bool, indisexclusion bool, indimmediate bool, "
     "indisclustered bool, indisvalid bool, indcheckxmin bool, indisready bool, indislive bool, "
     "indisreplident bool, indkey text, indexprs text, indpred text",
     eng__fill_index},
    {PGC, "pg_constraint", 2606, 'r',
     "oid oid, conname name, connamespace oid, contype char, condeferrable bool, condeferred bool, "
     "convalidated bool, conrelid oid, contypid oid, conindid oid, conparentid oid, confrelid oid, "
     "confupdtype char, confdeltype char, confmatchtype char, conislocal bool, coninhcount int4, "
     "connoinherit bool, conkey int2[], confkey int2[], conbin text",
     eng__fill_constraint},
    {PGC, "pg_database", 1262, 'r',
     "oid oid, datname name, datdba oid, encoding int4, datlocprovider char, datistemplate bool, "
     "datallowconn bool, datconnlimit int4, dattablespace oid, datcollate text, datctype text, "
     "daticulocale text, datcollversion text, datacl text",
     eng__fill_database},
    {PGC, "pg_authid", 1260, 'r',
     "oid oid, rolname name, " ROLE_COLS ", rolbypassrls bool, rolconnlimit int4, rolpassword text, "
     "rolvaliduntil timestamptz",
     eng__fill_authid},
    {PGC, "pg_roles", 12001, 'v',
     "rolname name, " ROLE_COLS ", rolconnlimit int4, rolpassword text, rolvaliduntil timestamptz, "
     "rolbypassrls bool, rolconfig text, oid oid",
     eng__fill_roles},
    {PGC, "pg_user", 12002, 'v',
     "usename name, usesysid oid, usecreatedb bool, usesuper bool, userepl bool, usebypassrls bool, "
     "passwd text, valuntil timestamptz, useconfig text",
     eng__fill_user},
    {PGC, "pg_auth_members", 1261, 'r', "oid oid, roleid oid, member oid, grantor oid, admin_option bool",
     eng__fill_empty},
    {PGC, "pg_extension", 3079, 'r',
     "oid oid, extname name, extowner oid, extnamespace oid, extrelocatable bool, extversion text, "
     "extconfig text, extcondition text",
     eng__fill_extension},
    {PGC, "pg_available_extensions", 12003, 'v',
     "name name, default_version text, installed_version text, comment text",
     eng__fill_available_extensions},
    {PGC, "pg_description", 2609, 'r', "objoid oid, classoid oid, objsubid int4, description text",
     eng__fill_description},
    {PGC, "pg_am", 2601, 'r', "oid oid, amname name, amhandler text, amtype char", eng__fill_am},
    {PGC, "pg_collation", 3456, 'r',
     "oid oid, collname name, collnamespace oid, collowner oid, collprovider char, "
     "collisdeterministic bool, collencoding int4, collcollate text, collctype text, "
     "colliculocale text, collversion text",
     eng__fill_collation},
    {PGC, "pg_inherits", 2611, 'r', "inhrelid oid, inhparent oid, inhseqno int4, inhdetachpending bool",
     eng__fill_empty},
    {PGC, "pg_sequence", 2224, 'r',
     "seqrelid oid, seqtypid oid, seqstart int8, seqincrement int8, seqmax int8, seqmin int8, "
     "seqcache int8, seqcycle bool",
     eng__fill_sequence},
    {PGC, "pg_sequences", 12016, 'v',
     "schemaname name, sequencename name, sequenceowner name, data_type regtype, start_value int8, "
     "min_value int8, max_value int8, increment_by int8, cycle bool, cache_size int8, last_value int8",
     eng__fill_sequences},
    {PGC, "pg_settings", 12004, 'v',
     "name text, setting text, unit text, category text, short_desc text, extra_desc text, "
     "context text, vartype text, source text, min_val text, max_val text, enumvals text, "
     "boot_val text, reset_val text, sourcefile text, sourceline int4, pending_restart bool",
     eng__fill_settings},
    {PGC, "pg_tables", 12005, 'v',
     "schemaname name, tablename name, tableowner name, tablespace name, hasindexes bool, "
     "hasrules bool, hastriggers bool, rowsecurity bool",
     eng__fill_tables},
    {PGC, "pg_indexes", 12006, 'v',
     "schemaname name, tablename name, indexname name, tablespace name, indexdef text", eng__fill_indexes},
    {PGC, "pg_views", 12007, 'v', "schemaname name, viewname name, viewowner name, definition text",
     eng__fill_views},
    {PGC, "pg_matviews", 12008, 'v',
     "schemaname name, matviewname name, matviewowner name, tablespace name, hasindexes bool, "
     "ispopulated bool, definition text",
     eng__fill_empty},
    {PGC, "pg_stat_activity", 12009, 'v',
     "datid oid, datname name, pid int4, leader_pid int4, usesysid oid, usename name, "
     "application_name text, client_addr text, client_hostname text, client_port int4, "
     "backend_start timestamptz, xact_start timestamptz, query_start timestamptz, "
     "state_change timestamptz, wait_event_type text, wait_event text, state text, backend_xid text, "
     "backend_xmin text, query_id int8, query text, backend_type text",
     eng__fill_stat_activity},
    {PGC, "pg_stat_user_tables", 12010, 'v', STAT_TABLE_COLS, eng__fill_stat_user_tables},
    {PGC, "pg_stat_all_tables", 12011, 'v', STAT_TABLE_COLS, eng__fill_stat_user_tables},
    {PGC, "pg_stat_user_indexes", 12012, 'v',
     "relid oid, indexrelid oid, schemaname name, relname name, indexrelname name, idx_scan int8, "
     "idx_tup_read int8, idx_tup_fetch int8",
     eng__fill_stat_user_indexes},
    {PGC, "pg_statio_user_tables", 12013, 'v',
     "relid oid, schemaname name, relname name, heap_blks_read int8, heap_blks_hit int8, "
     "idx_blks_read int8, idx_blks_hit int8, toast_blks_read int8, toast_blks_hit int8, "
     "tidx_blks_read int8, tidx_blks_hit int8",
     eng__fill_statio_user_tables},
    {PGC, "pg_stat_database", 12014, 'v',
     "datid oid, datname name, numbackends int4, xact_commit int8, xact_rollback int8, blks_read int8, "
     "blks_hit int8, tup_returned int8, tup_fetched int8, tup_inserted int8, tup_updated int8, "
     "tup_deleted int8, conflicts int8, temp_files int8, temp_bytes int8, deadlocks int8, "
     "stats_reset timestamptz",
     eng__fill_stat_database},
    {PGC, "pg_stat_progress_create_index", 12040, 'v',
     "pid int4, datid oid, datname name, relid oid, index_relid oid, command text, phase text, "
     "lockers_total int8, lockers_done int8, current_locker_pid int8, blocks_total int8, blocks_done int8, "
     "tuples_total int8, tuples_done int8, partitions_total int8, partitions_done int8",
     eng__fill_progress_create_index},
    {PGC, "hcdb_stat_wal", 12500, 'v',
     "records int8, bytes int8, fsyncs int8, group_commit_batches int8, commits int8, checkpoints int8, "
     "last_checkpoint_age_seconds float8, insert_lsn int8, flushed_lsn int8, redo_lsn int8",
     eng__fill_stat_wal},
    {PGC, "pg_stat_replication", 12015, 'v',
     "pid int4, usesysid oid, usename name, application_name text, client_addr text, "
     "client_hostname text, client_port int4, backend_start timestamptz, state text, sent_lsn text, "
     "write_lsn text, flush_lsn text, replay_lsn text, sync_priority int4, sync_state text, "
     "reply_time timestamptz",
     eng__fill_empty},
    {PGC, "pg_policy", 3256, 'r',
     "oid oid, polname name, polrelid oid, polcmd char, polpermissive bool, polroles oid[], polqual text, "
     "polwithcheck text",
     eng__fill_empty},
    {PGC, "pg_statistic_ext", 3381, 'r',
     "oid oid, stxrelid oid, stxname name, stxnamespace oid, stxowner oid, stxstattarget int4, stxkeys int2[], "
     "stxkind char[], stxexprs text",
     eng__fill_empty},
    {PGC, "pg_partitioned_table", 3350, 'r',
     "partrelid oid, partstrat char, partnatts int2, partdefid oid, partattrs int2[]", eng__fill_empty},
    {PGC, "pg_publication", 6104, 'r',
     "oid oid, pubname name, pubowner oid, puballtables bool, pubinsert bool, pubupdate bool, pubdelete bool, "
     "pubtruncate bool, pubviaroot bool",
     eng__fill_empty},
    {PGC, "pg_publication_namespace", 6237, 'r', "oid oid, pnpubid oid, pnnspid oid", eng__fill_empty},
    {PGC, "pg_publication_rel", 6106, 'r', "oid oid, prpubid oid, prrelid oid, prqual text, prattrs int2[]",
     eng__fill_empty},
    {PGC, "pg_trigger", 2620, 'r', "oid oid, tgrelid oid, tgname name, tgenabled char, tgisinternal bool",
     eng__fill_empty},
    {PGC, "pg_rewrite", 2618, 'r', "oid oid, rulename name, ev_class oid, ev_type char", eng__fill_empty},
    {ISC, "tables", 13100, 'v',
     "table_catalog name, table_schema name, table_name name, table_type varchar, "
     "self_referencing_column_name name, reference_generation varchar, user_defined_type_catalog name, "
     "user_defined_type_schema name, user_defined_type_name name, is_insertable_into varchar, "
     "is_typed varchar, commit_action varchar",
     eng__fill_is_tables},
    {ISC, "columns", 13101, 'v',
     "table_catalog name, table_schema name, table_name name, column_name name, ordinal_position int4, "
     "column_default varchar, is_nullable varchar, data_type varchar, character_maximum_length int4, "
     "character_octet_length int4, numeric_precision int4, numeric_precision_radix int4, "
     "numeric_scale int4, datetime_precision int4, udt_catalog name, udt_schema name, udt_name name, "
     "is_identity varchar, is_generated varchar, is_updatable varchar",
     eng__fill_is_columns},
    {ISC, "schemata", 13102, 'v',
     "catalog_name name, schema_name name, schema_owner name, default_character_set_catalog name, "
     "default_character_set_schema name, default_character_set_name name, sql_path varchar",
     eng__fill_is_schemata},
    {ISC, "table_constraints", 13103, 'v',
     "constraint_catalog name, constraint_schema name, constraint_name name, table_catalog name, "
     "table_schema name, table_name name, constraint_type varchar, is_deferrable varchar, "
     "initially_deferred varchar, enforced varchar, nulls_distinct varchar",
     eng__fill_is_table_constraints},
    {ISC, "key_column_usage", 13104, 'v',
     "constraint_catalog name, constraint_schema name, constraint_name name, table_catalog name, "
     "table_schema name, table_name name, column_name name, ordinal_position int4, "
     "position_in_unique_constraint int4",
     eng__fill_is_key_column_usage},
};

#define NDEFS (sizeof(defs) / sizeof(defs[0]))

static eng_table tables[NDEFS];
static struct eng_vrel vrels[NDEFS];
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* Parse "name type, name type" into t's columns (static storage: never freed). */
static void parse_cols(eng_table *t, const char *spec)
{
    int n = 1;
    for (const char *p = spec; *p; p++)
        n += *p == ',';
    t->cols = mem_calloc((size_t)n, sizeof(eng_column));
    if (!t->cols)
        return;
    char name[64], type[32];
    const char *p = spec;
    int consumed = 0;
    while (t->ncols < n && sscanf(p, " %63[^ ] %31[^, ]%n", name, type, &consumed) == 2) {
        size_t tl = strlen(type);
        bool array = tl > 2 && strcmp(type + tl - 2, "[]") == 0;
        if (array)
            type[tl - 2] = '\0';
        const eng_type *ty = eng_type_by_name(type);
        eng_column *c = &t->cols[t->ncols++];
        c->name = mem_strdup(name);
        c->type = ty ? (array ? eng_array_of(ty->oid) : ty->oid) : OID_TEXT;
        c->typmod = -1;
        p += consumed;
        if (*p == ',')
            p++;
    }
}

static void build(void)
{
    for (size_t i = 0; i < NDEFS; i++) {
        vrels[i] = (struct eng_vrel){defs[i].schema, defs[i].relkind, defs[i].fill};
        tables[i].name = (char *)defs[i].name;
        tables[i].relid = defs[i].oid;
        tables[i].vrel = &vrels[i];
        parse_cols(&tables[i], defs[i].cols);
    }
}

eng_table *eng_syscat_at(int i)
{
    pthread_once(&once, build);
    return i >= 0 && (size_t)i < NDEFS ? &tables[i] : NULL;
}

eng_table *eng_syscat_by_oid(uint32_t oid)
{
    pthread_once(&once, build);
    for (size_t i = 0; i < NDEFS; i++)
        if (tables[i].relid == oid)
            return &tables[i];
    return NULL;
}

const char *eng_syscat_schema(const eng_table *t)
{
    return t->vrel ? t->vrel->schema : "public";
}

static eng_table *find_in(const char *schema, const char *name)
{
    pthread_once(&once, build);
    for (size_t i = 0; i < NDEFS; i++)
        if (strcmp(defs[i].schema, schema) == 0 && strcmp(defs[i].name, name) == 0)
            return &tables[i];
    return NULL;
}

eng_table *eng_rel_find(eng_catalog *cat, const char *relname)
{
    static const char *const schemas[] = {PGC, ISC};
    for (size_t i = 0; i < 2; i++) {
        size_t n = strlen(schemas[i]);
        if (strncmp(relname, schemas[i], n) == 0 && relname[n] == '.')
            return find_in(schemas[i], relname + n + 1);
    }
    eng_table *t = find_in(PGC, relname);
    if (!t && cat)
        t = eng_catalog_find(cat, relname);
    return t;
}

/* ---- the row builder ---------------------------------------------------- */

void eng__vrow(eng_vrows *r)
{
    if (r->failed)
        return;
    if (r->n == r->cap) {
        size_t nc = r->cap ? r->cap * 2 : 32;
        eng_val **v = arena_alloc(r->a, nc * sizeof(*v));
        if (!v) {
            r->failed = true;
            return;
        }
        if (r->n)
            memcpy(v, r->rows, r->n * sizeof(*v));
        r->rows = v;
        r->cap = nc;
    }
    eng_val *row = arena_calloc(r->a, (size_t)r->t->ncols + 1, sizeof(eng_val));
    if (!row) {
        r->failed = true;
        return;
    }
    for (int i = 0; i < r->t->ncols; i++)
        row[i].null = true;
    r->rows[r->n++] = row;
    r->col = 0;
}

/* The next cell of the current row, or NULL past the last column. */
static eng_val *cell(eng_vrows *r)
{
    if (r->failed || r->n == 0 || r->col >= r->t->ncols)
        return NULL;
    eng_val *v = &r->rows[r->n - 1][r->col++];
    v->null = false;
    return v;
}

void eng__vtext(eng_vrows *r, const char *s)
{
    eng_val *v = cell(r);
    if (!v)
        return;
    if (!s) {
        v->null = true;
        return;
    }
    size_t n = strlen(s);
    char *p = arena_strndup(r->a, s, n);
    if (!p)
        r->failed = true;
    v->s.p = p;
    v->s.n = n;
}

void eng__vint(eng_vrows *r, int64_t x)
{
    eng_val *v = cell(r);
    if (v)
        v->i = x;
}

void eng__vbool(eng_vrows *r, bool x)
{
    eng__vint(r, x);
}

void eng__vfloat(eng_vrows *r, double x)
{
    eng_val *v = cell(r);
    if (v)
        v->f = x;
}

void eng__vchar(eng_vrows *r, char ch)
{
    char s[2] = {ch, 0};
    eng__vtext(r, s);
}

void eng__vdefault(eng_vrows *r, const char *def)
{
    if (!def) {
        eng__vnull(r);
        return;
    }
    while (isspace((unsigned char)*def))
        def++;
    size_t n = strlen(def);
    while (n && isspace((unsigned char)def[n - 1]))
        n--;
    char *s = arena_strndup(r->a, def, n);
    if (!s)
        r->failed = true;
    eng__vtext(r, s);
}

void eng__vnull(eng_vrows *r)
{
    eng_val *v = cell(r);
    if (v)
        v->null = true;
}

int eng_syscat_rows(eng_ctx *c, const eng_table *t, arena *a, eng_val ***rows, size_t *nrows)
{
    eng_vrows r = {.c = c, .a = a, .t = t};
    if (t->vrel->fill(&r))
        return -1;
    if (r.failed)
        return eng__oom(c);
    *rows = r.rows;
    *nrows = r.n;
    return 0;
}
