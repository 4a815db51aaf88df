/*
 * parse_cache: a small fully associative cache with least-recently-used
 * replacement. 32 slots of texts up to 8 KiB bound a session's extra memory
 * to the trees of those texts; a lookup hashes the text once (XXH3) and
 * compares it only on a hash match.
 */
#include "sql-compat/parse_cache.h"

#include <string.h>
#include <xxhash.h>

#include "util/mem.h"

enum { CACHE_SLOTS = 32, CACHE_MAX_TEXT = 8192 };

typedef struct {
    uint64_t hash;
    uint64_t last_use; /* 0 = empty slot */
    sqlc_parsed *parsed;
} cache_slot;

struct sqlc_parse_cache {
    uint64_t clock;
    cache_slot slot[CACHE_SLOTS];
};

sqlc_parse_cache *sqlc_parse_cache_new(void)
{
    return mem_calloc(1, sizeof(sqlc_parse_cache));
}

void sqlc_parse_cache_free(sqlc_parse_cache *c)
{
    if (!c)
        return;
    for (int i = 0; i < CACHE_SLOTS; i++)
        sqlc_parsed_free(c->slot[i].parsed);
    mem_free(c);
}

static cache_slot *lookup(sqlc_parse_cache *c, const char *text, size_t len, uint64_t hash)
{
    for (int i = 0; i < CACHE_SLOTS; i++) {
        cache_slot *sl = &c->slot[i];
        if (sl->last_use && sl->hash == hash && memcmp(sqlc_text(sl->parsed), text, len + 1) == 0)
            return sl;
    }
    return NULL;
}

static cache_slot *victim(sqlc_parse_cache *c)
{
    cache_slot *v = &c->slot[0];
    for (int i = 1; i < CACHE_SLOTS && v->last_use; i++)
        if (c->slot[i].last_use < v->last_use)
            v = &c->slot[i];
    return v;
}

int sqlc_parse_cached(sqlc_parse_cache *c, const char *text, sqlc_parsed **out, pgw_error *err)
{
    size_t len = strlen(text);
    if (!c || len > CACHE_MAX_TEXT)
        return sqlc_parse(text, out, err);
    uint64_t hash = XXH3_64bits(text, len);
    cache_slot *sl = lookup(c, text, len, hash);
    if (!sl) {
        sqlc_parsed *p;
        if (sqlc_parse(text, &p, err))
            return -1;
        sl = victim(c);
        sqlc_parsed_free(sl->parsed);
        sl->parsed = p;
        sl->hash = hash;
    }
    sl->last_use = ++c->clock;
    *out = sqlc_parsed_ref(sl->parsed);
    return 0;
}
