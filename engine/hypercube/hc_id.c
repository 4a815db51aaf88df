/* hc_id: SHA-256 content ids through OpenSSL's EVP interface (see hc_id.h). */
#include "engine/hypercube/hc_id.h"

#include <openssl/evp.h>

#include "engine/hypercube/hc_map.h"

hc_status hc_utf8_encode(int64_t cp, uint8_t buf[4], size_t *len)
{
    hc_status st = hc_check_codepoint(cp);
    if (st != HC_OK)
        return st;
    uint32_t c = (uint32_t)cp;
    if (c < 0x80) {
        buf[0] = (uint8_t)c;
        *len = 1;
    } else if (c < 0x800) {
        buf[0] = (uint8_t)(0xC0 | (c >> 6));
        buf[1] = (uint8_t)(0x80 | (c & 0x3F));
        *len = 2;
    } else if (c < 0x10000) {
        buf[0] = (uint8_t)(0xE0 | (c >> 12));
        buf[1] = (uint8_t)(0x80 | ((c >> 6) & 0x3F));
        buf[2] = (uint8_t)(0x80 | (c & 0x3F));
        *len = 3;
    } else {
        buf[0] = (uint8_t)(0xF0 | (c >> 18));
        buf[1] = (uint8_t)(0x80 | ((c >> 12) & 0x3F));
        buf[2] = (uint8_t)(0x80 | ((c >> 6) & 0x3F));
        buf[3] = (uint8_t)(0x80 | (c & 0x3F));
        *len = 4;
    }
    return HC_OK;
}

hc_status hc_sha256(const void *data, size_t len, uint8_t out[HC_ID_LEN])
{
    unsigned int outlen = 0;
    if (!EVP_Digest(data, len, out, &outlen, EVP_sha256(), NULL) || outlen != HC_ID_LEN)
        return HC_ERR_INTERNAL;
    return HC_OK;
}

hc_status hc_atom_id(int64_t cp, uint8_t out[HC_ID_LEN])
{
    uint8_t buf[4];
    size_t len;
    hc_status st = hc_utf8_encode(cp, buf, &len);
    if (st != HC_OK)
        return st;
    return hc_sha256(buf, len, out);
}

hc_status hc_composition_id(const uint8_t (*children)[HC_ID_LEN], size_t n, uint8_t out[HC_ID_LEN])
{
    if (n == 0 || !children)
        return HC_ERR_EMPTY_INPUT;
    if (n == 1) {
        for (int i = 0; i < HC_ID_LEN; i++)
            out[i] = children[0][i];
        return HC_OK;
    }
    if (n > UINT32_MAX)
        return HC_ERR_INVALID_ARGUMENT;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx)
        return HC_ERR_NOMEM;
    int ok = EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    for (size_t i = 0; ok && i < n; i++) {
        uint8_t ord[4] = {(uint8_t)i, (uint8_t)(i >> 8), (uint8_t)(i >> 16), (uint8_t)(i >> 24)};
        ok = EVP_DigestUpdate(ctx, ord, 4) && EVP_DigestUpdate(ctx, children[i], HC_ID_LEN);
    }
    unsigned int outlen = 0;
    ok = ok && EVP_DigestFinal_ex(ctx, out, &outlen) && outlen == HC_ID_LEN;
    EVP_MD_CTX_free(ctx);
    return ok ? HC_OK : HC_ERR_INTERNAL;
}
