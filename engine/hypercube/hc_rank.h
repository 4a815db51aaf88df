/*
 * hc_rank: the semantic order of all 1,114,112 codepoints (internal).
 *
 * Each codepoint gets a 64-bit key (hypercube-semantics.md §4.1 step 1:
 * category | script | base similarity | variant | low 20 bits of the
 * codepoint); sorting (key, codepoint) pairs gives the dense rank that places
 * the codepoint on the spiral. The table is built once, on first use, under a
 * mutex (a failed build is retried by the next caller). After that, lookups
 * are lock-free reads of an immutable table: any thread.
 */
#ifndef HCDB_ENGINE_HYPERCUBE_HC_RANK_H
#define HCDB_ENGINE_HYPERCUBE_HC_RANK_H

#include <stdint.h>

#include "engine/hypercube/hc_error.h"

/* Number of ranked codepoints, surrogates included: 0 .. 0x10FFFF. */
#define HC_RANK_COUNT 1114112u

uint64_t hc__semantic_key(uint32_t cp);

/* The rank table (rank_of[cp]); builds it on first call. NULL only on HC_ERR_NOMEM. */
hc_status hc__rank_table(const uint32_t **rank_of) __attribute__((warn_unused_result));

#endif
