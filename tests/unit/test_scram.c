/*
 * test_scram: the SCRAM-SHA-256 server exchange against RFC 7677's test
 * vector, a real PostgreSQL 15 capture, a client computed here with
 * OpenSSL, and malformed, truncated and random input.
 */
#include <criterion/criterion.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/auth_scram.h"
#include "util/mem.h"

/* Internal hooks of auth_scram.c (double underscore: not public API). */
void srv_scram__set_nonce_for_test(const char *nonce);
int srv_scram__make_verifier_salt(const char *password, int iterations, const uint8_t *salt,
                                  size_t salt_len, char *out, size_t outsz);

/* ------------------------------------------------------------ helpers */

static size_t b64enc(const uint8_t *in, size_t n, char *out)
{
    return (size_t)EVP_EncodeBlock((unsigned char *)out, in, (int)n);
}

static size_t b64dec(const char *in, uint8_t *out)
{
    size_t n = strlen(in);
    int got = EVP_DecodeBlock(out, (const unsigned char *)in, (int)n);
    cr_assert_geq(got, 0);
    size_t pad = (n && in[n - 1] == '=') + (n > 1 && in[n - 2] == '=');
    return (size_t)got - pad;
}

static void hmac(const uint8_t *key, const void *data, size_t n, uint8_t out[32])
{
    unsigned int len;
    cr_assert_not_null(HMAC(EVP_sha256(), key, 32, data, n, out, &len));
}

/* The verifier for `password` with a fixed salt, made here independently. */
static void make_verifier_salt(const char *password, const char *salt_b64, char *out, size_t sz)
{
    uint8_t salt[64];
    size_t salt_len = b64dec(salt_b64, salt);
    cr_assert_eq(srv_scram__make_verifier_salt(password, 4096, salt, salt_len, out, sz), 0);
}

static void get_attr(const char *msg, char attr, char *out, size_t sz)
{
    char key[3] = {attr, '=', 0};
    const char *p = strstr(msg, key);
    cr_assert_not_null(p, "no %c= in %s", attr, msg);
    p += 2;
    size_t n = strcspn(p, ",");
    cr_assert_lt(n, sz);
    memcpy(out, p, n);
    out[n] = '\0';
}

/*
 * The client's half of RFC 5802: from the server-first-message, build the
 * client-final-message and the ServerSignature the server must answer.
 */
static void client_final_for(const char *password, const char *first_bare, const char *server_first,
                             const char *cbind_b64, char *final, size_t sz, char *expect_v)
{
    char nonce[256], salt_b64[128], iter[16];
    get_attr(server_first, 'r', nonce, sizeof(nonce));
    get_attr(server_first, 's', salt_b64, sizeof(salt_b64));
    get_attr(server_first, 'i', iter, sizeof(iter));
    uint8_t salt[96], salted[32], ck[32], sk[32], stored[32], csig[32], ssig[32], proof[32];
    size_t salt_len = b64dec(salt_b64, salt);
    cr_assert(PKCS5_PBKDF2_HMAC(password, (int)strlen(password), salt, (int)salt_len, atoi(iter),
                                EVP_sha256(), 32, salted));
    hmac(salted, "Client Key", 10, ck);
    hmac(salted, "Server Key", 10, sk);
    SHA256(ck, 32, stored);
    char without_proof[512], am[2048];
    snprintf(without_proof, sizeof(without_proof), "c=%s,r=%s", cbind_b64, nonce);
    snprintf(am, sizeof(am), "%s,%s,%s", first_bare, server_first, without_proof);
    hmac(stored, am, strlen(am), csig);
    hmac(sk, am, strlen(am), ssig);
    for (int i = 0; i < 32; i++)
        proof[i] = ck[i] ^ csig[i];
    char proof_b64[64], ssig_b64[64];
    b64enc(proof, 32, proof_b64);
    b64enc(ssig, 32, ssig_b64);
    snprintf(final, sz, "%s,p=%s", without_proof, proof_b64);
    sprintf(expect_v, "v=%s", ssig_b64);
}

