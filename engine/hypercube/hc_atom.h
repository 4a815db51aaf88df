/*
 * hc_atom: the full atom record behind SQL hypercube_map_codepoint(int) and
 * hypercube_seed_atoms(): raw lanes, Hilbert key of those lanes (canonical
 * layout, hc_hilbert.h), SHA-256 id of the UTF-8 bytes and category -- the
 * declared intent of the reference's 8-column row (its C code wrote the last
 * two columns to the wrong slots). Surrogates have no UTF-8 and so no id:
 * HC_ERR_SURROGATE. Any thread.
 */
#ifndef HCDB_ENGINE_HYPERCUBE_HC_ATOM_H
#define HCDB_ENGINE_HYPERCUBE_HC_ATOM_H

#include <stdint.h>

#include "engine/hypercube/hc_category.h"
#include "engine/hypercube/hc_error.h"
#include "engine/hypercube/hc_hilbert.h"
#include "engine/hypercube/hc_id.h"

typedef struct hc_atom {
    uint32_t lanes[4];       /* x, y, z, m as the reference stores them */
    hc_hilbert hilbert;      /* key of `lanes` */
    uint8_t id[HC_ID_LEN];   /* SHA-256 of the UTF-8 bytes */
    hc_category category;
} hc_atom;

hc_status hc_atom_record(int64_t cp, hc_atom *out) __attribute__((warn_unused_result));

#endif
