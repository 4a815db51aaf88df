/*
 * temp: temporary tables. A session's temporary table is an ordinary
 * catalog table named "pg_temp_<backend pid>.<name>": bare names of that
 * session find it before a permanent table (pg_temp comes first in
 * PostgreSQL's search path), other sessions never find it. The session
 * drops its temporary tables when it ends, and the catalog's owner drops
 * every leftover one at start-up, so a crash leaves none behind.
 * Callers hold the catalog lock (write lock for the drops).
 */
#ifndef HCDB_ENGINE_TEMP_H
#define HCDB_ENGINE_TEMP_H

#include "engine/catalog.h"

/* "pg_temp_<pid>.<name>" in `a`, or NULL when out of memory. */
char *eng_temp_name(arena *a, int32_t pid, const char *name);
/* The name a client wrote for a table or index: the part after a temporary prefix. */
const char *eng_temp_bare(const char *name);
bool eng_table_is_temp(const eng_table *t);
/* The backend pid whose temporary table t is, or -1 for a permanent table. */
int32_t eng_temp_pid(const eng_table *t);
/* The OID of session pid's temporary schema pg_temp_<pid> (pg_namespace, relnamespace). */
#define ENG_NS_TEMP_BASE 0xC0000000u
#define ENG_TEMP_NSP(pid) (ENG_NS_TEMP_BASE + (uint32_t)(pid))
/* The table a bare name means to session `pid`: its temporary table of that
 * name, else the permanent one (NULL when neither exists). */
eng_table *eng_temp_find(eng_catalog *cat, int32_t pid, const char *name);
/* Whether session pid (every session when pid < 0) has a temporary table. */
bool eng_temp_any(eng_catalog *cat, int32_t pid);
/* Drop the temporary tables of session pid (every session's when pid < 0)
 * inside txn. Returns how many were dropped, or -1 with err. */
int eng_temp_drop_all(eng_catalog *cat, st_txn *txn, eng_ddl_log *log, int32_t pid, pgw_error *err)
    __attribute__((warn_unused_result));

#endif
