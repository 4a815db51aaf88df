/*
 * hnsw_persist: the index as a byte stream, for checkpoints (so a restart
 * loads the graph instead of rebuilding it) and for files.
 *
 * Format, version 1. All integers little-endian, floats IEEE-754 binary32
 * little-endian (the in-memory layout on x86-64 and arm64, so sections are
 * written as they lie in memory).
 *
 *   offset  size  field
 *        0     8  magic "HCDBHNSW"
 *        8     4  u32 format version (1)
 *       12     4  u32 metric (0 L2, 1 inner product, 2 cosine, 3 L1)
 *       16     4  u32 dim (1..16000)
 *       20     4  u32 m (2..100)
 *       24     4  u32 ef_construction (4..1000, >= 2*m)
 *       28     4  u32 entry point id (0xFFFFFFFF when n = 0)
 *       32     4  u32 max level (the entry point's level)
 *       36     4  u32 reserved, 0
 *       40     8  u64 n, elements (deleted ones included)
 *       48     8  u64 seed of the level draws
 *       56     8  u64 U, number of u32 words in the upper-level section
 *       64        level-0 records, n x R bytes, R = 4 + 8*m + 4*dim; record i:
 *                   u16 neighbour count (<= 2*m) | u8 flags (bit 0 = deleted) |
 *                   u8 level (<= 31) | u32 neighbour ids[2*m] (first `count` used,
 *                   each < n) | f32 vector[dim] (unit length for cosine)
 *                 labels, n x i64 (the caller's row ids; live labels are unique)
 *                 upper levels, U x u32: for each element with level L > 0, in id
 *                   order, L blocks of (1 + m) u32: count (<= m), ids[m]; block
 *                   l-1 is level l, every id in it has level >= l
 *   end - 8    8  u64 XXH3-64 (seed 0) of every byte before it
 *
 * Loading checks every field and id range before trusting it, then the
 * checksum; any mismatch is HNSW_ECORRUPT (SQLSTATE XX001).
 */
#include "engine/index/hnsw_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

#include "util/mem.h"

#define MAGIC "HCDBHNSW"
#define VERSION 1u
#define HEADER_SIZE 64
/* Elements read per step while loading (bounds over-allocation on a damaged count). */
#define LOAD_BATCH 65536u

typedef struct stream {
    hnsw_write_fn write;
    hnsw_read_fn read;
    void *ctx;
    XXH3_state_t st;
    bool failed;
} stream;

static void put(stream *w, const void *p, size_t n)
{
    if (w->failed || n == 0)
        return;
    XXH3_64bits_update(&w->st, p, n);
    if (w->write(w->ctx, p, n) != 0)
        w->failed = true;
}

static bool get(stream *r, void *p, size_t n)
{
    if (r->failed || n == 0)
        return !r->failed;
    if (r->read(r->ctx, p, n) != 0) {
        r->failed = true;
        return false;
    }
    XXH3_64bits_update(&r->st, p, n);
    return true;
}

static void le32(uint8_t *b, uint32_t v)
{
    memcpy(b, &v, 4);
}

static void le64(uint8_t *b, uint64_t v)
{
    memcpy(b, &v, 8);
}

static size_t upper_words(const hnsw_index *x)
{
    size_t n = atomic_load(&((hnsw_index *)x)->n), u = 0;
    for (size_t i = 0; i < n; i++)
        u += (size_t)hnsw__level(x, (uint32_t)i) * (size_t)(x->m + 1);
    return u;
}

size_t hnsw_serialized_size(const hnsw_index *x)
{
    size_t n = hnsw_count(x);
    return HEADER_SIZE + n * (x->rec_size + 8) + upper_words(x) * 4 + 8;
}

