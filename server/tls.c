/*
 * tls: OpenSSL 3 over a pair of memory BIOs per connection (see tls.h).
 *
 * Invariants:
 *  - OpenSSL never touches a socket. rbio holds ciphertext fed in by
 *    srv_tls_feed until SSL_read/SSL_do_handshake consume it; wbio holds
 *    ciphertext OpenSSL produced until srv_tls_drain moves it out. Neither
 *    buffer is ever cleared by us, so no byte is lost between calls.
 *  - rbio reports "retry" rather than EOF when empty, so running out of
 *    input is WANT_READ, never a truncation error.
 *  - The OpenSSL error queue is per thread and shared by every connection
 *    of a loop: it is cleared before each operation and read right after,
 *    so one connection never reports another's error.
 *  - Settings follow PostgreSQL's be-secure-openssl.c: TLS 1.2 or newer,
 *    no compression, no renegotiation, no session resumption.
 */
#include "server/tls.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "util/mem.h"

/* Plaintext read per SSL_read call: one full TLS record. */
#define TLS_READ_CHUNK 16384
/* Ciphertext moved per BIO call; any size works, this keeps calls few. */
#define TLS_DRAIN_CHUNK 16384

struct srv_tls_ctx {
    SSL_CTX *ssl_ctx;
    uint8_t endpoint[EVP_MAX_MD_SIZE]; /* tls-server-end-point data */
    size_t endpoint_len;               /* 0: not available for this cert */
};

struct srv_tls {
    SSL *ssl;
    BIO *rbio;           /* ciphertext in (owned by ssl) */
    BIO *wbio;           /* ciphertext out (owned by ssl) */
    bool handshake_done;
    bool failed;         /* a fatal error: the session cannot be used */
};

/* ------------------------------------------------------------- errors */

__attribute__((format(printf, 3, 4))) static void set_err(char *errbuf, size_t errlen,
                                                         const char *fmt, ...)
{
    if (!errbuf || !errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errbuf, errlen, fmt, ap);
    va_end(ap);
}

/* The reason for the oldest queued OpenSSL error (PostgreSQL's
 * SSLerrmessage), and an empty queue afterwards. */
static const char *ossl_reason(char *tmp, size_t tmplen)
{
    unsigned long code = ERR_get_error();
    ERR_clear_error();
    if (code == 0)
        return "no SSL error reported";
    const char *reason = ERR_reason_error_string(code);
    if (reason)
        return reason;
    snprintf(tmp, tmplen, "SSL error code %lu", code);
    return tmp;
}

static void set_ossl_err(char *errbuf, size_t errlen, const char *what)
{
    char tmp[64];
    set_err(errbuf, errlen, "%s: %s", what, ossl_reason(tmp, sizeof(tmp)));
}

/* ------------------------------------------------------------ context */

/* Internal: tls-server-end-point data for a certificate (RFC 5929 4.1):
 * its signature's digest, but SHA-256 in place of MD5 or SHA-1. -1 when the
 * signature has no single digest (e.g. Ed25519), where RFC 5929 defines
 * nothing: the caller then offers no -PLUS. */
int srv_tls__cert_endpoint_hash(X509 *cert, uint8_t *out, size_t outsz, size_t *len);

int srv_tls__cert_endpoint_hash(X509 *cert, uint8_t *out, size_t outsz, size_t *len)
{
    int md_nid = NID_undef;
    if (!cert || !X509_get_signature_info(cert, &md_nid, NULL, NULL, NULL))
        return -1;
    const EVP_MD *md = NULL;
    if (md_nid == NID_md5 || md_nid == NID_sha1)
        md = EVP_sha256();
    else if (md_nid != NID_undef)
        md = EVP_get_digestbynid(md_nid);
    unsigned int n = 0;
    if (!md || (size_t)EVP_MD_get_size(md) > outsz || !X509_digest(cert, md, out, &n))
        return -1;
    *len = n;
    return 0;
}

/* PostgreSQL's context settings, minus the file loading. */
static bool configure_ctx(SSL_CTX *c)
{
    SSL_CTX_set_options(c, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_TICKET |
                               SSL_OP_CIPHER_SERVER_PREFERENCE);
#ifdef SSL_OP_NO_CLIENT_RENEGOTIATION
    SSL_CTX_set_options(c, SSL_OP_NO_CLIENT_RENEGOTIATION);
#endif
    /* No session cache: it would be shared state across loop threads, and
     * PostgreSQL does not resume sessions either. TLS 1.3 tickets off too. */
    SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_num_tickets(c, 0);
    /* Idle connections give their 16 KiB read/write buffers back. */
    SSL_CTX_set_mode(c, SSL_MODE_RELEASE_BUFFERS);
    return SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION) == 1;
}

