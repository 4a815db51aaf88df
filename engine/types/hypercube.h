/*
 * hypercube: the 4-D point type `hypercube` -- a point of the unit
 * hypercube [0,1]^4, lanes (x, y, z, m) -- with its PostGIS-style accessors
 * and distances. Text form `(x, y, z, m)` as PostgreSQL's cube prints a
 * point; binary form 4 x float8 big-endian (x, y, z, m).
 *
 * In an eng_val a hypercube is s.p/s.n with s.n = 32: four doubles in host
 * order, each finite and in [0, 1]; s.p may be unaligned (a stored row).
 * Distances are full 4-D Euclidean, sqrt(s4d_dist2): the same number the
 * 4-D index orders by, so an index scan and an exact scan agree.
 * Read-only tables; any thread on its own eng_ctx.
 */
#ifndef HCDB_ENGINE_TYPES_HYPERCUBE_H
#define HCDB_ENGINE_TYPES_HYPERCUBE_H

#include "engine/types/types.h"

#define HCUBE_LEN 32 /* four float8 lanes */

extern const eng_type eng__type_hypercube;

/* The lanes of v (any alignment) into p[4]. */
void eng_hcube_get(const eng_val *v, double p[4]);
/* A new value in c->mem from p[4]; 22003 when a lane is outside [0, 1] or not finite. */
int eng_hcube_make(eng_ctx *c, const double p[4], eng_val *out) __attribute__((warn_unused_result));

#endif
