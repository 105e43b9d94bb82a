/* test_oidc.c — ID token verification (oidc/idtoken.c) against tokens made
 * here with cjose: good RS256 and ES256 tokens, another key under the same
 * kid, an unknown kid (one JWKS refresh, then refused or, after rotation,
 * accepted), another audience, expired, another issuer, alg none and HS256,
 * a missing username claim; and discovery's checks (oidc/discovery.c). The
 * JWKS comes from a fetch hook that counts its calls. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjose/cjose.h>
#include <cmocka.h>

#include "oidc.h"

#define ISS   "https://idp.example.com/oauth2/default"
#define AUD   "scimbridge-host"
#define NOW   1800000000L
#define CLAIM "\"iss\":\"" ISS "\",\"sub\":\"00u1\",\"preferred_username\":\"alice\""

static cjose_jwk_t *rsa1, *rsa2, *ec1;
static char jwks[16384]; /* what the fetch hook serves */
static unsigned fetch_calls;
static int fetch_fails;

static int fetch(void *ctx, char **json, size_t *len, struct sb_err *err)
{
	(void)ctx;
	fetch_calls++;
	if (fetch_fails)
		return sb_err_set(err, SB_E_NETWORK, "jwks: connection refused");
	*json = strdup(jwks);
	*len = strlen(jwks);
	return 0;
}

static cjose_jwk_t *key(cjose_jwk_t *k, const char *kid)
{
	cjose_err cerr;

	assert_non_null(k);
	assert_true(cjose_jwk_set_kid(k, kid, strlen(kid), &cerr));
	return k;
}

/* Serves the public halves of the given keys (NULL-terminated). */
static void serve(cjose_jwk_t *k, ...)
{
	va_list ap;
	size_t n = 0;
	cjose_err cerr;

	n += (size_t)snprintf(jwks + n, sizeof(jwks) - n, "{\"keys\":[");
	va_start(ap, k);
	for (cjose_jwk_t *j = k; j; j = va_arg(ap, cjose_jwk_t *)) {
		char *pub = cjose_jwk_to_json(j, false, &cerr);

		assert_non_null(pub);
		n += (size_t)snprintf(jwks + n, sizeof(jwks) - n, "%s%s", j == k ? "" : ",", pub);
		cjose_get_dealloc()(pub);
	}
	va_end(ap);
	snprintf(jwks + n, sizeof(jwks) - n, "]}");
}

/* A compact JWS of payload signed by k with alg, under kid (NULL: none). */
static char *sign(cjose_jwk_t *k, const char *alg, const char *kid, const char *payload)
{
	cjose_err cerr;
	cjose_header_t *h = cjose_header_new(&cerr);
	cjose_jws_t *jws;
	const char *ser = NULL;
	char *out;

	assert_true(cjose_header_set(h, CJOSE_HDR_ALG, alg, &cerr));
	if (kid)
		assert_true(cjose_header_set(h, CJOSE_HDR_KID, kid, &cerr));
	jws = cjose_jws_sign(k, h, (const uint8_t *)payload, strlen(payload), &cerr);
	assert_non_null(jws);
	assert_true(cjose_jws_export(jws, &ser, &cerr));
	out = strdup(ser);
	cjose_jws_release(jws);
	cjose_header_release(h);
	return out;
}

static char *claims(const char *aud, long iat, long exp)
{
	static char buf[512];

	snprintf(buf, sizeof(buf), "{" CLAIM ",\"aud\":%s,\"iat\":%ld,\"exp\":%ld}", aud, iat, exp);
	return buf;
}

static const struct oidc_expect want = {ISS, AUD, NULL, NOW};

/* Verifies tok with a fresh cache; returns the rc, the username or the
 * reason in *out (malloc'd). */
static int verify_with(struct oidc_keys *k, const struct oidc_expect *w, char *tok, char **out,
		       struct sb_err *err)
{
	int rc;

	memset(err, 0, sizeof(*err));
	rc = oidc_idtoken_verify(k, w, tok, out, err);
	free(tok);
	if (rc < 0)
		*out = strdup(err->msg);
	return rc;
}