/* Certificate chain and key from PEM files, checked to belong together. */
static bool load_files(SSL_CTX *c, const char *cert_file, const char *key_file, char *errbuf,
                       size_t errlen)
{
    char what[512];
    if (SSL_CTX_use_certificate_chain_file(c, cert_file) != 1) {
        snprintf(what, sizeof(what), "could not load server certificate file \"%s\"", cert_file);
        set_ossl_err(errbuf, errlen, what);
        return false;
    }
    if (SSL_CTX_use_PrivateKey_file(c, key_file, SSL_FILETYPE_PEM) != 1) {
        snprintf(what, sizeof(what), "could not load private key file \"%s\"", key_file);
        set_ossl_err(errbuf, errlen, what);
        return false;
    }
    if (SSL_CTX_check_private_key(c) != 1) {
        snprintf(what, sizeof(what), "check of private key \"%s\" failed", key_file);
        set_ossl_err(errbuf, errlen, what);
        return false;
    }
    return true;
}

srv_tls_ctx *srv_tls_ctx_new(const char *cert_file, const char *key_file, char *errbuf,
                             size_t errlen)
{
    if (!cert_file || !key_file) {
        set_err(errbuf, errlen, "%s", "no server certificate or key file configured");
        return NULL;
    }
    srv_tls_ctx *ctx = mem_calloc(1, sizeof(*ctx));
    if (!ctx) {
        set_err(errbuf, errlen, "%s", "out of memory");
        return NULL;
    }
    ERR_clear_error();
    ctx->ssl_ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx->ssl_ctx || !configure_ctx(ctx->ssl_ctx)) {
        set_ossl_err(errbuf, errlen, "could not create SSL context");
        srv_tls_ctx_free(ctx);
        return NULL;
    }
    if (!load_files(ctx->ssl_ctx, cert_file, key_file, errbuf, errlen)) {
        srv_tls_ctx_free(ctx);
        return NULL;
    }
    /* Computed once: the certificate never changes for this context. */
    if (srv_tls__cert_endpoint_hash(SSL_CTX_get0_certificate(ctx->ssl_ctx), ctx->endpoint,
                                    sizeof(ctx->endpoint), &ctx->endpoint_len) < 0)
        ctx->endpoint_len = 0;
    ERR_clear_error();
    return ctx;
}

void srv_tls_ctx_free(srv_tls_ctx *ctx)
{
    if (!ctx)
        return;
    SSL_CTX_free(ctx->ssl_ctx);
    mem_free(ctx);
}

int srv_tls_ctx_endpoint_hash(const srv_tls_ctx *ctx, uint8_t *out, size_t outsz, size_t *len)
{
    if (!ctx || ctx->endpoint_len == 0 || outsz < ctx->endpoint_len)
        return -1;
    memcpy(out, ctx->endpoint, ctx->endpoint_len);
    *len = ctx->endpoint_len;
    return 0;
}

/* --------------------------------------------------------- connection */

srv_tls *srv_tls_new(srv_tls_ctx *ctx)
{
    srv_tls *t = mem_calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    ERR_clear_error();
    t->ssl = SSL_new(ctx->ssl_ctx);
    t->rbio = BIO_new(BIO_s_mem());
    t->wbio = BIO_new(BIO_s_mem());
    if (!t->ssl || !t->rbio || !t->wbio) {
        BIO_free(t->rbio);
        BIO_free(t->wbio);
        SSL_free(t->ssl);
        mem_free(t);
        ERR_clear_error();
        return NULL;
    }
    /* Empty input means "more to come", not end of stream. */
    BIO_set_mem_eof_return(t->rbio, -1);
    SSL_set_bio(t->ssl, t->rbio, t->wbio); /* ssl owns both from here */
    SSL_set_accept_state(t->ssl);
    return t;
}

void srv_tls_free(srv_tls *t)
{
    if (!t)
        return;
    SSL_free(t->ssl);
    mem_free(t);
}

