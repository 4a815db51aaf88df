/*
 * syscat_pg: rows of the pg_catalog tables proper (pg_class, pg_attribute,
 * pg_type, pg_proc, pg_index, ...), made from the live catalog, and the
 * lookups the catalog functions share. User tables live in public, owned
 * by the bootstrap superuser (OID 10); hcdb's virtual relations appear in
 * pg_class as PostgreSQL's own catalogs do, so \d pg_class works too.
 */
#include <stdio.h>
#include <string.h>

#include "engine/ext.h"
#include "engine/seq.h"
#include "engine/syscat_internal.h"
#include "engine/temp.h"
#include "engine/types/types.h"

static const struct { uint32_t oid; const char *name; } nsps[] = {
    {ENG_NS_PG_CATALOG, "pg_catalog"}, {ENG_NS_PG_TOAST, "pg_toast"},
    {ENG_NS_PUBLIC, "public"}, {ENG_NS_INFORMATION_SCHEMA, "information_schema"},
};
#define NNSPS (sizeof(nsps) / sizeof(nsps[0]))

const char *eng__nsp_name(uint32_t oid)
{
    for (size_t i = 0; i < NNSPS; i++)
        if (nsps[i].oid == oid)
            return nsps[i].name;
    return NULL;
}

uint32_t eng__nsp_oid(const char *name)
{
    for (size_t i = 0; i < NNSPS; i++)
        if (strcmp(nsps[i].name, name) == 0)
            return nsps[i].oid;
    return 0;
}

/* pg_temp_<pid> for each session with temporary tables, each once. */
static void temp_namespaces(eng_vrows *r)
{
    eng_catalog *cat = r->c->env ? r->c->env->catalog : NULL;
    const eng_table *t;
    for (size_t i = 0; cat && (t = eng_catalog_table_at(cat, i)); i++) {
        int32_t pid = eng_temp_pid(t);
        bool seen = false;
        for (size_t k = 0; k < i && pid >= 0 && !seen; k++)
            seen = eng_temp_pid(eng_catalog_table_at(cat, k)) == pid;
        if (pid < 0 || seen)
            continue;
        eng__vrow(r);
        eng__vint(r, ENG_TEMP_NSP(pid));
        eng__vtext(r, arena_printf(r->a, "pg_temp_%ld", (long)pid));
        eng__vint(r, ENG_BOOTSTRAP_ROLE_OID);
    }
}

int eng__fill_namespace(eng_vrows *r)
{
    for (size_t i = 0; i < NNSPS; i++) {
        eng__vrow(r);
        eng__vint(r, nsps[i].oid);
        eng__vtext(r, nsps[i].name);
        eng__vint(r, nsps[i].oid == ENG_NS_PUBLIC ? ENG_DATABASE_OWNER_OID : ENG_BOOTSTRAP_ROLE_OID);
    }
    temp_namespaces(r);
    return 0;
}

uint32_t eng__rel_nsp(const eng_table *t)
{
    if (t->vrel)
        return eng__nsp_oid(t->vrel->schema);
    return eng_table_is_temp(t) ? ENG_TEMP_NSP(eng_temp_pid(t)) : ENG_NS_PUBLIC;
}

const char *eng__rel_schema(eng_vrows *r, const eng_table *t)
{
    return eng_table_is_temp(t) ? arena_printf(r->a, "pg_temp_%ld", (long)eng_temp_pid(t)) : "public";
}

const eng_table *eng__rel_by_oid(eng_catalog *cat, uint32_t oid, const eng_index **ix)
{
    *ix = NULL;
    const eng_table *v = eng_syscat_by_oid(oid);
    if (v || !cat)
        return v;
    for (size_t i = 0;; i++) {
        const eng_table *t = eng_catalog_table_at(cat, i);
        if (!t || t->relid == oid)
            return t;
        for (int k = 0; k < t->nindexes; k++) {
            if (t->indexes[k]->relid == oid) {
                *ix = t->indexes[k];
                return t;
            }
        }
    }
}

