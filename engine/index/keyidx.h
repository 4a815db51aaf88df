/*
 * keyidx: an in-memory hash multimap from index-key bytes to row ids, the
 * access path for `pk = value` lookups and for uniqueness checks. Entries
 * are never removed one by one (MVCC: an old version may still be visible
 * to someone); readers treat every hit as a candidate to verify. Thread-
 * safe (a reader-writer lock inside). Keys are hashed with XXH3.
 *
 * Saved form (little-endian): u64 slots (a power of two), u64 entries,
 * u64 key bytes, then every entry in slot order: u64 hash, u64 row id,
 * u32 key length, the key. Loading puts each entry back by its stored hash
 * into as many slots, so nothing is hashed again.
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

/* Checkpoints: the index as bytes, handed to write in pieces (writers wait
 * meanwhile; readers go on). 0, or -1 when write failed. */
typedef int (*eng_keyidx_write_fn)(void *ctx, const void *p, size_t n);
int eng_keyidx_save(eng_keyidx *ix, eng_keyidx_write_fn write, void *ctx) __attribute__((warn_unused_result));
/* The index eng_keyidx_save wrote as these n bytes, or NULL when they do not
 * parse or memory ran out. */
eng_keyidx *eng_keyidx_load(const uint8_t *p, size_t n);
/* Bytes the index holds (slot array and key chunks): pg_relation_size(). */
size_t eng_keyidx_bytes(eng_keyidx *ix);

#endif
