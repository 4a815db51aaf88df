/*
 * dml_cons: CHECK and FOREIGN KEY enforcement for the rows DML writes
 * (see cons.h for the locking story). CHECKs are bound from their text
 * once per statement and table; a NULL result passes, as in PostgreSQL.
 * Foreign keys are MATCH SIMPLE: a key with a NULL column is not checked.
 * Referenced rows are found through the unique index the constraint
 * requires; referencing rows through a key index over exactly the
 * constraint's columns when the table has one, else by a scan.
 */
#include <string.h>

#include "engine/cons.h"
#include "engine/dml.h"
#include "engine/temp.h"
#include "engine/types/types.h"
#include "util/mem.h"

/* Cascades deeper than this are refused: a cycle of ON DELETE CASCADE keys ends anyway
 * (rows deleted once are not found again), so only a pathological chain gets here. */
#define CONS_MAX_DEPTH 1000
/* find_parent's answer when no referenced row exists (apart from ENG_BLOCKED / ENG_RETRY). */
#define PARENT_MISSING (-2)

struct eng_rowcons {
    arena *a;
    int n;
    const eng_constraint **checks;
    eng_expr **exprs;
};

void eng_rowcons_free(eng_rowcons *rc)
{
    if (rc) {
        arena_free(rc->a);
        mem_free(rc);
    }
}

bool eng_cons_any(eng_catalog *cat, const eng_table *t)
{
    if (t->ncons)
        return true;
    size_t cur = 0;
    for (const eng_table *o; (o = eng_catalog_next(cat, &cur));)
        for (int k = 0; k < o->ncons; k++)
            if (o->cons[k]->kind == 'f' && o->cons[k]->frelid == t->relid)
                return true;
    return false;
}

static bool same_set(const int *a, int na, const int *b, int nb)
{
    if (na != nb)
        return false;
    for (int i = 0; i < na; i++) {
        bool hit = false;
        for (int k = 0; k < nb && !hit; k++)
            hit = a[i] == b[k];
        if (!hit)
            return false;
    }
    return true;
}

/* A key index of t over exactly cols (unique_only: a unique one). */
static eng_index *key_index(const eng_table *t, const int *cols, int n, bool unique_only)
{
    for (int k = 0; k < t->nindexes; k++) {
        eng_index *ix = t->indexes[k];
        if (ix->keys && (ix->unique || !unique_only) && same_set(ix->cols, ix->ncols, cols, n))
            return ix;
    }
    return NULL;
}

eng_index *eng_cons_unique_index(const eng_table *t, const int *cols, int n)
{
    return key_index(t, cols, n, true);
}

void eng_cons_failing_row(eng_ctx *c, const eng_table *t, const eng_val *vals)
{
    buf b;
    buf_init(&b);
    buf_put_str(&b, "Failing row contains (");
    eng_vals_text(c, t, NULL, t->ncols, vals, &b);
    buf_put_str(&b, ").");
    if (!b.failed)
        pgw_error_detail(c->err, "%.*s", (int)b.len, (const char *)b.data);
    buf_free(&b);
}

static int bind_checks(eng_ctx *c, const eng_table *t, eng_rowcons **out)
{
    eng_rowcons *rc = mem_calloc(1, sizeof(*rc));
    if (!rc || !(rc->a = arena_new())) {
        mem_free(rc);
        return eng__oom(c);
    }
    *out = rc;
    rc->checks = arena_calloc(rc->a, (size_t)t->ncons + 1, sizeof(*rc->checks));
    rc->exprs = arena_calloc(rc->a, (size_t)t->ncons + 1, sizeof(*rc->exprs));
    if (!rc->checks || !rc->exprs)
        return eng__oom(c);
    for (int i = 0; i < t->ncons; i++) {
        if (t->cons[i]->kind != 'c')
            continue;
        if (eng_bind_check(rc->a, c->env, t, t->cons[i]->expr, &rc->exprs[rc->n], c->err))
            return -1;
        rc->checks[rc->n++] = t->cons[i];
    }
    return 0;
}

