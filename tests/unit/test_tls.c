/*
 * test_tls: srv_tls against an OpenSSL client, both on memory BIOs, with
 * certificates made at test time through OpenSSL's C API (no openssl
 * command). Bytes are shuttled by hand, sometimes one at a time, so every
 * partial-record path is exercised.
 */
#include <criterion/criterion.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server/tls.h"
#include "util/mem.h"

/* Internal hook of tls.c: the RFC 5929 hash of any certificate. */
int srv_tls__cert_endpoint_hash(X509 *cert, uint8_t *out, size_t outsz, size_t *len);

/* -------------------------------------------------------- certificates */

static char dir[64];
static char cert_path[128], key_path[128], other_key_path[128];

static EVP_PKEY *ec_key(void)
{
    EVP_PKEY *k = EVP_EC_gen("P-256");
    cr_assert_not_null(k);
    return k;
}

/* A self-signed CN=localhost certificate; md NULL for Ed25519. */
static X509 *self_signed(EVP_PKEY *key, const EVP_MD *md)
{
    X509 *x = X509_new();
    cr_assert_not_null(x);
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), -60);
    X509_gmtime_adj(X509_getm_notAfter(x), 24 * 3600);
    X509_set_pubkey(x, key);
    X509_NAME *name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"localhost", -1,
                               -1, 0);
    X509_set_issuer_name(x, name);
    cr_assert_gt(X509_sign(x, key, md), 0, "signing the test certificate");
    return x;
}

static void write_cert(const char *path, X509 *x)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    cr_assert(PEM_write_X509(f, x));
    fclose(f);
}

static void write_key(const char *path, EVP_PKEY *k)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    cr_assert(PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL));
    fclose(f);
}

