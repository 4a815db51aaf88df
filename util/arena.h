/*
 * arena: bump allocator for memory that lives exactly as long as one
 * statement (or one session's prepared statements): reset or free all at
 * once, never one allocation at a time. Not thread-safe.
 * Allocation failure returns NULL (callers report 53200).
 */
#ifndef HCDB_UTIL_ARENA_H
#define HCDB_UTIL_ARENA_H

#include <stddef.h>

typedef struct arena arena;

arena *arena_new(void);
void arena_free(arena *a);
/* Forget every allocation; keeps the first block for reuse. */
void arena_reset(arena *a);
/* 16-byte aligned; NULL on failure. */
void *arena_alloc(arena *a, size_t size);
void *arena_calloc(arena *a, size_t count, size_t size);
char *arena_strndup(arena *a, const char *s, size_t n);
char *arena_strdup(arena *a, const char *s);
char *arena_printf(arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Bytes handed out since the last reset (for limits and statistics). */
size_t arena_used(const arena *a);

#endif
