/*
 * auth_scram: server side of SCRAM-SHA-256(-PLUS) and the stored verifier
 * (see auth_scram.h). The parser and the error wording follow PostgreSQL's
 * src/backend/libpq/auth-scram.c, so libpq-based clients see the same
 * diagnostics they would get from PostgreSQL.
 *
 * Invariants:
 *  - Client messages arrive as (pointer, length), never NUL-terminated. Each
 *    one is copied into a NUL-terminated heap string after checking that it
 *    holds no NUL byte, and parsed only through that copy, so every scan
 *    stops at the terminator and no read can run past the message.
 *  - No error path aborts: every failure fills the pgw_error and moves the
 *    exchange to SCRAM_FAILED, after which every call fails.
 *  - All heap memory comes from util/mem.h; all crypto from OpenSSL.
 *  - No static mutable state except the process-wide mock secret (made once
 *    under pthread_once) and the test nonce hook (tests only).
 */
#include "server/auth_scram.h"

#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "util/log.h"
#include "util/mem.h"

#define SCRAM_KEY_LEN 32   /* SHA-256 output: StoredKey, ServerKey, proofs */
#define SCRAM_SALT_LEN 16  /* PostgreSQL's SCRAM_DEFAULT_SALT_LEN */
#define SCRAM_NONCE_RAW 18 /* PostgreSQL's SCRAM_RAW_NONCE_LEN: 24 base64 chars */
/* Room for a server nonce: ours, or a test's (RFC 7677's is 28 chars). */
#define SCRAM_NONCE_MAX 64
/* Base64 length of n bytes, without the NUL EVP_EncodeBlock adds. */
#define B64_LEN(n) ((((n) + 2) / 3) * 4)
#define SCRAM_MECH "SCRAM-SHA-256"
#define SCRAM_MECH_PLUS "SCRAM-SHA-256-PLUS"
#define CBIND_TYPE "tls-server-end-point"
#define CBIND_HEADER "p=" CBIND_TYPE ",,"
/* Largest endpoint hash: SHA-512 (RFC 5929 uses the certificate's digest). */
#define SCRAM_ENDPOINT_MAX 64
/* Largest PBKDF2 iteration count we accept from a stored verifier; far above
 * any sane setting, low enough that a corrupt verifier cannot pin a loop
 * thread for minutes. */
#define SCRAM_MAX_ITERATIONS 10000000

typedef enum {
    SCRAM_INIT,       /* waiting for SASLInitialResponse */
    SCRAM_SENT_FIRST, /* server-first sent, waiting for client-final */
    SCRAM_DONE,       /* authenticated */
    SCRAM_FAILED,     /* any error; the exchange cannot continue */
} scram_state;

/* A parsed verifier. */
typedef struct scram_secret {
    int iterations;
    char salt_b64[SRV_SCRAM_VERIFIER_MAX]; /* as stored, sent in server-first */
    uint8_t salt[SRV_SCRAM_VERIFIER_MAX];  /* decoded */
    size_t salt_len;
    uint8_t stored_key[SCRAM_KEY_LEN];
    uint8_t server_key[SCRAM_KEY_LEN];
} scram_secret;

struct srv_scram {
    scram_state state;
    bool doomed;       /* mock or unusable verifier: fail after the proof */
    bool cbind_offer;  /* endpoint data present: -PLUS is offered */
    bool cbind_in_use; /* the client chose SCRAM-SHA-256-PLUS */
    char cbind_flag;   /* gs2 flag the client sent: 'n', 'y' or 'p' */
    scram_secret secret;
    uint8_t endpoint[SCRAM_ENDPOINT_MAX];
    size_t endpoint_len;
    char *client_nonce;                    /* heap, from client-first */
    char *client_first_bare;               /* heap, for AuthMessage */
    char *server_first;                    /* heap, for AuthMessage */
    char server_nonce[SCRAM_NONCE_MAX];
};

/* ---------------------------------------------------------------- helpers */

/* Base64 with OpenSSL; `out` needs B64_LEN(n) + 1 bytes. Returns the length. */
static size_t b64_encode(const uint8_t *in, size_t n, char *out)
{
    return (size_t)EVP_EncodeBlock((unsigned char *)out, in, (int)n);
}

static bool b64_char(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/';
}

