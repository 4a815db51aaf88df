/*
 * activity: the live sessions of every server in the process, for
 * pg_stat_activity, pg_stat_database.numbackends and pg_cancel_backend /
 * pg_terminate_backend. Each session owns one entry, updated only by its
 * own thread; readers on any thread copy what they need under one mutex,
 * and a session leaves the list (under the mutex) before it is freed.
 */
#ifndef HCDB_SQL_COMPAT_ACTIVITY_H
#define HCDB_SQL_COMPAT_ACTIVITY_H

#include "engine/syscat.h"
#include "sql-compat/sql.h"

/* Longest query text kept (PostgreSQL's track_activity_query_size default). */
#define SQLC_ACT_QUERY_MAX 1024

int sqlc__act_register(sql_session *s, const sql_session_info *info) __attribute__((warn_unused_result));
void sqlc__act_unregister(sql_session *s);
/* A statement text arrived (Query or Parse). */
void sqlc__act_query(sql_session *s, const char *text);
/* A portal starts (running) or stops running. */
void sqlc__act_running(sql_session *s, bool running);
/* Calls fn for every session of the session's server (env->sys). */
void sqlc__act_each(void *session, eng_activity_cb fn, void *arg);
/* Cancel (or terminate) the session with that pid on the caller's server:
 * 1 found, 0 no such session. */
int sqlc__act_signal(void *session, int32_t pid, bool terminate);

#endif