int eng_cons_check_row(eng_ctx *c, eng_table *t, eng_rowcons **rc, const eng_val *vals, bool existing)
{
    if (!t->ncons)
        return 0;
    if (!*rc && bind_checks(c, t, rc))
        return -1;
    for (int i = 0; i < (*rc)->n; i++) {
        eng_val r;
        if (eng_eval(c, (*rc)->exprs[i], vals, &r))
            return -1;
        if (!r.null && !r.i && existing) {
            pgw_error_set(c->err, SQLSTATE_CHECK_VIOLATION, "check constraint \"%s\" of relation \"%s\" is violated by some row",
                          (*rc)->checks[i]->name, eng_temp_bare(t->name));
            return -1;
        }
        if (!r.null && !r.i) {
            pgw_error_set(c->err, SQLSTATE_CHECK_VIOLATION, "new row for relation \"%s\" violates check constraint \"%s\"",
                          eng_temp_bare(t->name), (*rc)->checks[i]->name);
            eng_cons_failing_row(c, t, vals);
            return -1;
        }
    }
    return 0;
}

static int storage_rc(int rc)
{
    return rc == ST_WOULD_BLOCK ? ENG_BLOCKED : rc == ST_RETRY ? ENG_RETRY : -1;
}

/* v (of type from) as type to, into out: the key encodings of both tables must agree. */
static int convert(eng_ctx *c, const eng_val *v, uint32_t from, uint32_t to, eng_val *out)
{
    eng_cast_fn fn = NULL;
    bool via_io = false;
    if (v->null || from == to || !eng_cast_find(from, to, ENG_CAST_ASSIGN, &fn, &via_io) || !fn) {
        *out = *v;
        return 0;
    }
    return fn(c, v, out);
}

/* A row of `to` (NULLs) whose columns tcols hold vals[fcols] of `from`, converted. */
static eng_val *probe_row(eng_ctx *c, const eng_table *from, const int *fcols, const eng_table *to, const int *tcols,
                          int n, const eng_val *vals)
{
    eng_val *p = arena_calloc(c->mem, (size_t)to->ncols + 1, sizeof(eng_val));
    if (!p)
        return eng__oom(c), NULL;
    for (int i = 0; i < to->ncols; i++)
        p[i].null = true;
    for (int i = 0; i < n; i++)
        if (convert(c, &vals[fcols[i]], from->cols[fcols[i]].type, to->cols[tcols[i]].type, &p[tcols[i]]))
            return NULL;
    return p;
}

/* Do columns cols of rows a and b hold the same values (by their encoding)? */
static bool same_key(eng_ctx *c, const eng_table *t, const int *cols, int n, const eng_val *a, const eng_val *b)
{
    buf x, y;
    buf_init(&x);
    buf_init(&y);
    for (int i = 0; i < n; i++) {
        if (a[cols[i]].null || b[cols[i]].null) {
            buf_free(&x);
            buf_free(&y);
            return false;
        }
        (void)eng__val_encode(c, t->cols[cols[i]].type, &a[cols[i]], &x);
        (void)eng__val_encode(c, t->cols[cols[i]].type, &b[cols[i]], &y);
    }
    bool same = !x.failed && !y.failed && x.len == y.len && memcmp(x.data, y.data, x.len) == 0;
    buf_free(&x);
    buf_free(&y);
    return same;
}

static bool any_null(const eng_val *vals, const int *cols, int n)
{
    for (int i = 0; i < n; i++)
        if (vals[cols[i]].null)
            return true;
    return false;
}

static bool key_changed(const eng_table *t, const int *cols, int n, const eng_val *old, const eng_val *vals,
                        eng_ctx *c)
{
    for (int i = 0; i < n; i++)
        if (old[cols[i]].null != vals[cols[i]].null)
            return true;
    return !any_null(old, cols, n) && !same_key(c, t, cols, n, old, vals);
}

