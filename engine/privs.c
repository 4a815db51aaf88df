/* privs: privilege checks (see privs.h). */
#include "engine/privs.h"

#include "engine/syscat.h"

static uint32_t granted(const eng_env *env, uint32_t oid)
{
    return eng_catalog_privs(env->catalog, oid, env->user ? env->user : "") |
           eng_catalog_privs(env->catalog, oid, "public");
}

int eng_priv_check_table(const eng_env *env, const eng_table *t, uint32_t priv, pgw_error *err)
{
    if (env->superuser || t->vrel || !env->catalog || (granted(env, t->relid) & priv))
        return 0;
    pgw_error_set(err, SQLSTATE_INSUFFICIENT_PRIVILEGE, "permission denied for table %s", t->name);
    return -1;
}

int eng_priv_check_schema(const eng_env *env, uint32_t priv, pgw_error *err)
{
    if (env->superuser || !env->catalog || (granted(env, ENG_NS_PUBLIC) & priv))
        return 0;
    pgw_error_set(err, SQLSTATE_INSUFFICIENT_PRIVILEGE, "permission denied for schema public");
    return -1;
}
