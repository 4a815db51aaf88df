/* keyidx: open-addressing hash multimap (see keyidx.h). */
#include "engine/index/keyidx.h"

#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <xxhash.h>

#include "util/mem.h"

/* Keys live in chunks of this size; one big key gets a chunk of its own. */
#define KEYIDX_CHUNK (64u << 10)
/* Start small: most tables are small; doubling keeps inserts O(1) amortised. */
#define KEYIDX_INITIAL_SLOTS 64u

typedef struct slot {
    uint64_t hash;   /* 0 = empty (a real hash of 0 is stored as 1) */
    uint64_t rowid;
    const uint8_t *key;
    uint32_t len;
} slot;

struct eng_keyidx {
    pthread_rwlock_t lock;
    slot *slots;
    size_t cap, used;
    uint8_t **chunks;
    size_t nchunks, capchunks, chunk_used;
};

eng_keyidx *eng_keyidx_new(void)
{
    eng_keyidx *ix = mem_calloc(1, sizeof(*ix));
    if (!ix)
        return NULL;
    ix->slots = mem_calloc(KEYIDX_INITIAL_SLOTS, sizeof(slot));
    if (!ix->slots) {
        mem_free(ix);
        return NULL;
    }
    ix->cap = KEYIDX_INITIAL_SLOTS;
    ix->chunk_used = KEYIDX_CHUNK;
    pthread_rwlock_init(&ix->lock, NULL);
    return ix;
}

void eng_keyidx_free(eng_keyidx *ix)
{
    if (!ix)
        return;
    for (size_t i = 0; i < ix->nchunks; i++)
        mem_free(ix->chunks[i]);
    mem_free(ix->chunks);
    mem_free(ix->slots);
    pthread_rwlock_destroy(&ix->lock);
    mem_free(ix);
}

static uint64_t hash_of(const void *key, size_t len)
{
    uint64_t h = XXH3_64bits(key, len);
    return h ? h : 1;
}

static const uint8_t *store_key(eng_keyidx *ix, const void *key, size_t len)
{
    if (ix->chunk_used + len > KEYIDX_CHUNK || len > KEYIDX_CHUNK) {
        if (ix->nchunks == ix->capchunks) {
            size_t nc = ix->capchunks ? ix->capchunks * 2 : 16;
            uint8_t **c = mem_realloc(ix->chunks, nc * sizeof(*c));
            if (!c)
                return NULL;
            ix->chunks = c;
            ix->capchunks = nc;
        }
        size_t sz = len > KEYIDX_CHUNK ? len : KEYIDX_CHUNK;
        uint8_t *chunk = mem_alloc(sz);
        if (!chunk)
            return NULL;
        ix->chunks[ix->nchunks++] = chunk;
        ix->chunk_used = 0;
    }
    uint8_t *p = ix->chunks[ix->nchunks - 1] + ix->chunk_used;
    memcpy(p, key, len);
    ix->chunk_used += len;
    return p;
}

static int grow(eng_keyidx *ix)
{
    size_t ncap = ix->cap * 2;
    slot *ns = mem_calloc(ncap, sizeof(slot));
    if (!ns)
        return -1;
    for (size_t i = 0; i < ix->cap; i++) {
        slot *s = &ix->slots[i];
        if (!s->hash)
            continue;
        size_t j = s->hash & (ncap - 1);
        while (ns[j].hash)
            j = (j + 1) & (ncap - 1);
        ns[j] = *s;
    }
    mem_free(ix->slots);
    ix->slots = ns;
    ix->cap = ncap;
    return 0;
}

int eng_keyidx_insert(eng_keyidx *ix, const void *key, size_t len, uint64_t rowid)
{
    uint64_t h = hash_of(key, len);
    int rc = -1;
    pthread_rwlock_wrlock(&ix->lock);
    if ((ix->used + 1) * 2 > ix->cap && grow(ix))
        goto out;
    size_t j = h & (ix->cap - 1);
    while (ix->slots[j].hash) {
        slot *s = &ix->slots[j];
        if (s->hash == h && s->rowid == rowid && s->len == len && memcmp(s->key, key, len) == 0) {
            rc = 0; /* already there (an update that kept its key) */
            goto out;
        }
        j = (j + 1) & (ix->cap - 1);
    }
    const uint8_t *k = store_key(ix, key, len);
    if (!k)
        goto out;
    ix->slots[j] = (slot){h, rowid, k, (uint32_t)len};
    ix->used++;
    rc = 0;
out:
    pthread_rwlock_unlock(&ix->lock);
    return rc;
}

long eng_keyidx_lookup(eng_keyidx *ix, const void *key, size_t len, arena *a, uint64_t **out)
{
    uint64_t h = hash_of(key, len);
    size_t n = 0, cap = 4;
    uint64_t *ids = arena_alloc(a, cap * sizeof(uint64_t));
    if (!ids)
        return -1;
    pthread_rwlock_rdlock(&ix->lock);
    for (size_t j = h & (ix->cap - 1); ix->slots[j].hash; j = (j + 1) & (ix->cap - 1)) {
        slot *s = &ix->slots[j];
        if (s->hash != h || s->len != len || memcmp(s->key, key, len) != 0)
            continue;
        if (n == cap) {
            uint64_t *more = arena_alloc(a, cap * 2 * sizeof(uint64_t));
            if (!more) {
                pthread_rwlock_unlock(&ix->lock);
                return -1;
            }
            memcpy(more, ids, n * sizeof(uint64_t));
            ids = more;
            cap *= 2;
        }
        ids[n++] = s->rowid;
    }
    pthread_rwlock_unlock(&ix->lock);
    *out = ids;
    return (long)n;
}