/*
 * Strict base64 decode: length a multiple of 4, only alphabet characters,
 * '=' only as one or two final padding characters. EVP_DecodeBlock alone is
 * too lenient (it skips whitespace and counts padding as zero bytes), so we
 * validate first and subtract the padding ourselves. -1 on bad input or if
 * the result would not fit in `outsz`.
 */
static int b64_decode(const char *in, size_t n, uint8_t *out, size_t outsz)
{
    if (n % 4 != 0 || n / 4 * 3 > outsz || n > INT_MAX)
        return -1;
    size_t pad = 0;
    if (n >= 4 && in[n - 1] == '=')
        pad = in[n - 2] == '=' ? 2 : 1;
    for (size_t i = 0; i < n - pad; i++)
        if (!b64_char((unsigned char)in[i]))
            return -1;
    if (n == 0)
        return 0;
    int got = EVP_DecodeBlock(out, (const unsigned char *)in, (int)n);
    if (got < 0 || (size_t)got < pad)
        return -1;
    return got - (int)pad;
}

/*
 * SASLprep (RFC 4013) stand-in. PostgreSQL's pg_saslprep() returns a pure
 * ASCII password unchanged, and falls back to the raw bytes when the input
 * is not valid UTF-8 or contains prohibited characters. We do not carry the
 * Unicode tables for the NFKC step, so every password is used as its raw
 * bytes: identical to PostgreSQL (and to libpq, which prepares on its side)
 * for ASCII passwords and for non-ASCII ones that SASLprep leaves unchanged
 * (already NFKC, no mapped spaces or soft hyphens). A non-ASCII password
 * that SASLprep would rewrite (e.g. full-width letters) will not match what
 * a libpq client computes.
 */
static const char *scram_prep_password(const char *password)
{
    return password;
}

static bool hmac_sha256(const uint8_t *key, size_t keylen, const void *data, size_t n,
                        uint8_t out[SCRAM_KEY_LEN])
{
    unsigned int len = 0;
    return HMAC(EVP_sha256(), key, (int)keylen, data, n, out, &len) && len == SCRAM_KEY_LEN;
}

/* SaltedPassword, then StoredKey and ServerKey (RFC 5802 section 3). */
static bool scram_keys(const char *password, const uint8_t *salt, size_t salt_len, int iterations,
                       uint8_t stored_key[SCRAM_KEY_LEN], uint8_t server_key[SCRAM_KEY_LEN])
{
    const char *pw = scram_prep_password(password);
    uint8_t salted[SCRAM_KEY_LEN], client_key[SCRAM_KEY_LEN];
    bool ok = PKCS5_PBKDF2_HMAC(pw, (int)strlen(pw), salt, (int)salt_len, iterations, EVP_sha256(),
                                SCRAM_KEY_LEN, salted) == 1 &&
              hmac_sha256(salted, SCRAM_KEY_LEN, "Client Key", 10, client_key) &&
              SHA256(client_key, SCRAM_KEY_LEN, stored_key) != NULL &&
              hmac_sha256(salted, SCRAM_KEY_LEN, "Server Key", 10, server_key);
    OPENSSL_cleanse(salted, sizeof(salted));
    OPENSSL_cleanse(client_key, sizeof(client_key));
    return ok;
}

/* Parse a decimal int in [1, SCRAM_MAX_ITERATIONS] spanning exactly [s, end). */
static bool parse_iterations(const char *s, const char *end, int *out)
{
    if (s == end || end - s > 9)
        return false;
    long v = 0;
    for (const char *p = s; p < end; p++) {
        if (*p < '0' || *p > '9')
            return false;
        v = v * 10 + (*p - '0');
    }
    if (v < 1 || v > SCRAM_MAX_ITERATIONS)
        return false;
    *out = (int)v;
    return true;
}

/*
 * SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>, every field
 * checked (PostgreSQL's parse_scram_secret). The verifier comes from our
 * own store, but a corrupt one must not crash or hang a loop thread.
 */