/* ---- roles -------------------------------------------------------------- */

typedef struct role_find {
    uint32_t want, next;
    const char *found;
    arena *a;
} role_find;

/* Role OIDs: the bootstrap superuser is 10 as in PostgreSQL; the others
 * are numbered in the order the server lists them. */
static uint32_t role_oid(const char *name, uint32_t *next)
{
    return strcmp(name, "postgres") == 0 ? ENG_BOOTSTRAP_ROLE_OID : (*next)++;
}

static void role_find_cb(void *arg, const char *name, bool super, bool login)
{
    role_find *f = arg;
    (void)super, (void)login;
    if (!f->found && role_oid(name, &f->next) == f->want)
        f->found = arena_strdup(f->a, name);
}

const char *eng__role_name(eng_ctx *c, uint32_t oid)
{
    if (oid == ENG_DATABASE_OWNER_OID)
        return "pg_database_owner";
    const eng_env *env = c->env;
    role_find f = {oid, 16384, NULL, c->mem};
    if (env && env->sys && env->sys->each_role)
        env->sys->each_role(env->ctx, role_find_cb, &f);
    else if (oid == ENG_BOOTSTRAP_ROLE_OID)
        f.found = env && env->user ? env->user : "postgres";
    return f.found ? f.found : arena_printf(c->mem, "unknown (OID=%u)", oid);
}

typedef struct role_rows {
    eng_vrows *r;
    int shape;                 /* 0 pg_authid, 1 pg_roles, 2 pg_user */
    uint32_t next;
} role_rows;

static void role_row_cb(void *arg, const char *name, bool super, bool login)
{
    role_rows *rr = arg;
    eng_vrows *r = rr->r;
    uint32_t oid = role_oid(name, &rr->next);
    if (rr->shape == 2 && !login)
        return; /* pg_user lists only roles that can log in */
    eng__vrow(r);
    if (rr->shape == 2) {
        eng__vtext(r, name);
        eng__vint(r, oid);
        eng__vbool(r, super);
        eng__vbool(r, super);
        eng__vbool(r, super);
        eng__vbool(r, super);
        eng__vtext(r, "********");
        return;
    }
    if (rr->shape == 0)
        eng__vint(r, oid);
    eng__vtext(r, name);
    eng__vbool(r, super);      /* rolsuper */
    eng__vbool(r, true);       /* rolinherit */
    eng__vbool(r, super);      /* rolcreaterole */
    eng__vbool(r, super);      /* rolcreatedb */
    eng__vbool(r, login);
    eng__vbool(r, super);      /* rolreplication */
    if (rr->shape == 0) {
        eng__vbool(r, super);  /* rolbypassrls */
        eng__vint(r, -1);
        eng__vnull(r);         /* the verifier is never shown */
        return;
    }
    eng__vint(r, -1);
    eng__vtext(r, "********");
    eng__vnull(r);
    eng__vbool(r, super);
    eng__vnull(r);
    eng__vint(r, oid);
}

static int fill_roles_as(eng_vrows *r, int shape)
{
    role_rows rr = {r, shape, 16384};
    const eng_env *env = r->c->env;
    if (env && env->sys && env->sys->each_role)
        env->sys->each_role(env->ctx, role_row_cb, &rr);
    else
        role_row_cb(&rr, env && env->user ? env->user : "postgres", true, true);
    return 0;
}

int eng__fill_authid(eng_vrows *r) { return fill_roles_as(r, 0); }
int eng__fill_roles(eng_vrows *r) { return fill_roles_as(r, 1); }
int eng__fill_user(eng_vrows *r) { return fill_roles_as(r, 2); }

/* ---- pg_class ------------------------------------------------------------ */

static char typalign(const eng_type *t)
{
    switch (t->len) {
    case 1: case 64: return 'c';
    case 2: return 's';
    case 8: return 'd';
    default: return 'i';
    }
}

