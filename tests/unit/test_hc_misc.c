/*
 * Unit tests for the smaller hypercube modules: categories, SHA-256 ids,
 * the atom record, centroid rules A and B, and embedding helpers.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "engine/hypercube/hc_atom.h"
#include "engine/hypercube/hc_category.h"
#include "engine/hypercube/hc_centroid.h"
#include "engine/hypercube/hc_embed.h"
#include "engine/hypercube/hc_id.h"
#include "engine/hypercube/hc_map.h"

static const char *cat(int64_t cp)
{
    hc_category c;
    cr_assert_eq(hc_categorize(cp, &c), HC_OK);
    return hc_category_name(c);
}

Test(hc_category, names)
{
    cr_assert_str_eq(cat('A'), "letter_upper");
    cr_assert_str_eq(cat('z'), "letter_lower");
    cr_assert_str_eq(cat('('), "punctuation_open");
    cr_assert_str_eq(cat(')'), "punctuation_close");
    cr_assert_str_eq(cat('+'), "math_symbol");
    cr_assert_str_eq(cat('7'), "digit");
    cr_assert_str_eq(cat(' '), "space");
    cr_assert_str_eq(cat(0), "control");
    cr_assert_str_eq(cat(0x20AC), "currency"); /* EURO SIGN: upstream's unsorted table missed it */
    cr_assert_str_eq(cat(0xD800), "surrogate");
    cr_assert_str_eq(cat(0xE000), "private_use");
    cr_assert_str_eq(cat(0xFFFE), "noncharacter");
    cr_assert_str_eq(cat(0x10FFFF), "noncharacter");
    cr_assert_str_eq(cat(0x2028), "separator");
    cr_assert_str_eq(cat(0x200B), "format");
    cr_assert_str_eq(cat(0x0301), "mark_nonspacing");
    cr_assert_str_eq(cat(0x4E2D), "letter_other");
    cr_assert_str_eq(cat(0x1F600), "symbol_other");
    cr_assert_str_eq(cat(0x0E01), "letter_other"); /* not in the table: the fallback */
    hc_category c;
    cr_assert_eq(hc_categorize(-1, &c), HC_ERR_CODEPOINT_RANGE);
    cr_assert_eq(hc_categorize(0x110000, &c), HC_ERR_CODEPOINT_RANGE);
    cr_assert_str_eq(hc_category_name((hc_category)99), "");
}

static void hex(const uint8_t *id, char *out)
{
    for (int i = 0; i < 32; i++)
        sprintf(out + 2 * i, "%02x", id[i]);
}