static void make_files(void)
{
    snprintf(dir, sizeof(dir), "/tmp/hcdb-tls-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    snprintf(cert_path, sizeof(cert_path), "%s/server.crt", dir);
    snprintf(key_path, sizeof(key_path), "%s/server.key", dir);
    snprintf(other_key_path, sizeof(other_key_path), "%s/other.key", dir);
    EVP_PKEY *key = ec_key(), *other = ec_key();
    X509 *cert = self_signed(key, EVP_sha256());
    write_cert(cert_path, cert);
    write_key(key_path, key);
    write_key(other_key_path, other);
    X509_free(cert);
    EVP_PKEY_free(key);
    EVP_PKEY_free(other);
}

static void remove_files(void)
{
    unlink(cert_path);
    unlink(key_path);
    unlink(other_key_path);
    rmdir(dir);
}

TestSuite(tls, .init = make_files, .fini = remove_files);

/* -------------------------------------------------------------- client */

typedef struct client {
    SSL_CTX *ctx;
    SSL *ssl;
    BIO *in;  /* ciphertext from the server */
    BIO *out; /* ciphertext to the server */
} client;

/* An OpenSSL client that trusts our certificate and checks the name. */
static void client_init(client *c, int max_version)
{
    c->ctx = SSL_CTX_new(TLS_client_method());
    cr_assert_not_null(c->ctx);
    cr_assert(SSL_CTX_load_verify_locations(c->ctx, cert_path, NULL));
    SSL_CTX_set_verify(c->ctx, SSL_VERIFY_PEER, NULL);
    if (max_version) {
        SSL_CTX_set_security_level(c->ctx, 0);
        SSL_CTX_set_cipher_list(c->ctx, "DEFAULT:@SECLEVEL=0");
        SSL_CTX_set_min_proto_version(c->ctx, TLS1_VERSION);
        SSL_CTX_set_max_proto_version(c->ctx, max_version);
    }
    c->ssl = SSL_new(c->ctx);
    c->in = BIO_new(BIO_s_mem());
    c->out = BIO_new(BIO_s_mem());
    BIO_set_mem_eof_return(c->in, -1);
    SSL_set_bio(c->ssl, c->in, c->out);
    SSL_set1_host(c->ssl, "localhost");
    SSL_set_tlsext_host_name(c->ssl, "localhost");
    SSL_set_connect_state(c->ssl);
}

static void client_free(client *c)
{
    SSL_free(c->ssl);
    SSL_CTX_free(c->ctx);
}

/*
 * Move client ciphertext to the server `chunk` bytes at a time, running
 * srv_tls_read after each piece, then all server ciphertext to the client.
 * Returns the last srv_tls_read result.
 */
static int pump(client *c, srv_tls *s, buf *plain, size_t chunk, char *errbuf)
{
    uint8_t tmp[8192];
    int rc = 0;
    if (chunk > sizeof(tmp))
        chunk = sizeof(tmp);
    while (BIO_ctrl_pending(c->out) > 0) {
        int n = BIO_read(c->out, tmp, (int)chunk);
        cr_assert_gt(n, 0);
        cr_assert_eq(srv_tls_feed(s, tmp, (size_t)n), 0);
        rc = srv_tls_read(s, plain, errbuf, 256);
        if (rc != 0)
            break;
    }
    buf out;
    buf_init(&out);
    srv_tls_drain(s, &out);
    cr_assert_not(out.failed);
    if (out.len)
        cr_assert_eq(BIO_write(c->in, out.data, (int)out.len), (int)out.len);
    buf_free(&out);
    return rc;
}

/* Handshake both ends; `chunk` bytes per feed. 0 or the failing rc. */
static int handshake(client *c, srv_tls *s, size_t chunk, char *errbuf)
{
    buf plain;
    buf_init(&plain);
    int rc = 0;
    for (int i = 0; i < 50 && rc == 0; i++) {
        int r = SSL_do_handshake(c->ssl);
        if (r <= 0 && SSL_get_error(c->ssl, r) != SSL_ERROR_WANT_READ)
            rc = -2; /* the client gave up (it got an alert) */
        else
            rc = pump(c, s, &plain, chunk, errbuf);
        if (SSL_is_init_finished(c->ssl) && srv_tls_handshake_done(s))
            break;
    }
    cr_assert_eq(plain.len, 0, "no application data during the handshake");
    buf_free(&plain);
    return rc;
}

/* Everything the client can decrypt now, appended to `got`. */
static void client_read_all(client *c, buf *got)
{
    uint8_t tmp[16384];
    size_t n;
    while (SSL_read_ex(c->ssl, tmp, sizeof(tmp), &n) == 1)
        buf_append(got, tmp, n);
    cr_assert_eq(SSL_get_error(c->ssl, 0), SSL_ERROR_WANT_READ);
}

static srv_tls_ctx *make_ctx(void)
{
    char err[256] = "";
    srv_tls_ctx *ctx = srv_tls_ctx_new(cert_path, key_path, err, sizeof(err));
    cr_assert_not_null(ctx, "%s", err);
    return ctx;
}

/* --------------------------------------------------------------- tests */

Test(tls, handshake_and_small_messages)
{
    srv_tls_ctx *ctx = make_ctx();
    srv_tls *s = srv_tls_new(ctx);
    client c;
    client_init(&c, 0);
    char err[256] = "";
    cr_assert_not(srv_tls_handshake_done(s));
    cr_assert_eq(srv_tls_write(s, (const uint8_t *)"early", 5), -1, "no key before handshake");
    cr_assert_eq(handshake(&c, s, 8192, err), 0, "%s", err);
    cr_assert(srv_tls_handshake_done(s));
    cr_assert_eq(SSL_get_verify_result(c.ssl), X509_V_OK);
    cr_assert_geq(SSL_version(c.ssl), TLS1_2_VERSION);

    buf plain;
    buf_init(&plain);
    cr_assert_eq(SSL_write(c.ssl, "hello", 5), 5);
    cr_assert_eq(pump(&c, s, &plain, 8192, err), 0, "%s", err);
    cr_assert_eq(plain.len, 5);
    cr_assert(memcmp(plain.data, "hello", 5) == 0);

    cr_assert_eq(srv_tls_write(s, (const uint8_t *)"world", 5), 0);
    cr_assert_eq(pump(&c, s, &plain, 8192, err), 0);
    buf got;
    buf_init(&got);
    client_read_all(&c, &got);
    cr_assert_eq(got.len, 5);
    cr_assert(memcmp(got.data, "world", 5) == 0);
    buf_free(&got);
    buf_free(&plain);
    client_free(&c);
    srv_tls_free(s);
    srv_tls_ctx_free(ctx);
}

/* One byte per feed: no ciphertext may be lost between calls. */
Test(tls, handshake_one_byte_at_a_time)
{
    srv_tls_ctx *ctx = make_ctx();
    srv_tls *s = srv_tls_new(ctx);
    client c;
    client_init(&c, 0);
    char err[256] = "";
    cr_assert_eq(handshake(&c, s, 1, err), 0, "%s", err);
    buf plain;
    buf_init(&plain);
    cr_assert_eq(SSL_write(c.ssl, "ping", 4), 4);
    cr_assert_eq(pump(&c, s, &plain, 1, err), 0, "%s", err);
    cr_assert_eq(plain.len, 4);
    buf_free(&plain);
    client_free(&c);
    srv_tls_free(s);
    srv_tls_ctx_free(ctx);
}

Test(tls, one_mib_both_directions)
{
    const size_t n = 1 << 20;
    uint8_t *payload = malloc(n);
    for (size_t i = 0; i < n; i++)
        payload[i] = (uint8_t)(i * 2654435761u >> 13);
    srv_tls_ctx *ctx = make_ctx();
    srv_tls *s = srv_tls_new(ctx);
    client c;
    client_init(&c, 0);
    char err[256] = "";
    cr_assert_eq(handshake(&c, s, 8192, err), 0, "%s", err);

    /* Client to server, fed in odd-sized pieces that split records. */
    buf plain;
    buf_init(&plain);
    cr_assert_eq(SSL_write(c.ssl, payload, (int)n), (int)n);
    cr_assert_eq(pump(&c, s, &plain, 7919, err), 0, "%s", err);
    cr_assert_eq(plain.len, n);
    cr_assert(memcmp(plain.data, payload, n) == 0);

    /* Server to client, one srv_tls_write of it all. */
    cr_assert_eq(srv_tls_write(s, payload, n), 0);
    buf wire, got;
    buf_init(&wire);
    buf_init(&got);
    srv_tls_drain(s, &wire);
    cr_assert_gt(wire.len, n);
    for (size_t off = 0; off < wire.len; off += 5003) {
        size_t k = wire.len - off < 5003 ? wire.len - off : 5003;
        cr_assert_eq(BIO_write(c.in, wire.data + off, (int)k), (int)k);
        client_read_all(&c, &got);
    }
    cr_assert_eq(got.len, n);
    cr_assert(memcmp(got.data, payload, n) == 0);
    buf_free(&wire);
    buf_free(&got);
    buf_free(&plain);
    free(payload);
    client_free(&c);
    srv_tls_free(s);
    srv_tls_ctx_free(ctx);
}

/* A caller's limit on the plaintext buffer is a clean error. */
Test(tls, plaintext_limit)
{
    srv_tls_ctx *ctx = make_ctx();
    srv_tls *s = srv_tls_new(ctx);
    client c;
    client_init(&c, 0);
    char err[256] = "";
    cr_assert_eq(handshake(&c, s, 8192, err), 0, "%s", err);
    buf plain;
    buf_init(&plain);
    plain.limit = 100;
    uint8_t big[1000] = {0};
    cr_assert_eq(SSL_write(c.ssl, big, sizeof(big)), (int)sizeof(big));
    cr_assert_eq(pump(&c, s, &plain, 8192, err), -1);
    cr_assert(strstr(err, "no room"), "%s", err);
    buf_free(&plain);
    client_free(&c);
    srv_tls_free(s);
    srv_tls_ctx_free(ctx);
}

Test(tls, clean_shutdown)
{
    srv_tls_ctx *ctx = make_ctx();
    srv_tls *s = srv_tls_new(ctx);
    client c;
    client_init(&c, 0);
    char err[256] = "";
    cr_assert_eq(handshake(&c, s, 8192, err), 0, "%s", err);
    buf plain;
    buf_init(&plain);
    cr_assert_eq(SSL_write(c.ssl, "bye", 3), 3);
    cr_assert_eq(SSL_shutdown(c.ssl), 0, "close_notify sent, none received yet");
    cr_assert_eq(pump(&c, s, &plain, 8192, err), 1, "peer closed cleanly: %s", err);
    cr_assert_eq(plain.len, 3, "data before close_notify is delivered");
    srv_tls_shutdown(s);
    cr_assert_eq(pump(&c, s, &plain, 8192, err), 0);
    cr_assert_eq(SSL_shutdown(c.ssl), 1, "the client saw our close_notify");
    buf_free(&plain);
    client_free(&c);
    srv_tls_free(s);
    srv_tls_ctx_free(ctx);
}

Test(tls, server_initiated_shutdown)
{
    srv_tls_ctx *ctx = make_ctx();
    srv_tls *s = srv_tls_new(ctx);
    client c;
    client_init(&c, 0);
    char err[256] = "";
    cr_assert_eq(handshake(&c, s, 8192, err), 0, "%s", err);
    buf plain;
    buf_init(&plain);
    srv_tls_shutdown(s);
    cr_assert_eq(pump(&c, s, &plain, 8192, err), 0);
    uint8_t tmp[16];
    size_t n;
    cr_assert_eq(SSL_read_ex(c.ssl, tmp, sizeof(tmp), &n), 0);
    cr_assert_eq(SSL_get_error(c.ssl, 0), SSL_ERROR_ZERO_RETURN);
    buf_free(&plain);
    client_free(&c);
    srv_tls_free(s);
    srv_tls_ctx_free(ctx);
}

static void sha_of_der(X509 *x, const EVP_MD *md, uint8_t *out, unsigned int *len)
{
    unsigned char *der = NULL;
    int n = i2d_X509(x, &der);
    cr_assert_gt(n, 0);
    cr_assert(EVP_Digest(der, (size_t)n, out, len, md, NULL));
    OPENSSL_free(der);
}

Test(tls, endpoint_hash_of_context)
{
    srv_tls_ctx *ctx = make_ctx();
    uint8_t h[64], want[64];
    size_t len = 0;
    unsigned int wlen = 0;
    cr_assert_eq(srv_tls_ctx_endpoint_hash(ctx, h, sizeof(h), &len), 0);
    FILE *f = fopen(cert_path, "r");
    X509 *x = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    sha_of_der(x, EVP_sha256(), want, &wlen);
    cr_assert_eq(len, 32);
    cr_assert_eq(wlen, 32);
    cr_assert(memcmp(h, want, 32) == 0);
    cr_assert_eq(srv_tls_ctx_endpoint_hash(ctx, h, 16, &len), -1, "output too small");
    X509_free(x);
    srv_tls_ctx_free(ctx);
}

/* RFC 5929 4.1: MD5 and SHA-1 become SHA-256; others keep their digest. */
Test(tls, endpoint_hash_digest_choice)
{
    struct {
        const EVP_MD *sign;
        const EVP_MD *want;
    } cases[] = {
        {EVP_sha1(), EVP_sha256()},
        {EVP_sha256(), EVP_sha256()},
        {EVP_sha384(), EVP_sha384()},
        {EVP_sha512(), EVP_sha512()},
    };
    EVP_PKEY *key = ec_key();
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        X509 *x = self_signed(key, cases[i].sign);
        uint8_t h[64], want[64];
        size_t len = 0;
        unsigned int wlen = 0;
        cr_assert_eq(srv_tls__cert_endpoint_hash(x, h, sizeof(h), &len), 0);
        sha_of_der(x, cases[i].want, want, &wlen);
        cr_assert_eq(len, wlen, "case %zu", i);
        cr_assert(memcmp(h, want, len) == 0, "case %zu", i);
        X509_free(x);
    }
    EVP_PKEY_free(key);
    /* MD5 only exists with RSA. */
    EVP_PKEY *rsa = EVP_RSA_gen(2048);
    cr_assert_not_null(rsa);
    X509 *x = self_signed(rsa, EVP_md5());
    uint8_t h[64], want[64];
    size_t len = 0;
    unsigned int wlen = 0;
    cr_assert_eq(srv_tls__cert_endpoint_hash(x, h, sizeof(h), &len), 0);
    sha_of_der(x, EVP_sha256(), want, &wlen);
    cr_assert_eq(len, 32);
    cr_assert(memcmp(h, want, 32) == 0);
    X509_free(x);
    EVP_PKEY_free(rsa);
    /* Ed25519 signs without a separate digest: no binding data. */
    EVP_PKEY *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    cr_assert_not_null(ed);
    x = self_signed(ed, NULL);
    cr_assert_eq(srv_tls__cert_endpoint_hash(x, h, sizeof(h), &len), -1);
    X509_free(x);
    EVP_PKEY_free(ed);
}