static bool typbyval(const eng_type *t)
{
    return t->len == 1 || t->len == 2 || t->len == 4 || t->len == 8;
}

uint32_t eng__type_collation(uint32_t type)
{
    if (type == OID_NAME)
        return 950;
    return type == OID_TEXT || type == OID_VARCHAR || type == OID_BPCHAR ? 100 : 0;
}

int64_t eng__table_bytes(const eng_table *t)
{
    return t->st ? (int64_t)st_table_bytes(t->st) : 0;
}

int64_t eng__index_bytes(const eng_table *t, const eng_index *ix)
{
    (void)t;
    return ix->amx ? (int64_t)eng_amidx_memory(ix->amx) : ix->keys ? (int64_t)eng_keyidx_bytes(ix->keys) : 0;
}

static void class_row(eng_vrows *r, uint32_t oid, const char *name, uint32_t nsp, char kind, int natts,
                      uint32_t am, int64_t bytes, double tuples, bool hasindex)
{
    bool shared = oid == 1262 || oid == 1260 || oid == 1261;
    eng__vrow(r);
    eng__vint(r, oid);
    eng__vtext(r, name);
    eng__vint(r, nsp);
    eng__vint(r, 0);                          /* reltype */
    eng__vint(r, 0);                          /* reloftype */
    eng__vint(r, ENG_BOOTSTRAP_ROLE_OID);
    eng__vint(r, am);
    eng__vint(r, kind == 'v' ? 0 : oid);      /* relfilenode */
    eng__vint(r, 0);                          /* reltablespace: the default */
    eng__vint(r, (bytes + 8191) / 8192);      /* relpages */
    eng__vfloat(r, tuples);
    eng__vint(r, 0);                          /* relallvisible */
    eng__vint(r, 0);                          /* reltoastrelid */
    eng__vbool(r, hasindex);
    eng__vbool(r, shared);
    eng__vchar(r, nsp >= ENG_NS_TEMP_BASE ? 't' : 'p');
    eng__vchar(r, kind);
    eng__vint(r, natts);
    eng__vint(r, 0);                          /* relchecks */
    eng__vbool(r, kind == 'v');               /* relhasrules: a view is a rule */
    eng__vbool(r, false);
    eng__vbool(r, false);
    eng__vbool(r, false);
    eng__vbool(r, false);
    eng__vbool(r, true);                      /* relispopulated */
    eng__vchar(r, nsp == ENG_NS_PUBLIC && kind == 'r' ? 'd' : 'n');
    eng__vbool(r, false);
    eng__vint(r, 0);                          /* relrewrite */
}

int eng__fill_class(eng_vrows *r)
{
    for (int i = 0;; i++) {
        const eng_table *v = eng_syscat_at(i);
        if (!v)
            break;
        char kind = v->vrel->relkind;
        class_row(r, v->relid, v->name, eng__rel_nsp(v), kind, v->ncols, kind == 'v' ? 0 : 2, 0, -1, false);
    }
    eng_catalog *cat = r->c->env ? r->c->env->catalog : NULL;
    for (size_t i = 0; cat; i++) {
        const eng_table *t = eng_catalog_table_at(cat, i);
        if (!t)
            break;
        double rows = t->st ? (double)st_table_count_approx(t->st) : 0;
        uint32_t nsp = eng__rel_nsp(t);
        class_row(r, t->relid, eng_temp_bare(t->name), nsp, 'r', t->ncols, 2, eng__table_bytes(t), rows,
                  t->nindexes > 0);
        for (int k = 0; k < t->nindexes; k++) {
            const eng_index *ix = t->indexes[k];
            class_row(r, ix->relid, eng_temp_bare(ix->name), nsp, 'i', ix->ncols, ix->amx ? eng_amidx_am(ix->amx)->oid : 403,
                      eng__index_bytes(t, ix),
                      ix->amx ? (double)eng_amidx_entries(ix->amx) : (double)eng_keyidx_count(ix->keys), false);
        }
    }
    /* sequences: relkind 'S', one page, as PostgreSQL's (last_value, log_cnt, is_called) */
    eng_seq_info si;
    for (size_t i = 0; cat && eng_seq_at(cat, i, &si); i++)
        class_row(r, si.oid, si.name, ENG_NS_PUBLIC, 'S', 3, 0, 8192, 1, false);
    return 0;
}