static bool parse_verifier(const char *v, scram_secret *s)
{
    static const char prefix[] = SCRAM_MECH "$";
    size_t n = strnlen(v, SRV_SCRAM_VERIFIER_MAX);
    if (n >= SRV_SCRAM_VERIFIER_MAX || strncmp(v, prefix, sizeof(prefix) - 1) != 0)
        return false;
    const char *iter = v + sizeof(prefix) - 1;
    const char *colon1 = strchr(iter, ':');
    const char *dollar = colon1 ? strchr(colon1 + 1, '$') : NULL;
    const char *colon2 = dollar ? strchr(dollar + 1, ':') : NULL;
    if (!colon2 || !parse_iterations(iter, colon1, &s->iterations))
        return false;
    const char *salt = colon1 + 1, *stored = dollar + 1, *server = colon2 + 1;
    size_t salt_n = (size_t)(dollar - salt);
    if (salt_n == 0 || salt_n >= sizeof(s->salt_b64))
        return false;
    int got = b64_decode(salt, salt_n, s->salt, sizeof(s->salt));
    if (got <= 0)
        return false;
    s->salt_len = (size_t)got;
    memcpy(s->salt_b64, salt, salt_n);
    s->salt_b64[salt_n] = '\0';
    uint8_t key[SCRAM_KEY_LEN + 3]; /* room for the decoder's whole groups */
    if (b64_decode(stored, (size_t)(colon2 - stored), key, sizeof(key)) != SCRAM_KEY_LEN)
        return false;
    memcpy(s->stored_key, key, SCRAM_KEY_LEN);
    if (b64_decode(server, strlen(server), key, sizeof(key)) != SCRAM_KEY_LEN)
        return false;
    memcpy(s->server_key, key, SCRAM_KEY_LEN);
    return true;
}

/* ------------------------------------------------------- mock verifier */

/* Per-process secret behind the mock salt (PostgreSQL keeps one per cluster
 * in pg_control). Per-process is enough: it only has to be unguessable and
 * stable while one server runs, so repeated probes see the same salt. */
static uint8_t mock_secret[32];
static pthread_once_t mock_once = PTHREAD_ONCE_INIT;

static void mock_secret_init(void)
{
    if (RAND_bytes(mock_secret, sizeof(mock_secret)) != 1)
        log_warn("scram: no random bytes for the mock authentication secret");
}

/*
 * A verifier for a role without a password: a salt that looks like a real
 * one and stays the same across attempts, and keys that no proof can
 * match. PostgreSQL hashes the role name into the salt too; our interface
 * does not pass the role to srv_scram_new, so every such role shares one
 * salt.
 */
static void mock_verifier(scram_secret *s)
{
    pthread_once(&mock_once, mock_secret_init);
    uint8_t digest[SCRAM_KEY_LEN];
    if (!hmac_sha256(mock_secret, sizeof(mock_secret), "hcdb mock salt", 14, digest))
        memset(digest, 0x5a, sizeof(digest));
    memcpy(s->salt, digest, SCRAM_SALT_LEN);
    s->salt_len = SCRAM_SALT_LEN;
    b64_encode(s->salt, SCRAM_SALT_LEN, s->salt_b64);
    s->iterations = SRV_SCRAM_DEFAULT_ITERATIONS;
    memset(s->stored_key, 0, SCRAM_KEY_LEN);
    memset(s->server_key, 0, SCRAM_KEY_LEN);
}

/* ------------------------------------------------- verifier functions */

/* Internal: make a verifier with a given salt (tests use RFC 7677's). */
int srv_scram__make_verifier_salt(const char *password, int iterations, const uint8_t *salt,
                                  size_t salt_len, char *out, size_t outsz);

int srv_scram__make_verifier_salt(const char *password, int iterations, const uint8_t *salt,
                                  size_t salt_len, char *out, size_t outsz)
{
    if (!password || iterations < 1 || iterations > SCRAM_MAX_ITERATIONS || salt_len == 0 ||
        salt_len > 64)
        return -1;
    uint8_t stored[SCRAM_KEY_LEN], server[SCRAM_KEY_LEN];
    if (!scram_keys(password, salt, salt_len, iterations, stored, server))
        return -1;
    char salt_b64[B64_LEN(64) + 1], stored_b64[B64_LEN(SCRAM_KEY_LEN) + 1],
        server_b64[B64_LEN(SCRAM_KEY_LEN) + 1];
    b64_encode(salt, salt_len, salt_b64);
    b64_encode(stored, SCRAM_KEY_LEN, stored_b64);
    b64_encode(server, SCRAM_KEY_LEN, server_b64);
    int n = snprintf(out, outsz, SCRAM_MECH "$%d:%s$%s:%s", iterations, salt_b64, stored_b64,
                     server_b64);
    return n > 0 && (size_t)n < outsz ? 0 : -1;
}