/* The referenced row of k for vals: 0 found (and locked), PARENT_MISSING, else as eng_dml_run. */
static int find_parent(eng_ctx *c, eng_table *t, const eng_constraint *k, const eng_val *vals,
                       const eng_ins_state *own)
{
    eng_table *pt = eng_catalog_find_relid(c->env->catalog, k->frelid);
    eng_index *ix = pt ? eng_cons_unique_index(pt, k->fcols, k->ncols) : NULL;
    if (!ix)
        return PARENT_MISSING;
    eng_val *probe = probe_row(c, t, k->cols, pt, k->fcols, k->ncols, vals);
    uint8_t *key;
    size_t klen;
    uint64_t *ids;
    if (!probe)
        return -1;
    if (pt == t && same_key(c, t, k->fcols, k->ncols, probe, vals))
        return 0; /* the row refers to itself */
    if (!eng_index_key(c, pt, ix, probe, &key, &klen))
        return pgw_error_is_set(c->err) ? -1 : PARENT_MISSING;
    long n = eng_keyidx_lookup(ix->keys, key, klen, c->mem, &ids);
    if (n < 0)
        return eng__oom(c);
    eng_val *row = arena_calloc(c->mem, (size_t)pt->ncols + 1, sizeof(eng_val));
    for (long i = 0; row && i < n; i++) {
        st_row r;
        if (st_get(c->env->txn, pt->st, ids[i], &r) != ST_OK) {
            if (pt == t && eng__own_row(own, ids[i]))
                return 0; /* inserted by this statement under this very key */
            continue;
        }
        if (eng_row_decode(c, pt, r.data, r.len, row))
            return -1;
        if (!same_key(c, pt, k->fcols, k->ncols, probe, row))
            continue;
        if (pt == t)
            return 0; /* a row of the same table: locking it could hide it from this statement's own update */
        /* lock it as FOR UPDATE would: a no-op new version (its key and rowid stay, so no index changes) */
        int rc = st_update(c->env->txn, pt->st, ids[i], r.data, r.len, c->err);
        return rc == ST_OK || rc == ST_NOT_FOUND ? 0 : storage_rc(rc);
    }
    return row ? PARENT_MISSING : eng__oom(c);
}

int eng_cons_fk_check(eng_ctx *c, eng_table *t, const eng_constraint *k, const eng_val *vals,
                      const eng_ins_state *own)
{
    if (any_null(vals, k->cols, k->ncols))
        return 0;
    int rc = find_parent(c, t, k, vals, own);
    if (rc != PARENT_MISSING)
        return rc;
    const eng_table *pt = eng_catalog_find_relid(c->env->catalog, k->frelid);
    pgw_error_set(c->err, SQLSTATE_FOREIGN_KEY_VIOLATION,
                  "insert or update on table \"%s\" violates foreign key constraint \"%s\"", eng_temp_bare(t->name),
                  k->name);
    char *tail = arena_printf(c->mem, " is not present in table \"%s\".", pt ? eng_temp_bare(pt->name) : "?");
    char *d = tail ? eng_key_text(c, t, k->cols, k->ncols, vals, tail) : NULL;
    if (d)
        pgw_error_detail(c->err, "%s", d);
    return -1;
}

int eng_cons_fk_row(eng_ctx *c, eng_table *t, const eng_val *vals, const eng_val *old, const eng_ins_state *own)
{
    for (int i = 0; i < t->ncons; i++) {
        const eng_constraint *k = t->cons[i];
        if (k->kind != 'f' || (old && !key_changed(t, k->cols, k->ncols, old, vals, c)))
            continue;
        int rc = eng_cons_fk_check(c, t, k, vals, own);
        if (rc)
            return rc;
    }
    return 0;
}

typedef struct idlist {
    uint64_t *v;
    size_t n, cap;
} idlist;

