/*
 * hc_text: text -> the content-addressed tree of hypercube-semantics.md §5.2,
 * built in memory (no tables here; engine/func/hc_ingest.c stores it).
 *
 * Tiers: tokens (maximal runs of non-whitespace, and runs of whitespace,
 * so that the tree holds every byte and reconstructs the text exactly) ->
 * sentences (closed after a token ending in '.', '!' or '?' plus the
 * whitespace after it) -> paragraphs (closed by whitespace holding two or
 * more line breaks, or U+2029) -> one document. A node of one child is
 * never made: the child stands for itself (§4.3). Ids are hc_id's; depth
 * is 0 for atoms and 1 + the deepest child otherwise; the centroid is rule
 * B of hc_centroid over the children's points at that depth; atom_count
 * sums the leaves. Equal content gives one node (the tree is a DAG).
 * Token adjacency (consecutive non-whitespace tokens of a sentence) is
 * counted per ordered pair, for the generator's relations.
 * Memory through util/mem.h; any thread, one tree per caller.
 */
#ifndef HCDB_ENGINE_HYPERCUBE_HC_TEXT_H
#define HCDB_ENGINE_HYPERCUBE_HC_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "engine/hypercube/hc_error.h"
#include "engine/hypercube/hc_id.h"
#include "engine/hypercube/hc_map.h"

typedef struct hc_node {
    uint8_t id[HC_ID_LEN];
    hc_point centroid;   /* an atom's own point */
    int depth;           /* 0 = atom */
    int64_t atom_count;
    int32_t cp;          /* atoms: the codepoint; -1 otherwise */
    size_t b0, b1;       /* the bytes of its first occurrence in the text */
    uint32_t first, n;   /* children: kids[first .. first + n) */
} hc_node;

typedef struct hc_pair {
    uint32_t a, b;       /* node numbers: b followed a */
    uint32_t count;
} hc_pair;

typedef struct hc_tree {
    hc_node *nodes;      /* unique nodes, children before parents */
    size_t nnodes;
    uint32_t *kids;      /* node numbers */
    hc_pair *pairs;      /* distinct adjacent token pairs */
    size_t npairs;
    uint32_t root;
    struct hc_text_maps *maps; /* internal */
    size_t nkids, capnodes, capkids, cappairs;
} hc_tree;

/* Build the tree of valid UTF-8 text[0..len). len == 0: HC_ERR_EMPTY_INPUT. */
hc_status hc_text_build(const char *text, size_t len, hc_tree *out) __attribute__((warn_unused_result));
void hc_text_free(hc_tree *t);

#endif