Test(tls, garbage_before_handshake)
{
    srv_tls_ctx *ctx = make_ctx();
    const char *http = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";
    srv_tls *s = srv_tls_new(ctx);
    buf plain;
    buf_init(&plain);
    char err[256] = "";
    cr_assert_eq(srv_tls_feed(s, (const uint8_t *)http, strlen(http)), 0);
    cr_assert_eq(srv_tls_read(s, &plain, err, sizeof(err)), -1);
    cr_assert(strstr(err, "TLS handshake failed: "), "%s", err);
    cr_log_info("garbage: %s", err);
    cr_assert_eq(srv_tls_read(s, &plain, err, sizeof(err)), -1, "stays failed");
    srv_tls_shutdown(s); /* harmless after failure */
    srv_tls_free(s);
    /* Random bytes: an error or a wait for more, never a crash. */
    srand(7);
    for (int i = 0; i < 300; i++) {
        uint8_t junk[512];
        size_t n = 1 + (size_t)rand() % sizeof(junk);
        for (size_t k = 0; k < n; k++)
            junk[k] = (uint8_t)rand();
        if (i % 2) { /* looks like a handshake record header */
            junk[0] = 0x16;
            junk[1] = 0x03;
            junk[2] = 0x01;
        }
        s = srv_tls_new(ctx);
        cr_assert_eq(srv_tls_feed(s, junk, n), 0);
        int rc = srv_tls_read(s, &plain, err, sizeof(err));
        cr_assert(rc == -1 || rc == 0, "rc %d", rc);
        buf out;
        buf_init(&out);
        srv_tls_drain(s, &out);
        buf_free(&out);
        srv_tls_free(s);
    }
    cr_assert_eq(plain.len, 0);
    buf_free(&plain);
    srv_tls_ctx_free(ctx);
}

