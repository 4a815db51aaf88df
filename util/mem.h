/*
 * mem: the process allocator (mimalloc) behind one wrapper that counts bytes.
 *
 * Every allocation in hcdb goes through here, libuv's and OpenSSL's included
 * (main() hands these functions to both), so mem_bytes_in_use() is the whole
 * heap hcdb asked for. Thread-safe. Allocation failure returns NULL: callers
 * turn that into SQLSTATE 53200, never abort. mem_fail_after() lets tests
 * inject a failure at the Nth allocation from now.
 */
#ifndef HCDB_UTIL_MEM_H
#define HCDB_UTIL_MEM_H

#include <stddef.h>

void *mem_alloc(size_t size);
void *mem_calloc(size_t count, size_t size);
void *mem_realloc(void *ptr, size_t size);
void mem_free(void *ptr);
char *mem_strdup(const char *s);
char *mem_strndup(const char *s, size_t n);

/* Bytes currently allocated through this wrapper. */
size_t mem_bytes_in_use(void);

/* Fault injection for tests: the allocation after `n` more succeed fails once. -1 disarms. */
void mem_fail_after(long n);

/* Route libuv's and OpenSSL's allocations through this wrapper. Call once,
 * first thing: OpenSSL refuses the hooks after its first allocation (-1). */
int mem_install_library_hooks(void);

#endif