/* Append r's rowid to l when its columns k->cols equal probe's. */
static int keep_if_match(eng_ctx *c, const eng_table *ct, const eng_constraint *k, const eng_val *probe, eng_val *row,
                         const st_row *r, idlist *l)
{
    if (eng_row_decode(c, ct, r->data, r->len, row))
        return -1;
    if (!same_key(c, ct, k->cols, k->ncols, probe, row))
        return 0;
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 16;
        uint64_t *v = arena_alloc(c->mem, nc * sizeof(*v));
        if (!v)
            return eng__oom(c);
        if (l->n)
            memcpy(v, l->v, l->n * sizeof(*v));
        l->v = v;
        l->cap = nc;
    }
    l->v[l->n++] = r->rowid;
    return 0;
}

/* The rows of ct whose columns k->cols equal probe's (a row of ct), as the statement sees them. */
static int children(eng_ctx *c, const eng_table *ct, const eng_constraint *k, const eng_val *probe, idlist *l)
{
    eng_val *row = arena_calloc(c->mem, (size_t)ct->ncols + 1, sizeof(eng_val));
    eng_index *ix = key_index(ct, k->cols, k->ncols, false);
    uint8_t *key;
    size_t klen;
    st_row r;
    if (!row)
        return eng__oom(c);
    if (ix && eng_index_key(c, ct, ix, probe, &key, &klen)) {
        uint64_t *cand;
        long n = eng_keyidx_lookup(ix->keys, key, klen, c->mem, &cand);
        if (n < 0)
            return eng__oom(c);
        for (long i = 0; i < n; i++)
            if (st_get(c->env->txn, ct->st, cand[i], &r) == ST_OK && keep_if_match(c, ct, k, probe, row, &r, l))
                return -1;
        return 0;
    }
    st_scan sc;
    st_scan_init(&sc, c->env->txn, ct->st);
    while (st_scan_next(&sc, &r))
        if (keep_if_match(c, ct, k, probe, row, &r, l))
            return -1;
    return 0;
}

static int old_row(eng_ctx *c, eng_table *t, const eng_val *old, const eng_val *vals, uint64_t self, int depth);

static int still_referenced(eng_ctx *c, const eng_table *t, const eng_table *ct, const eng_constraint *k,
                            const eng_val *old);

/* Child row id of ct (referencing through k) gets the action for its parent's change from pold
 * to pnew (NULL: deleted). */
static int act(eng_ctx *c, eng_table *ct, const eng_constraint *k, uint64_t id, const eng_val *pold,
               const eng_val *pnew, const eng_table *pt, int depth)
{
    st_row r;
    if (st_get(c->env->txn, ct->st, id, &r) != ST_OK)
        return 0;
    eng_val *row = arena_calloc(c->mem, (size_t)ct->ncols + 1, sizeof(eng_val));
    eng_val *nv = arena_calloc(c->mem, (size_t)ct->ncols + 1, sizeof(eng_val));
    if (!row || !nv)
        return eng__oom(c);
    if (eng_row_decode(c, ct, r.data, r.len, row))
        return -1;
    char a = pnew ? k->on_update : k->on_delete;
    if (a == ENG_FK_CASCADE && !pnew) {
        int rc = st_delete(c->env->txn, ct->st, id, c->err);
        if (rc == ST_NOT_FOUND)
            return 0;
        return rc != ST_OK ? storage_rc(rc) : old_row(c, ct, row, NULL, id, depth + 1);
    }
    memcpy(nv, row, sizeof(eng_val) * (size_t)ct->ncols);
    for (int i = 0; i < k->ncols; i++) {
        if (a == ENG_FK_SET_NULL || (a == ENG_FK_SET_DEFAULT && !ct->cols[k->cols[i]].def)) {
            nv[k->cols[i]] = (eng_val){.null = true};
        } else if (a == ENG_FK_SET_DEFAULT) {
            eng_expr *def;
            if (eng_bind_default(c->mem, c->env, ct, k->cols[i], &def, c->err) || eng_eval(c, def, NULL, &nv[k->cols[i]]))
                return -1;
        } else if (convert(c, &pnew[k->fcols[i]], pt->cols[k->fcols[i]].type, ct->cols[k->cols[i]].type,
                           &nv[k->cols[i]])) {
            return -1;
        }
    }
    eng_rowcons *rc0 = NULL;
    int rc = eng__check_not_null(c, ct, nv) || eng_cons_check_row(c, ct, &rc0, nv, false) ? -1 : 0;
    eng_rowcons_free(rc0);
    if (rc)
        return -1;
    if (a == ENG_FK_SET_DEFAULT) {
        /* the default must itself be a key of the referenced table, and not the one going */
        eng_val *gone = probe_row(c, pt, k->fcols, ct, k->cols, k->ncols, pold);
        if (!gone)
            return -1;
        if (same_key(c, ct, k->cols, k->ncols, gone, nv))
            return still_referenced(c, pt, ct, k, pold);
        if ((rc = eng_cons_fk_check(c, ct, k, nv, NULL)))
            return rc;
    }
    size_t len;
    uint8_t *data = eng_row_encode(c, ct, nv, &len);
    if (!data)
        return -1;
    rc = st_update(c->env->txn, ct->st, id, data, len, c->err);
    if (rc == ST_NOT_FOUND)
        return 0;
    if (rc != ST_OK)
        return storage_rc(rc);
    return eng__index_row(c, ct, nv, row, id) ? -1 : old_row(c, ct, row, nv, id, depth + 1);
}

