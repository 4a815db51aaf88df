/*
 * seq: sequences (CREATE SEQUENCE, serial, identity columns) and the
 * functions nextval / currval / setval / lastval.
 *
 * Creating and dropping a sequence is transactional DDL (catalog records and
 * an undo entry in the caller's eng_ddl_log); handing out values is not, as
 * in PostgreSQL: a value once returned is never returned again, even when
 * the transaction that got it rolls back, and even across a crash. To make
 * that durable without a WAL flush per value, nextval pre-logs
 * ENG_SEQ_LOG_VALS values ahead in a record committed by a transaction of
 * its own (see docs/STORAGE.md). Any thread; the registry has its own mutex.
 */
#ifndef HCDB_ENGINE_SEQ_H
#define HCDB_ENGINE_SEQ_H

#include "engine/catalog.h"

/* Values logged ahead per WAL record: PostgreSQL's SEQ_LOG_VALS. */
#define ENG_SEQ_LOG_VALS 32

typedef struct eng_seq_def {
    const char *name;
    int64_t incr, minv, maxv, start, cache;
    bool cycle;
    uint32_t type;       /* OID_INT2 / INT4 / INT8: AS type */
    uint32_t owner_rel;  /* the table whose column owns it (serial / identity), or 0 */
    int owner_col;       /* that column (0-based) */
    char identity;       /* the column is GENERATED 'a' ALWAYS / 'd' BY DEFAULT AS IDENTITY, or 0 */
} eng_seq_def;

/* Fill the parameters PostgreSQL derives from what was given; has_* say
 * which fields the statement set. 22023 / 42P17 on inconsistent values. */
typedef struct eng_seq_opts {
    bool has_incr, has_min, has_max, has_start, has_cache;
    uint32_t type; /* OID_INT2 / INT4 / INT8 (AS type) */
} eng_seq_opts;
int eng_seq_fill(eng_seq_def *d, const eng_seq_opts *o, pgw_error *err) __attribute__((warn_unused_result));

/* Under the catalog write lock. */
bool eng_seq_exists(eng_catalog *cat, const char *name);
int eng_seq_create(eng_catalog *cat, st_txn *txn, eng_ddl_log *log, const eng_seq_def *def, pgw_error *err)
    __attribute__((warn_unused_result));
int eng_seq_drop(eng_catalog *cat, st_txn *txn, eng_ddl_log *log, const char *name, pgw_error *err)
    __attribute__((warn_unused_result));
/* Drop the sequences a dropped table owns. */
int eng_seq_drop_owned(eng_catalog *cat, st_txn *txn, eng_ddl_log *log, uint32_t relid, pgw_error *err)
    __attribute__((warn_unused_result));
/* Drop table t and the sequences its serial / identity columns own, as DROP TABLE does. */
int eng_seq_drop_table(eng_catalog *cat, st_txn *txn, eng_ddl_log *log, eng_table *t, pgw_error *err)
    __attribute__((warn_unused_result));

/* The table (relid) and column whose serial / identity default uses sequence `name`;
 * false when it has no owner. */
bool eng_seq_owner(eng_catalog *cat, const char *name, uint32_t *relid, int *col);

/* The live sequence's OID, or 0; its name by OID into out (false: none). */
uint32_t eng_seq_oid(eng_catalog *cat, const char *name);
bool eng_seq_name(eng_catalog *cat, uint32_t oid, char *out, size_t n);

/* The identity kind ('a', 'd') of column col of table relid, or 0. */
char eng_seq_identity(eng_catalog *cat, uint32_t relid, int col);

/* 428C9 when a statement gives column col of t a value of its own and the
 * column is GENERATED ALWAYS AS IDENTITY (INSERT: unless OVERRIDING SYSTEM
 * VALUE); 0 otherwise. PostgreSQL's messages. */
int eng_seq_check_value(eng_catalog *cat, const eng_table *t, int col, bool update, bool overriding, pgw_error *err)
    __attribute__((warn_unused_result));

/* Per-session currval / lastval memory. */
typedef struct eng_seq_session eng_seq_session;
eng_seq_session *eng_seq_session_new(void);
void eng_seq_session_free(eng_seq_session *s);

/* The functions; name is the sequence's (42P01 when none). txn is the
 * caller's statement transaction. */
int eng_seq_nextval(eng_catalog *cat, st_txn *txn, eng_seq_session *ss, const char *name, int64_t *out,
                    pgw_error *err) __attribute__((warn_unused_result));
int eng_seq_currval(eng_catalog *cat, eng_seq_session *ss, const char *name, int64_t *out, pgw_error *err)
    __attribute__((warn_unused_result));
int eng_seq_lastval(eng_catalog *cat, eng_seq_session *ss, int64_t *out, pgw_error *err)
    __attribute__((warn_unused_result));
int eng_seq_setval(eng_catalog *cat, st_txn *txn, eng_seq_session *ss, const char *name, int64_t v, bool called,
                   pgw_error *err) __attribute__((warn_unused_result));

/* Row for pg_sequences-like views: the i-th live sequence, false past the end. */
typedef struct eng_seq_info {
    uint32_t oid;
    const char *name;
    int64_t incr, minv, maxv, start, cache, last;
    bool cycle, called;
    uint32_t type;
} eng_seq_info;
bool eng_seq_at(eng_catalog *cat, size_t i, eng_seq_info *out);

/* ---- catalog hooks (catalog.c) ---- */
typedef struct eng_seqs eng_seqs;
eng_seqs *eng__seqs_new(void);
void eng__seqs_free(eng_seqs *s);
/* Record kinds eng__seq_apply owns. */
bool eng__seq_kind(uint32_t kind);
int eng__seq_apply(eng_catalog *cat, uint32_t kind, const uint8_t *data, size_t len, pgw_error *err)
    __attribute__((warn_unused_result));
/* Append the sequences' records (u32 kind, u32 len, payload each) to b. */
void eng__seq_checkpoint(eng_catalog *cat, buf *b);
void eng__seq_undo(void *seq, bool created);
void eng__seq_committed(void *seq);

#endif
