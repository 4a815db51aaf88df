/*
 * Unit tests for hc_text: the token / sentence / paragraph / document tree
 * of a text, its content addressing and the adjacency counts.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "engine/hypercube/hc_text.h"

/* The text of node n (its first occurrence). */
static int node_is(const char *text, const hc_tree *t, uint32_t n, const char *want)
{
    const hc_node *x = &t->nodes[n];
    return x->b1 - x->b0 == strlen(want) && memcmp(text + x->b0, want, x->b1 - x->b0) == 0;
}

static long find(const char *text, const hc_tree *t, const char *label)
{
    for (size_t i = 0; i < t->nnodes; i++)
        if (node_is(text, t, (uint32_t)i, label) && t->nodes[i].depth > 0)
            return (long)i;
    return -1;
}

/* Concatenate the leaves under n: the text back. */
static void leaves(const hc_tree *t, uint32_t n, char *out, size_t *len)
{
    const hc_node *x = &t->nodes[n];
    if (x->depth == 0) {
        uint8_t b[4];
        size_t l;
        cr_assert_eq(hc_utf8_encode(x->cp, b, &l), HC_OK);
        memcpy(out + *len, b, l);
        *len += l;
        return;
    }
    for (uint32_t k = 0; k < x->n; k++)
        leaves(t, t->kids[x->first + k], out, len);
}

Test(hc_text, tiers_and_exact_leaves)
{
    const char *text = "The cat sat. The dog ran!  Hi.\n\nNew p\xc3\xa4ra \xe2\x9c\x93.";
    hc_tree t;
    cr_assert_eq(hc_text_build(text, strlen(text), &t), HC_OK);
    const hc_node *root = &t.nodes[t.root];
    cr_assert_eq(root->depth, 4);
    cr_assert_eq(root->n, 2); /* two paragraphs */
    char back[128];
    size_t len = 0;
    leaves(&t, t.root, back, &len);
    cr_assert_eq(len, strlen(text));
    cr_assert(memcmp(back, text, len) == 0);
    cr_assert_eq(root->atom_count, 43); /* codepoints (46 bytes) */
    long s = find(text, &t, "The dog ran!  ");
    cr_assert_geq(s, 0);
    cr_assert_eq(t.nodes[s].depth, 2);
    cr_assert_eq(t.nodes[s].n, 6); /* The, ' ', dog, ' ', ran!, '  ' */
    /* "The" occurs twice but is one node */
    long the = find(text, &t, "The");
    cr_assert_geq(the, 0);
    size_t same = 0;
    for (size_t i = 0; i < t.nnodes; i++)
        same += memcmp(t.nodes[i].id, t.nodes[the].id, HC_ID_LEN) == 0;
    cr_assert_eq(same, 1);
    hc_text_free(&t);
}

Test(hc_text, content_addressed_and_pairs)
{
    const char *a = "Blue sky. Blue sky.";
    hc_tree t, u;
    cr_assert_eq(hc_text_build(a, strlen(a), &t), HC_OK);
    cr_assert_eq(hc_text_build(a, strlen(a), &u), HC_OK);
    cr_assert(memcmp(t.nodes[t.root].id, u.nodes[u.root].id, HC_ID_LEN) == 0);
    /* Blue -> sky. twice; nothing crosses a sentence end */
    cr_assert_eq(t.npairs, 1);
    cr_assert_eq(t.pairs[0].count, 2);
    cr_assert(node_is(a, &t, t.pairs[0].a, "Blue") && node_is(a, &t, t.pairs[0].b, "sky."));
    /* a single token stands for itself: no wrapping node */
    hc_tree w;
    cr_assert_eq(hc_text_build("x", 1, &w), HC_OK);
    cr_assert_eq(w.nnodes, 1);
    cr_assert_eq(w.nodes[w.root].depth, 0);
    hc_text_free(&t), hc_text_free(&u), hc_text_free(&w);
}

Test(hc_text, centroids_inside_the_sphere)
{
    const char *text = "Some words here. And more words there.";
    hc_tree t;
    cr_assert_eq(hc_text_build(text, strlen(text), &t), HC_OK);
    for (size_t i = 0; i < t.nnodes; i++) {
        const hc_point *p = &t.nodes[i].centroid;
        double dx = p->x - 0.5, dy = p->y - 0.5, dz = p->z - 0.5, dm = p->m - 0.5;
        double r = dx * dx + dy * dy + dz * dz + dm * dm;
        cr_assert_leq(r, 0.25 + 1e-12);
        if (t.nodes[i].depth > 0)
            cr_assert_lt(r, 0.25);
    }
    hc_text_free(&t);
}

Test(hc_text, empty_input)
{
    hc_tree t;
    cr_assert_eq(hc_text_build("", 0, &t), HC_ERR_EMPTY_INPUT);
}
