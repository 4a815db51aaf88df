/*
 * hc_rank: semantic key and dense rank of every codepoint.
 *
 * The key follows hypercube-semantics.md §4.1 (reference snapshot 6361d16),
 * including its quirks, because the rank decides every atom's position and
 * must match the reference bit for bit:
 *   - decomposition: a-z -> A-Z; ASCII is otherwise its own base; a few
 *     Latin-1 accented ranges -> the plain vowel (upper ranges to upper, lower
 *     ranges to lower); Greek and Cyrillic capitals -> small letters;
 *   - case folding A-Z, Greek 0x391-0x3A9 and Cyrillic 0x410-0x42F by +32;
 *   - homoglyph groups of the case-folded base (g belongs to group 6: the
 *     reference lists it in groups 6 and 9 and its map keeps the first);
 *   - base similarity is masked to 20 bits, so the large Greek/Cyrillic values
 *     wrap, exactly as in the reference.
 * Ties between keys (codepoints 2^20 apart) are broken by the codepoint: the
 * radix sort below is stable and starts from codepoint order.
 */
#include "engine/hypercube/hc_rank.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "util/mem.h"

static uint32_t decompose_to_base(uint32_t cp)
{
    if (cp >= 'a' && cp <= 'z')
        return cp - 32;
    if (cp <= 0x7F)
        return cp;
    static const struct {
        uint32_t lo, hi, base;
    } accented[] = {
        {0xC0, 0xC5, 'A'}, {0xC8, 0xCB, 'E'}, {0xCC, 0xCF, 'I'}, {0xD2, 0xD6, 'O'},
        {0xD9, 0xDC, 'U'}, {0xE0, 0xE5, 'a'}, {0xE8, 0xEB, 'e'}, {0xEC, 0xEF, 'i'},
        {0xF2, 0xF6, 'o'}, {0xF9, 0xFC, 'u'},
    };
    for (size_t i = 0; i < sizeof accented / sizeof accented[0]; i++)
        if (cp >= accented[i].lo && cp <= accented[i].hi)
            return accented[i].base;
    if ((cp >= 0x391 && cp <= 0x3A9) || (cp >= 0x410 && cp <= 0x42F))
        return cp + 0x20;
    return cp;
}

static uint32_t case_fold(uint32_t cp)
{
    if ((cp >= 'A' && cp <= 'Z') || (cp >= 0x391 && cp <= 0x3A9) || (cp >= 0x410 && cp <= 0x42F))
        return cp + 32;
    return cp;
}

static uint32_t homoglyph_group(uint32_t cp)
{
    switch (cp) {
    case '0': case 'O': case 'o': case 0xD8: case 0xF8:
        return 0;
    case '1': case 'I': case 'i': case 'l': case '|':
        return 1;
    case '2': case 'Z': case 'z':
        return 2;
    case '3':
        return 3;
    case '4':
        return 4;
    case '5': case 'S': case 's':
        return 5;
    case '6': case 'G': case 'g':
        return 6;
    case '7':
        return 7;
    case '8': case 'B': case 'b':
        return 8;
    case '9': case 'q':
        return 9;
    default:
        return cp;
    }
}

static uint32_t script_id(uint32_t cp)
{
    if (cp <= 0x24F) return 0;
    if (cp >= 0x370 && cp <= 0x3FF) return 1;
    if (cp >= 0x400 && cp <= 0x4FF) return 2;
    if (cp >= 0x590 && cp <= 0x5FF) return 3;
    if (cp >= 0x600 && cp <= 0x77F) return 4;
    if (cp >= 0x900 && cp <= 0x97F) return 5;
    if (cp >= 0x2E80 && cp <= 0x9FFF) return 6;
    if (cp >= 0x1F600 && cp <= 0x1F64F) return 7;
    if (cp >= 0x1F300 && cp <= 0x1F5FF) return 8;
    return 100;
}

static int is_ascii_punct(uint32_t cp)
{
    return (cp >= 0x21 && cp <= 0x2F) || (cp >= 0x3A && cp <= 0x40) || (cp >= 0x5B && cp <= 0x60) ||
           (cp >= 0x7B && cp <= 0x7E);
}