/* ---- pg_attribute, pg_attrdef -------------------------------------------- */

static void attr_row(eng_vrows *r, uint32_t relid, const eng_column *col, int attnum)
{
    const eng_type *ty = eng_type_by_oid(col->type);
    eng__vrow(r);
    eng__vint(r, relid);
    eng__vtext(r, col->name);
    eng__vint(r, col->type);
    eng__vint(r, -1);                          /* attstattarget */
    eng__vint(r, ty ? ty->len : -1);
    eng__vint(r, attnum);
    eng__vint(r, 0);                           /* attndims */
    eng__vint(r, -1);                          /* attcacheoff */
    eng__vint(r, col->typmod);
    eng__vbool(r, ty && typbyval(ty));
    eng__vchar(r, ty ? typalign(ty) : 'i');
    eng__vchar(r, ty && ty->len == -1 ? (col->type == OID_NUMERIC ? 'm' : 'x') : 'p');
    eng__vchar(r, '\0');                       /* attcompression */
    eng__vbool(r, col->notnull);
    eng__vbool(r, col->def != NULL);
    eng__vbool(r, false);
    eng__vchar(r, '\0');                       /* attidentity */
    eng__vchar(r, '\0');                       /* attgenerated */
    eng__vbool(r, false);
    eng__vbool(r, true);
    eng__vint(r, 0);
    eng__vint(r, eng__type_collation(col->type));
}

int eng__fill_attribute(eng_vrows *r)
{
    for (int i = 0;; i++) {
        const eng_table *v = eng_syscat_at(i);
        if (!v)
            break;
        for (int k = 0; k < v->ncols; k++)
            attr_row(r, v->relid, &v->cols[k], k + 1);
    }
    eng_catalog *cat = r->c->env ? r->c->env->catalog : NULL;
    for (size_t i = 0; cat; i++) {
        const eng_table *t = eng_catalog_table_at(cat, i);
        if (!t)
            break;
        for (int k = 0; k < t->ncols; k++)
            attr_row(r, t->relid, &t->cols[k], k + 1);
        for (int x = 0; x < t->nindexes; x++) {
            const eng_index *ix = t->indexes[x];
            for (int k = 0; k < ix->ncols; k++) {
                eng_column col = t->cols[ix->cols[k]];
                col.def = NULL;
                col.notnull = false;
                attr_row(r, ix->relid, &col, k + 1);
            }
        }
    }
    return 0;
}

int eng__fill_attrdef(eng_vrows *r)
{
    eng_catalog *cat = r->c->env ? r->c->env->catalog : NULL;
    for (size_t i = 0; cat; i++) {
        const eng_table *t = eng_catalog_table_at(cat, i);
        if (!t)
            break;
        for (int k = 0; k < t->ncols; k++) {
            if (!t->cols[k].def)
                continue;
            eng__vrow(r);
            /* one OID per (table, column): a default has no object of its own here */
            eng__vint(r, (int64_t)t->relid * 1000 + k + 1);
            eng__vint(r, t->relid);
            eng__vint(r, k + 1);
            eng__vdefault(r, t->cols[k].def);
        }
    }
    return 0;
}

/* ---- pg_type ------------------------------------------------------------- */

