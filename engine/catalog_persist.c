/*
 * catalog_persist: index contents in checkpoints, so that a restart loads
 * them instead of rebuilding every index by a scan.
 *
 * Each live index is one file of the checkpoint (storage's st_ckpt_file_*,
 * id = the index's relid), written after the catalog blob that defines it
 * (recovery hands things back in that order):
 *    0  8  magic "HCDBINDX"
 *    8  4  u32 image format version (1)
 *   12  4  u32 kind: 1 key index (keyidx.h's saved form follows),
 *                    2 access-method index (am.h's eng_amidx_save form follows)
 * Storage checks each file's size and XXH3 checksum before handing it back;
 * a file that is damaged, missing or does not parse leaves its index to the
 * scan rebuild that every index got before (logged), never half loaded.
 *
 * Why a loaded index is right. The heap image is the rows committed at the
 * checkpoint's snapshot; every one of them was put in its indexes by its
 * statement, before its commit, so before the images are saved after that
 * snapshot (a save waits for inserts under way). Index entries are never
 * removed (readers check each hit against the row version they see), so an
 * image holds every row of the heap image, plus maybe rows of transactions
 * still open or committed later. Those later commits lie after the redo
 * LSN; recovery replays every row change after it into the loaded indexes
 * (eng__index_replay_row), as index maintenance would have at run time. Extra
 * entries are harmless for the same reason they are at run time; a replayed
 * row already in the image is not doubled in a key index and at most doubled
 * under a second label in an access-method index (scans return a row once).
 */
#include <string.h>

#include "engine/catalog.h"
#include "util/log.h"
#include "util/mem.h"

#define IMG_MAGIC "HCDBINDX"
#define IMG_VERSION 1u
#define IMG_HEADER 16u
enum { IMG_KEYS = 1, IMG_AM = 2 };

static int put_file(void *ctx, const void *p, size_t n)
{
    return st_ckpt_file_write(ctx, p, n);
}

static void le32(uint8_t *b, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        b[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t rd32(const uint8_t *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

int eng__ckpt_index(st_ckpt_writer *w, const eng_index *ix, pgw_error *err)
{
    uint8_t h[IMG_HEADER];
    memcpy(h, IMG_MAGIC, 8);
    le32(h + 8, IMG_VERSION);
    le32(h + 12, ix->amx ? IMG_AM : IMG_KEYS);
    int rc = st_ckpt_file_begin(w, ix->relid);
    if (!rc)
        rc = st_ckpt_file_write(w, h, sizeof(h));
    if (!rc)
        rc = ix->amx ? eng_amidx_save(ix->amx, put_file, w, err) : eng_keyidx_save(ix->keys, put_file, w);
    if (!rc)
        rc = st_ckpt_file_end(w);
    if (rc && !pgw_error_is_set(err))
        pgw_error_set(err, SQLSTATE_IO_ERROR, "could not write the checkpoint image of index \"%s\"", ix->name);
    return rc ? -1 : 0;
}

int eng__index_restore(const eng_table *t, eng_index *ix, const uint8_t *p, size_t n)
{
    pgw_error e;
    pgw_error_clear(&e);
    uint32_t kind = ix->amx ? IMG_AM : IMG_KEYS;
    if (n < IMG_HEADER || memcmp(p, IMG_MAGIC, 8) != 0 || rd32(p + 8) != IMG_VERSION || rd32(p + 12) != kind) {
        pgw_error_set(&e, SQLSTATE_DATA_CORRUPTED, "unknown image header");
    } else if (ix->amx) {
        eng_amidx *x = eng_amidx_load(eng_amidx_am(ix->amx), eng_amidx_def(ix->amx), p + IMG_HEADER,
                                      n - IMG_HEADER, &e);
        if (x) {
            eng_amidx_free(ix->amx);
            ix->amx = x;
        }
    } else {
        eng_keyidx *k = eng_keyidx_load(p + IMG_HEADER, n - IMG_HEADER);
        if (k) {
            eng_keyidx_free(ix->keys);
            ix->keys = k;
        } else {
            pgw_error_set(&e, SQLSTATE_DATA_CORRUPTED, "malformed key index image");
        }
    }
    if (pgw_error_is_set(&e)) {
        log_warn("index \"%s\" on \"%s\": checkpoint image not usable (%s); rebuilding it from the table",
                 ix->name, t->name, e.message);
        return 0;
    }
    ix->restored = true;
    log_info("index \"%s\" on \"%s\" loaded from the checkpoint: %zu entries", ix->name, t->name,
             ix->amx ? eng_amidx_entries(ix->amx) : eng_keyidx_count(ix->keys));
    return 0;
}

/* Replaying into ix failed: empty it, so the rebuild after recovery fills it by a scan. */
static void unrestore(const eng_table *t, eng_index *ix)
{
    pgw_error e;
    pgw_error_clear(&e);
    log_warn("index \"%s\" on \"%s\": could not apply the write-ahead log to its checkpoint image; "
             "rebuilding it from the table", ix->name, t->name);
    ix->restored = false;
    if (ix->amx) {
        eng_amidx *x = eng_amidx_new(eng_amidx_am(ix->amx), eng_amidx_def(ix->amx), &e);
        if (x) {
            eng_amidx_free(ix->amx);
            ix->amx = x;
        }
    } else {
        eng_keyidx *k = eng_keyidx_new();
        if (k) {
            eng_keyidx_free(ix->keys);
            ix->keys = k;
        }
    }
}

/* One replayed row version into one loaded index (ovals: the image it replaced, or NULL). */
static int replay_into(eng_ctx *c, const eng_table *t, eng_index *ix, uint64_t rowid, const eng_val *vals,
                       const eng_val *ovals)
{
    if (ix->amx) {
        int col = ix->cols[0];
        if (ovals && !eng__col_changed(ovals, vals, col))
            return 0; /* same value: its entry is there (see index/am.h) */
        return eng_amidx_insert(ix->amx, rowid, &vals[col], c->err);
    }
    uint8_t *key;
    size_t klen;
    if (!eng_index_key(c, t, ix, vals, &key, &klen))
        return pgw_error_is_set(c->err) ? -1 : 0;
    return eng_keyidx_insert(ix->keys, key, klen, rowid);
}

void eng__index_replay_row(const eng_table *t, uint64_t rowid, const void *data, size_t len, const void *old,
                           size_t oldlen)
{
    bool any = false;
    for (int k = 0; k < t->nindexes; k++)
        any |= t->indexes[k]->restored;
    if (!data || !any)
        return; /* a delete leaves entries, as at run time */
    pgw_error e;
    pgw_error_clear(&e);
    arena *a = arena_new();
    eng_ctx c = {.mem = a, .err = &e};
    eng_val *vals = a ? arena_calloc(a, (size_t)t->ncols + 1, sizeof(eng_val)) : NULL;
    eng_val *ovals = a && old ? arena_calloc(a, (size_t)t->ncols + 1, sizeof(eng_val)) : NULL;
    bool ok = vals && (!old || ovals) && !eng_row_decode(&c, t, data, len, vals) &&
              (!old || !eng_row_decode(&c, t, old, oldlen, ovals));
    for (int k = 0; k < t->nindexes; k++) {
        eng_index *ix = t->indexes[k];
        if (ix->restored && (!ok || replay_into(&c, t, ix, rowid, vals, ovals)))
            unrestore(t, ix);
    }
    arena_free(a);
}
