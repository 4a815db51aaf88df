/*
 * catalog_recover: the catalog's side of checkpoints and recovery (see
 * catalog.c for the record formats). A checkpoint writes the whole catalog
 * as one blob of the same records DDL logs, then each index's image
 * (catalog_persist.c); recovery applies the blob's records, loads the
 * images, then applies the WAL's records and replays its rows into the
 * loaded indexes. Every record is idempotent: a create of a known relid
 * replaces it, a drop of an unknown one is skipped.
 */
#include <string.h>

#include "engine/catalog.h"
#include "engine/catalog_internal.h"
#include "engine/seq.h"
#include "util/buf.h"

int eng__cat_apply_rec(eng_catalog *cat, uint32_t kind, const uint8_t *data, size_t len, pgw_error *err)
{
    if (eng__seq_kind(kind))
        return eng__seq_apply(cat, kind, data, len, err);
    arena *a = arena_new();
    if (!a)
        return pgw_error_oom(err), -1;
    eng_rd r = {data, data + len, false};
    uint32_t relid = eng__get_u32(&r);
    eng_table *t = eng_catalog_find_relid(cat, relid);
    int rc = 0;
    if (kind == CAT_ACL) {
        char *role = eng__get_str(&r, a);
        uint32_t privs = eng__get_u32(&r);
        rc = r.bad || !role || eng__cat_acl_put(cat, relid, role, privs, NULL) ? -1 : 0;
        if (rc)
            pgw_error_set(err, ST_SQLSTATE_DATA_CORRUPTED, "malformed catalog record (kind %u)", kind);
        arena_free(a);
        return rc;
    }
    if (kind == CAT_EXT || kind == CAT_DROP_EXT) {
        rc = eng__cat_apply_ext(cat, kind, relid, &r, a, err);
        arena_free(a);
        return rc;
    }
    if (kind == ENG_CAT_CONS || kind == ENG_CAT_DROP_CONS) {
        rc = eng__cons_apply(cat, t, kind, &r, a, err);
        arena_free(a);
        return rc;
    }
    if (kind == CAT_CREATE) {
        char *name = eng__get_str(&r, a);
        uint32_t n = eng__get_u32(&r);
        eng_column *cols = r.bad || n > 1600 ? NULL : arena_calloc(a, n + 1, sizeof(eng_column));
        for (uint32_t i = 0; cols && i < n && !r.bad; i++) {
            cols[i].name = eng__get_str(&r, a);
            cols[i].type = eng__get_u32(&r);
            cols[i].typmod = (int32_t)eng__get_u32(&r);
            cols[i].notnull = eng__get_u32(&r) != 0;
            cols[i].def = eng__get_str(&r, a);
        }
        if (!cols || r.bad || !name)
            goto bad;
        if (t)
            t->dropped = true;
        eng_table *nt = eng__cat_table_new(relid, name, (int)n, cols);
        if (!nt || eng__cat_add_table(cat, nt)) {
            pgw_error_oom(err);
            rc = -1;
        }
    } else if (kind == CAT_DROP) {
        if (t)
            t->dropped = true;
    } else if (kind == CAT_INDEX || kind == CAT_DROP_INDEX) {
        char *name = eng__get_str(&r, a);
        if (r.bad || !name)
            goto bad;
        for (int i = 0; t && i < t->nindexes; i++) {
            if (strcmp(t->indexes[i]->name, name) == 0) {
                eng_index *old = t->indexes[i];
                eng__cat_detach_index(t, old);
                eng__index_free(old);
                break;
            }
        }
        if (kind == CAT_INDEX && t) {
            bool unique = eng__get_u32(&r), primary = eng__get_u32(&r);
            uint32_t n = eng__get_u32(&r);
            int cols[64];
            for (uint32_t i = 0; i < n && i < 64; i++)
                cols[i] = (int)eng__get_u32(&r);
            uint32_t ixrelid = eng__get_u32(&r);
            if (r.bad || n > 64)
                goto bad;
            const eng_am *am = NULL;
            eng_am_def def = {0};
            if (r.p < r.end) {
                char *amname = eng__get_str(&r, a), *opc = eng__get_str(&r, a);
                am = amname ? eng_am_find(amname) : NULL;
                for (const eng_am_opclass *o = am ? am->opclasses : NULL; o && o->name && opc; o++)
                    if (strcmp(o->name, opc) == 0)
                        def.opclass = o;
                def.typmod = (int32_t)eng__get_u32(&r);
                for (int i = 0; i < 4; i++)
                    def.opt[i] = (int32_t)eng__get_u32(&r);
                if (r.bad || !def.opclass)
                    goto bad;
            }
            eng_index *ix = eng__cat_index_new(name, cols, (int)n, unique, primary, am, &def, err);
            if (ix)
                ix->relid = eng__note_oid(cat, ixrelid);
            if (!ix || eng__cat_attach_index(t, ix)) {
                eng__index_free(ix);
                if (!pgw_error_is_set(err))
                    pgw_error_oom(err);
                rc = -1;
            }
        }
    }
    arena_free(a);
    return rc;
bad:
    arena_free(a);
    pgw_error_set(err, ST_SQLSTATE_DATA_CORRUPTED, "malformed catalog record (kind %u)", kind);
    return -1;
}