/* PostgreSQL's array type OIDs of the built-in types (pg_type.typarray). */
static uint32_t array_oid(uint32_t oid)
{
    static const uint32_t map[][2] = {
        {OID_BOOL, 1000}, {OID_BYTEA, 1001}, {OID_CHAR, 1002}, {OID_NAME, 1003}, {OID_INT8, 1016},
        {OID_INT2, 1005}, {OID_INT4, 1007}, {OID_TEXT, 1009}, {OID_OID, 1028}, {OID_FLOAT4, 1021},
        {OID_FLOAT8, 1022}, {OID_BPCHAR, 1014}, {OID_VARCHAR, 1015}, {OID_DATE, 1182},
        {OID_TIMESTAMP, 1115}, {OID_TIMESTAMPTZ, 1185}, {OID_INTERVAL, 1187}, {OID_NUMERIC, 1231},
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (map[i][0] == oid)
            return map[i][1];
    return 0;
}

/* vector belongs to the vector extension: its schema once created. */
static uint32_t type_nsp(eng_vrows *r, const eng_type *t)
{
    eng_catalog *cat = r->c->env ? r->c->env->catalog : NULL;
    const eng_extension *e = (t->oid == OID_VECTOR || t->oid == OID_HALFVEC) && cat ? eng_catalog_extension(cat, "vector") : NULL;
    return e && eng__nsp_oid(e->schema) ? eng__nsp_oid(e->schema) : ENG_NS_PG_CATALOG;
}

int eng__fill_type(eng_vrows *r)
{
    for (int i = 0;; i++) {
        const eng_type *t = eng_type_at(i);
        if (!t)
            break;
        eng__vrow(r);
        eng__vint(r, t->oid);
        eng__vtext(r, t->name);
        eng__vint(r, type_nsp(r, t));
        eng__vint(r, ENG_BOOTSTRAP_ROLE_OID);
        eng__vint(r, t->len);
        eng__vbool(r, typbyval(t));
        eng__vchar(r, t->category == 'P' ? 'p' : 'b');
        eng__vchar(r, t->category);
        eng__vbool(r, t->preferred);
        eng__vbool(r, true);
        eng__vchar(r, ',');
        eng__vint(r, 0);                        /* typrelid */
        eng__vint(r, 0);                        /* typelem */
        eng__vint(r, array_oid(t->oid));
        eng__vchar(r, typalign(t));
        eng__vchar(r, t->len == -1 ? 'x' : 'p');
        eng__vbool(r, false);
        eng__vint(r, 0);
        eng__vint(r, -1);
        eng__vint(r, 0);
        eng__vint(r, eng__type_collation(t->oid));
        eng__vnull(r);
    }
    return 0;
}

/* ---- pg_proc ------------------------------------------------------------- */

const eng_proc *eng__proc_by_oid(uint32_t oid)
{
    const eng_proc *p = oid >= ENG_PROC_OID_BASE ? eng_proc_at((int)(oid - ENG_PROC_OID_BASE)) : NULL;
    return p && !p->is_op ? p : NULL;
}

uint32_t eng__proc_oid(const eng_proc *p)
{
    return ENG_PROC_OID_BASE + (uint32_t)(p - eng_proc_at(0));
}

int eng__fill_proc(eng_vrows *r)
{
    eng_catalog *cat = r->c->env ? r->c->env->catalog : NULL;
    for (int i = 0;; i++) {
        const eng_proc *p = eng_proc_at(i);
        if (!p)
            break;
        const char *schema = "pg_catalog";
        if (p->is_op || !eng_ext_proc_visible(cat, p->name, &schema))
            continue;
        char args[ENG_PROC_MAX_ARGS * 12] = "";
        for (int k = 0; k < p->nargs; k++)
            snprintf(args + strlen(args), sizeof(args) - strlen(args), "%s%u", k ? " " : "", p->args[k]);
        bool srf = p->flags & ENG_F_SRF;
        eng__vrow(r);
        eng__vint(r, ENG_PROC_OID_BASE + (uint32_t)i);
        eng__vtext(r, p->name);
        eng__vint(r, eng__nsp_oid(schema) ? eng__nsp_oid(schema) : ENG_NS_PUBLIC);
        eng__vint(r, ENG_BOOTSTRAP_ROLE_OID);
        eng__vint(r, 12);                       /* prolang: internal */
        eng__vfloat(r, 1);
        eng__vfloat(r, srf ? 1000 : 0);
        eng__vint(r, 0);
        eng__vchar(r, 'f');
        eng__vbool(r, false);
        eng__vbool(r, false);
        eng__vbool(r, p->flags & ENG_F_STRICT);
        eng__vbool(r, srf);
        eng__vchar(r, p->flags & ENG_F_VOLATILE ? 'v' : 'i');
        eng__vchar(r, 's');
        eng__vint(r, p->nargs);
        eng__vint(r, 0);
        eng__vint(r, p->ret);
        eng__vtext(r, args);
        eng__vtext(r, p->name);
    }
    return 0;
}

/* ---- pg_index, pg_constraint ---------------------------------------------- */

bool eng__index_is_constraint(const eng_index *ix)
{
    /* hcdb keeps no constraint objects: an index made for PRIMARY KEY or
     * UNIQUE carries the name PostgreSQL gives such constraints (t_pkey,
     * t_a_key), the mark used here */
    size_t n = strlen(ix->name);
    return ix->primary || (ix->unique && n > 4 && strcmp(ix->name + n - 4, "_key") == 0);
}

uint32_t eng__constraint_oid(const eng_index *ix)
{
    return ix->relid | 0x40000000u; /* apart from relation OIDs, which count up from 16384 */
}

/* "1 2" (int2vector) or "{1,2}" (int2[]) of an index's column numbers. */
static char *keylist(arena *a, const eng_index *ix, bool array)
{
    char *s = arena_strdup(a, array ? "{" : "");
    for (int k = 0; s && k < ix->ncols; k++)
        s = arena_printf(a, "%s%s%d", s, k ? (array ? "," : " ") : "", ix->cols[k] + 1);
    return s && array ? arena_printf(a, "%s}", s) : s;
}

int eng__fill_index(eng_vrows *r)
{
    eng_catalog *cat = r->c->env ? r->c->env->catalog : NULL;
    for (size_t i = 0; cat; i++) {
        const eng_table *t = eng_catalog_table_at(cat, i);
        if (!t)
            break;
        for (int k = 0; k < t->nindexes; k++) {
            const eng_index *ix = t->indexes[k];
            eng__vrow(r);
            eng__vint(r, ix->relid);
            eng__vint(r, t->relid);
            eng__vint(r, ix->ncols);
            eng__vint(r, ix->ncols);
            eng__vbool(r, ix->unique);
            eng__vbool(r, false);
            eng__vbool(r, ix->primary);
            eng__vbool(r, false);
            eng__vbool(r, true);
            eng__vbool(r, false);
            eng__vbool(r, true);
            eng__vbool(r, false);
            eng__vbool(r, true);
            eng__vbool(r, true);
            eng__vbool(r, false);
            eng__vtext(r, keylist(r->a, ix, false));
        }
    }
    return 0;
}

int eng__fill_constraint(eng_vrows *r)
{
    eng_catalog *cat = r->c->env ? r->c->env->catalog : NULL;
    for (size_t i = 0; cat; i++) {
        const eng_table *t = eng_catalog_table_at(cat, i);
        if (!t)
            break;
        for (int k = 0; k < t->nindexes; k++) {
            const eng_index *ix = t->indexes[k];
            if (!eng__index_is_constraint(ix))
                continue;
            eng__vrow(r);
            eng__vint(r, eng__constraint_oid(ix));
            eng__vtext(r, ix->name);
            eng__vint(r, ENG_NS_PUBLIC);
            eng__vchar(r, ix->primary ? 'p' : 'u');
            eng__vbool(r, false);
            eng__vbool(r, false);
            eng__vbool(r, true);
            eng__vint(r, t->relid);
            eng__vint(r, 0);
            eng__vint(r, ix->relid);
            eng__vint(r, 0);
            eng__vint(r, 0);
            eng__vchar(r, ' ');
            eng__vchar(r, ' ');
            eng__vchar(r, ' ');
            eng__vbool(r, true);
            eng__vint(r, 0);
            eng__vbool(r, true);
            eng__vtext(r, keylist(r->a, ix, true));
        }
    }
    return 0;
}

char *eng__indexdef(arena *a, const eng_table *t, const eng_index *ix, bool qualify)
{
    if (ix->amx) {
        char using[512];
        eng_amidx_indexdef(ix->amx, t->cols[ix->cols[0]].name, using, sizeof(using));
        return arena_printf(a, "CREATE INDEX %s ON %s%s USING %s", ix->name, qualify ? "public." : "", t->name, using);
    }
    char *cols = arena_strdup(a, "");
    for (int k = 0; cols && k < ix->ncols; k++)
        cols = arena_printf(a, "%s%s%s", cols, k ? ", " : "", t->cols[ix->cols[k]].name);
    if (!cols)
        return NULL;
    return arena_printf(a, "CREATE %sINDEX %s ON %s%s USING btree (%s)", ix->unique ? "UNIQUE " : "", ix->name,
                        qualify ? "public." : "", t->name, cols);
}

/* ---- small fixed catalogs -------------------------------------------------- */

int eng__fill_database(eng_vrows *r)
{
    eng__vrow(r);
    eng__vint(r, 5);
    eng__vtext(r, "postgres");
    eng__vint(r, ENG_BOOTSTRAP_ROLE_OID);
    eng__vint(r, 6);                            /* UTF8 */
    eng__vchar(r, 'c');
    eng__vbool(r, false);
    eng__vbool(r, true);
    eng__vint(r, -1);
    eng__vint(r, 1663);                         /* pg_default */
    eng__vtext(r, "C"); /* hcdb compares text bytewise */
    eng__vtext(r, "C");
    return 0;
}

int eng__fill_am(eng_vrows *r)
{
    static const struct { uint32_t oid; const char *name, *handler; char type; } ams[] = {
        {2, "heap", "heap_tableam_handler", 't'}, {403, "btree", "bthandler", 'i'},
        {405, "hash", "hashhandler", 'i'},       {783, "gist", "gisthandler", 'i'},
        {2742, "gin", "ginhandler", 'i'},        {4000, "spgist", "spghandler", 'i'},
        {3580, "brin", "brinhandler", 'i'},
    };
    for (size_t i = 0; i < sizeof(ams) / sizeof(ams[0]); i++) {
        eng__vrow(r);
        eng__vint(r, ams[i].oid);
        eng__vtext(r, ams[i].name);
        eng__vtext(r, ams[i].handler);
        eng__vchar(r, ams[i].type);
    }
    for (int i = 0; eng_am_at(i); i++) { /* hnsw, as pgvector's CREATE EXTENSION adds it */
        const eng_am *am = eng_am_at(i);
        eng__vrow(r);
        eng__vint(r, am->oid);
        eng__vtext(r, am->name);
        eng__vtext(r, arena_printf(r->a, "%shandler", am->name));
        eng__vchar(r, 'i');
    }
    return 0;
}

int eng__fill_collation(eng_vrows *r)
{
    static const struct { uint32_t oid; const char *name; char provider; int enc; const char *loc; } cs[] = {
        {100, "default", 'd', -1, NULL}, {950, "C", 'c', -1, "C"}, {951, "POSIX", 'c', -1, "POSIX"},
    };
    for (size_t i = 0; i < sizeof(cs) / sizeof(cs[0]); i++) {
        eng__vrow(r);
        eng__vint(r, cs[i].oid);
        eng__vtext(r, cs[i].name);
        eng__vint(r, ENG_NS_PG_CATALOG);
        eng__vint(r, ENG_BOOTSTRAP_ROLE_OID);
        eng__vchar(r, cs[i].provider);
        eng__vbool(r, true);
        eng__vint(r, cs[i].enc);
        eng__vtext(r, cs[i].loc);
        eng__vtext(r, cs[i].loc);
    }
    return 0;
}

int eng__fill_empty(eng_vrows *r)
{
    (void)r;
    return 0;
}
