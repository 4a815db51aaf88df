/* syscat_seq: pg_catalog.pg_sequence and the pg_sequences view, from engine/seq.c. */
#include "engine/seq.h"
#include "engine/syscat_internal.h"

static eng_catalog *catalog(eng_vrows *r)
{
    return r->c->env ? r->c->env->catalog : NULL;
}

int eng__fill_sequence(eng_vrows *r)
{
    eng_catalog *cat = catalog(r);
    eng_seq_info s;
    for (size_t i = 0; cat && eng_seq_at(cat, i, &s); i++) {
        eng__vrow(r);
        eng__vint(r, s.oid);
        eng__vint(r, s.type);
        eng__vint(r, s.start);
        eng__vint(r, s.incr);
        eng__vint(r, s.maxv);
        eng__vint(r, s.minv);
        eng__vint(r, s.cache);
        eng__vbool(r, s.cycle);
    }
    return 0;
}

int eng__fill_sequences(eng_vrows *r)
{
    eng_catalog *cat = catalog(r);
    eng_seq_info s;
    for (size_t i = 0; cat && eng_seq_at(cat, i, &s); i++) {
        eng__vrow(r);
        eng__vtext(r, "public");
        eng__vtext(r, s.name);
        eng__vtext(r, "postgres");
        eng__vint(r, s.type);
        eng__vint(r, s.start);
        eng__vint(r, s.minv);
        eng__vint(r, s.maxv);
        eng__vint(r, s.incr);
        eng__vbool(r, s.cycle);
        eng__vint(r, s.cache);
        if (s.called)
            eng__vint(r, s.last);
        else
            eng__vnull(r); /* PostgreSQL: NULL until the first nextval */
    }
    return 0;
}
