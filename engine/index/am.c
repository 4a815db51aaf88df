/*
 * am: the access-method registry and the label map of an index instance
 * (see am.h).
 *
 * The label map is a list of chunks that double in size (chunk k holds
 * AMIDX_FIRST << k entries, so a small table costs little and a big one
 * wastes at most half a chunk), reached through a fixed table of chunk
 * pointers: a reader (a search's accept callback) never sees memory move
 * under it while a writer appends. Writers serialise on a mutex, publish
 * the entry, then bump the count with release order.
 */
#include "engine/index/am.h"

#include <pthread.h>
#include <stdio.h>
#include <stdatomic.h>
#include <string.h>
#include <xxhash.h>

#include "util/mem.h"

/* The first chunk holds 1 Ki entries (16 KiB); 32 chunks reach 2^42 row versions. */
#define AMIDX_FIRST_BITS 10
#define AMIDX_FIRST ((size_t)1 << AMIDX_FIRST_BITS)
#define AMIDX_MAX_CHUNKS 32u

extern const eng_am eng__am_hnsw, eng__am_s4d;

static const eng_am *const ams[] = {&eng__am_hnsw, &eng__am_s4d};

const eng_am *eng_am_find(const char *name)
{
    for (size_t i = 0; i < sizeof(ams) / sizeof(ams[0]); i++)
        if (strcmp(ams[i]->name, name) == 0)
            return ams[i];
    return NULL;
}

const eng_am *eng_am_at(int i)
{
    return i >= 0 && (size_t)i < sizeof(ams) / sizeof(ams[0]) ? ams[i] : NULL;
}

const eng_am_opclass *eng_am_opclass_for(const eng_am *am, const char *name, uint32_t type,
                                         const char *type_name, pgw_error *err)
{
    for (const eng_am_opclass *o = am->opclasses; o->name; o++) {
        if (name ? strcmp(o->name, name) != 0 : !(o->is_default && o->type == type))
            continue;
        if (o->type != type) {
            pgw_error_set(err, SQLSTATE_DATATYPE_MISMATCH, "operator class \"%s\" does not accept data type %s",
                          o->name, type_name);
            return NULL;
        }
        return o;
    }
    if (name) {
        pgw_error_set(err, SQLSTATE_UNDEFINED_OBJECT, "operator class \"%s\" does not exist for access method \"%s\"",
                      name, am->name);
    } else {
        pgw_error_set(err, SQLSTATE_UNDEFINED_OBJECT, "data type %s has no default operator class for access method \"%s\"",
                      type_name, am->name);
        pgw_error_hint(err, "You must specify an operator class for the index or define a default operator class for "
                            "the data type.");
    }
    return NULL;
}

/* ---- index instances --------------------------------------------------- */

typedef struct entry {
    uint64_t rowid;
    uint64_t hash; /* of the value indexed under this label */
} entry;

struct eng_amidx {
    const eng_am *am;
    eng_am_def def;
    void *state;
    pthread_mutex_t lock;    /* appends */
    pthread_rwlock_t saving; /* inserts share it; a checkpoint's save holds it alone */
    _Atomic size_t n;        /* labels handed out and published */
    entry *chunks[AMIDX_MAX_CHUNKS];
};

/* An instance without its structure yet. */
static eng_amidx *amidx_alloc(const eng_am *am, const eng_am_def *def, pgw_error *err)
{
    eng_amidx *x = mem_calloc(1, sizeof(*x));
    if (!x)
        return pgw_error_oom(err), NULL;
    x->am = am;
    x->def = *def;
    pthread_mutex_init(&x->lock, NULL);
    /* writer-preferring: a checkpoint's save is not starved by a steady stream of inserts */
    pthread_rwlockattr_t attr;
    pthread_rwlockattr_init(&attr);
    pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&x->saving, &attr);
    pthread_rwlockattr_destroy(&attr);
    return x;
}

eng_amidx *eng_amidx_new(const eng_am *am, const eng_am_def *def, pgw_error *err)
{
    eng_amidx *x = amidx_alloc(am, def, err);
    if (!x)
        return NULL;
    if (am->create(&x->def, &x->state, err)) {
        eng_amidx_free(x);
        return NULL;
    }
    return x;
}

