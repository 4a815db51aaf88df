/* keyidx: open-addressing hash multimap (see keyidx.h). */
#include "engine/index/keyidx.h"

#include <pthread.h>
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
