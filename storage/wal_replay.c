/*
 * wal_replay: recovery's second half. Reads the WAL segments from the
 * checkpoint's redo LSN on, checks every record (length, LSN, XXH3) and
 * applies each transaction whose COMMIT record is intact, in WAL order.
 * Replay stops at the first torn or corrupt record or at a gap between
 * segments, and logs where; the transaction it was reading is discarded.
 * That is only right for a torn tail: the last write before a crash. When
 * the WAL after the damage proves the damaged bytes had been flushed (a
 * later segment with records, or an intact COMMIT written after they were
 * durable), the damage is in the middle of the log and stopping there
 * would silently drop committed transactions, so st_open fails instead
 * (XX001, naming both LSNs) and leaves every file as it is.
 * Row records are applied to the tables directly as committed full images
 * (idempotent); engine records go to the engine's callback.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "storage/st_internal.h"
#include "storage/wal_format.h"
#include "util/log.h"
#include "util/mem.h"

typedef struct replay {
    st_db *db;
    const st_recovery_ops *ops;
    pgw_error *err;
    uint64_t stop_lsn;   /* where replay stopped at a torn or corrupt record */
} replay;

static st_table *table_for(replay *r, uint32_t relid, uint64_t lsn)
{
    st_table *tb = st_table_lookup(r->db, relid);
    if (!tb)
        log_warn("WAL record at LSN %" PRIu64 " names unknown table %u; skipped", lsn, relid);
    return tb;
}

static int create_table(replay *r, uint32_t relid)
{
    st_table *tb = st_table_lookup(r->db, relid);
    if (tb) { /* already in the checkpoint image: start it again */
        st__table_clear(tb);
    } else {
        if (!(tb = st__table_new(r->db, relid)) || st__table_register(r->db, tb) != 0) {
            st__table_free(tb);
            pgw_error_oom(r->err);
            return -1;
        }
        atomic_store(&tb->created_csn, 1);
    }
    if (r->ops && r->ops->table)
        r->ops->table(r->ops->ctx, relid, true);
    return 0;
}

static int apply_row(replay *r, const uint8_t *rec, uint32_t len, int type, uint64_t lsn)
{
    if (len < ST_WAL_REC_HEADER + 16)
        return 1;
    const uint8_t *p = rec + ST_WAL_REC_HEADER;
    uint32_t relid = st_get_le32(p);
    uint64_t rowid = st_get_le64(p + 8);
    st_table *tb = table_for(r, relid, lsn);
    if (!tb)
        return 0;
    const uint8_t *data = type == ST_WAL_DELETE ? NULL : p + 16;
    size_t dlen = len - ST_WAL_REC_HEADER - 16;
    /* the engine first, while the image this change replaces is still there */
    if (r->ops && r->ops->row) {
        st_ver **s = st__slot(tb, rowid);
        const st_ver *old = s ? *s : NULL;
        r->ops->row(r->ops->ctx, relid, rowid,
                    type == ST_WAL_INSERT ? ST_ROW_INSERT
                                          : type == ST_WAL_UPDATE ? ST_ROW_UPDATE : ST_ROW_DELETE,
                    data, data ? dlen : 0, old ? old->data : NULL, old ? old->len : 0);
    }
    if (st__table_put_frozen(tb, rowid, data, dlen) != 0) {
        pgw_error_oom(r->err);
        return -1;
    }
    return 0;
}

/* Apply one checked record. 0, 1 (malformed: stop) or -1 (err filled). */
static int apply(replay *r, const uint8_t *rec, uint32_t len)
{
    int type = rec[4];
    uint64_t lsn = st_get_le64(rec + 8);
    const uint8_t *p = rec + ST_WAL_REC_HEADER;
    size_t plen = len - ST_WAL_REC_HEADER;
    switch (type) {
    case ST_WAL_INSERT:
    case ST_WAL_UPDATE:
    case ST_WAL_DELETE:
        return apply_row(r, rec, len, type, lsn);
    case ST_WAL_TABLE_CREATE:
        return plen < 4 ? 1 : create_table(r, st_get_le32(p));
    case ST_WAL_TABLE_DROP: {
        if (plen < 4)
            return 1;
        st_table *tb = table_for(r, st_get_le32(p), lsn);
        if (tb) {
            st__table_clear(tb);
            atomic_store(&tb->dead, true);
            if (r->ops && r->ops->table)
                r->ops->table(r->ops->ctx, tb->relid, false);
        }
        return 0;
    }
    case ST_WAL_ENGINE:
        if (plen < 8)
            return 1;
        if (r->ops && r->ops->record &&
            r->ops->record(r->ops->ctx, st_get_le32(p), st_get_le32(p + 4), p + 8, plen - 8, r->err) != 0)
            return -1;
        return 0;
    default:
        return 1;
    }
}