int hnsw_save(hnsw_index *x, hnsw_write_fn write, void *ctx, pgw_error *err)
{
    if (!x || !write)
        return hnsw__error(err, HNSW_EINVAL, "invalid hnsw save arguments");
    stream w = {.write = write, .ctx = ctx};
    XXH3_64bits_reset(&w.st);
    pthread_rwlock_rdlock(&x->grow);
    size_t n = atomic_load(&x->n);
    uint64_t ep = atomic_load(&x->ep);
    uint8_t h[HEADER_SIZE] = {0};
    memcpy(h, MAGIC, 8);
    le32(h + 8, VERSION);
    le32(h + 12, (uint32_t)x->p.metric);
    le32(h + 16, (uint32_t)x->dim);
    le32(h + 20, (uint32_t)x->m);
    le32(h + 24, (uint32_t)x->efc);
    le32(h + 28, (uint32_t)ep);
    le32(h + 32, (uint32_t)(ep >> 32));
    le64(h + 40, n);
    le64(h + 48, x->p.seed);
    le64(h + 56, upper_words(x));
    put(&w, h, sizeof(h));
    put(&w, x->data0, n * x->rec_size);
    put(&w, x->labels, n * sizeof(int64_t));
    for (size_t i = 0; i < n; i++) {
        uint8_t level = hnsw__level(x, (uint32_t)i);
        if (level)
            put(&w, x->upper[i], (size_t)level * (size_t)(x->m + 1) * 4);
    }
    uint64_t sum = XXH3_64bits_digest(&w.st);
    pthread_rwlock_unlock(&x->grow);
    if (!w.failed && write(ctx, &sum, 8) != 0)
        w.failed = true;
    return w.failed ? hnsw__error(err, HNSW_EIO, "could not write hnsw index") : HNSW_OK;
}

/* ---- load ---- */

static int corrupt(pgw_error *err, const char *what)
{
    return hnsw__error(err, HNSW_ECORRUPT, "hnsw index data is corrupted: %s", what);
}

static uint32_t rd32(const uint8_t *b)
{
    uint32_t v;
    memcpy(&v, b, 4);
    return v;
}

static uint64_t rd64(const uint8_t *b)
{
    uint64_t v;
    memcpy(&v, b, 8);
    return v;
}

/* Header -> params, n, entry point, upper words. */
static int read_header(stream *r, hnsw_params *p, uint64_t *n, uint64_t *ep, uint64_t *uw,
                       pgw_error *err)
{
    uint8_t h[HEADER_SIZE];
    if (!get(r, h, sizeof(h)))
        return hnsw__error(err, HNSW_EIO, "could not read hnsw index header");
    if (memcmp(h, MAGIC, 8) != 0)
        return corrupt(err, "bad magic");
    if (rd32(h + 8) != VERSION)
        return hnsw__error(err, HNSW_ECORRUPT, "unsupported hnsw index format version %u", rd32(h + 8));
    hnsw_params_init(p, (dist_metric)rd32(h + 12), (int)rd32(h + 16));
    p->m = (int)rd32(h + 20);
    p->ef_construction = (int)rd32(h + 24);
    p->seed = rd64(h + 48);
    *n = rd64(h + 40);
    *ep = ((uint64_t)rd32(h + 32) << 32) | rd32(h + 28);
    *uw = rd64(h + 56);
    if (rd32(h + 12) >= DIST_METRIC_COUNT || rd32(h + 16) > HNSW_MAX_DIM || rd32(h + 20) > HNSW_MAX_M ||
        rd32(h + 24) > HNSW_MAX_EF_CONSTRUCTION || hnsw_params_check(p, NULL) != HNSW_OK)
        return corrupt(err, "bad parameters");
    if (*n > HNSW_MAX_ELEMENTS || rd32(h + 36) != 0)
        return corrupt(err, "bad element count");
    if ((*n == 0) != ((uint32_t)*ep == HNSW_NONE) || ((uint32_t)*ep != HNSW_NONE && (uint32_t)*ep >= *n) ||
        (*ep >> 32) > HNSW_MAX_LEVEL)
        return corrupt(err, "bad entry point");
    return HNSW_OK;
}

