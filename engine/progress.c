/* progress: the registry of running index builds (see progress.h). */
#include "engine/progress.h"

#include <pthread.h>

#include "engine/syscat_internal.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static eng_progress *running;

void eng_progress_begin(eng_progress *p)
{
    atomic_store(&p->phase, ENG_PROGRESS_INITIALIZING);
    atomic_store(&p->tuples_total, 0);
    atomic_store(&p->tuples_done, 0);
    pthread_mutex_lock(&lock);
    p->next = running;
    running = p;
    pthread_mutex_unlock(&lock);
}

void eng_progress_end(eng_progress *p)
{
    pthread_mutex_lock(&lock);
    for (eng_progress **q = &running; *q; q = &(*q)->next) {
        if (*q == p) {
            *q = p->next;
            break;
        }
    }
    pthread_mutex_unlock(&lock);
}

void eng_progress_phase(eng_progress *p, const char *phase, int64_t total)
{
    atomic_store(&p->tuples_total, total);
    atomic_store(&p->phase, phase);
}

void eng_progress_report(eng_progress *p, size_t done, size_t total)
{
    int64_t before = atomic_exchange(&p->tuples_done, (int64_t)done);
    int t0 = total ? (int)((uint64_t)before * 10 / total) : 0, t1 = total ? (int)((uint64_t)done * 10 / total) : 10;
    if (p->tenth && t1 > t0)
        p->tenth(p->ctx, p, t1);
}

/* PostgreSQL 15's columns: pid, datid, datname, relid, index_relid, command, phase, lockers_total,
 * lockers_done, current_locker_pid, blocks_total, blocks_done, tuples_total, tuples_done,
 * partitions_total, partitions_done. */
int eng__fill_progress_create_index(eng_vrows *r)
{
    pthread_mutex_lock(&lock);
    for (eng_progress *p = running; p; p = p->next) {
        eng__vrow(r);
        eng__vint(r, p->pid);
        eng__vint(r, 5); /* the one database's OID, as pg_stat_activity shows it */
        eng__vtext(r, p->datname);
        eng__vint(r, p->relid);
        eng__vint(r, p->index_relid);
        eng__vtext(r, "CREATE INDEX");
        eng__vtext(r, atomic_load(&p->phase));
        for (int i = 0; i < 5; i++) /* lockers_total .. blocks_done: no lock waits, no blocks */
            eng__vint(r, 0);
        eng__vint(r, atomic_load(&p->tuples_total));
        eng__vint(r, atomic_load(&p->tuples_done));
        eng__vint(r, 0);
        eng__vint(r, 0);
    }
    pthread_mutex_unlock(&lock);
    return 0;
}
