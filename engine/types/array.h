/*
 * array: one-dimensional arrays of the built-in scalar types (int4[],
 * text[], float4[], ...), with PostgreSQL's OIDs, text form ({1,2,"a b",NULL})
 * and binary form. A value is held as its canonical text form, so equality
 * is byte equality and storage is that of text; element access parses it.
 * Multidimensional arrays are refused (0A000).
 */
#ifndef HCDB_ENGINE_TYPES_ARRAY_H
#define HCDB_ENGINE_TYPES_ARRAY_H

#include "engine/types/types.h"

/* The array type of elem (0: none), and the element type of an array type (0: not one). */
uint32_t eng_array_of(uint32_t elem);
uint32_t eng_array_elem(uint32_t array);
const eng_type *eng__array_type(uint32_t oid);

/* An array's elements, each the element type's value. */
typedef struct eng_array {
    int n;
    eng_val *v;
} eng_array;

int eng_array_unpack(eng_ctx *c, uint32_t array_type, const eng_val *in, eng_array *out)
    __attribute__((warn_unused_result));
int eng_array_pack(eng_ctx *c, uint32_t array_type, const eng_val *elems, int n, eng_val *out)
    __attribute__((warn_unused_result));
/* The element texts of an array value (dequoted: each element's output form). */
typedef struct eng_array_tokens {
    int n, cap;
    char **text;
    size_t *len;
    bool *isnull;
} eng_array_tokens;
int eng__array_tokens(eng_ctx *c, const eng_val *v, eng_array_tokens *out) __attribute__((warn_unused_result));

/* One element as it appears inside the text form (quoted when needed, NULL). */
char *eng_array_elem_text(eng_ctx *c, uint32_t elem, const eng_val *v, size_t *len);

#endif