static int still_referenced(eng_ctx *c, const eng_table *t, const eng_table *ct, const eng_constraint *k,
                            const eng_val *old)
{
    pgw_error_set(c->err, SQLSTATE_FOREIGN_KEY_VIOLATION,
                  "update or delete on table \"%s\" violates foreign key constraint \"%s\" on table \"%s\"",
                  eng_temp_bare(t->name), k->name, eng_temp_bare(ct->name));
    char *tail = arena_printf(c->mem, " is still referenced from table \"%s\".", eng_temp_bare(ct->name));
    char *d = tail ? eng_key_text(c, t, k->fcols, k->ncols, old, tail) : NULL;
    if (d)
        pgw_error_detail(c->err, "%s", d);
    return -1;
}

/* The foreign keys of ct referencing t, for t's row old (self: its rowid) deleted or updated to vals. */
static int referencing(eng_ctx *c, eng_table *t, eng_table *ct, const eng_val *old, const eng_val *vals,
                       uint64_t self, int depth)
{
    for (int i = 0; i < ct->ncons; i++) {
        const eng_constraint *k = ct->cons[i];
        if (k->kind != 'f' || k->frelid != t->relid || any_null(old, k->fcols, k->ncols) ||
            (vals && !key_changed(t, k->fcols, k->ncols, old, vals, c)))
            continue;
        eng_val *probe = probe_row(c, t, k->fcols, ct, k->cols, k->ncols, old);
        idlist l = {0};
        if (!probe || children(c, ct, k, probe, &l))
            return -1;
        char a = vals ? k->on_update : k->on_delete;
        for (size_t j = 0; j < l.n; j++) {
            if (ct == t && l.v[j] == self)
                continue; /* the row referred to itself */
            if (a == ENG_FK_NO_ACTION || a == ENG_FK_RESTRICT)
                return still_referenced(c, t, ct, k, old);
            int rc = act(c, ct, k, l.v[j], old, vals, t, depth);
            if (rc)
                return rc;
        }
    }
    return 0;
}

static int old_row(eng_ctx *c, eng_table *t, const eng_val *old, const eng_val *vals, uint64_t self, int depth)
{
    if (depth > CONS_MAX_DEPTH) {
        pgw_error_set(c->err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED, "foreign key actions nested too deeply");
        return -1;
    }
    size_t cur = 0;
    for (eng_table *ct; (ct = eng_catalog_next(c->env->catalog, &cur));) {
        int rc = ct->ncons ? referencing(c, t, ct, old, vals, self, depth) : 0;
        if (rc)
            return rc;
    }
    return 0;
}

int eng_cons_old_row(eng_ctx *c, eng_table *t, const eng_val *old, const eng_val *vals, uint64_t self)
{
    return old_row(c, t, old, vals, self, 0);
}