/* Why the record at off is unusable, or NULL if it is fine. */
static const char *check_record(const uint8_t *b, size_t size, size_t off, uint64_t lsn)
{
    if (size - off < ST_WAL_REC_HEADER)
        return "torn record header";
    uint32_t len = st_get_le32(b + off);
    if (len < ST_WAL_REC_HEADER || len > ST_WAL_MAX_RECORD)
        return "invalid record length";
    if (len > size - off)
        return "torn record";
    if (st_get_le64(b + off + 8) != lsn)
        return "record LSN does not match its position";
    if (st_get_le64(b + off + 24) != st_wal_checksum(b + off, len))
        return "record checksum mismatch";
    if (b[off + 4] < ST_WAL_INSERT || b[off + 4] > ST_WAL_COMMIT)
        return "unknown record type";
    return NULL;
}

/* The LSN of the first intact COMMIT record after offset `from` of a
 * segment starting at `start` that proves the WAL at `damage_lsn` was
 * durable before it was written (wal_format.h, COMMIT's `durable`), or 0.
 * Without such proof the damage may be a crash's torn write: bytes of the
 * last, unflushed round can reach the disk in any order. A record's LSN
 * field must equal its position, so stray bytes are checksummed only where
 * they already look like a record of this very place. */
static uint64_t intact_after(const uint8_t *b, size_t size, size_t from, uint64_t start,
                             uint64_t damage_lsn)
{
    for (size_t o = from + 1; o + ST_WAL_REC_HEADER <= size; o++) {
        uint64_t lsn = start + (o - ST_WAL_SEG_HEADER);
        if (st_get_le64(b + o + 8) != lsn || check_record(b, size, o, lsn) || b[o + 4] != ST_WAL_COMMIT)
            continue;
        uint32_t len = st_get_le32(b + o);
        if (len >= ST_WAL_REC_HEADER + ST_WAL_COMMIT_LEN &&
            st_get_le64(b + o + ST_WAL_REC_HEADER + 12) > damage_lsn)
            return lsn;
    }
    return 0;
}