size_t eng_keyidx_count(eng_keyidx *ix)
{
    pthread_rwlock_rdlock(&ix->lock);
    size_t n = ix->used;
    pthread_rwlock_unlock(&ix->lock);
    return n;
}

size_t eng_keyidx_bytes(eng_keyidx *ix)
{
    pthread_rwlock_rdlock(&ix->lock);
    /* a big key's own chunk is counted at the standard size: close enough for sizes */
    size_t n = sizeof(*ix) + ix->cap * sizeof(slot) + ix->capchunks * sizeof(uint8_t *) + ix->nchunks * KEYIDX_CHUNK;
    pthread_rwlock_unlock(&ix->lock);
    return n;
}

/* ---- saving and loading ------------------------------------------------ */

static void le64(uint8_t *b, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t rd64(const uint8_t *b)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)b[i] << (8 * i);
    return v;
}

/* Entries are batched this many bytes at a time before a write call. */
#define KEYIDX_SAVE_BATCH (64u << 10)

int eng_keyidx_save(eng_keyidx *ix, eng_keyidx_write_fn write, void *ctx)
{
    uint8_t *b = mem_alloc(KEYIDX_SAVE_BATCH);
    if (!b)
        return -1;
    pthread_rwlock_rdlock(&ix->lock);
    uint64_t keybytes = 0;
    for (size_t i = 0; i < ix->cap; i++)
        keybytes += ix->slots[i].hash ? ix->slots[i].len : 0;
    le64(b, ix->cap);
    le64(b + 8, ix->used);
    le64(b + 16, keybytes);
    size_t n = 24;
    int rc = 0;
    for (size_t i = 0; i < ix->cap && !rc; i++) {
        const slot *s = &ix->slots[i];
        if (!s->hash)
            continue;
        if (n + 20 + s->len > KEYIDX_SAVE_BATCH) {
            rc = write(ctx, b, n);
            n = 0;
        }
        le64(b + n, s->hash);
        le64(b + n + 8, s->rowid);
        for (int k = 0; k < 4; k++)
            b[n + 16 + k] = (uint8_t)(s->len >> (8 * k));
        n += 20;
        if (20 + s->len > KEYIDX_SAVE_BATCH) { /* a key bigger than the batch goes on its own */
            rc = rc ? rc : write(ctx, b, n);
            rc = rc ? rc : write(ctx, s->key, s->len);
            n = 0;
        } else {
            memcpy(b + n, s->key, s->len);
            n += s->len;
        }
    }
    pthread_rwlock_unlock(&ix->lock);
    if (!rc && n)
        rc = write(ctx, b, n);
    mem_free(b);
    return rc ? -1 : 0;
}

/* Every entry of p[0..n) after the header into ix's slots and its one key chunk. */
static bool load_entries(eng_keyidx *ix, const uint8_t *p, size_t n, uint64_t used, uint64_t keybytes)
{
    uint8_t *keys = ix->chunks[0];
    size_t off = 24, koff = 0;
    for (uint64_t e = 0; e < used; e++) {
        if (n - off < 20)
            return false;
        uint64_t h = rd64(p + off), rowid = rd64(p + off + 8);
        uint32_t len = (uint32_t)p[off + 16] | (uint32_t)p[off + 17] << 8 | (uint32_t)p[off + 18] << 16 |
                       (uint32_t)p[off + 19] << 24;
        off += 20;
        if (!h || len > n - off || len > keybytes - koff)
            return false;
        memcpy(keys + koff, p + off, len);
        size_t j = h & (ix->cap - 1);
        while (ix->slots[j].hash)
            j = (j + 1) & (ix->cap - 1);
        ix->slots[j] = (slot){h, rowid, keys + koff, len};
        koff += len;
        off += len;
    }
    return off == n && koff == keybytes;
}

eng_keyidx *eng_keyidx_load(const uint8_t *p, size_t n)
{
    if (n < 24)
        return NULL;
    uint64_t cap = rd64(p), used = rd64(p + 8), keybytes = rd64(p + 16);
    /* as inserts leave it: a power of two at least the initial size, at most half full */
    if (cap < KEYIDX_INITIAL_SLOTS || (cap & (cap - 1)) || used > cap / 2 || keybytes > n ||
        used > n / 20 || cap > (uint64_t)SIZE_MAX / sizeof(slot))
        return NULL;
    eng_keyidx *ix = mem_calloc(1, sizeof(*ix));
    if (!ix)
        return NULL;
    pthread_rwlock_init(&ix->lock, NULL);
    ix->slots = mem_calloc(cap, sizeof(slot));
    ix->chunks = mem_alloc(sizeof(uint8_t *));
    if (ix->chunks && (ix->chunks[0] = mem_alloc(keybytes ? keybytes : 1)))
        ix->nchunks = ix->capchunks = 1;
    ix->chunk_used = KEYIDX_CHUNK; /* the next key starts a chunk of its own */
    ix->cap = cap;
    ix->used = used;
    if (!ix->slots || !ix->nchunks || !load_entries(ix, p, n, used, keybytes)) {
        eng_keyidx_free(ix);
        return NULL;
    }
    return ix;
}
