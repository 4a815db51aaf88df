/*
 * keyidx: an in-memory hash multimap from index-key bytes to row ids, the
 * access path for `pk = value` lookups and for uniqueness checks. Entries
 * are never removed one by one (MVCC: an old version may still be visible
 * to someone); readers treat every hit as a candidate to verify. Thread-
 * safe (a reader-writer lock inside). Keys are hashed with XXH3.
 */
#ifndef HCDB_ENGINE_INDEX_KEYIDX_H
#define HCDB_ENGINE_INDEX_KEYIDX_H

#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"

typedef struct eng_keyidx eng_keyidx;

eng_keyidx *eng_keyidx_new(void);
void eng_keyidx_free(eng_keyidx *ix);
/* 0, or -1 when out of memory. */
int eng_keyidx_insert(eng_keyidx *ix, const void *key, size_t len, uint64_t rowid);
/* Row ids stored under key, into an array in `a`; returns the count or -1 (OOM). */
long eng_keyidx_lookup(eng_keyidx *ix, const void *key, size_t len, arena *a, uint64_t **out);
size_t eng_keyidx_count(eng_keyidx *ix);
/* Bytes the index holds (slot array and key chunks): pg_relation_size(). */
size_t eng_keyidx_bytes(eng_keyidx *ix);

#endif
