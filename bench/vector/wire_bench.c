/*
 * wire_bench: the vector benchmark over the wire, through libpq, against a
 * running hcdb: for one data set and metric it
 *   1. loads the base vectors with COPY FROM STDIN in text and in binary form
 *      (pgvector's binary vector layout), timing each;
 *   2. builds the HNSW index (m 16, ef_construction 64) on 1 thread
 *      (max_parallel_maintenance_workers = 0) and on all cores, timing each,
 *      and reads the index's bytes from the line the server logs for each build;
 *   3. for each ef_search: one client runs every query through a prepared
 *      statement with a binary vector parameter (SELECT id ... ORDER BY emb
 *      <op> $1 LIMIT 10), a warm-up pass then passes for at least MIN_SECONDS;
 *      recall@10 against the folder's exact ground truth and queries/s;
 *   4. at ef_search 40, queries/s with 2, 4 and 8 clients (threads, one
 *      connection each) for MIN_SECONDS.
 * Output lines (parsed by wire_compare.py):
 *   LOAD set metric n dim copy_text_s copy_binary_s
 *   BUILD set metric threads seconds index_bytes
 *   SEARCH set metric ef recall qps
 *   CLIENTS set metric ef clients qps
 *
 * Usage: wire_bench CONNINFO SERVER_LOG SET[:u8dim] l2|cosine [max_queries]
 */
#include <arpa/inet.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/mem.h"
#include "util/vecfile.h"

#define OID_VECTOR 16385
#define K 10

static const int efs[] = {10, 20, 40, 80, 160, 320};
static const int clients[] = {2, 4, 8};
static double min_seconds = 1.0;

typedef struct data {
    const char *set, *metric, *op, *conninfo;
    float *base, *query;
    int32_t *gt;
    size_t n, nq, dim, gt_k;
} data;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(PGconn *c, const char *what)
{
    fprintf(stderr, "%s: %s\n", what, c ? PQerrorMessage(c) : "");
    exit(1);
}

static void run(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
        die(c, sql);
    PQclear(r);
}

static PGconn *connect_or_die(const char *conninfo)
{
    PGconn *c = PQconnectdb(conninfo);
    if (PQstatus(c) != CONNECTION_OK)
        die(c, "connect");
    return c;
}

/* The bytes of the last "index ... built: ..., N bytes" line of the server's log. */
static long logged_index_bytes(const char *log)
{
    char line[1024];
    long bytes = 0, b;
    FILE *f = fopen(log, "r");
    while (f && fgets(line, sizeof(line), f)) {
        const char *p = strstr(line, " s, ");
        if (strstr(line, "\" built: ") && p && sscanf(p, " s, %ld bytes", &b) == 1)
            bytes = b;
    }
    if (f)
        fclose(f);
    return bytes;
}

/* ---- loading --------------------------------------------------------- */

static void copy_buf(PGconn *c, const char *sql, const buf *b)
{
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COPY_IN)
        die(c, sql);
    PQclear(r);
    for (size_t off = 0; off < b->len; off += 1 << 20) {
        size_t n = b->len - off < (1u << 20) ? b->len - off : 1u << 20;
        if (PQputCopyData(c, (const char *)b->data + off, (int)n) != 1)
            die(c, "copy data");
    }
    if (PQputCopyEnd(c, NULL) != 1)
        die(c, "copy end");
    r = PQgetResult(c);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        die(c, "copy result");
    PQclear(r);
}

static void text_rows(const data *d, buf *b)
{
    char num[48];
    for (size_t i = 0; i < d->n; i++) {
        int len = snprintf(num, sizeof(num), "%zu\t[", i);
        buf_append(b, num, (size_t)len);
        for (size_t j = 0; j < d->dim; j++) {
            len = snprintf(num, sizeof(num), j ? ",%.9g" : "%.9g", (double)d->base[i * d->dim + j]);
            buf_append(b, num, (size_t)len);
        }
        buf_append(b, "]\n", 2);
    }
}

static void put32(buf *b, uint32_t v)
{
    v = htonl(v);
    buf_append(b, &v, 4);
}

static void put16(buf *b, uint16_t v)
{
    v = htons(v);
    buf_append(b, &v, 2);
}

