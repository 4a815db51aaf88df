/* hc_store: the hypercube schema and its row access (see hc_store.h). */
#include "engine/hc_store.h"

#include <stdio.h>
#include <string.h>

#include "engine/types/types.h"

#define BPCHAR1 (1 + 4) /* char(1): PostgreSQL's typmod is the length plus the 4-byte header */

static const eng_column atom_cols[HC_ATOM_NCOLS] = {
    {"id", OID_BYTEA, -1, true, NULL},          {"codepoint", OID_INT4, -1, true, NULL},
    {"value", OID_BYTEA, -1, true, NULL},       {"geom", OID_HYPERCUBE, -1, true, NULL},
    {"hilbert_lo", OID_INT8, -1, true, NULL},   {"hilbert_hi", OID_INT8, -1, true, NULL},
};

static const eng_column comp_cols[HC_COMP_NCOLS] = {
    {"id", OID_BYTEA, -1, true, NULL},           {"label", OID_TEXT, -1, false, NULL},
    {"depth", OID_INT4, -1, true, NULL},         {"child_count", OID_INT4, -1, true, NULL},
    {"atom_count", OID_INT8, -1, true, NULL},    {"centroid", OID_HYPERCUBE, -1, false, NULL},
    {"hilbert_lo", OID_INT8, -1, false, NULL},   {"hilbert_hi", OID_INT8, -1, false, NULL},
};

static const eng_column child_cols[HC_CC_NCOLS] = {
    {"composition_id", OID_BYTEA, -1, true, NULL},
    {"ordinal", OID_INT2, -1, true, NULL},
    {"child_type", OID_BPCHAR, BPCHAR1, true, NULL},
    {"child_id", OID_BYTEA, -1, true, NULL},
};

static const eng_column rel_cols[HC_REL_NCOLS] = {
    {"id", OID_INT8, -1, true, NULL},             {"source_type", OID_BPCHAR, BPCHAR1, true, NULL},
    {"target_type", OID_BPCHAR, BPCHAR1, true, NULL}, {"source_id", OID_BYTEA, -1, true, NULL},
    {"target_id", OID_BYTEA, -1, true, NULL},     {"relation_type", OID_BPCHAR, BPCHAR1, true, NULL},
    {"weight", OID_FLOAT4, -1, false, NULL},      {"source_model", OID_TEXT, -1, false, NULL},
    {"source_count", OID_INT4, -1, false, NULL},  {"layer", OID_INT4, -1, false, NULL},
    {"component", OID_TEXT, -1, false, NULL},
};

typedef struct hc_tabledef {
    const char *name;
    int ncols;
    const eng_column *cols;
    int npk;
    int pk[2];
} hc_tabledef;

static const hc_tabledef tables[] = {
    {"atom", HC_ATOM_NCOLS, atom_cols, 1, {HC_ATOM_ID}},
    {"composition", HC_COMP_NCOLS, comp_cols, 1, {HC_COMP_ID}},
    {"composition_child", HC_CC_NCOLS, child_cols, 2, {HC_CC_COMP, HC_CC_ORDINAL}},
    {"relation", HC_REL_NCOLS, rel_cols, 1, {HC_REL_ID}},
};

int hc_store_install(const eng_ext_install *in, pgw_error *err)
{
    eng_catalog *cat = in->cat;
    st_txn *txn = in->txn;
    eng_ddl_log *log = in->log;
    eng_table *made[4];
    for (int i = 0; i < 4; i++) {
        const hc_tabledef *d = &tables[i];
        if (eng_catalog_find(cat, d->name)) {
            pgw_error_set(err, SQLSTATE_DUPLICATE_TABLE, "relation \"%s\" already exists", d->name);
            return -1;
        }
        eng_table_def def = {d->name, d->ncols, d->cols};
        if (eng_catalog_create_table(cat, txn, log, &def, &made[i], err))
            return -1;
        char pkey[64];
        snprintf(pkey, sizeof(pkey), "%s_pkey", d->name);
        if (eng_catalog_add_index(cat, txn, log, made[i], pkey, d->pk, d->npk, true, true, err))
            return -1;
    }
    /* the reference's unique keys: one atom per codepoint, one relation per (source,
     * target, type, model, layer, component). Its non-unique indexes (children by
     * child id, relations by source) are left out: keyidx keeps equal keys in one
     * probe chain, so a key shared by many rows (the atom of 'e') would make
     * every insert walk all of them. */
    static const int cp_col[1] = {HC_ATOM_CODEPOINT};
    static const int rel_key[6] = {HC_REL_SOURCE, HC_REL_TARGET, HC_REL_TYPE, HC_REL_MODEL, HC_REL_LAYER,
                                   HC_REL_COMPONENT};
    if (eng_catalog_add_index(cat, txn, log, made[0], "atom_codepoint_key", cp_col, 1, true, false, err) ||
        eng_catalog_add_index(cat, txn, log, made[3], "relation_source_id_target_id_relation_type_key", rel_key, 6,
                              true, false, err))
        return -1;
    return 0;
}

