/*
 * hc_search_text: search_text(query [, limit = 50]) -- the original
 * extension's lexical search (hypercube-semantics.md §6.1), kept beside the
 * geometric semantic_search: compositions of depth >= 3 whose text is
 * longer than 3 bytes and contains any query word of more than 2
 * characters (the whole query when no word is that long), ignoring case,
 * ordered by depth, then atom_count, both descending, then id. Rows are
 * (id, text, depth, atom_count, score = 0.5 * depth + 0.1 * atom_count).
 *
 * Unlike the original, the words are matched literally: regular
 * expression characters in a query are escaped, not live.
 *
 * As semantic_search does, each row is the best one after the previous
 * row's key, found by one scan; a candidate's text is its label, or rebuilt
 * from its atoms when the label is empty (longer texts).
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <string.h>

#include "engine/func/registry.h"
#include "engine/hc_store.h"
#include "engine/hypercube/hc_id.h"
#include "util/buf.h"

#define MIN_DEPTH 3
#define KEY_ID_BYTES 16 /* of the id kept in the SRF state; SHA-256 prefixes do not collide */
#define DEFAULT_LIMIT 50

static const char *const st_names[] = {"id", "text", "depth", "atom_count", "score"};
static const uint32_t st_types[] = {OID_BYTEA, OID_TEXT, OID_INT4, OID_INT8, OID_FLOAT8};
static const eng_srf_cols st_cols = {5, st_names, st_types};

/* Result order: depth desc, atom_count desc, id asc. */
typedef struct tkey {
    int64_t depth, atoms;
    uint8_t id[HC_ID_LEN];
} tkey;

static int key_cmp(const tkey *a, const tkey *b, size_t idlen)
{
    if (a->depth != b->depth)
        return a->depth > b->depth ? -1 : 1;
    if (a->atoms != b->atoms)
        return a->atoms > b->atoms ? -1 : 1;
    return memcmp(a->id, b->id, idlen);
}

static size_t utf8_chars(const char *p, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += ((unsigned char)p[i] & 0xC0) != 0x80;
    return k;
}

/* Appends p[0..n) with every ASCII character that is not a letter or digit escaped. */
static void append_literal(buf *b, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)p[i];
        bool plain = ch >= 0x80 || (ch >= '0' && ch <= '9') || ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z');
        if (!plain)
            buf_append(b, "\\", 1);
        buf_append(b, &p[i], 1);
    }
}

/* The pattern: the words of more than 2 characters joined by |, or the whole query. */
static void build_pattern(const eng_val *q, buf *b)
{
    const char *p = q->s.p, *end = p + q->s.n;
    while (p < end) {
        while (p < end && *p == ' ')
            p++;
        const char *w = p;
        while (p < end && *p != ' ')
            p++;
        if (utf8_chars(w, (size_t)(p - w)) > 2) {
            if (b->len)
                buf_append(b, "|", 1);
            append_literal(b, w, (size_t)(p - w));
        }
    }
    if (!b->len)
        append_literal(b, q->s.p, q->s.n);
}

static pcre2_code *compile_query(eng_ctx *c, const eng_val *q)
{
    buf b;
    buf_init(&b);
    build_pattern(q, &b);
    int ecode;
    PCRE2_SIZE eoff;
    PCRE2_SPTR pattern = (PCRE2_SPTR)(b.len ? (const char *)b.data : "");
    pcre2_code *re = b.failed ? NULL
                              : pcre2_compile(pattern, b.len, PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_CASELESS,
                                              &ecode, &eoff, NULL);
    buf_free(&b);
    if (!re)
        eng__oom(c); /* every character is escaped: only memory can fail */
    return re;
}

typedef struct ts_scan {
    hc_store s;
    pcre2_code *re;
    pcre2_match_data *md;
    arena *scratch;       /* a candidate's rebuilt text */
    const tkey *after;    /* NULL: any */
    tkey best;
    uint64_t rowid;
    bool found;
} ts_scan;

/* 1 when the composition's text (label, or rebuilt) is long enough and matches. */
static int text_matches(eng_ctx *c, ts_scan *t, const eng_val *row)
{
    eng_val text = row[HC_COMP_LABEL];
    if (text.null) {
        eng_ctx sc = *c;
        arena_reset(t->scratch);
        sc.mem = t->scratch;
        int found = hc_store_text(&sc, &t->s, &row[HC_COMP_ID], &text);
        if (found <= 0)
            return found;
    }
    if (text.s.n <= 3)
        return 0;
    int rc = pcre2_match(t->re, (PCRE2_SPTR)text.s.p, text.s.n, 0, 0, t->md, NULL);
    if (rc < 0 && rc != PCRE2_ERROR_NOMATCH) {
        pgw_error_set(c->err, SQLSTATE_INVALID_REGULAR_EXPRESSION, "regular expression failed (PCRE2 error %d)", rc);
        return -1;
    }
    return rc >= 0;
}

