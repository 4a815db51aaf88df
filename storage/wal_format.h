/*
 * wal_format: the byte-level format of WAL segment files. Owned by
 * wal_writer.c (writes) and wal_replay.c (reads); nothing else parses it.
 * All integers are little-endian.
 *
 * The WAL is one logical byte stream; an LSN is a byte position in it.
 * It is cut into segment files DIR/wal/<16 hex digits of the first LSN>.wal.
 * A segment starts with a 32-byte header, then whole records: the record at
 * LSN x sits at file offset 32 + (x - start). A segment ends between two
 * write batches, so a transaction's records never span segments, and the
 * next segment starts at the LSN where the previous one ends.
 *
 * Segment header (32 bytes):
 *    0  8  magic "HCDBWAL1"
 *    8  4  format version (ST_FORMAT_VERSION)
 *   12  4  zero
 *   16  8  start LSN
 *   24  8  XXH3_64bits of bytes 0..23
 *
 * Record (32-byte header, then payload):
 *    0  4  total length, header included (32 .. ST_WAL_MAX_RECORD)
 *    4  1  type (ST_WAL_*)
 *    5  3  zero
 *    8  8  LSN of this record (must equal its position)
 *   16  8  transaction id
 *   24  8  checksum: XXH3_64bits_withSeed(payload, len - 32, XXH3_64bits(bytes 0..23))
 *
 * Payloads by type:
 *   INSERT, UPDATE  relid u32 | zero u32 | rowid u64 | row bytes (full image)
 *   DELETE          relid u32 | zero u32 | rowid u64
 *   TABLE_CREATE    relid u32          TABLE_DROP  relid u32
 *   ENGINE          relid u32 | kind u32 | opaque engine bytes
 *   COMMIT          time u64 (µs since the epoch) | nrecords u32 (records before it)
 *                   | durable u64: an LSN the WAL was known durable up to when
 *                   this transaction was appended (so its round started at or
 *                   after it). Older files end the payload after nrecords;
 *                   readers take a missing field as 0. Recovery uses it to tell
 *                   a torn tail from damage: an intact COMMIT whose `durable`
 *                   lies past a damaged byte proves that byte was flushed
 *                   before, i.e. damaged afterwards, not torn by a crash.
 *
 * A transaction's records are contiguous and end with its COMMIT, written in
 * one batch at commit time; uncommitted work never reaches the WAL. Replay
 * applies a transaction only when its COMMIT is read intact. Row records carry
 * full images keyed by rowid, so replaying a record whose effect is already
 * in the checkpoint image is harmless (idempotent redo).
 */
#ifndef HCDB_STORAGE_WAL_FORMAT_H
#define HCDB_STORAGE_WAL_FORMAT_H

#include <stdint.h>
#include <string.h>
#include <xxhash.h>

/* 2: checkpoints name engine files (index images); version 1 files are still read */
#define ST_FORMAT_VERSION 2u
#define ST_WAL_MAGIC "HCDBWAL1"
#define ST_WAL_SEG_HEADER 32u
#define ST_WAL_REC_HEADER 32u
#define ST_WAL_COMMIT_LEN 20u /* COMMIT payload bytes written now */
/* One record holds one row image; 1 GiB matches PostgreSQL's varlena limit. */
#define ST_WAL_MAX_RECORD (1u << 30)

enum {
    ST_WAL_INSERT = 1,
    ST_WAL_UPDATE = 2,
    ST_WAL_DELETE = 3,
    ST_WAL_TABLE_CREATE = 4,
    ST_WAL_TABLE_DROP = 5,
    ST_WAL_ENGINE = 6,
    ST_WAL_COMMIT = 7,
};

static inline void st_put_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static inline void st_put_le64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint32_t st_get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t st_get_le64(const uint8_t *p)
{
    return (uint64_t)st_get_le32(p) | (uint64_t)st_get_le32(p + 4) << 32;
}

/* The checksum of a whole record whose header (bytes 0..23) is filled in. */
static inline uint64_t st_wal_checksum(const uint8_t *rec, uint32_t len)
{
    return XXH3_64bits_withSeed(rec + ST_WAL_REC_HEADER, len - ST_WAL_REC_HEADER,
                                XXH3_64bits(rec, 24));
}

#endif