Test(tls, tampered_record_after_handshake)
{
    srv_tls_ctx *ctx = make_ctx();
    srv_tls *s = srv_tls_new(ctx);
    client c;
    client_init(&c, 0);
    char err[256] = "";
    cr_assert_eq(handshake(&c, s, 8192, err), 0, "%s", err);
    cr_assert_eq(SSL_write(c.ssl, "secret data", 11), 11);
    uint8_t rec[256];
    int n = BIO_read(c.out, rec, sizeof(rec));
    cr_assert_gt(n, 11);
    rec[n - 1] ^= 0x01; /* breaks the AEAD tag */
    buf plain;
    buf_init(&plain);
    cr_assert_eq(srv_tls_feed(s, rec, (size_t)n), 0);
    cr_assert_eq(srv_tls_read(s, &plain, err, sizeof(err)), -1);
    cr_log_info("tampered: %s", err);
    cr_assert(strstr(err, "could not read from TLS connection: "), "%s", err);
    cr_assert_eq(plain.len, 0);
    cr_assert_eq(srv_tls_write(s, (const uint8_t *)"x", 1), -1);
    buf_free(&plain);
    client_free(&c);
    srv_tls_free(s);
    srv_tls_ctx_free(ctx);
}

Test(tls, old_protocol_refused)
{
    srv_tls_ctx *ctx = make_ctx();
    srv_tls *s = srv_tls_new(ctx);
    client c;
    client_init(&c, TLS1_1_VERSION);
    char err[256] = "";
    int rc = handshake(&c, s, 8192, err);
    cr_assert_eq(rc, -1, "the server refuses, rc %d", rc);
    cr_assert(strstr(err, "protocol"), "%s", err);
    cr_assert_not(srv_tls_handshake_done(s));
    client_free(&c);
    srv_tls_free(s);
    srv_tls_ctx_free(ctx);
}

Test(tls, mismatched_key_and_missing_files)
{
    char err[512] = "";
    cr_assert_null(srv_tls_ctx_new(cert_path, other_key_path, err, sizeof(err)));
    cr_assert_neq(err[0], '\0');
    cr_assert(strstr(err, "other.key"), "%s", err);
    cr_log_info("mismatch: %s", err);
    err[0] = '\0';
    cr_assert_null(srv_tls_ctx_new("/nonexistent/server.crt", key_path, err, sizeof(err)));
    cr_assert(strstr(err, "/nonexistent/server.crt"), "%s", err);
    cr_assert_null(srv_tls_ctx_new(cert_path, "/nonexistent/k", err, sizeof(err)));
    cr_assert(strstr(err, "/nonexistent/k"), "%s", err);
    /* The key file where the certificate should be. */
    cr_assert_null(srv_tls_ctx_new(key_path, key_path, err, sizeof(err)));
    /* No error buffer: still just NULL. */
    cr_assert_null(srv_tls_ctx_new(cert_path, other_key_path, NULL, 0));
    cr_assert_null(srv_tls_ctx_new(NULL, key_path, err, sizeof(err)));
}