static int check_records(hnsw_index *x, size_t n, pgw_error *err)
{
    for (size_t i = 0; i < n; i++) {
        const uint8_t *r = (const uint8_t *)hnsw__rec(x, (uint32_t)i);
        uint16_t cnt;
        memcpy(&cnt, r, 2);
        if (cnt > x->m0 || (r[2] & ~HNSW_FLAG_DELETED) || r[3] > HNSW_MAX_LEVEL)
            return corrupt(err, "bad record header");
        const uint32_t *ids = (const uint32_t *)(r + 4);
        for (uint16_t j = 0; j < cnt; j++)
            if (ids[j] >= n)
                return corrupt(err, "neighbour id out of range");
        const float *v = hnsw__vec(x, (uint32_t)i);
        for (size_t j = 0; j < x->dim; j++)
            if (!isfinite(v[j]))
                return corrupt(err, "non-finite vector element");
        if (r[2] & HNSW_FLAG_DELETED)
            atomic_fetch_add(&x->n_deleted, 1);
    }
    return HNSW_OK;
}

static int read_labels(stream *r, hnsw_index *x, size_t n, pgw_error *err)
{
    if (!get(r, x->labels, n * sizeof(int64_t)))
        return hnsw__error(err, HNSW_EIO, "could not read hnsw index labels");
    for (size_t i = 0; i < n; i++) {
        uint32_t old = hnsw__map_get(x, x->labels[i]);
        if (old != HNSW_NONE && !hnsw__deleted(x, old) && !hnsw__deleted(x, (uint32_t)i))
            return corrupt(err, "duplicate label");
        if (hnsw__map_put(x, x->labels[i], (uint32_t)i))
            return hnsw__error(err, HNSW_ENOMEM, "out of memory");
    }
    return HNSW_OK;
}

static int read_upper(stream *r, hnsw_index *x, size_t n, uint64_t uw, pgw_error *err)
{
    uint64_t words = 0;
    for (size_t i = 0; i < n; i++) {
        int level = hnsw__level(x, (uint32_t)i);
        if (!level)
            continue;
        size_t w = (size_t)level * (size_t)(x->m + 1);
        if ((words += w) > uw)
            return corrupt(err, "upper-level section size");
        if (!(x->upper[i] = mem_alloc(w * 4)))
            return hnsw__error(err, HNSW_ENOMEM, "out of memory");
        atomic_fetch_add(&x->upper_bytes, w * 4);
        if (!get(r, x->upper[i], w * 4))
            return hnsw__error(err, HNSW_EIO, "could not read hnsw index");
        for (int lc = 1; lc <= level; lc++) {
            const uint32_t *b = x->upper[i] + (size_t)(lc - 1) * (size_t)(x->m + 1);
            if (b[0] > (uint32_t)x->m)
                return corrupt(err, "bad upper-level count");
            for (uint32_t j = 0; j < b[0]; j++)
                if (b[1 + j] >= n || hnsw__level(x, b[1 + j]) < lc)
                    return corrupt(err, "bad upper-level neighbour");
        }
    }
    return words == uw ? HNSW_OK : corrupt(err, "upper-level section size");
}

