/* text: string types and bytea; helpers shared with the binder and functions. */
#ifndef HCDB_ENGINE_TYPES_TEXT_H
#define HCDB_ENGINE_TYPES_TEXT_H

#include "engine/types/types.h"

extern const eng_type eng__type_text, eng__type_varchar, eng__type_bpchar, eng__type_name,
    eng__type_char, eng__type_unknown, eng__type_bytea, eng__type_void;

/* Length in bytes of the valid UTF-8 prefix of s[0..n): n when all valid. */
size_t eng_utf8_valid_prefix(const char *s, size_t n);
/* Fill err with 22021 "invalid byte sequence for encoding \"UTF8\": 0x.."
 * describing the bytes at s[0..n) (n = bytes left). */
void eng_utf8_error(pgw_error *err, const char *s, size_t n);
/* Characters in s[0..n) (valid UTF-8). */
size_t eng_utf8_len(const char *s, size_t n);
/* Text value made from a C string in c->mem. */
int eng__text_val(eng_ctx *c, const char *s, size_t n, eng_val *out);

#endif
