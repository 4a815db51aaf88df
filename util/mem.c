/* mem: mimalloc with byte accounting and one-shot fault injection (see mem.h). */
#include "util/mem.h"

#include <mimalloc.h>
#include <openssl/crypto.h>
#include <stdatomic.h>
#include <string.h>
#include <uv.h>

static atomic_size_t bytes_in_use;
static atomic_long fail_countdown = -1;

static int should_fail(void)
{
    long n = atomic_load_explicit(&fail_countdown, memory_order_relaxed);
    if (n < 0)
        return 0;
    return atomic_fetch_sub(&fail_countdown, 1) == 0;
}

static void *account(void *p)
{
    if (p)
        atomic_fetch_add_explicit(&bytes_in_use, mi_usable_size(p), memory_order_relaxed);
    return p;
}

void *mem_alloc(size_t size)
{
    if (should_fail())
        return NULL;
    return account(mi_malloc(size));
}

void *mem_calloc(size_t count, size_t size)
{
    if (should_fail())
        return NULL;
    return account(mi_calloc(count, size));
}

void *mem_realloc(void *ptr, size_t size)
{
    if (should_fail())
        return NULL;
    size_t old = ptr ? mi_usable_size(ptr) : 0;
    void *p = mi_realloc(ptr, size);
    if (!p)
        return NULL;
    atomic_fetch_sub_explicit(&bytes_in_use, old, memory_order_relaxed);
    return account(p);
}

void mem_free(void *ptr)
{
    if (!ptr)
        return;
    atomic_fetch_sub_explicit(&bytes_in_use, mi_usable_size(ptr), memory_order_relaxed);
    mi_free(ptr);
}

char *mem_strndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *d = mem_alloc(len + 1);
    if (d) {
        memcpy(d, s, len);
        d[len] = '\0';
    }
    return d;
}

char *mem_strdup(const char *s)
{
    return mem_strndup(s, strlen(s));
}

size_t mem_bytes_in_use(void)
{
    return atomic_load_explicit(&bytes_in_use, memory_order_relaxed);
}

void mem_fail_after(long n)
{
    atomic_store(&fail_countdown, n);
}

/* OpenSSL's hooks carry a source location we do not need. */
static void *ossl_malloc(size_t n, const char *file, int line)
{
    (void)file, (void)line;
    return mem_alloc(n);
}

static void *ossl_realloc(void *p, size_t n, const char *file, int line)
{
    (void)file, (void)line;
    return mem_realloc(p, n);
}

static void ossl_free(void *p, const char *file, int line)
{
    (void)file, (void)line;
    mem_free(p);
}

int mem_install_library_hooks(void)
{
    if (uv_replace_allocator(mem_alloc, mem_realloc, mem_calloc, mem_free) != 0)
        return -1;
    return CRYPTO_set_mem_functions(ossl_malloc, ossl_realloc, ossl_free) == 1 ? 0 : -1;
}
