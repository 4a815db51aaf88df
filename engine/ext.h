/*
 * ext: the extensions hcdb has built in — what CREATE EXTENSION may name,
 * with each one's version, comment, the functions it owns (shown in
 * pg_proc only once it is created, as in PostgreSQL; they stay callable
 * either way) and optional install / uninstall hooks. Created extensions
 * are catalog objects (eng_catalog_create_extension): transactional and
 * persisted with the tables.
 *
 * Adding an extension, or a hook to one: edit the table in ext.c. A hook
 * runs inside the CREATE / DROP EXTENSION statement, under the catalog's
 * write lock, with the statement's storage transaction: it may create or
 * drop tables and indexes with the eng_catalog_* DDL calls (their undo
 * goes to `log`, so a ROLLBACK undoes the hook's work too). It returns 0,
 * or -1 with err filled (the statement then fails and rolls back).
 * The table is static and read-only: any thread may read it.
 */
#ifndef HCDB_ENGINE_EXT_H
#define HCDB_ENGINE_EXT_H

#include "engine/catalog.h"

typedef struct eng_ext_install {
    eng_catalog *cat;          /* write-locked */
    st_txn *txn;               /* the statement's transaction */
    eng_ddl_log *log;          /* undo of this transaction's DDL */
    const char *schema;        /* WITH SCHEMA, or "public" */
} eng_ext_install;

typedef int (*eng_ext_hook)(const eng_ext_install *in, pgw_error *err);

typedef struct eng_extdef {
    const char *name;
    const char *version;       /* default_version = installed version */
    const char *comment;       /* pg_available_extensions.comment, \dx Description */
    const char *requires;      /* an extension that must exist first (CASCADE creates it), or NULL */
    const char *const *functions; /* NULL-terminated names; "hc_*" is a prefix; NULL = none */
    eng_ext_hook install;      /* NULL = nothing to do */
    eng_ext_hook uninstall;
} eng_extdef;

/* The built-in extension of that name, or NULL. */
const eng_extdef *eng_ext_find(const char *name);
/* The i-th built-in extension (0-based, by name), NULL past the end. */
const eng_extdef *eng_ext_at(int i);
/* Whether a function of that name belongs in pg_proc now: true for core
 * functions, and for an extension's once it is created (in cat; NULL cat =
 * none created). *schema is set to the schema it is shown in. Under a lock. */
bool eng_ext_proc_visible(eng_catalog *cat, const char *proc, const char **schema);

#endif
