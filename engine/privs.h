/*
 * privs: the privilege checks GRANT / REVOKE set up (the grants live in
 * the catalog, eng_catalog_privs). Superusers pass every check; pg_catalog
 * and information_schema relations are readable by all, as in PostgreSQL.
 * Called by the binder under the catalog's read lock.
 */
#ifndef HCDB_ENGINE_PRIVS_H
#define HCDB_ENGINE_PRIVS_H

#include "engine/catalog.h"

/* 0, or -1 with 42501 "permission denied for table t" when the session's
 * role (or PUBLIC) lacks `priv` (ENG_PRIV_*) on t. */
int eng_priv_check_table(const eng_env *env, const eng_table *t, uint32_t priv, pgw_error *err)
    __attribute__((warn_unused_result));
/* The same for the schema public (ENG_PRIV_USAGE / ENG_PRIV_CREATE):
 * "permission denied for schema public". */
int eng_priv_check_schema(const eng_env *env, uint32_t priv, pgw_error *err) __attribute__((warn_unused_result));

#endif