static int verify(char *tok, char **out, struct sb_err *err)
{
	struct oidc_keys k;
	int rc;

	oidc_keys_init(&k, fetch, NULL);
	rc = verify_with(&k, &want, tok, out, err);
	oidc_keys_free(&k);
	return rc;
}

static int setup(void **state)
{
	cjose_err cerr;

	(void)state;
	rsa1 = key(cjose_jwk_create_RSA_random(2048, NULL, 0, &cerr), "rsa1");
	rsa2 = key(cjose_jwk_create_RSA_random(2048, NULL, 0, &cerr), "rsa2");
	ec1 = key(cjose_jwk_create_EC_random(CJOSE_JWK_EC_P_256, &cerr), "ec1");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	cjose_jwk_release(rsa1);
	cjose_jwk_release(rsa2);
	cjose_jwk_release(ec1);
	return 0;
}

static void test_good_tokens(void **state)
{
	struct oidc_keys k;
	struct sb_err err;
	char *u = NULL;

	(void)state;
	serve(rsa1, ec1, NULL);
	fetch_calls = 0;
	oidc_keys_init(&k, fetch, NULL);
	assert_int_equal(verify_with(&k, &want,
				     sign(rsa1, CJOSE_HDR_ALG_RS256, "rsa1",
					  claims("\"" AUD "\"", NOW - 5, NOW + 300)),
				     &u, &err),
			 0);
	assert_string_equal(u, "alice");
	free(u);
	/* ES256, aud as an array holding ours, from the cache: no second fetch */
	assert_int_equal(verify_with(&k, &want,
				     sign(ec1, CJOSE_HDR_ALG_ES256, "ec1",
					  claims("[\"" AUD "\"]", NOW - 5, NOW + 300)),
				     &u, &err),
			 0);
	assert_string_equal(u, "alice");
	free(u);
	assert_int_equal(fetch_calls, 1);
	assert_int_equal(k.fetches, 1);
	oidc_keys_free(&k);
	/* within the leeway of exp */
	assert_int_equal(verify(sign(rsa1, CJOSE_HDR_ALG_RS256, "rsa1",
				     claims("\"" AUD "\"", NOW - 600, NOW - OIDC_LEEWAY + 1)),
				&u, &err),
			 0);
	free(u);
}

/* The refusals: each must name its reason. */
static void expect_refused(char *tok, const char *reason)
{
	struct sb_err err;
	char *why = NULL;

	assert_int_equal(verify(tok, &why, &err), -1);
	if (!strstr(why, reason))
		fail_msg("reason '%s' does not contain '%s'", why, reason);
	free(why);
}

static void test_another_key(void **state)
{
	(void)state;
	serve(rsa1, ec1, NULL);
	/* rsa2 signs but claims to be rsa1: the signature fails */
	expect_refused(
	    sign(rsa2, CJOSE_HDR_ALG_RS256, "rsa1", claims("\"" AUD "\"", NOW, NOW + 300)),
	    "signature does not verify with the provider's key 'rsa1'");
	/* an RSA key named by an ES256 header is not the EC key's family */
	expect_refused(
	    sign(rsa1, CJOSE_HDR_ALG_RS256, "ec1", claims("\"" AUD "\"", NOW, NOW + 300)),
	    "JWKS does not hold (another key)");
}

