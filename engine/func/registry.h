/*
 * registry: the built-in functions, operators and casts (hcdb's pg_proc,
 * pg_operator and pg_cast). Each type module registers its own entries in
 * eng__register_<module>(); the table is built once per process
 * (pthread_once) and is read-only afterwards, so any thread may search it.
 */
#ifndef HCDB_ENGINE_FUNC_REGISTRY_H
#define HCDB_ENGINE_FUNC_REGISTRY_H

#include "engine/types/types.h"

/* A SQL-callable implementation. args[i].null is never true for a strict
 * function: the evaluator returns NULL first. */
typedef int (*eng_fn)(eng_ctx *c, const eng_val *args, int nargs, eng_val *out);

/* Set-returning function, called once per output row. `state` (zeroed
 * before the first call) persists between calls, and so do args (the
 * executor keeps them). Sets *done instead of
 * producing a row when exhausted. */
#define ENG_SRF_STATE_WORDS 6 /* the SRF may use words 0..4; the executor keeps word 5 */
typedef int (*eng_srf_fn)(eng_ctx *c, const eng_val *args, int nargs, int64_t *state, bool *done,
                          eng_val *out);

#define ENG_PROC_MAX_ARGS 4

/* The output columns of a set-returning function that returns rows of
 * several columns (RETURNS TABLE): its srf fills out[0 .. n) per row. */
typedef struct eng_srf_cols {
    int n;
    const char *const *names;
    const uint32_t *types;
} eng_srf_cols;

enum {
    ENG_F_STRICT = 1,    /* NULL in any argument gives NULL without a call */
    ENG_F_VOLATILE = 2,  /* never folded at bind time */
    ENG_F_SRF = 4,       /* set-returning: fn is an eng_srf_fn */
    ENG_F_LONG = 8,      /* may run for long: its statement goes to a worker thread */
    ENG_F_TABLES = 16,   /* reads or writes tables: its statement gets a transaction (env->txn) */
};

typedef struct eng_proc {
    const char *name;    /* function name or operator symbol */
    bool is_op;
    int nargs;           /* 1 for prefix operators, 2 for binary ones */
    uint32_t args[ENG_PROC_MAX_ARGS];
    uint32_t ret;
    int flags;
    eng_fn fn;
    eng_srf_fn srf;
    const eng_srf_cols *cols; /* RETURNS TABLE columns, or NULL (one column of type ret) */
} eng_proc;

typedef struct eng_castdef {
    uint32_t src, dst;
    eng_cast_ctx ctx;
    eng_cast_fn fn;      /* NULL = binary-compatible */
} eng_castdef;

void eng_registry_init(void);
/* Entries named `name` (operators or functions), consecutive; count in *n. */
const eng_proc *eng_procs_named(const char *name, bool is_op, int *n);
const eng_castdef *eng_cast_lookup(uint32_t src, uint32_t dst);
/* The i-th entry (0-based, sorted by kind and name), NULL past the end: pg_proc. */
const eng_proc *eng_proc_at(int i);

/* Used only from eng__register_* during init. */
void eng__reg(const char *name, bool is_op, uint32_t ret, int flags, eng_fn fn, int nargs, ...);
void eng__reg_srf(const char *name, uint32_t ret, int flags, eng_srf_fn fn, int nargs, ...);
/* A set-returning function of several output columns (ret = the first's type). */
void eng__reg_srf_cols(const char *name, const eng_srf_cols *cols, int flags, eng_srf_fn fn, int nargs, ...);
void eng__reg_cast(uint32_t src, uint32_t dst, eng_cast_ctx ctx, eng_cast_fn fn);

void eng__register_int(void);
void eng__register_float(void);
void eng__register_numeric(void);
void eng__register_text(void);
void eng__register_string_fn(void);
void eng__register_math_fn(void);
void eng__register_numeric_fn(void);
void eng__register_bytea_fn(void);
void eng__register_string_more(void);
void eng__register_date_fn(void);
void eng__register_datetime(void);
void eng__register_misc(void);
void eng__register_admin(void);
void eng__register_seq(void);
void eng__register_vector(void);
void eng__register_halfvec(void);
void eng__register_bit(void);
void eng__register_regtypes(void);
void eng__register_catalog(void);
void eng__register_uuid(void);
void eng__register_hypercube(void);
void eng__register_hc(void);
void eng__register_hc_ingest(void);
void eng__register_hc_embed(void);
void eng__register_hc_search(void);
void eng__register_hc_search_text(void);
void eng__register_hc_generate(void);
void eng__register_hc_validate(void);
void eng__register_regex(void);
void eng__register_array(void);
void eng__register_pglsn(void);

#endif
