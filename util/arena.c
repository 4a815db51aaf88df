/* arena: chained bump-allocated blocks (see arena.h). */
#include "util/arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util/mem.h"

/* 8 KiB covers a typical statement's parse tree and plan without a second block. */
#define ARENA_BLOCK_SIZE 8192
#define ARENA_ALIGN 16

typedef struct arena_block {
    struct arena_block *next;
    size_t size; /* usable bytes after the header */
    size_t used;
} arena_block;

struct arena {
    arena_block *head; /* current block, newest first */
    size_t used_total;
};

static size_t align_up(size_t n)
{
    return (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
}

static size_t header_size(void)
{
    return align_up(sizeof(arena_block));
}

static arena_block *block_new(size_t min_size)
{
    size_t size = min_size > ARENA_BLOCK_SIZE ? min_size : ARENA_BLOCK_SIZE;
    arena_block *b = mem_alloc(header_size() + size);
    if (!b)
        return NULL;
    b->next = NULL;
    b->size = size;
    b->used = 0;
    return b;
}

arena *arena_new(void)
{
    arena *a = mem_calloc(1, sizeof(*a));
    return a;
}

static void free_blocks(arena_block *b)
{
    while (b) {
        arena_block *next = b->next;
        mem_free(b);
        b = next;
    }
}

void arena_free(arena *a)
{
    if (!a)
        return;
    free_blocks(a->head);
    mem_free(a);
}

void arena_reset(arena *a)
{
    if (!a->head)
        return;
    /* Keep the oldest block (the tail): it is the standard size. */
    arena_block *b = a->head, *keep = NULL;
    while (b) {
        arena_block *next = b->next;
        if (!next && b->size == ARENA_BLOCK_SIZE)
            keep = b;
        else
            mem_free(b);
        b = next;
    }
    a->head = keep;
    if (keep)
        keep->used = 0;
    a->used_total = 0;
}

void *arena_alloc(arena *a, size_t size)
{
    size = align_up(size ? size : 1);
    arena_block *b = a->head;
    if (!b || b->size - b->used < size) {
        if (size > SIZE_MAX / 2)
            return NULL;
        b = block_new(size);
        if (!b)
            return NULL;
        b->next = a->head;
        a->head = b;
    }
    void *p = (uint8_t *)b + header_size() + b->used;
    b->used += size;
    a->used_total += size;
    return p;
}

void *arena_calloc(arena *a, size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return NULL;
    void *p = arena_alloc(a, count * size);
    if (p)
        memset(p, 0, count * size);
    return p;
}

char *arena_strndup(arena *a, const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *d = arena_alloc(a, len + 1);
    if (d) {
        memcpy(d, s, len);
        d[len] = '\0';
    }
    return d;
}

char *arena_strdup(arena *a, const char *s)
{
    return arena_strndup(a, s, strlen(s));
}

char *arena_printf(arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *d = arena_alloc(a, (size_t)n + 1);
    if (!d)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(d, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return d;
}

size_t arena_used(const arena *a)
{
    return a->used_total;
}