int srv_scram_make_verifier(const char *password, int iterations, char *out, size_t outsz)
{
    uint8_t salt[SCRAM_SALT_LEN];
    if (RAND_bytes(salt, sizeof(salt)) != 1)
        return -1;
    return srv_scram__make_verifier_salt(password, iterations, salt, sizeof(salt), out, outsz);
}

bool srv_scram_verify_password(const char *verifier, const char *password)
{
    scram_secret s;
    if (!verifier || !password || !parse_verifier(verifier, &s))
        return false;
    uint8_t stored[SCRAM_KEY_LEN], server[SCRAM_KEY_LEN];
    if (!scram_keys(password, s.salt, s.salt_len, s.iterations, stored, server))
        return false;
    /* ServerKey alone decides, as in PostgreSQL's scram_verify_plain_password. */
    return CRYPTO_memcmp(server, s.server_key, SCRAM_KEY_LEN) == 0;
}

/* ------------------------------------------------------------ lifecycle */

srv_scram *srv_scram_new(const char *verifier, const uint8_t *endpoint_hash, size_t endpoint_len)
{
    if (endpoint_hash && endpoint_len > SCRAM_ENDPOINT_MAX)
        return NULL; /* no certificate digest is this long: a caller bug */
    srv_scram *sc = mem_calloc(1, sizeof(*sc));
    if (!sc)
        return NULL;
    sc->state = SCRAM_INIT;
    if (!verifier || !parse_verifier(verifier, &sc->secret)) {
        if (verifier)
            log_warn("scram: stored password verifier is not a valid SCRAM-SHA-256 secret");
        mock_verifier(&sc->secret);
        sc->doomed = true;
    }
    if (endpoint_hash && endpoint_len > 0) {
        memcpy(sc->endpoint, endpoint_hash, endpoint_len);
        sc->endpoint_len = endpoint_len;
        sc->cbind_offer = true;
    }
    return sc;
}

void srv_scram_free(srv_scram *sc)
{
    if (!sc)
        return;
    mem_free(sc->client_nonce);
    mem_free(sc->client_first_bare);
    mem_free(sc->server_first);
    OPENSSL_cleanse(&sc->secret, sizeof(sc->secret));
    mem_free(sc);
}

void srv_scram_mechanisms(const srv_scram *sc, buf *out)
{
    /* PLUS first: libpq takes the first one it supports. */
    if (sc->cbind_offer)
        buf_put_cstr(out, SCRAM_MECH_PLUS);
    buf_put_cstr(out, SCRAM_MECH);
    buf_put_u8(out, 0);
}

/* --------------------------------------------------------------- errors */

/* Printable form of one byte for error details (PostgreSQL's
 * sanitize_char). Caller's buffer: loop threads share no static one. */
static const char *sanitize_char(char c, char b[8])
{
    if (c >= 0x21 && c <= 0x7E)
        snprintf(b, 8, "'%c'", c);
    else
        snprintf(b, 8, "0x%02x", (unsigned char)c);
    return b;
}

/* Client text fit for an error message: non-printable bytes become '?'
 * (PostgreSQL's sanitize_str), truncated to the buffer. */
static const char *sanitize_str(const char *s, char *b, size_t bsz)
{
    size_t i = 0;
    for (; s[i] && i + 1 < bsz; i++)
        b[i] = (s[i] >= 0x21 && s[i] <= 0x7E) ? s[i] : '?';
    b[i] = '\0';
    return b;
}

/* 08P01 "malformed SCRAM message" with a detail, PostgreSQL's wording. */
__attribute__((format(printf, 2, 3))) static int malformed(pgw_error *err, const char *fmt, ...)
{
    pgw_error_set(err, SQLSTATE_PROTOCOL_VIOLATION, "malformed SCRAM message");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->detail, sizeof(err->detail), fmt, ap);
    va_end(ap);
    return -1;
}

/* Copy a message into a NUL-terminated heap string; the parser walks only
 * the copy. PostgreSQL rejects the same two cases. */
