/* int: integer and boolean helpers shared by the other type modules. */
#ifndef HCDB_ENGINE_TYPES_INT_H
#define HCDB_ENGINE_TYPES_INT_H

#include "engine/types/types.h"

extern const eng_type eng__type_bool, eng__type_int2, eng__type_int4, eng__type_int8, eng__type_oid;

bool eng__int_fits(int64_t v, uint32_t oid);
/* "smallint/integer/bigint out of range" (22003). */
int eng__int_range_err(eng_ctx *c, uint32_t oid);
int eng__int_parse(eng_ctx *c, const char *s, size_t n, uint32_t oid, int64_t *out);
bool eng__bool_parse(const char *s, size_t n, bool *out);

#endif