static void test_unknown_kid_refresh(void **state)
{
	struct oidc_keys k;
	struct sb_err err;
	char *u = NULL;

	(void)state;
	serve(rsa1, NULL);
	fetch_calls = 0;
	oidc_keys_init(&k, fetch, NULL);
	assert_int_equal(verify_with(&k, &want,
				     sign(rsa1, CJOSE_HDR_ALG_RS256, "rsa1",
					  claims("\"" AUD "\"", NOW, NOW + 300)),
				     &u, &err),
			 0);
	free(u);
	/* rsa2 is not published yet: one refresh, then refused */
	assert_int_equal(verify_with(&k, &want,
				     sign(rsa2, CJOSE_HDR_ALG_RS256, "rsa2",
					  claims("\"" AUD "\"", NOW, NOW + 300)),
				     &u, &err),
			 -1);
	assert_non_null(
	    strstr(u, "signed with key 'rsa2', which the provider's JWKS does not hold"));
	free(u);
	assert_int_equal(fetch_calls, 2);
	/* the provider rotates: the next unknown kid refreshes and verifies */
	serve(rsa2, rsa1, NULL);
	assert_int_equal(verify_with(&k, &want,
				     sign(rsa2, CJOSE_HDR_ALG_RS256, "rsa2",
					  claims("\"" AUD "\"", NOW, NOW + 300)),
				     &u, &err),
			 0);
	assert_string_equal(u, "alice");
	free(u);
	assert_int_equal(fetch_calls, 3);
	/* a known kid never refetches */
	assert_int_equal(verify_with(&k, &want,
				     sign(rsa1, CJOSE_HDR_ALG_RS256, "rsa1",
					  claims("\"" AUD "\"", NOW, NOW + 300)),
				     &u, &err),
			 0);
	free(u);
	assert_int_equal(fetch_calls, 3);
	oidc_keys_free(&k);
	/* a JWKS that cannot be fetched is a network error, not a refusal */
	fetch_fails = 1;
	assert_int_equal(
	    verify(sign(rsa1, CJOSE_HDR_ALG_RS256, "rsa1", claims("\"" AUD "\"", NOW, NOW + 300)),
		   &u, &err),
	    -1);
	fetch_fails = 0;
	assert_int_equal(err.kind, SB_E_NETWORK);
	free(u);
}

static void test_claims_refused(void **state)
{
	char buf[512];

	(void)state;
	serve(rsa1, NULL);
	expect_refused(
	    sign(rsa1, CJOSE_HDR_ALG_RS256, "rsa1", claims("\"another-client\"", NOW, NOW + 300)),
	    "audience 'another-client' is not oidc_client_id '" AUD "' (another audience)");
	expect_refused(sign(rsa1, CJOSE_HDR_ALG_RS256, "rsa1",
			    claims("[\"another-client\",\"x\"]", NOW, NOW + 300)),
		       "(another audience)");
	expect_refused(
	    sign(rsa1, CJOSE_HDR_ALG_RS256, "rsa1", claims("\"" AUD "\"", NOW - 7200, NOW - 3600)),
	    "expired at 1799996400, 3600 s ago");
	expect_refused(
	    sign(rsa1, CJOSE_HDR_ALG_RS256, "rsa1", claims("\"" AUD "\"", NOW + 3600, NOW + 7200)),
	    "in the future");
	snprintf(buf, sizeof(buf),
		 "{\"iss\":\"https://evil.example.com\",\"aud\":\"" AUD
		 "\",\"iat\":%ld,\"exp\":%ld,\"preferred_username\":\"alice\"}",
		 NOW, NOW + 300);
	expect_refused(sign(rsa1, CJOSE_HDR_ALG_RS256, "rsa1", buf),
		       "issued by 'https://evil.example.com', expected oidc_issuer '" ISS "'");
	snprintf(buf, sizeof(buf),
		 "{\"iss\":\"" ISS "\",\"aud\":\"" AUD "\",\"iat\":%ld,\"exp\":%ld}", NOW,
		 NOW + 300);
	expect_refused(sign(rsa1, CJOSE_HDR_ALG_RS256, "rsa1", buf),
		       "missing claim 'preferred_username'");
	snprintf(buf, sizeof(buf), "{\"iss\":\"" ISS "\",\"aud\":\"" AUD "\",\"iat\":%ld}", NOW);
	expect_refused(sign(rsa1, CJOSE_HDR_ALG_RS256, "rsa1", buf), "missing claim 'exp'");
}