static int rec_blob(void *ctx, uint32_t kind, uint32_t id, const void *data, size_t len, pgw_error *err)
{
    if (kind != CAT_BLOB_KIND)
        return 0;
    /* the blob is a sequence of u32 kind, u32 length, payload */
    const uint8_t *p = data, *end = p + len;
    while (end - p >= 8) {
        eng_rd r = {p, end, false};
        uint32_t k = eng__get_u32(&r), n = eng__get_u32(&r);
        if ((size_t)(end - r.p) < n)
            break;
        if (eng__cat_apply_rec(ctx, k, r.p, n, err))
            return -1;
        p = r.p + n;
    }
    (void)id;
    return 0;
}

static int rec_file(void *ctx, uint32_t id, const void *data, size_t len, pgw_error *err)
{
    eng_catalog *cat = ctx;
    (void)err;
    for (size_t i = 0; i < cat->ntables; i++)
        for (int k = 0; !cat->tables[i]->dropped && k < cat->tables[i]->nindexes; k++)
            if (cat->tables[i]->indexes[k]->relid == id)
                return eng__index_restore(cat->tables[i], cat->tables[i]->indexes[k], data, len);
    return 0; /* an index dropped since: nothing to load */
}

static void rec_row(void *ctx, uint32_t relid, uint64_t rowid, st_row_op op, const void *data, size_t len,
                    const void *old, size_t oldlen)
{
    eng_table *t = eng_catalog_find_relid(ctx, relid);
    (void)op;
    if (t)
        eng__index_replay_row(t, rowid, data, len, old, oldlen);
}

static int rec_record(void *ctx, uint32_t relid, uint32_t kind, const void *data, size_t len, pgw_error *err)
{
    (void)relid;
    return eng__cat_apply_rec(ctx, kind, data, len, err);
}

static void blob_rec(buf *b, int kind, buf *payload)
{
    eng__put_u32(b, (uint32_t)kind);
    eng__put_u32(b, (uint32_t)payload->len);
    buf_append(b, payload->data, payload->len);
    buf_reset(payload);
}

int eng__cat_checkpoint(void *ctx, st_ckpt_writer *w, pgw_error *err)
{
    eng_catalog *cat = ctx;
    buf b, one;
    buf_init(&b);
    buf_init(&one);
    eng_catalog_rdlock(cat);
    for (size_t i = 0; i < cat->ntables; i++) {
        eng_table *t = cat->tables[i];
        if (t->dropped)
            continue;
        eng__cat_rec_create(&one, t);
        blob_rec(&b, CAT_CREATE, &one);
        for (int k = 0; k < t->nindexes; k++) {
            eng__cat_rec_index(&one, t, t->indexes[k]);
            blob_rec(&b, CAT_INDEX, &one);
        }
        eng__cons_records(t, blob_rec, &b, &one);
    }
    for (size_t i = 0; i < cat->nexts; i++) {
        if (cat->exts[i]->dropped)
            continue;
        eng__cat_rec_ext(&one, cat->exts[i]);
        blob_rec(&b, CAT_EXT, &one);
    }
    for (size_t i = 0; i < cat->nacl; i++) {
        if (!cat->acl[i].privs)
            continue;
        eng__cat_rec_acl(&one, &cat->acl[i]);
        blob_rec(&b, CAT_ACL, &one);
    }
    eng__seq_checkpoint(cat, &b);
    int rc = b.failed || one.failed ? -1 : st_ckpt_put(w, CAT_BLOB_KIND, 0, b.data, b.len);
    if (rc)
        pgw_error_oom(err);
    /* index contents after the catalog that defines them: recovery reads in this order */
    for (size_t i = 0; !rc && i < cat->ntables; i++)
        for (int k = 0; !rc && !cat->tables[i]->dropped && k < cat->tables[i]->nindexes; k++)
            rc = eng__ckpt_index(w, cat->tables[i]->indexes[k], err);
    eng_catalog_unlock(cat);
    buf_free(&b);
    buf_free(&one);
    return rc;
}

st_recovery_ops eng__cat_recovery_ops(eng_catalog *cat)
{
    return (st_recovery_ops){.ctx = cat, .blob = rec_blob, .record = rec_record, .row = rec_row, .file = rec_file};
}