/* batch: elements read per step (all n when the stream's size was checked against n). */
static int load_body(stream *r, hnsw_index *x, size_t n, size_t batch, uint64_t ep, uint64_t uw, pgw_error *err)
{
    /* Grow while reading, so that a damaged count cannot make us allocate more than the
     * stream holds (plus one batch). */
    for (size_t done = 0; done < n || done == 0;) {
        size_t want = n - done < batch ? n - done : batch;
        size_t cap = done + want > x->capacity ? 2 * x->capacity : x->capacity;
        if (cap < done + want)
            cap = done + want;
        if (cap > n && n)
            cap = n;
        if (hnsw__reserve(x, cap ? cap : HNSW_DEFAULT_CAPACITY))
            return hnsw__error(err, HNSW_ENOMEM, "out of memory");
        if (!get(r, hnsw__rec(x, (uint32_t)done), want * x->rec_size))
            return hnsw__error(err, HNSW_EIO, "could not read hnsw index records");
        if ((done += want) == 0)
            break;
    }
    int rc;
    if ((rc = check_records(x, n, err)) || (rc = read_labels(r, x, n, err)) ||
        (rc = read_upper(r, x, n, uw, err)))
        return rc;
    if (n && hnsw__level(x, (uint32_t)ep) != (ep >> 32))
        return corrupt(err, "entry point level");
    uint64_t want = XXH3_64bits_digest(&r->st), have;
    if (r->read(r->ctx, &have, 8) != 0)
        return hnsw__error(err, HNSW_EIO, "could not read hnsw index checksum");
    if (want != have)
        return corrupt(err, "checksum mismatch");
    x->n_alloc = n;
    atomic_store(&x->ep, ep);
    return HNSW_OK;
}

int hnsw_load(hnsw_read_fn read, void *ctx, hnsw_index **out, pgw_error *err)
{
    return hnsw_load_sized(read, ctx, SIZE_MAX, out, err);
}

int hnsw_load_sized(hnsw_read_fn read, void *ctx, size_t bytes, hnsw_index **out, pgw_error *err)
{
    *out = NULL;
    if (!read)
        return hnsw__error(err, HNSW_EINVAL, "invalid hnsw load arguments");
    stream r = {.read = read, .ctx = ctx};
    XXH3_64bits_reset(&r.st);
    hnsw_params p;
    uint64_t n = 0, ep = 0, uw = 0;
    int rc = read_header(&r, &p, &n, &ep, &uw, err);
    if (rc)
        return rc;
    hnsw_index *x;
    if (hnsw__create_empty(&p, &x))
        return hnsw__error(err, HNSW_ENOMEM, "out of memory");
    atomic_store(&x->n, n); /* so that hnsw_free releases upper blocks read so far */
    size_t batch = LOAD_BATCH;
    if (bytes != SIZE_MAX) { /* a known size must be exactly what the header promises */
        uint64_t need = HEADER_SIZE + n * (x->rec_size + 8) + uw * 4 + 8;
        rc = uw > bytes / 4 || n > bytes / (x->rec_size + 8) || need != bytes ? corrupt(err, "size mismatch") : 0;
        batch = n ? (size_t)n : 1; /* so the arrays are allocated once, at their size */
    }
    if (rc || (rc = load_body(&r, x, (size_t)n, batch, ep, uw, err))) {
        hnsw_free(x);
        return rc;
    }
    *out = x;
    return HNSW_OK;
}

/* ---- files ---- */

static int file_write(void *ctx, const void *buf, size_t n)
{
    return fwrite(buf, 1, n, ctx) == n ? 0 : -1;
}

static int file_read(void *ctx, void *buf, size_t n)
{
    return fread(buf, 1, n, ctx) == n ? 0 : -1;
}

int hnsw_save_file(hnsw_index *x, const char *path, pgw_error *err)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return hnsw__error(err, HNSW_EIO, "could not open file \"%s\" for writing", path);
    int rc = hnsw_save(x, file_write, f, err);
    if (rc == HNSW_OK && (fflush(f) != 0 || fsync(fileno(f)) != 0))
        rc = hnsw__error(err, HNSW_EIO, "could not write file \"%s\"", path);
    if (fclose(f) != 0 && rc == HNSW_OK)
        rc = hnsw__error(err, HNSW_EIO, "could not close file \"%s\"", path);
    return rc;
}

int hnsw_load_file(const char *path, hnsw_index **out, pgw_error *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return hnsw__error(err, HNSW_EIO, "could not open file \"%s\" for reading", path);
    int rc = hnsw_load(file_read, f, out, err);
    if (rc == HNSW_OK && fgetc(f) != EOF) {
        hnsw_free(*out);
        *out = NULL;
        rc = corrupt(err, "trailing bytes");
    }
    fclose(f);
    return rc;
}