/* Run client-first; the server-first-message comes back NUL-terminated. */
static int do_first(srv_scram *sc, const char *mech, const char *msg, char *server_first,
                    pgw_error *err)
{
    buf out;
    buf_init(&out);
    pgw_error_clear(err);
    int rc = srv_scram_client_first(sc, mech, (const uint8_t *)msg, strlen(msg), &out, err);
    if (rc == 0) {
        cr_assert_lt(out.len, 512);
        memcpy(server_first, out.data, out.len);
        server_first[out.len] = '\0';
    } else {
        cr_assert_eq(out.len, 0, "nothing appended on error");
        cr_assert(pgw_error_is_set(err));
    }
    buf_free(&out);
    return rc;
}

static int do_final(srv_scram *sc, const char *msg, char *server_final, pgw_error *err)
{
    buf out;
    buf_init(&out);
    pgw_error_clear(err);
    int rc = srv_scram_client_final(sc, "alice", (const uint8_t *)msg, strlen(msg), &out, err);
    if (rc == 0) {
        memcpy(server_final, out.data, out.len);
        server_final[out.len] = '\0';
    } else {
        cr_assert_eq(out.len, 0);
        cr_assert(pgw_error_is_set(err));
    }
    buf_free(&out);
    return rc;
}

static void assert_state(const pgw_error *err, const char *sqlstate, const char *message)
{
    cr_assert_str_eq(err->sqlstate, sqlstate, "%s (%s / %s)", err->sqlstate, err->message,
                     err->detail);
    if (message)
        cr_assert_str_eq(err->message, message);
}

/* A full exchange with `password` against `verifier`; 0 or -1 with err. */
static int exchange(const char *verifier, const char *password, pgw_error *err)
{
    srv_scram *sc = srv_scram_new(verifier, NULL, 0);
    cr_assert_not_null(sc);
    char sfirst[512], final[1024], expect_v[64], sfinal[128];
    const char *cfirst = "n,,n=,r=fyko+d2lbbFgONRv9qkxdawL";
    cr_assert_eq(do_first(sc, "SCRAM-SHA-256", cfirst, sfirst, err), 0);
    client_final_for(password, cfirst + 3, sfirst, "biws", final, sizeof(final), expect_v);
    int rc = do_final(sc, final, sfinal, err);
    if (rc == 0)
        cr_assert_str_eq(sfinal, expect_v);
    srv_scram_free(sc);
    return rc;
}

static void reset_nonce(void)
{
    srv_scram__set_nonce_for_test(NULL);
}

TestSuite(scram, .fini = reset_nonce);

/* --------------------------------------------------------- test vectors */

