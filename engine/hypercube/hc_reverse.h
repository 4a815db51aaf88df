/*
 * hc_reverse: codepoint from coordinates -- the nearest atom.
 *
 * hc_codepoint_from_coords(x, y, z, m) returns the codepoint whose atom
 * (hc_map_codepoint) is nearest by 4-D Euclidean distance in the unit-cube
 * space [0,1]^4 that hc_map_codepoint returns; ties go to the smaller
 * codepoint. Any finite input is accepted (points off the sphere have a
 * nearest atom too); NaN/inf -> HC_ERR_INVALID_ARGUMENT. It round-trips
 * exactly: hc_codepoint_from_coords(hc_map_codepoint(cp)) == cp for every
 * non-surrogate cp. hc_codepoint_from_raw does the same for the reference's
 * raw uint32 lanes, after dequantising them to [0,1] (u / (2^32-1)); those
 * round-trip too, since quantisation moves a point ~3e-8 and atoms are
 * ~1e-2 apart.
 *
 * The first call builds a spatial4d index over all 1,112,064 atoms (about a
 * second, ~55 MB), under a mutex; later calls only read it and may run
 * concurrently. Each thread keeps its own search scratch, freed when the
 * thread exits.
 */
#ifndef HCDB_ENGINE_HYPERCUBE_HC_REVERSE_H
#define HCDB_ENGINE_HYPERCUBE_HC_REVERSE_H

#include <stddef.h>
#include <stdint.h>

#include "engine/hypercube/hc_error.h"
#include "engine/hypercube/hc_map.h"

/* Builds the atom index now instead of at first use. */
hc_status hc_reverse_init(void) __attribute__((warn_unused_result));

hc_status hc_codepoint_from_coords(double x, double y, double z, double m, int32_t *cp)
    __attribute__((warn_unused_result));
hc_status hc_codepoint_from_raw(const uint32_t lanes[4], int32_t *cp) __attribute__((warn_unused_result));
/* Batch form; stops at the first bad point (index in *bad_index if not NULL). */
hc_status hc_codepoints_from_points(const hc_point *pts, size_t n, int32_t *cps, size_t *bad_index)
    __attribute__((warn_unused_result));

#endif