int srv_tls_feed(srv_tls *t, const uint8_t *data, size_t len)
{
    while (len > 0) {
        int chunk = len > INT_MAX ? INT_MAX : (int)len;
        int n = BIO_write(t->rbio, data, chunk);
        if (n <= 0) {
            ERR_clear_error();
            return -1;
        }
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

/*
 * Classify a failed SSL call: 0 = needs more input (or output room, which
 * a memory BIO always has), 1 = close_notify received, -1 = fatal.
 */
static int classify(srv_tls *t, int ret, const char *what, char *errbuf, size_t errlen)
{
    int e = SSL_get_error(t->ssl, ret);
    switch (e) {
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE:
        return 0;
    case SSL_ERROR_ZERO_RETURN:
        return 1;
    case SSL_ERROR_SYSCALL:
        /* No socket below us; an I/O error here is a broken stream. */
        if (ERR_peek_error() == 0) {
            set_err(errbuf, errlen, "%s: unexpected end of TLS stream", what);
            break;
        }
        /* fall through */
    default:
        set_ossl_err(errbuf, errlen, what);
        break;
    }
    ERR_clear_error();
    t->failed = true;
    return -1;
}

static int advance_handshake(srv_tls *t, char *errbuf, size_t errlen)
{
    ERR_clear_error();
    int r = SSL_do_handshake(t->ssl);
    if (r == 1) {
        t->handshake_done = true;
        return 0;
    }
    int rc = classify(t, r, "TLS handshake failed", errbuf, errlen);
    /* close_notify before the handshake finished is not a clean close. */
    if (rc == 1) {
        set_err(errbuf, errlen, "%s", "TLS handshake failed: connection closed by peer");
        t->failed = true;
        return -1;
    }
    return rc;
}

/*
 * Decrypt everything buffered, appending it to `plain`. Through a bounce
 * buffer rather than straight into `plain`, so a caller's buf limit counts
 * real data, not a 16 KiB reservation. Plaintext that arrived before a
 * close_notify is appended before 1 is returned: the caller must process
 * `plain` even then.
 */
static int read_records(srv_tls *t, buf *plain, char *errbuf, size_t errlen)
{
    uint8_t tmp[TLS_READ_CHUNK];
    for (;;) {
        size_t got = 0;
        ERR_clear_error();
        int r = SSL_read_ex(t->ssl, tmp, sizeof(tmp), &got);
        if (r != 1)
            return classify(t, r, "could not read from TLS connection", errbuf, errlen);
        buf_append(plain, tmp, got);
        if (plain->failed) {
            set_err(errbuf, errlen, "%s", "no room for decrypted data");
            t->failed = true;
            return -1;
        }
    }
}

int srv_tls_read(srv_tls *t, buf *plain, char *errbuf, size_t errlen)
{
    if (t->failed) {
        set_err(errbuf, errlen, "%s", "TLS connection already failed");
        return -1;
    }
    if (!t->handshake_done) {
        int rc = advance_handshake(t, errbuf, errlen);
        if (rc != 0 || !t->handshake_done)
            return rc;
    }
    return read_records(t, plain, errbuf, errlen);
}

/* Before the handshake completes there is no key to encrypt with: the
 * caller must not send plaintext yet, so that is an error, not a queue. */
int srv_tls_write(srv_tls *t, const uint8_t *data, size_t len)
{
    if (t->failed || !t->handshake_done)
        return -1;
    while (len > 0) {
        size_t done = 0;
        ERR_clear_error();
        if (SSL_write_ex(t->ssl, data, len, &done) != 1) {
            /* A memory BIO never blocks, so any failure here is final
             * (out of memory, or the session was already shut down). */
            ERR_clear_error();
            t->failed = true;
            return -1;
        }
        data += done;
        len -= done;
    }
    return 0;
}

void srv_tls_drain(srv_tls *t, buf *out)
{
    size_t pending;
    while ((pending = BIO_ctrl_pending(t->wbio)) > 0) {
        size_t chunk = pending < TLS_DRAIN_CHUNK ? pending : TLS_DRAIN_CHUNK;
        if (!buf_reserve(out, chunk))
            return; /* out->failed is set; the rest stays queued in wbio */
        int n = BIO_read(t->wbio, out->data + out->len, (int)chunk);
        if (n <= 0)
            return;
        out->len += (size_t)n;
    }
}

bool srv_tls_handshake_done(const srv_tls *t)
{
    return t->handshake_done;
}

void srv_tls_shutdown(srv_tls *t)
{
    /* SSL_shutdown mid-handshake is an error in OpenSSL; without a
     * session there is nothing to close gracefully. */
    if (!t->handshake_done || t->failed)
        return;
    ERR_clear_error();
    (void)SSL_shutdown(t->ssl);
    ERR_clear_error();
}