Test(scram, rfc7677_vector)
{
    char verifier[SRV_SCRAM_VERIFIER_MAX], sfirst[512], sfinal[128];
    pgw_error err;
    make_verifier_salt("pencil", "W22ZaJ0SNY7soEsUEjb6gQ==", verifier, sizeof(verifier));
    cr_assert(strncmp(verifier, "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$", 44) == 0);
    srv_scram__set_nonce_for_test("%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0");
    srv_scram *sc = srv_scram_new(verifier, NULL, 0);
    cr_assert_eq(do_first(sc, "SCRAM-SHA-256", "n,,n=user,r=rOprNGfwEbeRWgbNEkqO", sfirst, &err), 0);
    cr_assert_str_eq(sfirst, "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                             "s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096");
    cr_assert_eq(do_final(sc,
                          "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                          "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
                          sfinal, &err),
                 0, "%s %s", err.message, err.detail);
    cr_assert_str_eq(sfinal, "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
    srv_scram_free(sc);
}

/* An exchange psql 15 had with PostgreSQL 15.20 (compat traces, capuser). */
Test(scram, postgresql15_capture)
{
    char verifier[SRV_SCRAM_VERIFIER_MAX], sfirst[512], sfinal[128];
    pgw_error err;
    make_verifier_salt("secret", "6y1s22cSDi0ZRFFsVCZPfw==", verifier, sizeof(verifier));
    srv_scram__set_nonce_for_test("DuIve6H8FBmQc0Y2Qgm7m6JV");
    srv_scram *sc = srv_scram_new(verifier, NULL, 0);
    cr_assert_eq(do_first(sc, "SCRAM-SHA-256", "n,,n=,r=MfRoJAJDOvKYrX+rPmSrkAKV", sfirst, &err), 0);
    cr_assert_str_eq(sfirst, "r=MfRoJAJDOvKYrX+rPmSrkAKVDuIve6H8FBmQc0Y2Qgm7m6JV,"
                             "s=6y1s22cSDi0ZRFFsVCZPfw==,i=4096");
    cr_assert_eq(do_final(sc,
                          "c=biws,r=MfRoJAJDOvKYrX+rPmSrkAKVDuIve6H8FBmQc0Y2Qgm7m6JV,"
                          "p=MqH2zPLNw45Q7aPsRdfFsTKJFgkvjRiidlMfIdq0zZg=",
                          sfinal, &err),
                 0, "%s %s", err.message, err.detail);
    cr_assert_str_eq(sfinal, "v=umW9sZP/28kLePycSRE2cE/1MvUTrF8Sl2ZK81GGzjo=");
    srv_scram_free(sc);
}

/* ------------------------------------------------------------ verifiers */

Test(scram, verifier_round_trip)
{
    char v[SRV_SCRAM_VERIFIER_MAX], v2[SRV_SCRAM_VERIFIER_MAX];
    cr_assert_eq(srv_scram_make_verifier("s3cret", SRV_SCRAM_DEFAULT_ITERATIONS, v, sizeof(v)), 0);
    cr_assert(strncmp(v, "SCRAM-SHA-256$4096:", 19) == 0, "%s", v);
    cr_assert(srv_scram_verify_password(v, "s3cret"));
    cr_assert_not(srv_scram_verify_password(v, "s3cret "));
    cr_assert_not(srv_scram_verify_password(v, ""));
    cr_assert_eq(srv_scram_make_verifier("s3cret", SRV_SCRAM_DEFAULT_ITERATIONS, v2, sizeof(v2)), 0);
    cr_assert_str_neq(v, v2, "random salt");
    /* Non-ASCII passwords are used as their raw bytes (see scram_prep_password). */
    cr_assert_eq(srv_scram_make_verifier("p\xc3\xa4sswort", 1000, v, sizeof(v)), 0);
    cr_assert(srv_scram_verify_password(v, "p\xc3\xa4sswort"));
    cr_assert_not(srv_scram_verify_password(v, "passwort"));
}

Test(scram, verifier_errors)
{
    char v[SRV_SCRAM_VERIFIER_MAX];
    cr_assert_eq(srv_scram_make_verifier("x", 4096, v, 40), -1, "too small for the output");
    cr_assert_eq(srv_scram_make_verifier("x", 0, v, sizeof(v)), -1);
    cr_assert_eq(srv_scram_make_verifier(NULL, 4096, v, sizeof(v)), -1);
    cr_assert_eq(srv_scram_make_verifier("pw", 4096, v, sizeof(v)), 0);
    const char *bad[] = {
        "",
        "md5c4ca4238a0b923820dcc509a6f75849b",
        "SCRAM-SHA-256$",
        "SCRAM-SHA-256$4096",
        "SCRAM-SHA-256$4096:",
        "SCRAM-SHA-256$0:W22ZaJ0SNY7soEsUEjb6gQ==$AAAA:AAAA",
        "SCRAM-SHA-256$x:W22ZaJ0SNY7soEsUEjb6gQ==$AAAA:AAAA",
        "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$AAAA:AAAA",
        "SCRAM-SHA-256$4096:!!!!$AAAA:AAAA",
        "SCRAM-SHA-256$99999999999:W22ZaJ0SNY7soEsUEjb6gQ==$AAAA:AAAA",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        cr_assert_not(srv_scram_verify_password(bad[i], "pw"), "%s", bad[i]);
    cr_assert_not(srv_scram_verify_password(NULL, "pw"));
    /* Every truncation of a good verifier is rejected. */
    for (size_t n = 0; n < strlen(v); n++) {
        char t[SRV_SCRAM_VERIFIER_MAX];
        memcpy(t, v, n);
        t[n] = '\0';
        cr_assert_not(srv_scram_verify_password(t, "pw"), "%s", t);
    }
}

/* ------------------------------------------------------------- exchange */

Test(scram, full_exchange_and_mechanisms)
{
    char v[SRV_SCRAM_VERIFIER_MAX];
    pgw_error err;
    cr_assert_eq(srv_scram_make_verifier("hunter2", 4096, v, sizeof(v)), 0);
    srv_scram *sc = srv_scram_new(v, NULL, 0);
    buf m;
    buf_init(&m);
    srv_scram_mechanisms(sc, &m);
    cr_assert_eq(m.len, sizeof("SCRAM-SHA-256") + 1);
    cr_assert(memcmp(m.data, "SCRAM-SHA-256\0\0", m.len) == 0);
    buf_free(&m);
    srv_scram_free(sc);
    cr_assert_eq(exchange(v, "hunter2", &err), 0, "%s", err.message);
}

Test(scram, random_server_nonce)
{
    char v[SRV_SCRAM_VERIFIER_MAX], a[512], b[512], na[128], nb[128];
    pgw_error err;
    cr_assert_eq(srv_scram_make_verifier("pw", 4096, v, sizeof(v)), 0);
    srv_scram *s1 = srv_scram_new(v, NULL, 0), *s2 = srv_scram_new(v, NULL, 0);
    cr_assert_eq(do_first(s1, "SCRAM-SHA-256", "n,,n=,r=abc", a, &err), 0);
    cr_assert_eq(do_first(s2, "SCRAM-SHA-256", "n,,n=,r=abc", b, &err), 0);
    get_attr(a, 'r', na, sizeof(na));
    get_attr(b, 'r', nb, sizeof(nb));
    cr_assert_eq(strlen(na), 3 + 24, "18 random bytes in base64");
    cr_assert_str_neq(na, nb);
    srv_scram_free(s1);
    srv_scram_free(s2);
}

Test(scram, wrong_password)
{
    char v[SRV_SCRAM_VERIFIER_MAX];
    pgw_error err;
    cr_assert_eq(srv_scram_make_verifier("hunter2", 4096, v, sizeof(v)), 0);
    cr_assert_eq(exchange(v, "hunter3", &err), -1);
    assert_state(&err, "28P01", "password authentication failed for user \"alice\"");
}

Test(scram, mock_verifier_always_fails)
{
    pgw_error err;
    char a[512], b[512], sa[64], sb[64];
    srv_scram *s1 = srv_scram_new(NULL, NULL, 0), *s2 = srv_scram_new(NULL, NULL, 0);
    cr_assert_eq(do_first(s1, "SCRAM-SHA-256", "n,,n=,r=abc", a, &err), 0);
    cr_assert_eq(do_first(s2, "SCRAM-SHA-256", "n,,n=,r=abc", b, &err), 0);
    get_attr(a, 's', sa, sizeof(sa));
    get_attr(b, 's', sb, sizeof(sb));
    cr_assert_str_eq(sa, sb, "the mock salt is stable");
    cr_assert_eq(strlen(sa), 24, "16 bytes like a real salt");
    cr_assert(strstr(a, ",i=4096"));
    srv_scram_free(s1);
    srv_scram_free(s2);
    /* Any password fails, at the very end, with the ordinary message. */
    cr_assert_eq(exchange(NULL, "", &err), -1);
    assert_state(&err, "28P01", "password authentication failed for user \"alice\"");
    cr_assert_eq(exchange("not a verifier", "x", &err), -1);
    assert_state(&err, "28P01", NULL);
}

Test(scram, state_machine)
{
    char v[SRV_SCRAM_VERIFIER_MAX], sfirst[512], sfinal[128];
    pgw_error err;
    cr_assert_eq(srv_scram_make_verifier("pw", 4096, v, sizeof(v)), 0);
    srv_scram *sc = srv_scram_new(v, NULL, 0);
    cr_assert_eq(do_final(sc, "c=biws,r=x,p=AAAA", sfinal, &err), -1, "final before first");
    assert_state(&err, "08P01", NULL);
    cr_assert_eq(do_first(sc, "SCRAM-SHA-256", "n,,n=,r=abc", sfirst, &err), -1,
                 "no retry after an error");
    srv_scram_free(sc);
    sc = srv_scram_new(v, NULL, 0);
    cr_assert_eq(do_first(sc, "SCRAM-SHA-256", "n,,n=,r=abc", sfirst, &err), 0);
    cr_assert_eq(do_first(sc, "SCRAM-SHA-256", "n,,n=,r=abc", sfirst, &err), -1, "first twice");
    srv_scram_free(sc);
}

/* ------------------------------------------------------------ malformed */

typedef struct bad_case {
    const char *msg;
    const char *sqlstate;
} bad_case;

static void expect_first_fails(const char *mech, const uint8_t *msg, size_t len, const char *state)
{
    srv_scram *sc = srv_scram_new(NULL, NULL, 0);
    buf out;
    buf_init(&out);
    pgw_error err;
    pgw_error_clear(&err);
    cr_assert_eq(srv_scram_client_first(sc, mech, msg, len, &out, &err), -1, "%.*s", (int)len,
                 (const char *)msg);
    cr_assert_eq(out.len, 0);
    assert_state(&err, state, NULL);
    buf_free(&out);
    srv_scram_free(sc);
}

Test(scram, malformed_client_first)
{
    static const bad_case cases[] = {
        {"x", "08P01"},
        {"n", "08P01"},
        {"n,", "08P01"},
        {"n,,", "08P01"},
        {"n,,n", "08P01"},
        {"n,,n=", "08P01"},
        {"n,,n=,", "08P01"},
        {"n,,n=,r", "08P01"},
        {"n,,r=abc", "08P01"},
        {"n,,n=,x=abc", "08P01"},
        {"n,,n=,r=ab,c", "08P01"},
        {"n,,n=,r=ab,1=x", "08P01"},
        {"n,,n=,r=ab,=x", "08P01"},
        {"q,,n=,r=abc", "08P01"},
        {"n;,n=,r=abc", "08P01"},
        {"n,x,n=,r=abc", "08P01"},
        {"n,,n=,r=a\x01" "b", "08P01"},
        {"n,,n=,r=a\xff" "b", "08P01"},
        {"p=tls-server-end-point,,n=,r=abc", "08P01"},
        {"n,a=bob,n=,r=abc", "0A000"},
        {"n,,m=ext,n=,r=abc", "0A000"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        expect_first_fails("SCRAM-SHA-256", (const uint8_t *)cases[i].msg, strlen(cases[i].msg),
                           cases[i].sqlstate);
    expect_first_fails("SCRAM-SHA-256", (const uint8_t *)"", 0, "08P01");
    expect_first_fails("SCRAM-SHA-256", NULL, 0, "08P01");
    expect_first_fails("SCRAM-SHA-256", (const uint8_t *)"n,,n=\0,r=abc", 12, "08P01");
    expect_first_fails("SCRAM-SHA-1", (const uint8_t *)"n,,n=,r=abc", 11, "08P01");
    expect_first_fails(NULL, (const uint8_t *)"n,,n=,r=abc", 11, "08P01");
    /* -PLUS without TLS endpoint data is not on offer. */
    expect_first_fails("SCRAM-SHA-256-PLUS", (const uint8_t *)"p=tls-server-end-point,,n=,r=a",
                       30, "08P01");
}

Test(scram, malformed_message_wording)
{
    srv_scram *sc = srv_scram_new(NULL, NULL, 0);
    char sfirst[512];
    pgw_error err;
    cr_assert_eq(do_first(sc, "SCRAM-SHA-256", "n,,n=,x=abc", sfirst, &err), -1);
    assert_state(&err, "08P01", "malformed SCRAM message");
    cr_assert_str_eq(err.detail, "Expected attribute \"r\" but found \"'x'\".");
    srv_scram_free(sc);
}

/* A valid first exchange, then `final` as the client-final-message. */
static void expect_final_fails(const char *final, const char *state, const char *message)
{
    char v[SRV_SCRAM_VERIFIER_MAX], sfirst[512], sfinal[128];
    pgw_error err;
    make_verifier_salt("pencil", "W22ZaJ0SNY7soEsUEjb6gQ==", v, sizeof(v));
    srv_scram__set_nonce_for_test("SNONCE");
    srv_scram *sc = srv_scram_new(v, NULL, 0);
    cr_assert_eq(do_first(sc, "SCRAM-SHA-256", "n,,n=,r=CNONCE", sfirst, &err), 0);
    cr_assert_eq(do_final(sc, final, sfinal, &err), -1, "%s", final);
    assert_state(&err, state, message);
    srv_scram_free(sc);
}

Test(scram, malformed_client_final)
{
    const char *proof = "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    char m[256];
    expect_final_fails("c", "08P01", "malformed SCRAM message");
    expect_final_fails("c=biws", "08P01", "malformed SCRAM message");
    expect_final_fails("c=biws,r=CNONCESNONCE", "08P01", "malformed SCRAM message");
    expect_final_fails("c=biws,r=CNONCESNONCE,p=", "08P01", "malformed SCRAM message");
    expect_final_fails("c=biws,r=CNONCESNONCE,p=!!!!", "08P01", "malformed SCRAM message");
    expect_final_fails("c=biws,r=CNONCESNONCE,p=QUJD", "08P01", "malformed SCRAM message");
    expect_final_fails("c=biws,r=CNONCESNONCE,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ",
                       "08P01", "malformed SCRAM message");
    expect_final_fails("r=CNONCESNONCE,c=biws", "08P01", "malformed SCRAM message");
    snprintf(m, sizeof(m), "c=eSws,r=CNONCESNONCE,%s", proof);
    expect_final_fails(m, "08P01",
                       "unexpected SCRAM channel-binding attribute in client-final-message");
    snprintf(m, sizeof(m), "c=!!!!,r=CNONCESNONCE,%s", proof);
    expect_final_fails(m, "08P01",
                       "unexpected SCRAM channel-binding attribute in client-final-message");
    snprintf(m, sizeof(m), "c=biws,r=CNONCESNONCX,%s", proof);
    expect_final_fails(m, "08P01", "invalid SCRAM response");
    snprintf(m, sizeof(m), "c=biws,r=CNONCE,%s", proof);
    expect_final_fails(m, "08P01", "invalid SCRAM response");
    snprintf(m, sizeof(m), "c=biws,r=CNONCESNONCE,%s,x=1", proof);
    expect_final_fails(m, "08P01", "malformed SCRAM message");
    /* Extensions before the proof are ignored; this proof is just wrong. */
    snprintf(m, sizeof(m), "c=biws,r=CNONCESNONCE,x=1,%s", proof);
    expect_final_fails(m, "28P01", NULL);
}

/* Every prefix of a good exchange, and random bytes: errors, no crash. */
Test(scram, truncated_and_random_input)
{
    char v[SRV_SCRAM_VERIFIER_MAX], sfirst[512], final[1024], expect_v[64];
    pgw_error err;
    cr_assert_eq(srv_scram_make_verifier("pw", 1, v, sizeof(v)), 0);
    const char *cfirst = "n,,n=,r=fyko+d2lbbFgONRv9qkxdawL";
    for (size_t n = 0; n < strlen(cfirst); n++) {
        srv_scram *sc = srv_scram_new(v, NULL, 0);
        uint8_t *exact = malloc(n ? n : 1); /* exact size: no terminator to lean on */
        memcpy(exact, cfirst, n);
        buf out;
        buf_init(&out);
        if (srv_scram_client_first(sc, "SCRAM-SHA-256", exact, n, &out, &err) < 0)
            cr_assert(pgw_error_is_set(&err));
        buf_free(&out);
        free(exact);
        srv_scram_free(sc);
    }
    srv_scram *sc = srv_scram_new(v, NULL, 0);
    cr_assert_eq(do_first(sc, "SCRAM-SHA-256", cfirst, sfirst, &err), 0);
    client_final_for("pw", cfirst + 3, sfirst, "biws", final, sizeof(final), expect_v);
    srv_scram_free(sc);
    for (size_t n = 0; n < strlen(final); n++) {
        sc = srv_scram_new(v, NULL, 0);
        cr_assert_eq(do_first(sc, "SCRAM-SHA-256", cfirst, sfirst, &err), 0);
        client_final_for("pw", cfirst + 3, sfirst, "biws", final, sizeof(final), expect_v);
        uint8_t *exact = malloc(n ? n : 1);
        memcpy(exact, final, n);
        buf out;
        buf_init(&out);
        cr_assert_eq(srv_scram_client_final(sc, "u", exact, n, &out, &err), -1, "prefix %zu", n);
        cr_assert_str_eq(err.sqlstate, "08P01", "prefix %zu: %s", n, err.message);
        buf_free(&out);
        free(exact);
        srv_scram_free(sc);
    }
    srand(12345);
    for (int i = 0; i < 3000; i++) {
        uint8_t junk[96];
        size_t n = (size_t)rand() % sizeof(junk);
        for (size_t k = 0; k < n; k++)
            junk[k] = (uint8_t)(i % 3 ? "nyp,=racv"[rand() % 9] : rand());
        sc = srv_scram_new(v, NULL, 0);
        buf out;
        buf_init(&out);
        if (srv_scram_client_first(sc, "SCRAM-SHA-256", junk, n, &out, &err) == 0)
            cr_assert_eq(srv_scram_client_final(sc, "u", junk, n, &out, &err), -1);
        buf_free(&out);
        srv_scram_free(sc);
    }
}

/* ------------------------------------------------------ channel binding */

static const uint8_t endpoint[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                     17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};

/* -PLUS exchange; `hash` is what the client saw as the server's cert. */
static int plus_exchange(const uint8_t *hash, pgw_error *err)
{
    char v[SRV_SCRAM_VERIFIER_MAX], sfirst[512], final[1024], expect_v[64], sfinal[128];
    cr_assert_eq(srv_scram_make_verifier("pw", 4096, v, sizeof(v)), 0);
    srv_scram *sc = srv_scram_new(v, endpoint, sizeof(endpoint));
    const char *cfirst = "p=tls-server-end-point,,n=,r=abcdef";
    cr_assert_eq(do_first(sc, "SCRAM-SHA-256-PLUS", cfirst, sfirst, err), 0, "%s", err->detail);
    uint8_t cbind[24 + 32];
    char cbind_b64[128];
    memcpy(cbind, "p=tls-server-end-point,,", 24);
    memcpy(cbind + 24, hash, 32);
    b64enc(cbind, sizeof(cbind), cbind_b64);
    client_final_for("pw", cfirst + 24, sfirst, cbind_b64, final, sizeof(final), expect_v);
    int rc = do_final(sc, final, sfinal, err);
    if (rc == 0)
        cr_assert_str_eq(sfinal, expect_v);
    srv_scram_free(sc);
    return rc;
}

Test(scram, channel_binding_success)
{
    pgw_error err;
    srv_scram *sc = srv_scram_new(NULL, endpoint, sizeof(endpoint));
    buf m;
    buf_init(&m);
    srv_scram_mechanisms(sc, &m);
    static const char want[] = "SCRAM-SHA-256-PLUS\0SCRAM-SHA-256\0";
    cr_assert_eq(m.len, sizeof(want));
    cr_assert(memcmp(m.data, want, sizeof(want)) == 0, "PLUS first, then a final NUL");
    buf_free(&m);
    srv_scram_free(sc);
    cr_assert_eq(plus_exchange(endpoint, &err), 0, "%s", err.message);
}

Test(scram, channel_binding_mismatch)
{
    pgw_error err;
    uint8_t other[32];
    memcpy(other, endpoint, 32);
    other[31] ^= 1;
    cr_assert_eq(plus_exchange(other, &err), -1);
    assert_state(&err, "28000", "SCRAM channel binding check failed");
}

Test(scram, channel_binding_negotiation)
{
    char sfirst[512], sfinal[128], final[1024], expect_v[64];
    char v[SRV_SCRAM_VERIFIER_MAX];
    pgw_error err;
    cr_assert_eq(srv_scram_make_verifier("pw", 4096, v, sizeof(v)), 0);
    /* 'y' while we offered -PLUS: a downgrade by someone in the middle. */
    srv_scram *sc = srv_scram_new(v, endpoint, sizeof(endpoint));
    cr_assert_eq(do_first(sc, "SCRAM-SHA-256", "y,,n=,r=abc", sfirst, &err), -1);
    assert_state(&err, "28000", "SCRAM channel binding negotiation error");
    srv_scram_free(sc);
    /* -PLUS chosen but no binding in the header. */
    sc = srv_scram_new(v, endpoint, sizeof(endpoint));
    cr_assert_eq(do_first(sc, "SCRAM-SHA-256-PLUS", "n,,n=,r=abc", sfirst, &err), -1);
    assert_state(&err, "08P01", "malformed SCRAM message");
    srv_scram_free(sc);
    sc = srv_scram_new(v, endpoint, sizeof(endpoint));
    cr_assert_eq(do_first(sc, "SCRAM-SHA-256-PLUS", "p=tls-unique,,n=,r=abc", sfirst, &err), -1);
    assert_state(&err, "08P01", "unsupported SCRAM channel-binding type \"tls-unique\"");
    srv_scram_free(sc);
    /* Without TLS a 'y' client is fine, and must repeat it as c=eSws. */
    sc = srv_scram_new(v, NULL, 0);
    cr_assert_eq(do_first(sc, "SCRAM-SHA-256", "y,,n=,r=abc", sfirst, &err), 0);
    client_final_for("pw", "n=,r=abc", sfirst, "eSws", final, sizeof(final), expect_v);
    cr_assert_eq(do_final(sc, final, sfinal, &err), 0, "%s", err.message);
    srv_scram_free(sc);
    /* On TLS a client may still pick plain SCRAM-SHA-256 with 'n'. */
    sc = srv_scram_new(v, endpoint, sizeof(endpoint));
    cr_assert_eq(do_first(sc, "SCRAM-SHA-256", "n,,n=,r=abc", sfirst, &err), 0);
    client_final_for("pw", "n=,r=abc", sfirst, "biws", final, sizeof(final), expect_v);
    cr_assert_eq(do_final(sc, final, sfinal, &err), 0, "%s", err.message);
    srv_scram_free(sc);
}

/* --------------------------------------------------------------- memory */

Test(scram, no_leaks_and_allocation_failures)
{
    char v[SRV_SCRAM_VERIFIER_MAX];
    pgw_error err;
    cr_assert_eq(srv_scram_make_verifier("pw", 16, v, sizeof(v)), 0);
    size_t before = mem_bytes_in_use();
    cr_assert_eq(exchange(v, "pw", &err), 0);
    cr_assert_eq(exchange(v, "bad", &err), -1);
    cr_assert_eq(mem_bytes_in_use(), before, "every allocation returned");
    /* Fail the Nth allocation: each step fails cleanly with an error. */
    for (long n = 0; n < 12; n++) {
        mem_fail_after(n);
        srv_scram *sc = srv_scram_new(v, NULL, 0);
        char sfirst[512], sfinal[128], final[1024], expect_v[64];
        if (sc && do_first(sc, "SCRAM-SHA-256", "n,,n=,r=abc", sfirst, &err) == 0) {
            client_final_for("pw", "n=,r=abc", sfirst, "biws", final, sizeof(final), expect_v);
            if (do_final(sc, final, sfinal, &err) == 0)
                cr_assert_str_eq(sfinal, expect_v);
        }
        srv_scram_free(sc);
        mem_fail_after(-1);
    }
    cr_assert_eq(mem_bytes_in_use(), before);
}