static char *copy_message(const uint8_t *msg, size_t len, pgw_error *err)
{
    if (!msg || len == 0) {
        malformed(err, "The message is empty.");
        return NULL;
    }
    if (memchr(msg, '\0', len)) {
        malformed(err, "Message length does not match input length.");
        return NULL;
    }
    char *s = mem_alloc(len + 1);
    if (!s) {
        pgw_error_oom(err);
        return NULL;
    }
    memcpy(s, msg, len);
    s[len] = '\0';
    return s;
}

/* -------------------------------------------------------------- parsing */

/*
 * Read "<attr>=<value>" at *p, cut it at the next ',' (overwritten with a
 * NUL) and advance *p past it. NULL, with the error set, when the attribute
 * is not the expected one. PostgreSQL's read_attr_value.
 */
static char *read_attr_value(char **p, char attr, pgw_error *err)
{
    char *s = *p, cb[8];
    if (*s != attr) {
        malformed(err, "Expected attribute \"%c\" but found \"%s\".", attr, sanitize_char(*s, cb));
        return NULL;
    }
    if (*++s != '=') {
        malformed(err, "Expected character \"=\" for attribute \"%c\".", attr);
        return NULL;
    }
    char *value = ++s;
    while (*s && *s != ',')
        s++;
    if (*s)
        *s++ = '\0';
    *p = s;
    return value;
}

/* Any "<ALPHA>=<value>" (extensions we ignore, and the proof). */
static char *read_any_attr(char **p, char *attr, pgw_error *err)
{
    char a = **p, cb[8];
    if (!((a >= 'A' && a <= 'Z') || (a >= 'a' && a <= 'z'))) {
        malformed(err, "Attribute expected, but found invalid character \"%s\".",
                  sanitize_char(a, cb));
        return NULL;
    }
    *attr = a;
    return read_attr_value(p, a, err);
}

/* RFC 5802 "printable": %x21-2B / %x2D-7E, i.e. visible ASCII but ','. */
static bool is_scram_printable(const char *s)
{
    for (; *s; s++)
        if (*s < 0x21 || *s > 0x7E || *s == ',')
            return false;
    return true;
}

/*
 * gs2-header: the channel-binding flag and the (unsupported) authzid.
 * Advances *p to the start of client-first-message-bare. The 'y' check is
 * the downgrade protection of RFC 5802 section 6: a client that supports
 * binding but saw no -PLUS offer while we did offer it has been tampered
 * with.
 */
static int parse_gs2_header(srv_scram *sc, char **p, pgw_error *err)
{
    char *s = *p, cb[8];
    sc->cbind_flag = *s;
    switch (*s) {
    case 'n':
    case 'y':
        if (sc->cbind_in_use)
            return malformed(err, "The client selected SCRAM-SHA-256-PLUS, but the SCRAM message "
                                  "does not include channel binding data.");
        if (*s == 'y' && sc->cbind_offer) {
            pgw_error_set(err, SQLSTATE_INVALID_AUTHORIZATION_SPECIFICATION,
                          "SCRAM channel binding negotiation error");
            pgw_error_detail(err, "The client supports SCRAM channel binding but thinks the server "
                                  "does not.  However, this server does support channel binding.");
            return -1;
        }
        if (*++s != ',')
            return malformed(err, "Comma expected, but found character \"%s\".",
                             sanitize_char(*s, cb));
        s++;
        break;
    case 'p': {
        if (!sc->cbind_in_use)
            return malformed(err, "The client selected SCRAM-SHA-256 without channel binding, but "
                                  "the SCRAM message includes channel binding data.");
        char *type = read_attr_value(&s, 'p', err);
        if (!type)
            return -1;
        if (strcmp(type, CBIND_TYPE) != 0) {
            char clean[65];
            pgw_error_set(err, SQLSTATE_PROTOCOL_VIOLATION,
                          "unsupported SCRAM channel-binding type \"%s\"",
                          sanitize_str(type, clean, sizeof(clean)));
            return -1;
        }
        /* read_attr_value consumed the ',' that ends the flag. */
        break;
    }
    default:
        return malformed(err, "Unexpected channel-binding flag \"%s\".", sanitize_char(*s, cb));
    }
    if (*s == 'a') {
        pgw_error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                      "client uses authorization identity, but it is not supported");
        return -1;
    }
    if (*s != ',')
        return malformed(err, "Unexpected attribute \"%s\" in client-first-message.",
                         sanitize_char(*s, cb));
    *p = s + 1;
    return 0;
}