int hc_store_uninstall(const eng_ext_install *in, pgw_error *err)
{
    for (int i = 0; i < 4; i++) {
        eng_table *t = eng_catalog_find(in->cat, tables[i].name);
        if (t && eng_catalog_drop_table(in->cat, in->txn, in->log, t, err))
            return -1;
    }
    return 0;
}

int hc_store_open(eng_ctx *c, hc_store *s)
{
    eng_catalog *cat = c->env ? c->env->catalog : NULL;
    eng_table **slots[4] = {&s->atom, &s->comp, &s->child, &s->rel};
    for (int i = 0; i < 4; i++) {
        const hc_tabledef *d = &tables[i];
        eng_table *t = cat ? eng_catalog_find(cat, d->name) : NULL;
        if (!t || !c->env->txn) {
            pgw_error_set(c->err, SQLSTATE_UNDEFINED_TABLE, "relation \"%s\" does not exist", d->name);
            pgw_error_hint(c->err, "The hypercube tables are created by CREATE EXTENSION hypercube.");
            return -1;
        }
        /* a table of that name made by hand must have the extension's columns */
        for (int k = 0; k < d->ncols; k++) {
            if (k >= t->ncols || strcmp(t->cols[k].name, d->cols[k].name) != 0 || t->cols[k].type != d->cols[k].type) {
                pgw_error_set(c->err, SQLSTATE_DATATYPE_MISMATCH, "table \"%s\" does not have the hypercube columns",
                              d->name);
                pgw_error_detail(c->err, "Column %d should be \"%s\" of type %s.", k + 1, d->cols[k].name,
                                 eng_type_sqlname(d->cols[k].type));
                return -1;
            }
        }
        *slots[i] = t;
    }
    return 0;
}

static const eng_index *primary_index(const eng_table *t)
{
    for (int k = 0; k < t->nindexes; k++)
        if (t->indexes[k]->primary)
            return t->indexes[k];
    return NULL;
}

int hc_store_get(eng_ctx *c, eng_table *t, const eng_val *key, eng_val *row, uint64_t *rowid)
{
    const eng_index *ix = primary_index(t);
    uint8_t *k, *k2;
    size_t klen, k2len;
    if (!ix || !eng_index_key(c, t, ix, key, &k, &klen))
        return pgw_error_is_set(c->err) ? -1 : 0;
    uint64_t *ids;
    long n = eng_keyidx_lookup(ix->keys, k, klen, c->mem, &ids);
    if (n < 0)
        return eng__oom(c);
    for (long i = 0; i < n; i++) {
        st_row r;
        if (st_get(c->env->txn, t->st, ids[i], &r) != ST_OK)
            continue;
        /* index entries are candidates: compare the visible version's key */
        if (eng_row_decode(c, t, r.data, r.len, row))
            return -1;
        if (eng_index_key(c, t, ix, row, &k2, &k2len) && k2len == klen && memcmp(k, k2, klen) == 0) {
            *rowid = ids[i];
            return 1;
        }
    }
    return pgw_error_is_set(c->err) ? -1 : 0;
}

int hc_store_scan(eng_ctx *c, eng_table *t, hc_row_fn fn, void *arg)
{
    eng_ctx sc = *c;
    if (!(sc.mem = arena_new()))
        return eng__oom(c);
    eng_val *row = arena_calloc(c->mem, (size_t)t->ncols + 1, sizeof(eng_val));
    int rc = row ? 0 : eng__oom(c);
    st_scan scan;
    st_scan_init(&scan, c->env->txn, t->st);
    st_row r;
    while (rc == 0 && st_scan_next(&scan, &r)) {
        arena_reset(sc.mem);
        rc = eng_row_decode(&sc, t, r.data, r.len, row) ? -1 : fn(c, arg, row, r.rowid);
    }
    arena_free(sc.mem);
    return rc;
}

int hc_store_room(eng_ctx *c, void **p, size_t n, size_t *cap, size_t elem)
{
    if (n < *cap)
        return 0;
    size_t nc = *cap ? *cap * 2 : 256;
    void *q = arena_alloc(c->mem, nc * elem);
    if (!q)
        return eng__oom(c);
    if (*p)
        memcpy(q, *p, *cap * elem);
    *p = q, *cap = nc;
    return 0;
}

int hc_store_update(eng_ctx *c, eng_table *t, uint64_t rowid, const eng_val *row)
{
    size_t len;
    uint8_t *data = eng_row_encode(c, t, row, &len);
    if (!data)
        return -1;
    int rc = st_update(c->env->txn, t->st, rowid, data, len, c->err);
    if (rc == ST_OK)
        return 0;
    if (rc != ST_ERROR)
        pgw_error_set(c->err, SQLSTATE_SERIALIZATION_FAILURE, "could not serialize access due to concurrent update");
    return -1;
}