/* PostgreSQL's binary COPY: signature, flags, extension length, rows, trailer. */
static void binary_rows(const data *d, buf *b)
{
    buf_append(b, "PGCOPY\n\377\r\n\0", 11);
    put32(b, 0);
    put32(b, 0);
    for (size_t i = 0; i < d->n; i++) {
        put16(b, 2);
        put32(b, 4);
        put32(b, (uint32_t)i);
        put32(b, (uint32_t)(4 + 4 * d->dim));
        put16(b, (uint16_t)d->dim);
        put16(b, 0);
        for (size_t j = 0; j < d->dim; j++) {
            uint32_t u;
            memcpy(&u, &d->base[i * d->dim + j], 4);
            put32(b, u);
        }
    }
    put16(b, 0xFFFF);
}

static void load(PGconn *c, const data *d)
{
    char sql[256];
    buf b;
    double t[2];
    for (int pass = 0; pass < 2; pass++) {
        run(c, "DROP TABLE IF EXISTS bench_items");
        snprintf(sql, sizeof(sql), "CREATE TABLE bench_items (id int, emb vector(%zu))", d->dim);
        run(c, sql);
        buf_init(&b);
        (pass ? binary_rows : text_rows)(d, &b);
        if (b.failed)
            die(NULL, "out of memory");
        double t0 = now();
        copy_buf(c, pass ? "COPY bench_items FROM STDIN (FORMAT binary)" : "COPY bench_items FROM STDIN", &b);
        t[pass] = now() - t0;
        buf_free(&b);
    }
    printf("LOAD %s %s %zu %zu %.3f %.3f\n", d->set, d->metric, d->n, d->dim, t[0], t[1]);
    fflush(stdout);
}

static void build(PGconn *c, const data *d, const char *log)
{
    char sql[256];
    snprintf(sql, sizeof(sql), "CREATE INDEX bench_idx ON bench_items USING hnsw (emb vector_%s_ops) "
             "WITH (m = 16, ef_construction = 64)", d->metric);
    for (int all = 0; all < 2; all++) {
        run(c, all ? "RESET max_parallel_maintenance_workers" : "SET max_parallel_maintenance_workers = 0");
        double t0 = now();
        run(c, sql);
        double s = now() - t0;
        long threads = all ? sysconf(_SC_NPROCESSORS_ONLN) : 1; /* the server runs on this machine */
        printf("BUILD %s %s %ld %.3f %ld\n", d->set, d->metric, threads, s, logged_index_bytes(log));
        fflush(stdout);
        if (!all)
            run(c, "DROP INDEX bench_idx");
    }
}

/* ---- searching --------------------------------------------------------- */

typedef struct client {
    const data *d;
    PGconn *c;
    char *params;          /* nq binary vectors */
    int plen;
    size_t hits, done;
    double until;
} client;

static void client_init(client *cl, const data *d, int ef)
{
    char sql[160];
    cl->d = d;
    cl->c = connect_or_die(d->conninfo);
    snprintf(sql, sizeof(sql), "SET hnsw.ef_search = %d", ef);
    run(cl->c, sql);
    snprintf(sql, sizeof(sql), "SELECT id FROM bench_items ORDER BY emb %s $1 LIMIT %d", d->op, K);
    Oid types[1] = {OID_VECTOR};
    PGresult *r = PQprepare(cl->c, "q", sql, 1, types);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        die(cl->c, "prepare");
    PQclear(r);
    cl->plen = (int)(4 + 4 * d->dim);
    cl->params = malloc(d->nq * (size_t)cl->plen);
    for (size_t q = 0; q < d->nq; q++) {
        buf b;
        buf_init(&b);
        put16(&b, (uint16_t)d->dim);
        put16(&b, 0);
        for (size_t j = 0; j < d->dim; j++) {
            uint32_t u;
            memcpy(&u, &d->query[q * d->dim + j], 4);
            put32(&b, u);
        }
        memcpy(cl->params + q * (size_t)cl->plen, b.data, (size_t)cl->plen);
        buf_free(&b);
    }
}

