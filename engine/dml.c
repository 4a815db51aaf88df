/* dml: running INSERT / UPDATE / DELETE (see dml.h). */
#include "engine/types/array.h"
#include "engine/dml.h"

#include <stdio.h>
#include <string.h>

#include "engine/cons.h"
#include "engine/exec.h"
#include "engine/temp.h"
#include "util/mem.h"

void eng_ins_state_free(eng_ins_state *s)
{
    mem_free(s->ids);
    eng_rowcons_free(s->cons);
    memset(s, 0, sizeof(*s));
}

bool eng__own_row(const eng_ins_state *s, uint64_t id)
{
    size_t lo = 0, hi = s ? s->n : 0;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (s->ids[mid] == id)
            return true;
        if (s->ids[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

static int remember(eng_ctx *c, eng_ins_state *s, uint64_t id)
{
    if (!s)
        return 0;
    if (s->n == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 64;
        uint64_t *v = mem_realloc(s->ids, nc * sizeof(*v));
        if (!v)
            return eng__oom(c);
        s->ids = v;
        s->cap = nc;
    }
    /* storage hands out increasing ids; keep the array sorted anyway */
    size_t i = s->n;
    while (i > 0 && s->ids[i - 1] > id) {
        s->ids[i] = s->ids[i - 1];
        i--;
    }
    s->ids[i] = id;
    s->n++;
    return 0;
}

int eng__check_not_null(eng_ctx *c, const eng_table *t, const eng_val *vals)
{
    for (int i = 0; i < t->ncols; i++) {
        if (t->cols[i].notnull && vals[i].null) {
            pgw_error_set(c->err, SQLSTATE_NOT_NULL_VIOLATION,
                          "null value in column \"%s\" of relation \"%s\" violates not-null constraint",
                          t->cols[i].name, eng_temp_bare(t->name));
            eng_cons_failing_row(c, t, vals);
            return -1;
        }
    }
    return 0;
}

/* Does another live row hold this key? Candidates from the index are
 * checked against the version this statement sees, and against the rows
 * this statement wrote itself (invisible to it in storage). 1 with *id,
 * 0 none, -1 error. */
static int find_dup(eng_ctx *c, const eng_table *t, const eng_index *ix, const uint8_t *key, size_t klen,
                    uint64_t self, const eng_ins_state *st, uint64_t *id)
{
    uint64_t *ids;
    long n = eng_keyidx_lookup(ix->keys, key, klen, c->mem, &ids);
    if (n < 0)
        return eng__oom(c);
    eng_val *other = n ? arena_alloc(c->mem, sizeof(eng_val) * ((size_t)t->ncols + 1)) : NULL;
    for (long i = 0; i < n; i++) {
        if (ids[i] == self)
            continue;
        bool dup = eng__own_row(st, ids[i]);
        st_row r;
        if (!dup && st_get(c->env->txn, t->st, ids[i], &r) == ST_OK) {
            uint8_t *k2;
            size_t l2;
            if (!other || eng_row_decode(c, t, r.data, r.len, other))
                return other ? -1 : eng__oom(c);
            dup = eng_index_key(c, t, ix, other, &k2, &l2) && l2 == klen && memcmp(k2, key, klen) == 0;
        }
        if (dup) {
            *id = ids[i];
            return 1;
        }
    }
    return 0;
}

static int check_unique(eng_ctx *c, const eng_table *t, const eng_index *ix, const uint8_t *key, size_t klen,
                        const eng_val *vals, uint64_t self, const eng_ins_state *st)
{
    uint64_t id;
    int rc = find_dup(c, t, ix, key, klen, self, st, &id);
    if (rc == 1) {
        pgw_error_set(c->err, SQLSTATE_UNIQUE_VIOLATION, "duplicate key value violates unique constraint \"%s\"",
                      eng_temp_bare(ix->name));
        char *d = eng_index_key_text(c, t, ix, vals);
        if (d)
            pgw_error_detail(c->err, "%s", d);
        return -1;
    }
    return rc;
}

/* The row an ON CONFLICT arbiter index finds for vals: 1 with its id, 0 none, -1 error. */
static int conflict_row(const eng_dml *d, eng_ctx *c, const eng_val *vals, const eng_ins_state *st, uint64_t *id)
{
    const eng_table *t = d->table;
    for (int k = 0; k < t->nindexes; k++) {
        const eng_index *ix = t->indexes[k];
        uint8_t *key;
        size_t klen;
        if (!ix->unique || (d->arbiter && ix != d->arbiter))
            continue;
        if (!eng_index_key(c, t, ix, vals, &key, &klen)) {
            if (pgw_error_is_set(c->err))
                return -1;
            continue;
        }
        int rc = find_dup(c, t, ix, key, klen, UINT64_MAX, st, id);
        if (rc)
            return rc;
    }
    return 0;
}

/* Unique checks for vals (self = the row's own id on UPDATE, else ~0). */
static int check_keys(eng_ctx *c, const eng_table *t, const eng_val *vals, uint64_t self, const eng_ins_state *st)
{
    for (int k = 0; k < t->nindexes; k++) {
        const eng_index *ix = t->indexes[k];
        uint8_t *key;
        size_t klen;
        if (!ix->unique || !eng_index_key(c, t, ix, vals, &key, &klen)) {
            if (pgw_error_is_set(c->err))
                return -1;
            continue;
        }
        if (check_unique(c, t, ix, key, klen, vals, self, st))
            return -1;
    }
    return 0;
}

/* Whether an UPDATE from old to vals changed column col (NULLs and bytes). */
bool eng__col_changed(const eng_val *old, const eng_val *vals, int col)
{
    const eng_val *a = &old[col], *b = &vals[col];
    return a->null != b->null || (!a->null && (a->s.n != b->s.n || memcmp(a->s.p, b->s.p, a->s.n) != 0));
}

/* Index a new row version (old: the version it replaces, or NULL). An
 * access-method index gets a new entry only when its value changed: the
 * readers tell versions apart by value (see index/am.h). */
int eng__index_row(eng_ctx *c, const eng_table *t, const eng_val *vals, const eng_val *old, uint64_t rowid)
{
    for (int k = 0; k < t->nindexes; k++) {
        uint8_t *key;
        size_t klen;
        const eng_index *ix = t->indexes[k];
        if (ix->amx) {
            if ((!old || eng__col_changed(old, vals, ix->cols[0])) && eng_amidx_insert(ix->amx, rowid, &vals[ix->cols[0]], c->err))
                return -1;
            continue;
        }
        if (!eng_index_key(c, t, t->indexes[k], vals, &key, &klen)) {
            if (pgw_error_is_set(c->err))
                return -1;
            continue;
        }
        if (eng_keyidx_insert(t->indexes[k]->keys, key, klen, rowid))
            return eng__oom(c);
    }
    return 0;
}

int eng_insert_row(eng_ctx *c, eng_table *t, const eng_val *vals, eng_ins_state *st)
{
    size_t len;
    uint64_t rowid;
    if (eng__check_not_null(c, t, vals) || (t->ncons && eng_cons_check_row(c, t, &st->cons, vals, false)) ||
        check_keys(c, t, vals, UINT64_MAX, st))
        return -1;
    uint8_t *data = eng_row_encode(c, t, vals, &len);
    if (!data)
        return -1;
    if (st_insert(c->env->txn, t->st, data, len, &rowid, c->err) != ST_OK)
        return -1;
    eng_stat_tup(t, ENG_STAT_TUP_INSERTED, 1);
    if (eng__index_row(c, t, vals, NULL, rowid) || remember(c, st, rowid))
        return -1;
    return t->ncons ? eng_cons_fk_row(c, t, vals, NULL, st) : 0;
}

/* ---- RETURNING ------------------------------------------------------ */

static int copy_payload(arena *a, uint32_t type, eng_val *v)
{
    if (v->null)
        return 0;
    if (type == OID_TEXT || type == OID_VARCHAR || type == OID_BPCHAR || type == OID_NAME || type == OID_BYTEA ||
        type == OID_VECTOR || type == OID_HALFVEC || type == OID_BIT || type == OID_VARBIT || type == OID_HYPERCUBE || eng_array_elem(type)) {
        char *p = arena_alloc(a, v->s.n + 1);
        if (!p)
            return -1;
        memcpy(p, v->s.p, v->s.n);
        v->s.p = p;
    } else if (type == OID_NUMERIC) {
        /* numerics are immutable and small: keep the text round trip out of it */
        const eng_type *t = eng_type_by_oid(type);
        eng_ctx c = {.mem = a};
        pgw_error e;
        c.err = &e;
        size_t n;
        char *s = t->out(&c, v, &n);
        if (!s || t->in(&c, s, n, -1, v))
            return -1;
    }
    return 0;
}

static int returning(const eng_dml *d, eng_ctx *c, arena *pm, const eng_val *row, eng_dml_result *res)
{
    if (!d->nreturning)
        return 0;
    eng_val *out = arena_calloc(pm, (size_t)d->nreturning + 1, sizeof(eng_val));
    if (!out)
        return eng__oom(c);
    for (int i = 0; i < d->nreturning; i++) {
        if (eng_eval(c, d->returning[i].expr, row, &out[i]))
            return -1;
        if (copy_payload(pm, d->returning[i].expr->type, &out[i]))
            return eng__oom(c);
    }
    if (res->nrows == res->cap) {
        size_t nc = res->cap ? res->cap * 2 : 16;
        eng_val **v = arena_alloc(pm, nc * sizeof(*v));
        if (!v)
            return eng__oom(c);
        if (res->nrows)
            memcpy(v, res->rows, res->nrows * sizeof(*v));
        res->rows = v;
        res->cap = nc;
    }
    res->rows[res->nrows++] = out;
    return 0;
}

/* ---- statements ------------------------------------------------------ */

static int change_row(const eng_dml *d, eng_ctx *c, arena *pm, const eng_val *old, uint64_t rowid,
                      eng_dml_result *res);

/* ON CONFLICT: the proposed row vals conflicts with row id. */
static int on_conflict(const eng_dml *d, eng_ctx *c, arena *pm, const eng_val *vals, uint64_t id,
                       eng_ins_state *st, eng_dml_result *res)
{
    eng_table *t = d->table;
    if (d->conflict == 1)
        return 0;
    if (eng__own_row(st, id)) {
        pgw_error_set(c->err, SQLSTATE_CARDINALITY_VIOLATION,
                      "ON CONFLICT DO UPDATE command cannot affect row a second time");
        pgw_error_hint(c->err, "Ensure that no rows proposed for insertion within the same command have "
                               "duplicate constrained values.");
        return -1;
    }
    st_row r;
    eng_val *row = arena_calloc(c->mem, 2 * (size_t)t->ncols + 1, sizeof(eng_val));
    if (!row)
        return eng__oom(c);
    if (st_get(c->env->txn, t->st, id, &r) != ST_OK)
        return 0; /* gone meanwhile */
    if (eng_row_decode(c, t, r.data, r.len, row))
        return -1;
    memcpy(row + t->ncols, vals, sizeof(eng_val) * (size_t)t->ncols);
    if (d->conflict_where) {
        eng_val w;
        if (eng_eval(c, d->conflict_where, row, &w))
            return -1;
        if (w.null || !w.i)
            return 0;
    }
    int rc = change_row(d, c, pm, row, id, res);
    return rc ? rc : remember(c, st, id);
}

static int insert_one(const eng_dml *d, eng_ctx *c, arena *pm, eng_expr **exprs, const eng_val *src,
                      eng_ins_state *st, eng_dml_result *res)
{
    eng_table *t = d->table;
    eng_val *vals = arena_calloc(c->mem, (size_t)t->ncols + 1, sizeof(eng_val));
    if (!vals)
        return eng__oom(c);
    for (int i = 0; i < t->ncols; i++) {
        if (!exprs[i])
            vals[i].null = true;
        else if (eng_eval(c, exprs[i], src, &vals[i]))
            return -1;
    }
    uint64_t id;
    int k = d->conflict ? conflict_row(d, c, vals, st, &id) : 0;
    if (k)
        return k < 0 ? -1 : on_conflict(d, c, pm, vals, id, st, res);
    int rc = eng_insert_row(c, t, vals, st);
    if (rc || returning(d, c, pm, vals, res))
        return rc ? rc : -1;
    res->count++;
    return 0;
}

static int run_insert(const eng_dml *d, eng_ctx *c, arena *pm, eng_dml_result *res)
{
    eng_ins_state st = {0};
    int rc = 0;
    if (!d->source) {
        for (int r = 0; r < d->nrows && !rc; r++)
            rc = insert_one(d, c, pm, d->rows[r], NULL, &st, res);
        eng_ins_state_free(&st);
        return rc;
    }
    eng_exec *x;
    arena *rowmem = arena_new();
    if (!rowmem)
        return eng__oom(c);
    eng_ctx rc_ctx = *c;
    rc_ctx.mem = rowmem;
    if (eng_exec_open(pm, d->source, &rc_ctx, &x)) {
        arena_free(rowmem);
        return -1;
    }
    for (;;) {
        const eng_val *row;
        arena_reset(rowmem);
        int n = eng_exec_next(x, &rc_ctx, &row);
        if (n <= 0) {
            rc = n;
            break;
        }
        if ((rc = insert_one(d, &rc_ctx, pm, d->rows[0], row, &st, res)))
            break;
    }
    eng_exec_close(x);
    arena_free(rowmem);
    eng_ins_state_free(&st);
    return rc;
}

static int storage_rc(int rc)
{
    return rc == ST_WOULD_BLOCK ? ENG_BLOCKED : rc == ST_RETRY ? ENG_RETRY : -1;
}

/* One UPDATE/DELETE target row. 0 done or skipped, else as eng_dml_run. */
static int change_row(const eng_dml *d, eng_ctx *c, arena *pm, const eng_val *old, uint64_t rowid,
                      eng_dml_result *res)
{
    eng_table *t = d->table;
    st_txn *txn = c->env->txn;
    if (d->kind == ENG_DELETE) {
        int rc = st_delete(txn, t->st, rowid, c->err);
        if (rc == ST_NOT_FOUND)
            return 0;
        if (rc != ST_OK)
            return storage_rc(rc);
        if ((rc = eng_cons_old_row(c, t, old, NULL, rowid)))
            return rc;
        eng_stat_tup(t, ENG_STAT_TUP_DELETED, 1);
        res->count++;
        return returning(d, c, pm, old, res);
    }
    eng_val *vals = arena_alloc(c->mem, sizeof(eng_val) * ((size_t)t->ncols + 1));
    if (!vals)
        return eng__oom(c);
    memcpy(vals, old, sizeof(eng_val) * (size_t)t->ncols);
    for (int i = 0; i < d->nset; i++)
        if (eng_eval(c, d->set_exprs[i], old, &vals[d->set_cols[i]]))
            return -1;
    if (eng__check_not_null(c, t, vals) || (t->ncons && eng_cons_check_row(c, t, &res->cons, vals, false)) ||
        check_keys(c, t, vals, rowid, NULL))
        return -1;
    size_t len;
    uint8_t *data = eng_row_encode(c, t, vals, &len);
    if (!data)
        return -1;
    int rc = st_update(txn, t->st, rowid, data, len, c->err);
    if (rc == ST_NOT_FOUND)
        return 0;
    if (rc != ST_OK)
        return storage_rc(rc);
    eng_stat_tup(t, ENG_STAT_TUP_UPDATED, 1);
    if (eng__index_row(c, t, vals, old, rowid))
        return -1;
    if ((t->ncons && (rc = eng_cons_fk_row(c, t, vals, old, NULL))) || (rc = eng_cons_old_row(c, t, old, vals, rowid)))
        return rc;
    res->count++;
    return returning(d, c, pm, vals, res);
}

/* UPDATE ... FROM / DELETE ... USING: the target row changes when the FROM
 * items joined to it give a row; its first row supplies the SET values (which
 * one, when several match, PostgreSQL leaves unspecified too). */
static int change_joined(const eng_dml *d, eng_ctx *c, arena *pm, const eng_val *old, uint64_t rowid,
                         eng_dml_result *res)
{
    int ncols = d->table->ncols;
    eng_outer outer = {old, c->outer};
    eng_ctx cc = *c;
    cc.outer = &outer;
    arena *a = arena_new();
    if (!a)
        return eng__oom(c);
    eng_exec *x = NULL;
    const eng_val *row;
    eng_val *both = arena_alloc(c->mem, sizeof(eng_val) * ((size_t)ncols + (size_t)d->nset + 1));
    int rc = both ? eng_exec_open(a, d->from_sub, &cc, &x) : eng__oom(c);
    if (rc == 0 && (rc = eng_exec_next(x, &cc, &row)) > 0) {
        /* while the sub-plan (and so row's memory) is still open */
        memcpy(both, old, sizeof(eng_val) * (size_t)ncols);
        memcpy(both + ncols, row, sizeof(eng_val) * (size_t)d->nset);
        rc = change_row(d, c, pm, both, rowid, res);
    }
    eng_exec_close(x);
    arena_free(a);
    return rc;
}

static int run_change(const eng_dml *d, eng_ctx *c, arena *pm, eng_dml_result *res)
{
    eng_exec *x;
    arena *rowmem = arena_new();
    if (!rowmem)
        return eng__oom(c);
    eng_ctx rc_ctx = *c;
    rc_ctx.mem = rowmem;
    int rc = eng_exec_open(pm, d->scan, &rc_ctx, &x);
    while (!rc) {
        const eng_val *row;
        uint64_t rowid;
        arena_reset(rowmem);
        int n = eng_exec_next(x, &rc_ctx, &row);
        if (n <= 0) {
            rc = n;
            break;
        }
        const eng_val *old = eng_exec_current(x, &rowid);
        rc = !old ? -1 : d->from_sub ? change_joined(d, &rc_ctx, pm, old, rowid, res)
                                     : change_row(d, &rc_ctx, pm, old, rowid, res);
    }
    if (rc == 0 || rc == -1) {
        /* keep going: nothing */
    }
    eng_exec_close(x);
    arena_free(rowmem);
    return rc;
}

int eng_dml_run(const eng_dml *d, eng_ctx *c, arena *portal_mem, eng_dml_result *res)
{
    pgw_error_clear(c->err); /* NULL keys are told apart from errors by it */
    if (d->table->dropped || !c->env->txn) {
        pgw_error_set(c->err, SQLSTATE_UNDEFINED_TABLE, "relation \"%s\" does not exist", eng_temp_bare(d->table->name));
        return -1;
    }
    int rc = d->kind == ENG_INSERT ? run_insert(d, c, portal_mem, res) : run_change(d, c, portal_mem, res);
    eng_rowcons_free(res->cons);
    res->cons = NULL;
    return rc;
}
