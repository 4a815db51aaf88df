/*
 * spatial4d (s4d_): in-memory 4-D point index over (point, 64-bit row id).
 *
 * An R-tree (Guttman 1984) of fanout S4D_NODE_MAX: bulk-loaded with
 * Sort-Tile-Recursive packing (Leutenegger et al. 1997), updated by R*-tree
 * style insertion and split (Beckmann et al. 1990, without forced reinsert)
 * and by deletion with underfull-leaf reinsertion (Guttman's CondenseTree).
 * Queries: k nearest neighbours by best-first search (Hjaltason & Samet
 * 1999), axis-aligned box, and radius (ST_DWithin, inclusive).
 *
 * Exactness: distances are squared Euclidean, computed by s4d_dist2() in one
 * fixed order, so kNN results equal an exact scan that uses s4d_dist2:
 * same ids, same order, ties broken by row id ascending. Coordinates must be
 * finite (NaN/inf -> S4D_ERR_INVALID). Duplicate (point, id) pairs are stored
 * as given; a delete removes one of them.
 *
 * Threads: one index may be used by any number of readers (knn, box, radius,
 * count, save) at once, and by one writer (insert, delete) at a time that
 * excludes the readers -- an internal pthread rwlock (writer-preferring, so
 * a busy read load cannot starve updates) enforces it, so callers need no
 * locking of their own. A query callback must not call back into the
 * same index's insert/delete (it holds the read lock). An s4d_scratch belongs
 * to one thread at a time.
 *
 * Memory: everything through util/mem.h; nodes live in two flat pools.
 */
#ifndef HCDB_ENGINE_INDEX_SPATIAL4D_H
#define HCDB_ENGINE_INDEX_SPATIAL4D_H

#include <stddef.h>
#include <stdint.h>

#define S4D_NODE_MAX 32 /* entries per node: 32 points = 1 KiB of coordinates, a few cache lines per box test */
#define S4D_NODE_MIN 12 /* R*-tree's recommended 40% minimum fill */
#define S4D_BULK_FILL 28 /* STR packs nodes 7/8 full so early inserts do not split at once */

typedef enum s4d_status {
    S4D_OK = 0,
    S4D_ERR_NOMEM = -1,     /* allocation failed; the index is unchanged */
    S4D_ERR_NOT_FOUND = -2, /* delete: no such (point, id) */
    S4D_ERR_INVALID = -3,   /* NaN/inf coordinate, negative radius, NULL argument */
    S4D_ERR_CORRUPT = -4,   /* load: bad magic, checksum, or structure */
    S4D_ERR_VERSION = -5,   /* load: a format version this build does not read */
    S4D_ERR_IO = -6         /* save/load: the stream callback failed or ended early */
} s4d_status;

typedef struct s4d_index s4d_index;
typedef struct s4d_scratch s4d_scratch;

typedef struct s4d_result {
    uint64_t id;
    double dist2; /* squared Euclidean distance (the ordering key) */
} s4d_result;

/* The distance every s4d comparison uses: sum over lanes 0..3 of (a - b)^2, in that order. */
static inline double s4d_dist2(const double a[4], const double b[4])
{
    double d0 = a[0] - b[0], d1 = a[1] - b[1], d2 = a[2] - b[2], d3 = a[3] - b[3];
    return ((d0 * d0 + d1 * d1) + d2 * d2) + d3 * d3;
}

/* An empty index; NULL when out of memory. */
s4d_index *s4d_create(void);
/* A new index packed from n pairs (pts[i], ids[i]); faster and tighter than n inserts. */
s4d_status s4d_build(s4d_index **out, const double (*pts)[4], const uint64_t *ids, size_t n)
    __attribute__((warn_unused_result));
void s4d_destroy(s4d_index *idx);

s4d_status s4d_insert(s4d_index *idx, const double p[4], uint64_t id) __attribute__((warn_unused_result));
s4d_status s4d_delete(s4d_index *idx, const double p[4], uint64_t id) __attribute__((warn_unused_result));
size_t s4d_count(s4d_index *idx);
/* Tree height (0: the root is a leaf) and bytes held, for statistics. */
unsigned s4d_height(s4d_index *idx);
size_t s4d_memory_bytes(s4d_index *idx);

/* Per-thread search buffers, reused across queries so a search does not allocate. */
s4d_scratch *s4d_scratch_create(void);
void s4d_scratch_destroy(s4d_scratch *s);

/*
 * The min(k, count) points nearest to q, ascending by (dist2, id), into
 * out[0 .. *nout). scratch may be NULL (one is made and freed for this call).
 */
s4d_status s4d_knn(s4d_index *idx, const double q[4], size_t k, s4d_scratch *scratch, s4d_result *out,
                   size_t *nout) __attribute__((warn_unused_result));

/* Visitor for box and radius queries; return nonzero to stop the scan early. */
typedef int (*s4d_visit_fn)(void *arg, const double p[4], uint64_t id);

/* Every point with lo[d] <= p[d] <= hi[d] in all lanes, in no particular order. */
s4d_status s4d_box(s4d_index *idx, const double lo[4], const double hi[4], s4d_visit_fn visit, void *arg)
    __attribute__((warn_unused_result));
/* Every point with s4d_dist2(p, c) <= r * r (ST_DWithin). */
s4d_status s4d_radius(s4d_index *idx, const double c[4], double r, s4d_visit_fn visit, void *arg)
    __attribute__((warn_unused_result));

/*
 * Persistence. Byte format, version 1, all integers little-endian, doubles as
 * their IEEE-754 bit patterns in a little-endian u64:
 *
 *   off  size  field
 *     0     8  magic "HCS4DIX\0"
 *     8     4  u32 version (1)
 *    12     4  u32 fanout (S4D_NODE_MAX; must match the reader's)
 *    16     8  u64 number of points
 *    24     4  u32 height (levels above the leaves; 0xFFFFFFFF = empty index)
 *    28     4  u32 number of leaves L
 *    32     4  u32 number of inner nodes I
 *    36     4  u32 reserved, 0
 *    40        L leaves: u32 count, then count x (4 x f64 point, u64 row id)
 *              I inner nodes in post-order (children before parents, root last):
 *                u32 level (1 = children are leaves), u32 count,
 *                count x u32 child number (into the leaves if level == 1,
 *                else into the inner nodes, always smaller than this node's)
 *   end-8   8  u64 XXH3-64 (seed 0) of every byte before it
 *
 * Bounding boxes are not stored: load recomputes them, so a stream can never
 * carry boxes that disagree with its points. Load checks the checksum and
 * the structure (counts, levels, every node used exactly once) before use.
 * The callbacks return 0 on success; a read must deliver exactly len bytes.
 */
typedef int (*s4d_write_fn)(void *ctx, const void *buf, size_t len);
typedef int (*s4d_read_fn)(void *ctx, void *buf, size_t len);

s4d_status s4d_save(s4d_index *idx, s4d_write_fn write, void *ctx) __attribute__((warn_unused_result));
s4d_status s4d_load(s4d_index **out, s4d_read_fn read, void *ctx) __attribute__((warn_unused_result));
/* Memory forms: *buf is mem_alloc'ed, the caller mem_free's it. */
s4d_status s4d_save_mem(s4d_index *idx, uint8_t **buf, size_t *len) __attribute__((warn_unused_result));
s4d_status s4d_load_mem(s4d_index **out, const uint8_t *buf, size_t len) __attribute__((warn_unused_result));

const char *s4d_status_message(s4d_status st);

#endif
