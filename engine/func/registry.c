/* registry: built once, then a sorted read-only array (see registry.h). */
#include "engine/func/registry.h"
#include "engine/types/json.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Enough for every built-in; eng__reg drops (and asserts in tests) beyond. */
#define MAX_PROCS 1024
#define MAX_CASTS 256

static eng_proc procs[MAX_PROCS];
static int nprocs;
static eng_castdef casts[MAX_CASTS];
static int ncasts;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static eng_proc *add_proc(const char *name, bool is_op, uint32_t ret, int flags, eng_fn fn, eng_srf_fn srf,
                          int nargs, va_list ap)
{
    if (nprocs >= MAX_PROCS || nargs > ENG_PROC_MAX_ARGS)
        return NULL;
    eng_proc *p = &procs[nprocs++];
    p->name = name;
    p->is_op = is_op;
    p->ret = ret;
    p->flags = flags;
    p->fn = fn;
    p->srf = srf;
    p->nargs = nargs;
    for (int i = 0; i < nargs; i++)
        p->args[i] = va_arg(ap, uint32_t);
    return p;
}

void eng__reg(const char *name, bool is_op, uint32_t ret, int flags, eng_fn fn, int nargs, ...)
{
    va_list ap;
    va_start(ap, nargs);
    add_proc(name, is_op, ret, flags, fn, NULL, nargs, ap);
    va_end(ap);
}

void eng__reg_srf(const char *name, uint32_t ret, int flags, eng_srf_fn fn, int nargs, ...)
{
    va_list ap;
    va_start(ap, nargs);
    add_proc(name, false, ret, flags | ENG_F_SRF, NULL, fn, nargs, ap);
    va_end(ap);
}

void eng__reg_srf_cols(const char *name, const eng_srf_cols *cols, int flags, eng_srf_fn fn, int nargs, ...)
{
    va_list ap;
    va_start(ap, nargs);
    eng_proc *p = add_proc(name, false, cols->types[0], flags | ENG_F_SRF, NULL, fn, nargs, ap);
    va_end(ap);
    if (p)
        p->cols = cols;
}

void eng__reg_cast(uint32_t src, uint32_t dst, eng_cast_ctx ctx, eng_cast_fn fn)
{
    if (ncasts >= MAX_CASTS)
        return;
    casts[ncasts++] = (eng_castdef){src, dst, ctx, fn};
}

static int proc_cmp(const void *a, const void *b)
{
    const eng_proc *x = a, *y = b;
    if (x->is_op != y->is_op)
        return x->is_op - y->is_op;
    int r = strcmp(x->name, y->name);
    if (r)
        return r;
    return 0;
}

static void build(void)
{
    eng__register_int();
    eng__register_float();
    eng__register_numeric();
    eng__register_text();
    eng__register_datetime();
    eng__register_json();
    eng__register_string_fn();
    eng__register_math_fn();
    eng__register_numeric_fn();
    eng__register_bytea_fn();
    eng__register_string_more();
    eng__register_date_fn();
    eng__register_misc();
    eng__register_admin();
    eng__register_seq();
    eng__register_vector();
    eng__register_halfvec();
    eng__register_bit();
    eng__register_regtypes();
    eng__register_catalog();
    eng__register_uuid();
    eng__register_hypercube();
    eng__register_hc();
    eng__register_hc_ingest();
    eng__register_hc_embed();
    eng__register_hc_search();
    eng__register_hc_search_text();
    eng__register_hc_generate();
    eng__register_hc_validate();
    eng__register_regex();
    eng__register_array();
    eng__register_pglsn();
    qsort(procs, (size_t)nprocs, sizeof(procs[0]), proc_cmp);
}

void eng_registry_init(void)
{
    pthread_once(&once, build);
}

const eng_proc *eng_procs_named(const char *name, bool is_op, int *n)
{
    eng_registry_init();
    int lo = 0, hi = nprocs;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        const eng_proc *p = &procs[mid];
        int r = p->is_op != is_op ? (p->is_op < is_op ? -1 : 1) : strcmp(p->name, name);
        if (r < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    int k = lo;
    while (k < nprocs && procs[k].is_op == is_op && strcmp(procs[k].name, name) == 0)
        k++;
    *n = k - lo;
    return *n ? &procs[lo] : NULL;
}

const eng_castdef *eng_cast_lookup(uint32_t src, uint32_t dst)
{
    eng_registry_init();
    for (int i = 0; i < ncasts; i++)
        if (casts[i].src == src && casts[i].dst == dst)
            return &casts[i];
    return NULL;
}

const eng_proc *eng_proc_at(int i)
{
    eng_registry_init();
    return i >= 0 && i < nprocs ? &procs[i] : NULL;
}
