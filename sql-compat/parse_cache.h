/*
 * parse_cache: a session's most recently parsed statement texts, keyed by
 * the exact text. Clients repeat the same text over and over (pgbench,
 * connection pools re-sending an unnamed Parse, ORMs); PostgreSQL's grammar
 * plus the protobuf round trip is most of a short statement's CPU. A parse
 * tree depends on the text alone (names are bound to the catalog at every
 * execution), so a hit is always valid and needs no invalidation.
 * Not thread-safe: one cache per session, used on the session's thread.
 */
#ifndef HCDB_SQL_COMPAT_PARSE_CACHE_H
#define HCDB_SQL_COMPAT_PARSE_CACHE_H

#include "sql-compat/parse.h"

typedef struct sqlc_parse_cache sqlc_parse_cache;

sqlc_parse_cache *sqlc_parse_cache_new(void);
void sqlc_parse_cache_free(sqlc_parse_cache *c);
/* sqlc_parse() through the cache: *out is a new reference (free it with
 * sqlc_parsed_free). Texts that fail to parse are never cached. */
int sqlc_parse_cached(sqlc_parse_cache *c, const char *text, sqlc_parsed **out, pgw_error *err)
    __attribute__((warn_unused_result));

#endif