static void one_query(client *cl, size_t q)
{
    const char *vals[1] = {cl->params + q * (size_t)cl->plen};
    int lens[1] = {cl->plen}, fmts[1] = {1};
    PGresult *r = PQexecPrepared(cl->c, "q", 1, vals, lens, fmts, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        die(cl->c, "query");
    const int32_t *g = cl->d->gt + q * cl->d->gt_k;
    for (int i = 0; i < PQntuples(r); i++) {
        int id = atoi(PQgetvalue(r, i, 0));
        for (int j = 0; j < K; j++)
            cl->hits += id == g[j];
    }
    PQclear(r);
    cl->done++;
}

static void *client_loop(void *arg)
{
    client *cl = arg;
    for (size_t q = 0; now() < cl->until; q = (q + 1) % cl->d->nq)
        one_query(cl, q);
    return NULL;
}

static void client_free(client *cl)
{
    PQfinish(cl->c);
    free(cl->params);
}

static void search(const data *d)
{
    for (size_t e = 0; e < sizeof(efs) / sizeof(efs[0]); e++) {
        client cl = {0};
        client_init(&cl, d, efs[e]);
        for (size_t q = 0; q < d->nq; q++) /* warm-up pass, and the recall */
            one_query(&cl, q);
        double recall = (double)cl.hits / (double)(d->nq * K);
        cl.done = 0;
        double t0 = now();
        while (now() - t0 < min_seconds)
            for (size_t q = 0; q < d->nq; q++)
                one_query(&cl, q);
        printf("SEARCH %s %s %d %.4f %.0f\n", d->set, d->metric, efs[e], recall, (double)cl.done / (now() - t0));
        fflush(stdout);
        client_free(&cl);
    }
}

static void concurrent(const data *d, int ef)
{
    for (size_t k = 0; k < sizeof(clients) / sizeof(clients[0]); k++) {
        int n = clients[k];
        client cl[8] = {{0}};
        pthread_t th[8];
        for (int i = 0; i < n; i++)
            client_init(&cl[i], d, ef);
        double t0 = now();
        for (int i = 0; i < n; i++) {
            cl[i].until = t0 + min_seconds;
            pthread_create(&th[i], NULL, client_loop, &cl[i]);
        }
        size_t done = 0;
        for (int i = 0; i < n; i++) {
            pthread_join(th[i], NULL);
            done += cl[i].done;
            client_free(&cl[i]);
        }
        printf("CLIENTS %s %s %d %d %.0f\n", d->set, d->metric, ef, n, (double)done / (now() - t0));
        fflush(stdout);
    }
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: wire_bench CONNINFO SERVER_LOG SET[:u8dim] l2|cosine [max_queries]\n");
        return 2;
    }
    if (getenv("MIN_SECONDS"))
        min_seconds = atof(getenv("MIN_SECONDS"));
    data d = {.conninfo = argv[1], .metric = argv[4]};
    d.op = strcmp(d.metric, "cosine") == 0 ? "<=>" : "<->";
    char set[256], dirbuf[1024], p[2048];
    snprintf(set, sizeof(set), "%s", argv[3]);
    char *colon = strchr(set, ':');
    size_t u8 = colon ? (size_t)atol(colon + 1) : 0, qd;
    if (colon)
        *colon = '\0';
    d.set = set;
    const char *dir = vecfile_data_dir(dirbuf, sizeof(dirbuf));
    if (!dir)
        die(NULL, "no data-set folder");
    d.base = vecfile_load_set(dir, set, "base", u8, 0, &d.n, &d.dim);
    d.query = vecfile_load_set(dir, set, "query", u8, argc > 5 ? (size_t)atol(argv[5]) : 0, &d.nq, &qd);
    snprintf(p, sizeof(p), "%s/%s/gt_%s_top100.ivecs", dir, set, strcmp(d.metric, "cosine") == 0 ? "cos" : "l2");
    size_t rows;
    d.gt = vecfile_read_ivecs(p, d.nq, &rows, &d.gt_k);
    if (!d.base || !d.query || !d.gt || rows < d.nq)
        die(NULL, "cannot read the data set");
    PGconn *c = connect_or_die(d.conninfo);
    load(c, &d);
    build(c, &d, argv[2]);
    search(&d);
    concurrent(&d, 40);
    run(c, "DROP TABLE bench_items");
    PQfinish(c);
    mem_free(d.base);
    mem_free(d.query);
    mem_free(d.gt);
    return 0;
}