void eng_amidx_free(eng_amidx *x)
{
    if (!x)
        return;
    if (x->state)
        x->am->free(x->state);
    for (size_t i = 0; i < AMIDX_MAX_CHUNKS && x->chunks[i]; i++)
        mem_free(x->chunks[i]);
    pthread_mutex_destroy(&x->lock);
    pthread_rwlock_destroy(&x->saving);
    mem_free(x);
}

const eng_am *eng_amidx_am(const eng_amidx *x) { return x->am; }
const eng_am_def *eng_amidx_def(const eng_amidx *x) { return &x->def; }
size_t eng_amidx_entries(const eng_amidx *x) { return atomic_load(&x->n); }

uint64_t eng_amidx_hash(const eng_val *v)
{
    return XXH3_64bits(v->s.p, v->s.n);
}

/* The chunk of a label and its place in it: label + FIRST lies in [FIRST << k, FIRST << (k+1)). */
static unsigned chunk_of(size_t label, size_t *off)
{
    size_t m = label + AMIDX_FIRST;
    unsigned k = (unsigned)(63 - __builtin_clzll((unsigned long long)m)) - AMIDX_FIRST_BITS;
    *off = m - (AMIDX_FIRST << k);
    return k;
}

/* Makes room for labels [n, n + count); caller holds the lock. */
static int reserve(eng_amidx *x, size_t n, size_t count, pgw_error *err)
{
    size_t off;
    if (!count)
        return 0;
    unsigned last = chunk_of(n + count - 1, &off);
    if (last >= AMIDX_MAX_CHUNKS) {
        pgw_error_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED, "index cannot hold more row versions");
        return -1;
    }
    for (unsigned c = chunk_of(n, &off); c <= last; c++)
        if (!x->chunks[c] && !(x->chunks[c] = mem_alloc((AMIDX_FIRST << c) * sizeof(entry))))
            return pgw_error_oom(err), -1;
    return 0;
}

static entry *at(const eng_amidx *x, size_t label)
{
    size_t off;
    unsigned k = chunk_of(label, &off);
    return &x->chunks[k][off];
}

int eng_amidx_insert(eng_amidx *x, uint64_t rowid, const eng_val *v, pgw_error *err)
{
    if (v->null)
        return 0;
    /* a save sees every label it writes in the structure too, and no half insert */
    pthread_rwlock_rdlock(&x->saving);
    pthread_mutex_lock(&x->lock);
    size_t label = atomic_load_explicit(&x->n, memory_order_relaxed);
    int rc = reserve(x, label, 1, err);
    if (!rc) {
        *at(x, label) = (entry){rowid, eng_amidx_hash(v)};
        atomic_store_explicit(&x->n, label + 1, memory_order_release);
    }
    pthread_mutex_unlock(&x->lock);
    if (!rc)
        rc = x->am->insert(x->state, (int64_t)label, v, err) < 0 ? -1 : 0;
    pthread_rwlock_unlock(&x->saving);
    return rc;
}

int eng_amidx_build(eng_amidx *x, const uint64_t *rowids, const eng_val *vals, size_t n, int nthreads,
                    const eng_am_progress *progress, pgw_error *err)
{
    size_t base = atomic_load(&x->n);
    int64_t *labels = mem_alloc((n ? n : 1) * sizeof(int64_t));
    if (!labels)
        return pgw_error_oom(err), -1;
    int rc = reserve(x, base, n, err);
    for (size_t i = 0; !rc && i < n; i++) {
        *at(x, base + i) = (entry){rowids[i], eng_amidx_hash(&vals[i])};
        labels[i] = (int64_t)(base + i);
    }
    if (!rc) {
        atomic_store_explicit(&x->n, base + n, memory_order_release);
        rc = x->am->build(x->state, labels, vals, n, nthreads, progress, err);
    }
    mem_free(labels);
    return rc;
}

void eng_amidx_entry(const eng_amidx *x, int64_t label, uint64_t *rowid, uint64_t *hash)
{
    const entry *e = at(x, (size_t)label);
    *rowid = e->rowid;
    *hash = e->hash;
}

