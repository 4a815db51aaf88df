/* float: float4/float8 helpers shared by other type modules. */
#ifndef HCDB_ENGINE_TYPES_FLOAT_H
#define HCDB_ENGINE_TYPES_FLOAT_H

#include "engine/types/types.h"

extern const eng_type eng__type_float4, eng__type_float8;

/* float8out/float4out text for v under extra_float_digits. */
char *eng__float_to_text(arena *a, double v, bool f4, int extra_float_digits);
/* float8in/float4in: 0, or -1 with err (22P02 or 22003). */
int eng__float_parse(eng_ctx *c, const char *s, size_t n, bool f4, double *out);
int eng__float_overflow(eng_ctx *c);
/* The shortest round-trip text of a finite v (PostgreSQL's f2s/d2s layout)
 * into out, which holds at least 32 bytes. */
void eng__float_shortest(double v, bool f4, char *out);

#endif