/* Universal category (bits 63-56) and base similarity (bits 47-28). */
static void category_and_base(uint32_t cp, uint32_t *cat, uint32_t *base)
{
    uint32_t b = decompose_to_base(cp);
    uint32_t group = homoglyph_group(case_fold(b));
    if (cp <= 0x1F || (cp >= 0x7F && cp <= 0x9F))
        *cat = 0, *base = cp;
    else if (cp == 0x20 || cp == 0xA0)
        *cat = 1, *base = 0;
    else if (cp >= '0' && cp <= '9')
        *cat = 2, *base = group * 10000;
    else if ((cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') || (cp >= 0xC0 && cp <= 0x24F))
        *cat = 3, *base = group * 1000 + b % 1000;
    else if (cp >= 0x391 && cp <= 0x3C9)
        *cat = 3, *base = 200000 + group * 1000 + b % 1000;
    else if (cp >= 0x410 && cp <= 0x44F)
        *cat = 3, *base = 300000 + group * 1000 + b % 1000;
    else if (cp >= 0x4E00 && cp <= 0x9FFF)
        *cat = 3, *base = 600000 + (cp - 0x4E00);
    else if (is_ascii_punct(cp))
        *cat = 4, *base = 100000 + cp;
    else if (cp >= 0x1F600 && cp <= 0x1F64F)
        *cat = 5, *base = 400000 + (cp - 0x1F600);
    else if (cp >= 0x1F300 && cp <= 0x1F5FF)
        *cat = 5, *base = 500000 + (cp - 0x1F300);
    else if (cp >= 0xD800 && cp <= 0xDFFF)
        *cat = 0, *base = 700000 + (cp - 0xD800);
    else
        *cat = 7, *base = 800000 + cp % 100000;
}

static uint32_t variant_order(uint32_t cp)
{
    int upper = (cp >= 'A' && cp <= 'Z') || (cp >= 0x391 && cp <= 0x3A9) || (cp >= 0x410 && cp <= 0x42F);
    int lower = (cp >= 'a' && cp <= 'z') || (cp >= 0x3B1 && cp <= 0x3C9) || (cp >= 0x430 && cp <= 0x44F);
    int accented = cp >= 0xC0 && cp <= 0x24F;
    uint32_t v = upper ? 0 : lower ? 1 : accented ? 2 : 3;
    uint32_t combining = (cp >= 0x300 && cp <= 0x36F) ? 1 : 0;
    return (v << 4) | combining;
}

uint64_t hc__semantic_key(uint32_t cp)
{
    uint32_t cat, base;
    category_and_base(cp, &cat, &base);
    uint64_t key = 0;
    key |= (uint64_t)(cat & 0xFF) << 56;
    key |= (uint64_t)(script_id(cp) & 0xFF) << 48;
    key |= (uint64_t)(base & 0xFFFFF) << 28;
    key |= (uint64_t)(variant_order(cp) & 0xFF) << 20;
    key |= (uint64_t)(cp & 0xFFFFF);
    return key;
}

/*
 * Stable LSD radix sort of codepoints by key, 16 bits per pass (4 passes).
 * Starting from codepoint order makes equal keys come out by codepoint.
 */
static hc_status sort_by_key(uint32_t *order)
{
    uint64_t *keys = mem_alloc(sizeof(uint64_t) * HC_RANK_COUNT);
    uint32_t *tmp = mem_alloc(sizeof(uint32_t) * HC_RANK_COUNT);
    uint32_t *count = mem_alloc(sizeof(uint32_t) * 65536);
    if (!keys || !tmp || !count) {
        mem_free(keys), mem_free(tmp), mem_free(count);
        return HC_ERR_NOMEM;
    }
    for (uint32_t cp = 0; cp < HC_RANK_COUNT; cp++) {
        keys[cp] = hc__semantic_key(cp);
        order[cp] = cp;
    }
    for (int shift = 0; shift < 64; shift += 16) {
        memset(count, 0, sizeof(uint32_t) * 65536);
        for (uint32_t i = 0; i < HC_RANK_COUNT; i++)
            count[(keys[order[i]] >> shift) & 0xFFFF]++;
        uint32_t sum = 0;
        for (uint32_t d = 0; d < 65536; d++) {
            uint32_t c = count[d];
            count[d] = sum;
            sum += c;
        }
        for (uint32_t i = 0; i < HC_RANK_COUNT; i++)
            tmp[count[(keys[order[i]] >> shift) & 0xFFFF]++] = order[i];
        memcpy(order, tmp, sizeof(uint32_t) * HC_RANK_COUNT);
    }
    mem_free(keys), mem_free(tmp), mem_free(count);
    return HC_OK;
}

static pthread_mutex_t rank_lock = PTHREAD_MUTEX_INITIALIZER;
static _Atomic(const uint32_t *) rank_table; /* published once, never freed */

static hc_status build_table(const uint32_t **out)
{
    uint32_t *order = mem_alloc(sizeof(uint32_t) * HC_RANK_COUNT);
    uint32_t *rank_of = mem_alloc(sizeof(uint32_t) * HC_RANK_COUNT);
    if (!order || !rank_of) {
        mem_free(order), mem_free(rank_of);
        return HC_ERR_NOMEM;
    }
    hc_status st = sort_by_key(order);
    if (st != HC_OK) {
        mem_free(order), mem_free(rank_of);
        return st;
    }
    for (uint32_t r = 0; r < HC_RANK_COUNT; r++)
        rank_of[order[r]] = r;
    mem_free(order);
    *out = rank_of;
    return HC_OK;
}

hc_status hc__rank_table(const uint32_t **rank_of)
{
    const uint32_t *t = atomic_load_explicit(&rank_table, memory_order_acquire);
    if (t) {
        *rank_of = t;
        return HC_OK;
    }
    hc_status st = HC_OK;
    pthread_mutex_lock(&rank_lock);
    t = atomic_load_explicit(&rank_table, memory_order_relaxed);
    if (!t) {
        st = build_table(&t);
        if (st == HC_OK)
            atomic_store_explicit(&rank_table, t, memory_order_release);
    }
    pthread_mutex_unlock(&rank_lock);
    *rank_of = t;
    return st;
}
