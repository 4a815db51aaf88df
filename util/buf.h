/*
 * buf: a growable byte buffer with a sticky `failed` bit (PgBouncer's PktBuf).
 *
 * Appenders never report errors one by one: when growth fails or would pass
 * `limit` (0 = none), `failed` is set and later appends do nothing. Callers
 * check once, after building a whole message. Big-endian integer helpers are
 * for wire formats. Not thread-safe; a buf belongs to one owner.
 */
#ifndef HCDB_UTIL_BUF_H
#define HCDB_UTIL_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct buf {
    uint8_t *data;
    size_t len;   /* bytes in use */
    size_t cap;   /* bytes allocated */
    size_t limit; /* largest len allowed; 0 = unlimited */
    bool failed;  /* an append failed; contents are incomplete */
} buf;

void buf_init(buf *b);
void buf_free(buf *b);
/* Empty the buffer and clear `failed`; keeps the allocation. */
void buf_reset(buf *b);
/* Make room for `extra` more bytes; false (and failed set) if impossible. */
bool buf_reserve(buf *b, size_t extra);
/* Drop the first n bytes (consumed input). */
void buf_consume(buf *b, size_t n);
/* Release memory beyond `keep` bytes of capacity when the buffer is empty. */
void buf_shrink(buf *b, size_t keep);

void buf_append(buf *b, const void *data, size_t n);
void buf_put_u8(buf *b, uint8_t v);
void buf_put_u16be(buf *b, uint16_t v);
void buf_put_u32be(buf *b, uint32_t v);
void buf_put_u64be(buf *b, uint64_t v);
/* Appends the string and its terminating NUL. */
void buf_put_cstr(buf *b, const char *s);
/* Appends the string without a NUL. */
void buf_put_str(buf *b, const char *s);
void buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Overwrite 4 bytes at `pos` (length back-patching). */
void buf_set_u32be(buf *b, size_t pos, uint32_t v);

static inline uint16_t buf_get_u16be(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint32_t buf_get_u32be(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static inline uint64_t buf_get_u64be(const uint8_t *p)
{
    return ((uint64_t)buf_get_u32be(p) << 32) | buf_get_u32be(p + 4);
}

#endif