/* alg none and HMAC are refused by name, before any key is looked at. */
static void test_alg_refused(void **state)
{
	const char *payload = claims("\"" AUD "\"", NOW, NOW + 300);
	const char hdr[] = "{\"alg\":\"none\",\"kid\":\"rsa1\"}";
	char *h64 = NULL, *p64 = NULL, *tok;
	size_t hn, pn;
	cjose_err cerr;
	cjose_jwk_t *oct;

	(void)state;
	serve(rsa1, NULL);
	assert_true(cjose_base64url_encode((const uint8_t *)hdr, strlen(hdr), &h64, &hn, &cerr));
	assert_true(
	    cjose_base64url_encode((const uint8_t *)payload, strlen(payload), &p64, &pn, &cerr));
	tok = malloc(hn + pn + 3);
	sprintf(tok, "%s.%s.", h64, p64);
	cjose_get_dealloc()(h64);
	cjose_get_dealloc()(p64);
	fetch_calls = 0;
	expect_refused(tok, "algorithm 'none' is not accepted");
	oct = key(cjose_jwk_create_oct_random(32, &cerr), "rsa1");
	expect_refused(sign(oct, CJOSE_HDR_ALG_HS256, "rsa1", payload),
		       "algorithm 'HS256' is not accepted");
	cjose_jwk_release(oct);
	assert_int_equal(fetch_calls, 0);
	expect_refused(strdup("not-a-token"), "not a compact JWS");
}

/* Debian's cjose asserts (aborts the process) on a '=' inside base64url or
 * a length of 4n+1; such tokens and JWKs are refused before cjose sees
 * them (found by fuzz_oidc). */
static void test_malformed_base64url(void **state)
{
	char *good = sign(rsa1, CJOSE_HDR_ALG_RS256, "rsa1", claims("\"" AUD "\"", NOW, NOW + 300));
	char *dot = strchr(good, '.'), *bad;
	const char *jwk = "{\"keys\":[{\"kty\":\"RSA\",\"n\":\"AB=CD\",\"e\":\"AQAB\"}]}";
	size_t hlen, pad;
	struct oidc_keys k;
	struct sb_err err = {0};

	(void)state;
	serve(rsa1, NULL);
	bad = strdup(good);
	bad[dot - good + 2] = '='; /* a '=' after one payload character */
	expect_refused(bad, "not base64url");
	/* the header padded with 'A's to 4n+1 characters */
	hlen = (size_t)(dot - good);
	pad = (5 - hlen % 4) % 4;
	bad = malloc(strlen(good) + pad + 1);
	memcpy(bad, good, hlen);
	memset(bad + hlen, 'A', pad);
	strcpy(bad + hlen + pad, dot);
	assert_int_equal((hlen + pad) % 4, 1);
	expect_refused(bad, "not base64url");
	expect_refused(strdup("eyJhbGciOiJSUzI1NiJ9.e30.AAAA.AAAA"), "not a compact JWS");
	free(good);
	/* a JWK whose modulus holds a '=' is skipped, not handed to cjose */
	oidc_keys_init(&k, NULL, NULL);
	assert_int_equal(oidc_keys_load(&k, jwk, strlen(jwk), &err), -1);
	assert_non_null(strstr(err.msg, "no RSA or EC signing key"));
	oidc_keys_free(&k);
}

static void test_custom_claim(void **state)
{
	struct oidc_expect w = {ISS, AUD, "email", NOW};
	struct oidc_keys k;
	struct sb_err err;
	char buf[512], *u = NULL;

	(void)state;
	serve(ec1, NULL);
	snprintf(buf, sizeof(buf),
		 "{\"iss\":\"" ISS "\",\"aud\":\"" AUD
		 "\",\"iat\":%ld,\"exp\":%ld,\"email\":\"bob@example.com\"}",
		 NOW, NOW + 300);
	oidc_keys_init(&k, fetch, NULL);
	assert_int_equal(verify_with(&k, &w, sign(ec1, CJOSE_HDR_ALG_ES256, "ec1", buf), &u, &err),
			 0);
	assert_string_equal(u, "bob@example.com");
	free(u);
	oidc_keys_free(&k);
}