Test(hc_id, sha256_ids)
{
    uint8_t id[32], id2[32];
    char h[65];
    cr_assert_eq(hc_atom_id('a', id), HC_OK); /* SHA-256("a") */
    hex(id, h);
    cr_assert_str_eq(h, "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb");
    cr_assert_eq(hc_sha256("", 0, id), HC_OK); /* SHA-256(""), not zeros */
    hex(id, h);
    cr_assert_str_eq(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    uint8_t buf[4];
    size_t len;
    cr_assert_eq(hc_utf8_encode(0x1F600, buf, &len), HC_OK);
    cr_assert(len == 4 && buf[0] == 0xF0 && buf[1] == 0x9F && buf[2] == 0x98 && buf[3] == 0x80);
    cr_assert_eq(hc_utf8_encode(0xE9, buf, &len), HC_OK);
    cr_assert(len == 2 && buf[0] == 0xC3 && buf[1] == 0xA9);
    cr_assert_eq(hc_atom_id(0xD800, id), HC_ERR_SURROGATE);
    cr_assert_eq(hc_atom_id(-3, id), HC_ERR_CODEPOINT_RANGE);

    uint8_t kids[2][32], frame[72];
    cr_assert_eq(hc_atom_id('h', kids[0]), HC_OK);
    cr_assert_eq(hc_atom_id('i', kids[1]), HC_OK);
    cr_assert_eq(hc_composition_id((const uint8_t(*)[32])kids, 2, id), HC_OK);
    memset(frame, 0, sizeof frame); /* LE32(0) || id0 || LE32(1) || id1 */
    memcpy(frame + 4, kids[0], 32);
    frame[36] = 1;
    memcpy(frame + 40, kids[1], 32);
    cr_assert_eq(hc_sha256(frame, sizeof frame, id2), HC_OK);
    cr_assert_arr_eq(id, id2, 32);
    cr_assert_eq(hc_composition_id((const uint8_t(*)[32])kids, 1, id), HC_OK); /* never wrapped */
    cr_assert_arr_eq(id, kids[0], 32);
    cr_assert_eq(hc_composition_id(NULL, 0, id), HC_ERR_EMPTY_INPUT);
}

Test(hc_atom, record)
{
    hc_atom a;
    cr_assert_eq(hc_atom_record('A', &a), HC_OK);
    const uint32_t want[4] = {2067205376u, 2197509423u, 1615516224u, 4225884415u};
    cr_assert_arr_eq(a.lanes, want, sizeof want);
    cr_assert_eq(a.category, HC_CAT_LETTER_UPPER);
    hc_hilbert h = hc_hilbert_encode(want);
    cr_assert_eq(hc_hilbert_cmp(a.hilbert, h), 0);
    uint8_t id[32];
    cr_assert_eq(hc_atom_id('A', id), HC_OK);
    cr_assert_arr_eq(a.id, id, 32);
    cr_assert_eq(hc_atom_record(0xDBFF, &a), HC_ERR_SURROGATE);
    cr_assert_eq(hc_atom_record(0x110000, &a), HC_ERR_CODEPOINT_RANGE);
}

Test(hc_centroid, rule_a_sphere_mean)
{
    uint32_t pts[2][4], out[4];
    cr_assert_eq(hc_map_codepoint_raw('h', pts[0]), HC_OK);
    cr_assert_eq(hc_map_codepoint_raw('i', pts[1]), HC_OK);
    cr_assert_eq(hc_centroid_sphere_raw((const uint32_t(*)[4])pts, 2, out), HC_OK);
    double n2 = 0;
    for (int d = 0; d < 4; d++) {
        double v = hc_dequantize_unit(out[d]);
        n2 += v * v;
    }
    cr_assert(fabs(sqrt(n2) - 1.0) < 1e-8, "rule A stays on the sphere (|v| = %.12f)", sqrt(n2));
    cr_assert_eq(hc_centroid_sphere_raw((const uint32_t(*)[4])pts, 1, out), HC_OK);
    /*
     * One point is its own centroid up to re-projection: the stored lanes are
     * float32-rounded, so |v| is 1 only to ~6e-8, i.e. ~130 quanta of 2/2^32.
     */
    for (int d = 0; d < 4; d++)
        cr_assert_leq(out[d] > pts[0][d] ? out[d] - pts[0][d] : pts[0][d] - out[d], 300u);
    cr_assert_eq(hc_centroid_sphere_raw(NULL, 0, out), HC_ERR_EMPTY_INPUT);
}

Test(hc_centroid, rule_b_text)
{
    const uint32_t pts[2][4] = {{0, 0, 0, 0}, {4294967295u, 4294967295u, 1000, 3000}};
    uint32_t out[4];
    cr_assert_eq(hc_centroid_text_raw(pts, 2, 1, out), HC_OK);
    /* mean 2147483647.5 -> C + (mean - C) * 2/3 = 2147483647.666.. -> 2147483648 */
    cr_assert_eq(out[0], 2147483648u);
    /* lane z: mean 500 -> 2^31 + (500 - 2^31) * 2/3 */
    double want = floor(2147483648.0 + (500.0 - 2147483648.0) * (2.0 / 3.0) + 0.5);
    cr_assert_eq(out[2], (uint32_t)want);
    hc_point p[2] = {{0, 0, 0, 0}, {1, 1, 1, 0}}, c;
    cr_assert_eq(hc_centroid_text(p, 2, 2, &c), HC_OK); /* factor 3/4 */
    cr_assert(fabs(c.x - 0.5) < 1e-15 && fabs(c.m - (0.5 - 0.5 * 0.75)) < 1e-15);
    cr_assert_eq(hc_centroid_text(p, 2, -1, &c), HC_ERR_INVALID_ARGUMENT);
    cr_assert_eq(hc_centroid_text(p, 0, 1, &c), HC_ERR_EMPTY_INPUT);
}

Test(hc_embed, helpers_and_length_mismatch)
{
    const float a[3] = {1, 2, 3}, b[3] = {4, 5, 6}, c[3] = {1, 0, 0}, z[3] = {0, 0, 0};
    float out[3];
    double r;
    cr_assert_eq(hc_embed_cosine(a, 3, b, 3, &r), HC_OK);
    cr_assert(fabs(r - 32.0 / (sqrt(14.0) * sqrt(77.0))) < 1e-12);
    cr_assert_eq(hc_embed_cosine(a, 3, z, 3, &r), HC_OK);
    cr_assert_eq(r, 0.0);
    cr_assert_eq(hc_embed_l2(a, 3, b, 3, &r), HC_OK);
    cr_assert(fabs(r - sqrt(27.0)) < 1e-12);
    cr_assert_eq(hc_embed_add(a, 3, b, 3, out), HC_OK);
    cr_assert(out[0] == 5 && out[1] == 7 && out[2] == 9);
    cr_assert_eq(hc_embed_sub(a, 3, b, 3, out), HC_OK);
    cr_assert(out[0] == -3 && out[1] == -3 && out[2] == -3);
    cr_assert_eq(hc_embed_analogy(a, 3, b, 3, c, 3, out), HC_OK); /* c + (a - b) */
    cr_assert(out[0] == -2 && out[1] == -3 && out[2] == -3);
    cr_assert_eq(hc_embed_cosine(a, 3, b, 2, &r), HC_ERR_LENGTH_MISMATCH);
    cr_assert_eq(hc_embed_l2(a, 2, b, 3, &r), HC_ERR_LENGTH_MISMATCH);
    cr_assert_eq(hc_embed_add(a, 3, b, 1, out), HC_ERR_LENGTH_MISMATCH);
    cr_assert_eq(hc_embed_sub(a, 1, b, 3, out), HC_ERR_LENGTH_MISMATCH);
    cr_assert_eq(hc_embed_analogy(a, 3, b, 3, c, 2, out), HC_ERR_LENGTH_MISMATCH);
    cr_assert_str_eq(hc_status_sqlstate(HC_ERR_LENGTH_MISMATCH), "22000");
    cr_assert_eq(hc_embed_cosine(a, 0, b, 0, &r), HC_OK); /* empty: 0, as the reference */
    cr_assert_eq(r, 0.0);
}
