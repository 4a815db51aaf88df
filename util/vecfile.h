/*
 * vecfile: readers for the benchmark vector files (.fvecs, .ivecs, raw .u8;
 * formats in shared/data/README.md) and the lookup of the data-set folder,
 * for tests and benchmarks. Returned arrays are row-major, allocated with
 * mem_alloc, owned by the caller (mem_free). Thread-safe (no shared state).
 */
#ifndef HCDB_UTIL_VECFILE_H
#define HCDB_UTIL_VECFILE_H

#include <stddef.h>
#include <stdint.h>

/* Reads up to max_rows rows (0 = all) of an .fvecs file; NULL on error (logged). */
float *vecfile_read_fvecs(const char *path, size_t max_rows, size_t *rows, size_t *dim);
/* The same for .ivecs. */
int32_t *vecfile_read_ivecs(const char *path, size_t max_rows, size_t *rows, size_t *dim);
/* Raw uint8 rows of `dim` values, converted to float32; *rows = file size / dim (capped). */
float *vecfile_read_u8(const char *path, size_t dim, size_t max_rows, size_t *rows);

/*
 * The data-set folder: $HCDB_DATA_SETS if set, else the first "shared/data" found next to
 * the working directory or one of its parents (a worktree's ../shared/data). Writes the
 * path into buf and returns it, or NULL if none holds a README.md.
 */
const char *vecfile_data_dir(char *buf, size_t size);

/*
 * Loads "base" or "query" of a data-set folder (base.fvecs, or base.u8 with `u8_dim`
 * values per row when u8_dim > 0). NULL on error.
 */
float *vecfile_load_set(const char *dir, const char *set, const char *which, size_t u8_dim,
                        size_t max_rows, size_t *rows, size_t *dim);

#endif
