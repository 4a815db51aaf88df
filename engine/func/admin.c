/*
 * admin: functions for operators. hcdb_backup(dest) makes a consistent
 * copy of the whole data directory in dest while writes go on and returns
 * the backup's end LSN (a server started on dest has exactly the
 * transactions committed before it). It blocks on disk, so it is flagged
 * long: the server runs it on a worker thread, never on an event loop.
 */
#include "engine/func/registry.h"
#include "engine/types/types.h"

static int f_hcdb_backup(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    (void)n;
    char *dest = arena_strndup(c->mem, a[0].s.p, a[0].s.n);
    if (!dest)
        return eng__oom(c);
    if (!c->env || !c->env->backup) {
        pgw_error_set(c->err, SQLSTATE_FEATURE_NOT_SUPPORTED, "hcdb_backup() is not available on this server");
        return -1;
    }
    uint64_t end = 0;
    if (c->env->backup(c->env->ctx, dest, &end, c->err) < 0)
        return -1;
    o->null = false;
    o->i = (int64_t)end;
    return 0;
}

void eng__register_admin(void)
{
    eng__reg("hcdb_backup", false, OID_INT8, ENG_F_STRICT | ENG_F_VOLATILE | ENG_F_LONG, f_hcdb_backup, 1,
             OID_TEXT);
}
