/* vecfile: .fvecs / .ivecs / .u8 readers and the data-set folder lookup (see vecfile.h). */
#include "util/vecfile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/log.h"
#include "util/mem.h"

/* Both .fvecs and .ivecs: int32 d, then d 4-byte values, per row. */
static void *read_vecs(const char *path, size_t max_rows, size_t *rows, size_t *dim)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        log_error("vecfile: cannot open %s", path);
        return NULL;
    }
    int32_t d = 0;
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || fread(&d, 4, 1, f) != 1 || d <= 0 ||
        st.st_size % (4 * ((off_t)d + 1)) != 0) {
        log_error("vecfile: %s is not a vecs file", path);
        fclose(f);
        return NULL;
    }
    size_t n = (size_t)st.st_size / (4 * ((size_t)d + 1));
    if (max_rows && n > max_rows)
        n = max_rows;
    uint32_t *out = mem_alloc(n * (size_t)d * 4 + 1);
    bool ok = out != NULL;
    rewind(f);
    for (size_t i = 0; ok && i < n; i++) {
        int32_t rd;
        ok = fread(&rd, 4, 1, f) == 1 && rd == d && fread(out + i * (size_t)d, 4, (size_t)d, f) == (size_t)d;
    }
    fclose(f);
    if (!ok) {
        log_error("vecfile: short or inconsistent %s", path);
        mem_free(out);
        return NULL;
    }
    *rows = n;
    *dim = (size_t)d;
    return out;
}

float *vecfile_read_fvecs(const char *path, size_t max_rows, size_t *rows, size_t *dim)
{
    return read_vecs(path, max_rows, rows, dim);
}

int32_t *vecfile_read_ivecs(const char *path, size_t max_rows, size_t *rows, size_t *dim)
{
    return read_vecs(path, max_rows, rows, dim);
}

float *vecfile_read_u8(const char *path, size_t dim, size_t max_rows, size_t *rows)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    if (!f || fstat(fileno(f), &st) != 0 || dim == 0 || (size_t)st.st_size % dim != 0) {
        log_error("vecfile: cannot read %s as rows of %zu bytes", path, dim);
        if (f)
            fclose(f);
        return NULL;
    }
    size_t n = (size_t)st.st_size / dim;
    if (max_rows && n > max_rows)
        n = max_rows;
    uint8_t *raw = mem_alloc(n * dim + 1);
    float *out = mem_alloc(n * dim * sizeof(float) + 1);
    bool ok = raw && out && fread(raw, 1, n * dim, f) == n * dim;
    fclose(f);
    for (size_t i = 0; ok && i < n * dim; i++)
        out[i] = (float)raw[i];
    mem_free(raw);
    if (!ok) {
        mem_free(out);
        return NULL;
    }
    *rows = n;
    return out;
}

static bool has_readme(const char *dir)
{
    char p[4096];
    snprintf(p, sizeof(p), "%s/README.md", dir);
    return access(p, R_OK) == 0;
}

const char *vecfile_data_dir(char *buf, size_t size)
{
    const char *env = getenv("HCDB_DATA_SETS");
    if (env && *env) {
        snprintf(buf, size, "%s", env);
        return has_readme(buf) ? buf : NULL;
    }
    char cwd[2048];
    if (!getcwd(cwd, sizeof(cwd)))
        return NULL;
    for (;;) {
        snprintf(buf, size, "%s/shared/data", cwd);
        if (has_readme(buf))
            return buf;
        snprintf(buf, size, "%s/../shared/data", cwd);
        if (has_readme(buf))
            return buf;
        char *slash = strrchr(cwd, '/');
        if (!slash || slash == cwd)
            return NULL;
        *slash = '\0';
    }
}

float *vecfile_load_set(const char *dir, const char *set, const char *which, size_t u8_dim,
                        size_t max_rows, size_t *rows, size_t *dim)
{
    char p[4096];
    if (u8_dim) {
        snprintf(p, sizeof(p), "%s/%s/%s.u8", dir, set, which);
        *dim = u8_dim;
        return vecfile_read_u8(p, u8_dim, max_rows, rows);
    }
    snprintf(p, sizeof(p), "%s/%s/%s.fvecs", dir, set, which);
    return vecfile_read_fvecs(p, max_rows, rows, dim);
}