static int consider(eng_ctx *c, void *arg, const eng_val *row, uint64_t rowid)
{
    ts_scan *t = arg;
    if (row[HC_COMP_DEPTH].null || row[HC_COMP_DEPTH].i < MIN_DEPTH || row[HC_COMP_ID].s.n != HC_ID_LEN)
        return 0;
    tkey k = {row[HC_COMP_DEPTH].i, row[HC_COMP_ATOM_COUNT].null ? 0 : row[HC_COMP_ATOM_COUNT].i, {0}};
    memcpy(k.id, row[HC_COMP_ID].s.p, HC_ID_LEN);
    if ((t->after && key_cmp(&k, t->after, KEY_ID_BYTES) <= 0) || (t->found && key_cmp(&k, &t->best, HC_ID_LEN) >= 0))
        return 0;
    int m = text_matches(c, t, row);
    if (m <= 0)
        return m;
    t->best = k;
    t->rowid = rowid;
    t->found = true;
    return 0;
}

/* The best matching row after `after`: 1 with t->best / t->rowid, 0 when none. */
static int next_best(eng_ctx *c, ts_scan *t, const eng_val *query)
{
    if (!(t->re = compile_query(c, query)))
        return -1;
    t->md = pcre2_match_data_create_from_pattern(t->re, NULL);
    t->scratch = arena_new();
    int rc = t->md && t->scratch ? hc_store_scan(c, t->s.comp, consider, t) : eng__oom(c);
    arena_free(t->scratch);
    pcre2_match_data_free(t->md);
    pcre2_code_free(t->re);
    return rc ? -1 : t->found;
}

static int emit(eng_ctx *c, ts_scan *t, eng_val *o)
{
    st_row r;
    eng_val *row = arena_calloc(c->mem, (size_t)t->s.comp->ncols + 1, sizeof(eng_val));
    if (!row)
        return eng__oom(c);
    if (st_get(c->env->txn, t->s.comp->st, t->rowid, &r) != ST_OK || eng_row_decode(c, t->s.comp, r.data, r.len, row))
        return pgw_error_is_set(c->err) ? -1 : (pgw_error_set(c->err, SQLSTATE_SERIALIZATION_FAILURE, "row vanished during the search"), -1);
    o[0] = row[HC_COMP_ID];
    if (hc_store_text(c, &t->s, &row[HC_COMP_ID], &o[1]) < 0)
        return -1;
    o[2] = row[HC_COMP_DEPTH];
    o[3] = row[HC_COMP_ATOM_COUNT];
    o[4] = (eng_val){.null = false, .f = 0.5 * (double)t->best.depth + 0.1 * (double)t->best.atoms};
    return 0;
}

/* state: [0] rows given, [1] the last depth, [2] its atom_count, [3..4] its id's first 16 bytes */
static int srf_search_text(eng_ctx *c, const eng_val *a, int n, int64_t *st, bool *done, eng_val *o)
{
    int64_t limit = n > 1 ? a[1].i : DEFAULT_LIMIT;
    if (limit < 0) {
        pgw_error_set(c->err, SQLSTATE_INVALID_PARAMETER_VALUE, "search_text: the limit must not be negative");
        return -1;
    }
    if (st[0] >= limit) {
        *done = true;
        return 0;
    }
    ts_scan t = {.found = false};
    tkey after = {st[1], st[2], {0}};
    memcpy(after.id, &st[3], KEY_ID_BYTES);
    t.after = st[0] ? &after : NULL;
    if (hc_store_open(c, &t.s))
        return -1;
    int found = next_best(c, &t, &a[0]);
    if (found <= 0) {
        *done = found == 0;
        return found;
    }
    st[0]++;
    st[1] = t.best.depth;
    st[2] = t.best.atoms;
    memcpy(&st[3], t.best.id, KEY_ID_BYTES);
    return emit(c, &t, o);
}

void eng__register_hc_search_text(void)
{
    const int F = ENG_F_STRICT | ENG_F_TABLES;
    eng__reg_srf_cols("search_text", &st_cols, F, srf_search_text, 1, OID_TEXT);
    eng__reg_srf_cols("search_text", &st_cols, F, srf_search_text, 2, OID_TEXT, OID_INT4);
}