static uint8_t *read_file(const char *path, size_t *size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0) {
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    uint8_t *b = mem_alloc((size_t)sb.st_size + 1);
    size_t got = 0;
    while (b && got < (size_t)sb.st_size) {
        ssize_t n = pread(fd, b + got, (size_t)sb.st_size - got, (off_t)got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    *size = got;
    return b;
}

/* Refuse to recover past damage that has intact WAL after it. */
static int damaged(replay *r, uint64_t at, const char *why, uint64_t later, uint64_t seg)
{
    pgw_error_set(r->err, ST_SQLSTATE_DATA_CORRUPTED,
                  "write-ahead log is damaged at LSN %" PRIu64 " (segment %016" PRIx64 "): %s", at,
                  seg, why);
    pgw_error_detail(r->err,
                     "Intact WAL records follow at LSN %" PRIu64 "; recovering only up to the "
                     "damage would discard transactions that were committed.",
                     later);
    pgw_error_hint(r->err, "Restore the data directory from a backup (hcdb backup). The files "
                           "were left as they are.");
    log_error("%s: %s", r->err->message, r->err->detail);
    return -1;
}

/* Replay one segment from LSN *pos. 0 = went through to its end, 1 = stop
 * (logged), -1 = error. *good = end of the last complete transaction. */
static int replay_segment(replay *r, uint64_t start, uint64_t *pos, uint64_t *good)
{
    char *path = st__wal_seg_path(r->db->dir, start);
    size_t size = 0;
    uint8_t *b = path ? read_file(path, &size) : NULL;
    mem_free(path);
    if (!b) {
        pgw_error_set(r->err, SQLSTATE_IO_ERROR, "could not read WAL segment %016" PRIx64, start);
        return -1;
    }
    int rc = 0;
    const char *why = NULL;
    if (size < ST_WAL_SEG_HEADER || memcmp(b, ST_WAL_MAGIC, 8) != 0 ||
        st_get_le64(b + 24) != XXH3_64bits(b, 24) || st_get_le64(b + 16) != start) {
        why = "bad segment header";
    } else if (st_get_le32(b + 8) > ST_FORMAT_VERSION) {
        pgw_error_set(r->err, SQLSTATE_OBJECT_NOT_IN_PREREQUISITE_STATE,
                      "WAL segment %016" PRIx64 " has format version %u, newer than %u", start,
                      st_get_le32(b + 8), ST_FORMAT_VERSION);
        rc = -1;
    }
    size_t off = ST_WAL_SEG_HEADER + (size_t)(*pos - start), group = 0;
    uint64_t gxid = 0;
    bool in_group = false;
    while (!why && rc == 0 && off < size) {
        if ((why = check_record(b, size, off, *pos)))
            break;
        uint32_t len = st_get_le32(b + off);
        uint64_t xid = st_get_le64(b + off + 16);
        if (!in_group) {
            in_group = true;
            gxid = xid;
            group = off;
        } else if (xid != gxid) {
            why = "transaction records interleaved";
            break;
        }
        *pos += len;
        off += len;
        if (b[off - len + 4] != ST_WAL_COMMIT)
            continue;
        for (size_t o = group; rc == 0 && o < off - len; o += st_get_le32(b + o)) {
            rc = apply(r, b + o, st_get_le32(b + o));
            if (rc == 1) {
                pgw_error_set(r->err, ST_SQLSTATE_DATA_CORRUPTED,
                              "malformed WAL record at LSN %" PRIu64, st_get_le64(b + o + 8));
                rc = -1;
            }
        }
        in_group = false;
        *good = *pos;
    }
    if (!why && rc == 0 && in_group)
        why = "transaction without a commit record at the end of a segment";
    if (why && rc == 0) {
        uint64_t later = size > ST_WAL_SEG_HEADER ? intact_after(b, size, off, start, *pos) : 0;
        if (later)
            rc = damaged(r, *pos, why, later, start);
        else {
            log_warn("WAL replay stops at LSN %" PRIu64 " (segment %016" PRIx64 "): %s", *good,
                     start, why);
            r->stop_lsn = *pos;
            rc = 1;
        }
    }
    mem_free(b);
    return rc;
}

/* True if the segment file holds more than its header (or cannot be read:
 * a segment that may hold records is treated as holding them). */
static bool segment_has_records(const char *dir, uint64_t start)
{
    char *path = st__wal_seg_path(dir, start);
    struct stat sb;
    bool has = !path || stat(path, &sb) != 0 || sb.st_size > (off_t)ST_WAL_SEG_HEADER;
    mem_free(path);
    return has;
}

int st__wal_replay(st_db *db, uint64_t from, const st_recovery_ops *ops, uint64_t *end,
                   pgw_error *err)
{
    replay r = {.db = db, .ops = ops, .err = err};
    uint64_t *segs;
    size_t n;
    *end = from;
    if (st__wal_list(db->dir, &segs, &n) != 0) {
        pgw_error_set(err, SQLSTATE_IO_ERROR, "could not list the WAL directory");
        return -1;
    }
    size_t i = 0;
    while (i + 1 < n && segs[i + 1] <= from)
        i++;
    int rc = 0;
    if (n > 0 && segs[i] > from) {
        pgw_error_set(err, ST_SQLSTATE_DATA_CORRUPTED,
                      "WAL from LSN %" PRIu64 " is missing (first segment starts at %" PRIu64 ")",
                      from, segs[i]);
        rc = -1;
    }
    uint64_t pos = from, good = from;
    for (; rc == 0 && i < n; i++) {
        if (segs[i] < pos && pos != from) {
            rc = damaged(&r, pos, "WAL segments overlap", segs[i], segs[i]);
        } else if (segs[i] > pos) {
            log_warn("WAL replay stops at LSN %" PRIu64 ": the next segment starts at %" PRIu64,
                     good, segs[i]);
            r.stop_lsn = pos;
            rc = 1;
        } else {
            rc = replay_segment(&r, segs[i], &pos, &good);
        }
    }
    /* The damage is a torn tail only if no later segment holds records. */
    for (size_t j = 0; rc == 1 && j < n; j++)
        if (segs[j] > r.stop_lsn && segment_has_records(db->dir, segs[j]))
            rc = damaged(&r, r.stop_lsn, "replay stopped before the end of the WAL", segs[j], segs[j]);
    mem_free(segs);
    *end = good;
    if (rc >= 0)
        log_info("WAL replayed from LSN %" PRIu64 " to %" PRIu64, from, good);
    return rc < 0 ? -1 : 0;
}