int eng_amidx_knn(eng_amidx *x, const eng_val *query, size_t k, const eng_am_scan_opts *o,
                  eng_am_accept_fn accept, void *ctx, eng_am_hit *out, pgw_error *err)
{
    return x->am->knn(x->state, query, k, o, accept, ctx, out, err);
}

int eng_amidx_within(eng_amidx *x, const eng_val *query, double radius, eng_am_visit_fn visit, void *ctx,
                     pgw_error *err)
{
    return x->am->within(x->state, query, radius, visit, ctx, err);
}

void eng_amidx_indexdef(const eng_amidx *x, const char *col, char *out, size_t outsz)
{
    char opts[256];
    x->am->describe(&x->def, opts, sizeof(opts));
    const eng_am_opclass *o = x->def.opclass;
    snprintf(out, outsz, "%s (%s%s%s)%s%s%s", x->am->name, col, o->is_default ? "" : " ", o->is_default ? "" : o->name,
             opts[0] ? " WITH (" : "", opts, opts[0] ? ")" : "");
}

size_t eng_amidx_memory(const eng_amidx *x)
{
    size_t entries = 0;
    for (unsigned i = 0; i < AMIDX_MAX_CHUNKS && x->chunks[i]; i++)
        entries += AMIDX_FIRST << i;
    return sizeof(*x) + entries * sizeof(entry) + x->am->memory(x->state);
}

/* ---- checkpoints --------------------------------------------------------- */

int eng_amidx_save(eng_amidx *x, eng_am_write_fn write, void *ctx, pgw_error *err)
{
    pthread_rwlock_wrlock(&x->saving);
    size_t n = atomic_load(&x->n);
    uint64_t hdr = n;
    int rc = write(ctx, &hdr, sizeof(hdr));
    /* chunk by chunk, as the entries lie in memory (little-endian u64 pairs) */
    size_t done = 0;
    for (unsigned k = 0; !rc && done < n; k++) {
        size_t m = AMIDX_FIRST << k;
        m = m < n - done ? m : n - done;
        rc = write(ctx, x->chunks[k], m * sizeof(entry));
        done += m;
    }
    if (rc)
        pgw_error_set(err, SQLSTATE_IO_ERROR, "could not write index \"%s\" image", x->am->name);
    else
        rc = x->am->save(x->state, write, ctx, err);
    pthread_rwlock_unlock(&x->saving);
    return rc ? -1 : 0;
}

typedef struct cursor {
    const uint8_t *p;
    size_t left;
} cursor;

static int cursor_read(void *ctx, void *out, size_t n)
{
    cursor *c = ctx;
    if (n > c->left)
        return -1;
    memcpy(out, c->p, n);
    c->p += n;
    c->left -= n;
    return 0;
}

eng_amidx *eng_amidx_load(const eng_am *am, const eng_am_def *def, const uint8_t *p, size_t n, pgw_error *err)
{
    cursor c = {p, n};
    uint64_t labels;
    if (cursor_read(&c, &labels, sizeof(labels)) || labels > c.left / sizeof(entry)) {
        pgw_error_set(err, SQLSTATE_DATA_CORRUPTED, "index image is malformed");
        return NULL;
    }
    eng_amidx *x = amidx_alloc(am, def, err);
    if (!x)
        return NULL;
    int rc = reserve(x, 0, (size_t)labels, err);
    size_t done = 0;
    for (unsigned k = 0; !rc && done < labels; k++) {
        size_t m = AMIDX_FIRST << k;
        m = m < labels - done ? m : labels - done;
        rc = cursor_read(&c, x->chunks[k], m * sizeof(entry));
        done += m;
    }
    atomic_store(&x->n, (size_t)labels);
    if (!rc)
        rc = am->load(&x->def, cursor_read, &c, c.left, &x->state, err);
    if (!rc && c.left) {
        pgw_error_set(err, SQLSTATE_DATA_CORRUPTED, "index image has trailing bytes");
        rc = -1;
    }
    if (rc) {
        eng_amidx_free(x);
        return NULL;
    }
    return x;
}