/* ----------------------------------------------------------- test hook */

/* Fixed server nonce for tests (RFC 7677's vector); "" = random. Set only
 * from single-threaded tests, before the exchange that uses it. */
static char test_nonce[SCRAM_NONCE_MAX];

void srv_scram__set_nonce_for_test(const char *nonce);

void srv_scram__set_nonce_for_test(const char *nonce)
{
    snprintf(test_nonce, sizeof(test_nonce), "%s", nonce ? nonce : "");
}

/* 18 random bytes in base64, as PostgreSQL's server nonce. */
static bool make_server_nonce(srv_scram *sc)
{
    if (test_nonce[0]) {
        memcpy(sc->server_nonce, test_nonce, sizeof(test_nonce));
        return true;
    }
    uint8_t raw[SCRAM_NONCE_RAW];
    if (RAND_bytes(raw, sizeof(raw)) != 1)
        return false;
    b64_encode(raw, sizeof(raw), sc->server_nonce);
    return true;
}

/* --------------------------------------------------------- client-first */

/* Choose the mechanism the way PostgreSQL's scram_init does. */
static int select_mechanism(srv_scram *sc, const char *mechanism, pgw_error *err)
{
    if (mechanism && strcmp(mechanism, SCRAM_MECH_PLUS) == 0 && sc->cbind_offer)
        sc->cbind_in_use = true;
    else if (mechanism && strcmp(mechanism, SCRAM_MECH) == 0)
        sc->cbind_in_use = false;
    else {
        pgw_error_set(err, SQLSTATE_PROTOCOL_VIOLATION,
                      "client selected an invalid SASL authentication mechanism");
        return -1;
    }
    return 0;
}

/*
 * client-first-message = gs2-header [reserved-mext ","] username ","
 *                        nonce ["," extensions]          (RFC 5802 7.)
 * Keeps client-first-message-bare and the client nonce.
 */
static int parse_client_first(srv_scram *sc, char *msg, pgw_error *err)
{
    char *p = msg;
    if (parse_gs2_header(sc, &p, err) < 0)
        return -1;
    if (!(sc->client_first_bare = mem_strdup(p))) {
        pgw_error_oom(err);
        return -1;
    }
    if (*p == 'm') {
        pgw_error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                      "client requires an unsupported SCRAM extension");
        return -1;
    }
    /* The user name is ignored: the role comes from the start-up packet. */
    if (!read_attr_value(&p, 'n', err))
        return -1;
    char *nonce = read_attr_value(&p, 'r', err);
    if (!nonce)
        return -1;
    if (!is_scram_printable(nonce)) {
        pgw_error_set(err, SQLSTATE_PROTOCOL_VIOLATION, "non-printable characters in SCRAM nonce");
        return -1;
    }
    if (!(sc->client_nonce = mem_strdup(nonce))) {
        pgw_error_oom(err);
        return -1;
    }
    char attr;
    while (*p) /* optional extensions: none supported, all ignored */
        if (!read_any_attr(&p, &attr, err))
            return -1;
    return 0;
}

/* server-first-message = nonce "," salt "," iteration-count */
static int build_server_first(srv_scram *sc, buf *out, pgw_error *err)
{
    if (!make_server_nonce(sc)) {
        pgw_error_set(err, SQLSTATE_INTERNAL_ERROR, "could not generate random nonce");
        return -1;
    }
    buf tmp;
    buf_init(&tmp);
    buf_printf(&tmp, "r=%s%s,s=%s,i=%d", sc->client_nonce, sc->server_nonce, sc->secret.salt_b64,
               sc->secret.iterations);
    if (!tmp.failed)
        sc->server_first = mem_strndup((const char *)tmp.data, tmp.len);
    buf_free(&tmp);
    if (!sc->server_first) {
        pgw_error_oom(err);
        return -1;
    }
    buf_put_str(out, sc->server_first);
    if (out->failed) {
        pgw_error_oom(err);
        return -1;
    }
    return 0;
}

