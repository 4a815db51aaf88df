/*
 * hc_category: range table + binary search.
 *
 * The ranges are the reference's, but sorted: upstream lists Currency
 * (U+20A0..20CF) out of order, so its binary search misses it and returns
 * letter_other; the intent is clearly currency, which is what this returns.
 */
#include "engine/hypercube/hc_category.h"

#include <stddef.h>

typedef struct cat_range {
    uint32_t lo, hi;
    hc_category cat;
} cat_range;

#define R(a, b, c) {a, b, HC_CAT_##c}
static const cat_range RANGES[] = {
    R(0x0000, 0x001F, CONTROL),          R(0x0020, 0x0020, SPACE),
    R(0x0021, 0x0027, PUNCTUATION_OTHER), R(0x0028, 0x0028, PUNCTUATION_OPEN),
    R(0x0029, 0x0029, PUNCTUATION_CLOSE), R(0x002A, 0x002A, PUNCTUATION_OTHER),
    R(0x002B, 0x002B, MATH_SYMBOL),       R(0x002C, 0x002F, PUNCTUATION_OTHER),
    R(0x0030, 0x0039, DIGIT),             R(0x003A, 0x003B, PUNCTUATION_OTHER),
    R(0x003C, 0x003E, MATH_SYMBOL),       R(0x003F, 0x0040, PUNCTUATION_OTHER),
    R(0x0041, 0x005A, LETTER_UPPER),      R(0x005B, 0x005B, PUNCTUATION_OPEN),
    R(0x005C, 0x005C, PUNCTUATION_OTHER), R(0x005D, 0x005D, PUNCTUATION_CLOSE),
    R(0x005E, 0x0060, PUNCTUATION_OTHER), R(0x0061, 0x007A, LETTER_LOWER),
    R(0x007B, 0x007B, PUNCTUATION_OPEN),  R(0x007C, 0x007C, PUNCTUATION_OTHER),
    R(0x007D, 0x007D, PUNCTUATION_CLOSE), R(0x007E, 0x007E, PUNCTUATION_OTHER),
    R(0x007F, 0x009F, CONTROL),           R(0x00A0, 0x00A0, SPACE),
    R(0x00A1, 0x00AA, PUNCTUATION_OTHER), R(0x00AB, 0x00AB, PUNCTUATION_OPEN),
    R(0x00AC, 0x00AC, MATH_SYMBOL),       R(0x00AD, 0x00B0, PUNCTUATION_OTHER),
    R(0x00B1, 0x00B1, MATH_SYMBOL),       R(0x00B2, 0x00BA, PUNCTUATION_OTHER),
    R(0x00BB, 0x00BB, PUNCTUATION_CLOSE), R(0x00BC, 0x00BF, PUNCTUATION_OTHER),
    R(0x00C0, 0x00D6, LETTER_UPPER),      R(0x00D7, 0x00D7, MATH_SYMBOL),
    R(0x00D8, 0x00DE, LETTER_UPPER),      R(0x00DF, 0x00F6, LETTER_LOWER),
    R(0x00F7, 0x00F7, MATH_SYMBOL),       R(0x00F8, 0x00FF, LETTER_LOWER),
    R(0x0100, 0x02AF, LETTER_OTHER),      R(0x02B0, 0x02FF, LETTER_MODIFIER),
    R(0x0300, 0x036F, MARK_NONSPACING),   R(0x0370, 0x04FF, LETTER_OTHER),
    R(0x0590, 0x06FF, LETTER_OTHER),      R(0x0900, 0x097F, LETTER_OTHER),
    R(0x2000, 0x200A, SPACE),             R(0x200B, 0x200F, FORMAT),
    R(0x2010, 0x2015, PUNCTUATION_OTHER), R(0x2016, 0x2016, MATH_SYMBOL),
    R(0x2017, 0x2017, PUNCTUATION_OTHER), R(0x2018, 0x2018, PUNCTUATION_OPEN),
    R(0x2019, 0x201A, PUNCTUATION_CLOSE), R(0x201B, 0x201C, PUNCTUATION_OPEN),
    R(0x201D, 0x201E, PUNCTUATION_CLOSE), R(0x201F, 0x201F, PUNCTUATION_OPEN),
    R(0x2020, 0x2027, PUNCTUATION_OTHER), R(0x2028, 0x2029, SEPARATOR),
    R(0x202A, 0x202E, FORMAT),            R(0x202F, 0x202F, SPACE),
    R(0x2030, 0x2038, PUNCTUATION_OTHER), R(0x2039, 0x2039, PUNCTUATION_OPEN),
    R(0x203A, 0x203A, PUNCTUATION_CLOSE), R(0x203B, 0x205E, PUNCTUATION_OTHER),
    R(0x205F, 0x205F, SPACE),             R(0x2060, 0x206F, FORMAT),
    R(0x20A0, 0x20CF, CURRENCY),          R(0x2190, 0x21FF, SYMBOL_OTHER),
    R(0x2200, 0x22FF, MATH_SYMBOL),       R(0x2500, 0x257F, SYMBOL_OTHER),
    R(0x25A0, 0x27BF, SYMBOL_OTHER),      R(0x2A00, 0x2AFF, MATH_SYMBOL),
    R(0x3400, 0x4DBF, LETTER_OTHER),      R(0x4E00, 0x9FFF, LETTER_OTHER),
    R(0xAC00, 0xD7AF, LETTER_OTHER),      R(0xD800, 0xDFFF, SURROGATE),
    R(0xE000, 0xF8FF, PRIVATE_USE),       R(0x1F300, 0x1F64F, SYMBOL_OTHER),
    R(0x1F680, 0x1F6FF, SYMBOL_OTHER),    R(0x1F900, 0x1F9FF, SYMBOL_OTHER),
    R(0x20000, 0x2A6DF, LETTER_OTHER),    R(0xF0000, 0xFFFFD, PRIVATE_USE),
    R(0x100000, 0x10FFFD, PRIVATE_USE),
};
#undef R

static const char *const NAMES[HC_CAT_COUNT] = {
    "control",          "format",           "private_use",    "surrogate",
    "noncharacter",     "space",            "punctuation_open", "punctuation_close",
    "punctuation_other", "digit",           "number_letter",  "math_symbol",
    "currency",         "modifier",         "letter_upper",   "letter_lower",
    "letter_titlecase", "letter_modifier",  "letter_other",   "mark_nonspacing",
    "mark_spacing",     "mark_enclosing",   "symbol_other",   "separator",
};

hc_status hc_categorize(int64_t cp, hc_category *out)
{
    if (cp < 0 || cp > 0x10FFFF)
        return HC_ERR_CODEPOINT_RANGE;
    uint32_t c = (uint32_t)cp;
    if ((c & 0xFFFF) >= 0xFFFE) {
        *out = HC_CAT_NONCHARACTER;
        return HC_OK;
    }
    size_t lo = 0, hi = sizeof RANGES / sizeof RANGES[0];
    while (lo < hi) { /* first range whose end is >= c */
        size_t mid = lo + (hi - lo) / 2;
        if (RANGES[mid].hi < c)
            lo = mid + 1;
        else
            hi = mid;
    }
    const size_t n = sizeof RANGES / sizeof RANGES[0];
    *out = (lo < n && RANGES[lo].lo <= c) ? RANGES[lo].cat : HC_CAT_LETTER_OTHER;
    return HC_OK;
}

const char *hc_category_name(hc_category c)
{
    return (unsigned)c < HC_CAT_COUNT ? NAMES[c] : "";
}
