/*
 * hc_category: the reference's coarse character categories (24 names).
 *
 * Rule (hypercube-semantics.md §4.4): a codepoint whose low 16 bits are FFFE
 * or FFFF is a noncharacter; otherwise a table of hand-made ranges decides,
 * and anything outside the table is letter_other. This is the reference's
 * classification, not Unicode's General_Category. Pure, any thread.
 */
#ifndef HCDB_ENGINE_HYPERCUBE_HC_CATEGORY_H
#define HCDB_ENGINE_HYPERCUBE_HC_CATEGORY_H

#include <stdint.h>

#include "engine/hypercube/hc_error.h"

typedef enum hc_category {
    HC_CAT_CONTROL,
    HC_CAT_FORMAT,
    HC_CAT_PRIVATE_USE,
    HC_CAT_SURROGATE,
    HC_CAT_NONCHARACTER,
    HC_CAT_SPACE,
    HC_CAT_PUNCTUATION_OPEN,
    HC_CAT_PUNCTUATION_CLOSE,
    HC_CAT_PUNCTUATION_OTHER,
    HC_CAT_DIGIT,
    HC_CAT_NUMBER_LETTER,
    HC_CAT_MATH_SYMBOL,
    HC_CAT_CURRENCY,
    HC_CAT_MODIFIER,
    HC_CAT_LETTER_UPPER,
    HC_CAT_LETTER_LOWER,
    HC_CAT_LETTER_TITLECASE,
    HC_CAT_LETTER_MODIFIER,
    HC_CAT_LETTER_OTHER,
    HC_CAT_MARK_NONSPACING,
    HC_CAT_MARK_SPACING,
    HC_CAT_MARK_ENCLOSING,
    HC_CAT_SYMBOL_OTHER,
    HC_CAT_SEPARATOR,
    HC_CAT_COUNT
} hc_category;

/* Category of `cp` (surrogates included: "surrogate"); HC_ERR_CODEPOINT_RANGE outside 0..0x10FFFF. */
hc_status hc_categorize(int64_t cp, hc_category *out) __attribute__((warn_unused_result));
/* The SQL text name ("letter_upper", ...); "" for an out-of-range value. */
const char *hc_category_name(hc_category c);

#endif
