/* buf: growable byte buffer with a sticky failure bit (see buf.h). */
#include "util/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/mem.h"

/* First allocation: big enough for a typical reply batch without regrowth. */
#define BUF_INITIAL_CAP 256

void buf_init(buf *b)
{
    memset(b, 0, sizeof(*b));
}

void buf_free(buf *b)
{
    mem_free(b->data);
    buf_init(b);
}

void buf_reset(buf *b)
{
    b->len = 0;
    b->failed = false;
}

bool buf_reserve(buf *b, size_t extra)
{
    if (b->failed)
        return false;
    if (extra > SIZE_MAX / 2 - b->len || (b->limit && b->len + extra > b->limit)) {
        b->failed = true;
        return false;
    }
    size_t need = b->len + extra;
    if (need <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : BUF_INITIAL_CAP;
    while (cap < need)
        cap *= 2;
    uint8_t *p = mem_realloc(b->data, cap);
    if (!p) {
        b->failed = true;
        return false;
    }
    b->data = p;
    b->cap = cap;
    return true;
}

void buf_consume(buf *b, size_t n)
{
    if (n >= b->len) {
        b->len = 0;
        return;
    }
    memmove(b->data, b->data + n, b->len - n);
    b->len -= n;
}

void buf_shrink(buf *b, size_t keep)
{
    if (b->len == 0 && b->cap > keep) {
        mem_free(b->data);
        b->data = NULL;
        b->cap = 0;
    }
}

void buf_append(buf *b, const void *data, size_t n)
{
    if (n == 0 || !buf_reserve(b, n))
        return;
    memcpy(b->data + b->len, data, n);
    b->len += n;
}

void buf_put_u8(buf *b, uint8_t v)
{
    buf_append(b, &v, 1);
}

void buf_put_u16be(buf *b, uint16_t v)
{
    uint8_t p[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    buf_append(b, p, 2);
}

void buf_put_u32be(buf *b, uint32_t v)
{
    uint8_t p[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    buf_append(b, p, 4);
}

void buf_put_u64be(buf *b, uint64_t v)
{
    uint8_t p[8];
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
    buf_append(b, p, 8);
}

void buf_put_cstr(buf *b, const char *s)
{
    buf_append(b, s, strlen(s) + 1);
}

void buf_put_str(buf *b, const char *s)
{
    buf_append(b, s, strlen(s));
}

void buf_printf(buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !buf_reserve(b, (size_t)n + 1)) {
        b->failed = true;
        return;
    }
    va_start(ap, fmt);
    vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void buf_set_u32be(buf *b, size_t pos, uint32_t v)
{
    if (b->failed || pos + 4 > b->len)
        return;
    b->data[pos] = (uint8_t)(v >> 24);
    b->data[pos + 1] = (uint8_t)(v >> 16);
    b->data[pos + 2] = (uint8_t)(v >> 8);
    b->data[pos + 3] = (uint8_t)v;
}
