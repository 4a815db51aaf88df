/*
 * roles: login roles and their password verifiers, kept in the data
 * directory (DIR/global/roles, one `name superuser login verifier` line per
 * role, written to a temp file, fsynced, renamed). The bootstrap superuser
 * "postgres" is created on the first start, with the password from
 * HCDB_PASSWORD stored only as a SCRAM verifier. Thread-safe.
 */
#ifndef HCDB_SERVER_ROLES_H
#define HCDB_SERVER_ROLES_H

#include <stdbool.h>
#include <stddef.h>

#include "server/auth_scram.h"
#include "sql-compat/sql.h"

#define SRV_BOOTSTRAP_ROLE "postgres"
#define SRV_ROLE_NAME_MAX 64 /* PostgreSQL's NAMEDATALEN */

typedef struct srv_roles srv_roles;

typedef struct srv_role {
    bool superuser;
    bool can_login;
    char verifier[SRV_SCRAM_VERIFIER_MAX]; /* "" = no password set */
} srv_role;

/* Load the roles (creating the bootstrap role on a new data directory).
 * `bootstrap_password` (may be NULL) sets the bootstrap role's password if
 * it has none yet. NULL with a reason in errbuf. */
srv_roles *srv_roles_open(const char *data_dir, const char *bootstrap_password, char *errbuf, size_t errlen);
void srv_roles_free(srv_roles *r);
/* Copy role `name` into *out; false if there is no such role. */
bool srv_roles_lookup(srv_roles *r, const char *name, srv_role *out);
/* The role store as the SQL layer uses it (sql_role_ops; ctx is the
 * srv_roles). each calls fn under the roles' lock: fn must not call back.
 * Changes are written to the role file at once (not transactional). */
void srv_roles_each(void *ctx, void (*fn)(void *arg, const char *name, bool superuser, bool login), void *arg);
int srv_roles_create(void *ctx, const char *name, const sql_role_attrs *a, pgw_error *err);
int srv_roles_alter(void *ctx, const char *name, const sql_role_attrs *a, pgw_error *err);
int srv_roles_drop(void *ctx, const char *name, pgw_error *err);

#endif