static void test_discovery_parse(void **state)
{
	struct oidc_provider p;
	struct sb_err err = {0};
	char doc[1024];
	const char *fmt = "{\"issuer\":\"%s\",\"device_authorization_endpoint\":\"%s/device\","
			  "\"token_endpoint\":\"%s/token\",\"jwks_uri\":\"%s/jwks\"}";

	(void)state;
	snprintf(doc, sizeof(doc), fmt, ISS, ISS, ISS, ISS);
	assert_int_equal(oidc_discovery_parse(ISS, doc, strlen(doc), &p, &err), 0);
	assert_string_equal(p.token_endpoint, ISS "/token");
	assert_string_equal(p.device_authorization_endpoint, ISS "/device");
	assert_string_equal(p.jwks_uri, ISS "/jwks");
	oidc_provider_free(&p);
	/* a trailing slash is another issuer (exact comparison) */
	assert_int_equal(oidc_discovery_parse(ISS "/", doc, strlen(doc), &p, &err), -1);
	assert_int_equal(err.kind, SB_E_SECURITY);
	assert_non_null(strstr(err.msg, "names issuer '" ISS "', expected oidc_issuer '" ISS "/'"));
	snprintf(doc, sizeof(doc), fmt, ISS, "http://idp", ISS, ISS);
	assert_int_equal(oidc_discovery_parse(ISS, doc, strlen(doc), &p, &err), -1);
	assert_non_null(strstr(err.msg, "'device_authorization_endpoint' is not https"));
	snprintf(doc, sizeof(doc), "{\"issuer\":\"%s\",\"token_endpoint\":\"%s/t\"}", ISS, ISS);
	assert_int_equal(oidc_discovery_parse(ISS, doc, strlen(doc), &p, &err), -1);
	assert_non_null(strstr(err.msg, "no 'device_authorization_endpoint'"));
	assert_int_equal(oidc_discovery_parse(ISS, "[]", 2, &p, &err), -1);
}

/* The device authorization answer: what the user will be shown is refused
 * when it could write to their terminal or forge a key=value line. */
static void test_device_answer(void **state)
{
	static const char *bad[] = {
	    "\"user_code\":\"AB\\u001b[2JCD\",\"verification_uri\":\"https://p/d\"",
	    "\"user_code\":\"ABCD\",\"verification_uri\":\"https://p/d\\ninterval=0\"",
	    "\"user_code\":\"ABCD\",\"verification_uri\":\"https://p/\\u00e9\"",
	    "\"user_code\":\"AB CD\",\"verification_uri\":\"https://p/d\"",
	    "\"user_code\":\"ABCD\",\"verification_uri\":\"https://p/d\",\"verification_uri_complete\":\"https://p/d?c=\\u009b1m\"",
	};
	struct oidc_device_auth a;
	struct sb_err err = {0};
	char body[512];
	int n;

	(void)state;
	n = snprintf(body, sizeof(body),
		     "{\"device_code\":\"dc\",\"user_code\":\"WDJB-MJHT\","
		     "\"verification_uri\":\"https://p.example/device\","
		     "\"verification_uri_complete\":\"https://p.example/device?user_code=WDJB-MJHT\","
		     "\"expires_in\":600,\"interval\":5}");
	assert_int_equal(oidc_device_parse_start(body, (size_t)n, &a, &err), 0);
	assert_string_equal(a.user_code, "WDJB-MJHT");
	assert_string_equal(a.verification_uri, "https://p.example/device");
	assert_int_equal(a.interval, 5);
	oidc_device_auth_free(&a);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = snprintf(body, sizeof(body), "{\"device_code\":\"dc\",%s,\"expires_in\":600}",
			     bad[i]);
		assert_int_equal(oidc_device_parse_start(body, (size_t)n, &a, &err), -1);
		assert_non_null(strstr(err.msg, "not printable ASCII"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_good_tokens),		cmocka_unit_test(test_another_key),
	    cmocka_unit_test(test_unknown_kid_refresh), cmocka_unit_test(test_claims_refused),
	    cmocka_unit_test(test_alg_refused),		cmocka_unit_test(test_custom_claim),
	    cmocka_unit_test(test_discovery_parse),
	    cmocka_unit_test(test_device_answer),	cmocka_unit_test(test_malformed_base64url),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
