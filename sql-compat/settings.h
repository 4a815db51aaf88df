/*
 * settings: the session's GUCs — SET/SHOW/RESET, set_config() and
 * current_setting(), ParameterStatus reports — with PostgreSQL's names,
 * value normalisation, error texts and transactional behaviour (a SET in a
 * transaction block is undone by ROLLBACK; SET LOCAL ends with the block).
 * One per session, used only on the session's thread.
 */
#ifndef HCDB_SQL_COMPAT_SETTINGS_H
#define HCDB_SQL_COMPAT_SETTINGS_H

#include <stdbool.h>

#include "engine/setting.h"
#include "protocol/pgw_error.h"

typedef struct sqlc_settings sqlc_settings;

typedef enum { SQLC_SET_SESSION, SQLC_SET_LOCAL, SQLC_SET_STARTUP } sqlc_set_scope;

sqlc_settings *sqlc_settings_new(const char *user, bool is_superuser);
void sqlc_settings_free(sqlc_settings *s);

/* Shown value; NULL and 42704 when unknown (NULL, no error, if missing_ok). */
const char *sqlc_settings_get(sqlc_settings *s, const char *name, bool missing_ok, pgw_error *err);
/* PostgreSQL's spelling of a known name ("DateStyle"), else name itself. */
const char *sqlc_settings_canonical(const char *name);
/* Set (value NULL = default). Returns 0 or -1 with err. */
int sqlc_settings_set(sqlc_settings *s, const char *name, const char *value, sqlc_set_scope scope, bool in_block,
                      pgw_error *err) __attribute__((warn_unused_result));
void sqlc_settings_reset_all(sqlc_settings *s, bool in_block);
/* End of a transaction (explicit block or single statement). */
void sqlc_settings_txn_end(sqlc_settings *s, bool commit);

void sqlc_settings_reports(sqlc_settings *s, bool all, void (*fn)(void *ctx, const char *name, const char *value),
                           void *ctx);
/* SHOW ALL rows, sorted by name. */
void sqlc_settings_each(sqlc_settings *s, void (*fn)(void *ctx, const char *name, const char *value,
                                                     const char *description), void *ctx);

/* A read-only setting the server's configuration decides (max_connections,
 * fsync): shown as value from now on. Unknown names are ignored. */
void sqlc_settings_server_value(sqlc_settings *s, const char *name, const char *value);
/* pg_settings rows, sorted by name (those SHOW ALL shows). */
void sqlc_settings_rows(sqlc_settings *s, eng_setting_cb fn, void *ctx);

int sqlc_settings_statement_timeout_ms(sqlc_settings *s);
int sqlc_settings_extra_float_digits(sqlc_settings *s);
int sqlc_settings_tz_offset(sqlc_settings *s);

#endif
