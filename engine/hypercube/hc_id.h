/*
 * hc_id: content ids of atoms and compositions, 32-byte SHA-256 digests.
 *
 * The reference used BLAKE3; hcdb's issue fixes SHA-256 (OpenSSL, no
 * hand-written crypto), with the reference's framing kept:
 *   atom id        = SHA-256(UTF-8 bytes of the codepoint)
 *   composition id = SHA-256(for each child i in order: LE32(i) || child id)
 * A composition of one child is never wrapped: its id is the child's id.
 * Pure, any thread (OpenSSL 3's EVP API is thread-safe).
 */
#ifndef HCDB_ENGINE_HYPERCUBE_HC_ID_H
#define HCDB_ENGINE_HYPERCUBE_HC_ID_H

#include <stddef.h>
#include <stdint.h>

#include "engine/hypercube/hc_error.h"

#define HC_ID_LEN 32

/* UTF-8 encoding of a non-surrogate codepoint into buf[4]; returns its length (1..4). */
hc_status hc_utf8_encode(int64_t cp, uint8_t buf[4], size_t *len) __attribute__((warn_unused_result));

/* SHA-256 of the codepoint's UTF-8 bytes. Surrogates have no UTF-8: HC_ERR_SURROGATE. */
hc_status hc_atom_id(int64_t cp, uint8_t out[HC_ID_LEN]) __attribute__((warn_unused_result));

/* Id of an ordered list of n >= 1 child ids (children[i] is 32 bytes). n == 0: HC_ERR_EMPTY_INPUT. */
hc_status hc_composition_id(const uint8_t (*children)[HC_ID_LEN], size_t n, uint8_t out[HC_ID_LEN])
    __attribute__((warn_unused_result));

/* Plain SHA-256 of bytes (also of zero bytes: SHA-256(""), unlike the reference's zeros). */
hc_status hc_sha256(const void *data, size_t len, uint8_t out[HC_ID_LEN]) __attribute__((warn_unused_result));

#endif