static int client_first(srv_scram *sc, const char *mechanism, const uint8_t *msg, size_t len,
                        buf *out, pgw_error *err)
{
    if (sc->state != SCRAM_INIT) {
        pgw_error_set(err, SQLSTATE_PROTOCOL_VIOLATION, "invalid SCRAM exchange state");
        return -1;
    }
    if (select_mechanism(sc, mechanism, err) < 0)
        return -1;
    char *copy = copy_message(msg, len, err);
    if (!copy)
        return -1;
    int rc = parse_client_first(sc, copy, err);
    mem_free(copy);
    if (rc < 0)
        return -1;
    return build_server_first(sc, out, err);
}

int srv_scram_client_first(srv_scram *sc, const char *mechanism, const uint8_t *msg, size_t len,
                           buf *out, pgw_error *err)
{
    int rc = client_first(sc, mechanism, msg, len, out, err);
    sc->state = rc == 0 ? SCRAM_SENT_FIRST : SCRAM_FAILED;
    return rc;
}

/* --------------------------------------------------------- client-final */

/* What the client-final message carries, pointing into the parse copy. */
typedef struct scram_final {
    const char *nonce;
    uint8_t proof[SCRAM_KEY_LEN];
    size_t without_proof_len; /* bytes of client-final-message-without-proof */
} scram_final;

/*
 * c= must be base64 of the gs2 header we saw, plus the endpoint hash with
 * -PLUS. A wrong hash means a man in the middle: 28000, as PostgreSQL.
 */
static int check_channel_binding(const srv_scram *sc, const char *c, pgw_error *err)
{
    if (!sc->cbind_in_use) {
        if ((strcmp(c, "biws") == 0 && sc->cbind_flag == 'n') ||
            (strcmp(c, "eSws") == 0 && sc->cbind_flag == 'y'))
            return 0;
        pgw_error_set(err, SQLSTATE_PROTOCOL_VIOLATION,
                      "unexpected SCRAM channel-binding attribute in client-final-message");
        return -1;
    }
    uint8_t input[sizeof(CBIND_HEADER) - 1 + SCRAM_ENDPOINT_MAX];
    char expect[B64_LEN(sizeof(input)) + 1];
    size_t hlen = sizeof(CBIND_HEADER) - 1;
    memcpy(input, CBIND_HEADER, hlen);
    memcpy(input + hlen, sc->endpoint, sc->endpoint_len);
    b64_encode(input, hlen + sc->endpoint_len, expect);
    if (strcmp(c, expect) == 0)
        return 0;
    pgw_error_set(err, SQLSTATE_INVALID_AUTHORIZATION_SPECIFICATION,
                  "SCRAM channel binding check failed");
    return -1;
}

/*
 * client-final-message = channel-binding "," nonce ["," extensions] ","
 *                        proof                           (RFC 5802 7.)
 */
static int parse_client_final(const srv_scram *sc, char *msg, scram_final *f, pgw_error *err)
{
    char *p = msg, attr = 0, *value;
    char *c = read_attr_value(&p, 'c', err);
    if (!c || check_channel_binding(sc, c, err) < 0)
        return -1;
    if (!(f->nonce = read_attr_value(&p, 'r', err)))
        return -1;
    char *attr_start;
    do { /* skip extensions up to the proof, which must come last */
        attr_start = p;
        if (!(value = read_any_attr(&p, &attr, err)))
            return -1;
    } while (attr != 'p');
    uint8_t proof[SCRAM_KEY_LEN + 3];
    if (b64_decode(value, strlen(value), proof, sizeof(proof)) != SCRAM_KEY_LEN)
        return malformed(err, "Malformed proof in client-final-message.");
    memcpy(f->proof, proof, SCRAM_KEY_LEN);
    if (*p)
        return malformed(err, "Garbage found at the end of client-final-message.");
    /* attr_start follows the ',' that ends the part before the proof. */
    f->without_proof_len = (size_t)(attr_start - msg) - 1;
    return 0;
}

static bool verify_final_nonce(const srv_scram *sc, const char *nonce)
{
    size_t cn = strlen(sc->client_nonce), sn = strlen(sc->server_nonce);
    return strlen(nonce) == cn + sn && memcmp(nonce, sc->client_nonce, cn) == 0 &&
           memcmp(nonce + cn, sc->server_nonce, sn) == 0;
}

/* AuthMessage = client-first-message-bare "," server-first-message ","
 * client-final-message-without-proof (RFC 5802 section 3). */
