/* ext: the built-in extensions (see ext.h). */
#include "engine/ext.h"

#include <string.h>

#include "engine/hc_store.h"

static const char *const vector_fns[] = {
    "l2_distance", "cosine_distance", "inner_product", "l1_distance", "l2_normalize", "vector_dims",
    "vector_norm", "vector_negative_inner_product", NULL,
};
static const char *const hypercube_fns[] = {"hc_*", "hypercube_*", "st_*", NULL};
static const char *const embedding_fns[] = {"embedding_*", NULL};
/* named one by one: gen_random_uuid() is a core function */
static const char *const generative_fns[] = {"gen_generate", "gen_complete", "gen_walk", NULL};
static const char *const semantic_fns[] = {"semantic_*", "search_text", NULL};
static const char *const uuid_ossp_fns[] = {"uuid_generate_v4", NULL};

/* Sorted by name (pg_available_extensions order). Versions are those of
 * the PostgreSQL extensions whose SQL surface each one reproduces. */
static const eng_extdef exts[] = {
    {"embedding_ops", "1.0", "Embedding similarity and vector operations for the hypercube", NULL, embedding_fns,
     NULL, NULL},
    {"generative", "1.0", "Generative walks over the hypercube's semantic graph", NULL, generative_fns, NULL, NULL},
    {"hypercube", "1.0", "4-D hypercube coordinates, Hilbert indexing and semantic atoms", NULL, hypercube_fns,
     hc_store_install, hc_store_uninstall},
    {"hypercube_ops", "1.0", "Batch operations over the hypercube", NULL, NULL, NULL, NULL},
    {"pg_stat_statements", "1.10", "track planning and execution statistics of all SQL statements executed", NULL,
     NULL, NULL, NULL},
    {"pgcrypto", "1.3", "cryptographic functions", NULL, NULL, NULL, NULL},
    {"semantic_ops", "1.0", "Semantic queries over the hypercube", NULL, semantic_fns, NULL, NULL},
    {"uuid-ossp", "1.1", "generate universally unique identifiers (UUIDs)", NULL, uuid_ossp_fns, NULL, NULL},
    {"vector", "0.8.0", "vector data type and ivfflat and hnsw access methods", NULL, vector_fns, NULL, NULL},
};

#define NEXTS (sizeof(exts) / sizeof(exts[0]))

const eng_extdef *eng_ext_find(const char *name)
{
    for (size_t i = 0; i < NEXTS; i++)
        if (strcmp(exts[i].name, name) == 0)
            return &exts[i];
    return NULL;
}

const eng_extdef *eng_ext_at(int i)
{
    return i >= 0 && (size_t)i < NEXTS ? &exts[i] : NULL;
}

static bool owns(const eng_extdef *e, const char *proc)
{
    for (const char *const *f = e->functions; f && *f; f++) {
        size_t n = strlen(*f);
        if ((*f)[n - 1] == '*' ? strncmp(*f, proc, n - 1) == 0 : strcmp(*f, proc) == 0)
            return true;
    }
    return false;
}

bool eng_ext_proc_visible(eng_catalog *cat, const char *proc, const char **schema)
{
    *schema = "pg_catalog";
    for (size_t i = 0; i < NEXTS; i++) {
        if (!owns(&exts[i], proc))
            continue;
        const eng_extension *made = cat ? eng_catalog_extension(cat, exts[i].name) : NULL;
        if (made)
            *schema = made->schema;
        return made != NULL;
    }
    return true;
}
