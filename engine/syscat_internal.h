/* syscat_internal: shared by syscat*.c and the catalog functions. */
#ifndef HCDB_ENGINE_SYSCAT_INTERNAL_H
#define HCDB_ENGINE_SYSCAT_INTERNAL_H

#include "engine/syscat.h"
#include "engine/func/registry.h"

/* Rows under construction: fill functions start a row with eng__vrow and
 * then give one value per column, left to right; a missing tail is NULL. */
typedef struct eng_vrows {
    eng_ctx *c;
    arena *a;
    const eng_table *t;
    eng_val **rows;
    size_t n, cap;
    int col;                 /* next column of the current row */
    bool failed;             /* out of memory (checked once at the end) */
} eng_vrows;

typedef int (*eng_vfill)(eng_vrows *r);

struct eng_vrel {
    const char *schema;      /* "pg_catalog" or "information_schema" */
    char relkind;            /* 'r' catalog table, 'v' view */
    eng_vfill fill;
};

void eng__vrow(eng_vrows *r);
void eng__vtext(eng_vrows *r, const char *s); /* NULL gives NULL */
void eng__vint(eng_vrows *r, int64_t v);      /* also oid, bool, timestamps */
void eng__vbool(eng_vrows *r, bool v);
void eng__vfloat(eng_vrows *r, double v);
void eng__vchar(eng_vrows *r, char ch);       /* "char"; '\0' gives the empty string */
void eng__vnull(eng_vrows *r);
/* A column DEFAULT's text without the blanks around it (it is kept as written). */
void eng__vdefault(eng_vrows *r, const char *def);

/* The fill functions, by relation (syscat_pg.c, syscat_views.c). */
int eng__fill_namespace(eng_vrows *r);
int eng__fill_class(eng_vrows *r);
int eng__fill_attribute(eng_vrows *r);
int eng__fill_attrdef(eng_vrows *r);
int eng__fill_type(eng_vrows *r);
int eng__fill_proc(eng_vrows *r);
int eng__fill_index(eng_vrows *r);
int eng__fill_constraint(eng_vrows *r);
int eng__fill_database(eng_vrows *r);
int eng__fill_authid(eng_vrows *r);
int eng__fill_roles(eng_vrows *r);
int eng__fill_user(eng_vrows *r);
int eng__fill_extension(eng_vrows *r);
int eng__fill_available_extensions(eng_vrows *r);
int eng__fill_description(eng_vrows *r);
int eng__fill_am(eng_vrows *r);
int eng__fill_collation(eng_vrows *r);
int eng__fill_empty(eng_vrows *r);
int eng__fill_settings(eng_vrows *r);
int eng__fill_tables(eng_vrows *r);
int eng__fill_sequence(eng_vrows *r);
int eng__fill_sequences(eng_vrows *r);
int eng__fill_indexes(eng_vrows *r);
int eng__fill_views(eng_vrows *r);
int eng__fill_stat_activity(eng_vrows *r);
int eng__fill_stat_user_tables(eng_vrows *r);
int eng__fill_stat_user_indexes(eng_vrows *r);
int eng__fill_statio_user_tables(eng_vrows *r);
int eng__fill_stat_database(eng_vrows *r);
int eng__fill_stat_wal(eng_vrows *r);
int eng__fill_is_tables(eng_vrows *r);
int eng__fill_is_columns(eng_vrows *r);
int eng__fill_is_schemata(eng_vrows *r);
int eng__fill_is_table_constraints(eng_vrows *r);
int eng__fill_is_key_column_usage(eng_vrows *r);

/* ---- lookups shared with the catalog functions ------------------------ */

/* The bootstrap superuser's OID, and pg_database_owner's (owner of public). */
#define ENG_BOOTSTRAP_ROLE_OID 10u
#define ENG_DATABASE_OWNER_OID 6171u
/* Built-in functions get OIDs from here on, in registry order. */
#define ENG_PROC_OID_BASE 100000u

/* Name of a namespace OID, or NULL. */
const char *eng__nsp_name(uint32_t oid);
/* OID of a namespace name, or 0. */
uint32_t eng__nsp_oid(const char *name);
/* A live relation (table, index or virtual) by OID; *ix is set for an index. */
const eng_table *eng__rel_by_oid(eng_catalog *cat, uint32_t oid, const eng_index **ix);
/* Namespace of a relation. */
uint32_t eng__rel_nsp(const eng_table *t);
/* A user table's schema name, "public" or a temporary table's "pg_temp_<pid>" (in r's arena). */
const char *eng__rel_schema(eng_vrows *r, const eng_table *t);
/* The proc of a function OID, or NULL; and the OID of a proc. */
const eng_proc *eng__proc_by_oid(uint32_t oid);
uint32_t eng__proc_oid(const eng_proc *p);
/* pg_get_indexdef(): "CREATE [UNIQUE] INDEX n ON [public.]t USING btree (a, b)". */
char *eng__indexdef(arena *a, const eng_table *t, const eng_index *ix, bool qualify);
/* Is this unique index the index of a PRIMARY KEY / UNIQUE constraint? */
bool eng__index_is_constraint(const eng_index *ix);
/* OID of a constraint's pg_constraint row (one per constraint index). */
uint32_t eng__constraint_oid(const eng_index *ix);
/* Role name of an OID as pg_get_userbyid() gives it ("unknown (OID=n)"). */
const char *eng__role_name(eng_ctx *c, uint32_t oid);
/* Collation of a type: 100 (default) for text types, 950 (C) for name, else 0. */
uint32_t eng__type_collation(uint32_t type);
/* Bytes a table holds in storage (heap only) and in its indexes. */
int64_t eng__table_bytes(const eng_table *t);
int64_t eng__index_bytes(const eng_table *t, const eng_index *ix);

#endif