static void build_auth_message(const srv_scram *sc, const uint8_t *final_raw, size_t final_wp_len,
                               buf *am)
{
    buf_put_str(am, sc->client_first_bare);
    buf_put_u8(am, ',');
    buf_put_str(am, sc->server_first);
    buf_put_u8(am, ',');
    buf_append(am, final_raw, final_wp_len);
}

/*
 * ClientKey = ClientProof XOR HMAC(StoredKey, AuthMessage); the proof holds
 * when SHA-256(ClientKey) equals StoredKey. Computed in full even for a
 * mock verifier so that timing does not reveal whether the role exists.
 */
static bool verify_client_proof(const srv_scram *sc, const scram_final *f, const buf *am)
{
    uint8_t sig[SCRAM_KEY_LEN], client_key[SCRAM_KEY_LEN], stored[SCRAM_KEY_LEN];
    if (!hmac_sha256(sc->secret.stored_key, SCRAM_KEY_LEN, am->data, am->len, sig))
        return false;
    for (size_t i = 0; i < SCRAM_KEY_LEN; i++)
        client_key[i] = f->proof[i] ^ sig[i];
    if (!SHA256(client_key, SCRAM_KEY_LEN, stored))
        return false;
    return CRYPTO_memcmp(stored, sc->secret.stored_key, SCRAM_KEY_LEN) == 0;
}

/* server-final-message = "v=" base64(HMAC(ServerKey, AuthMessage)) */
static int build_server_final(const srv_scram *sc, const buf *am, buf *out, pgw_error *err)
{
    uint8_t sig[SCRAM_KEY_LEN];
    char b64[B64_LEN(SCRAM_KEY_LEN) + 1];
    if (!hmac_sha256(sc->secret.server_key, SCRAM_KEY_LEN, am->data, am->len, sig)) {
        pgw_error_set(err, SQLSTATE_INTERNAL_ERROR, "could not calculate server signature");
        return -1;
    }
    b64_encode(sig, SCRAM_KEY_LEN, b64);
    buf_put_str(out, "v=");
    buf_put_str(out, b64);
    if (out->failed) {
        pgw_error_oom(err);
        return -1;
    }
    return 0;
}

/* Check the proof against an AuthMessage, then answer. */
static int finish_exchange(const srv_scram *sc, const char *user, const scram_final *f,
                           const buf *am, buf *out, pgw_error *err)
{
    if (am->failed) {
        pgw_error_oom(err);
        return -1;
    }
    /* Order as in PostgreSQL: the proof is checked even when doomed. */
    if (!verify_client_proof(sc, f, am) || sc->doomed) {
        pgw_error_set(err, SQLSTATE_INVALID_PASSWORD,
                      "password authentication failed for user \"%s\"", user ? user : "");
        return -1;
    }
    return build_server_final(sc, am, out, err);
}

static int client_final(srv_scram *sc, const char *user, const uint8_t *msg, size_t len,
                        buf *out, pgw_error *err)
{
    if (sc->state != SCRAM_SENT_FIRST) {
        pgw_error_set(err, SQLSTATE_PROTOCOL_VIOLATION, "invalid SCRAM exchange state");
        return -1;
    }
    char *copy = copy_message(msg, len, err);
    if (!copy)
        return -1;
    scram_final f;
    int rc = parse_client_final(sc, copy, &f, err);
    if (rc == 0 && !verify_final_nonce(sc, f.nonce)) {
        pgw_error_set(err, SQLSTATE_PROTOCOL_VIOLATION, "invalid SCRAM response");
        pgw_error_detail(err, "Nonce does not match.");
        rc = -1;
    }
    if (rc == 0) {
        buf am;
        buf_init(&am);
        build_auth_message(sc, msg, f.without_proof_len, &am);
        rc = finish_exchange(sc, user, &f, &am, out, err);
        buf_free(&am);
    }
    OPENSSL_cleanse(f.proof, sizeof(f.proof));
    mem_free(copy);
    return rc;
}

int srv_scram_client_final(srv_scram *sc, const char *user, const uint8_t *msg, size_t len,
                           buf *out, pgw_error *err)
{
    int rc = client_final(sc, user, msg, len, out, err);
    sc->state = rc == 0 ? SCRAM_DONE : SCRAM_FAILED;
    return rc;
}
