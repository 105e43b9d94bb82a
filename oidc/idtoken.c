/* idtoken.c — ID token verification (OpenID Connect Core §3.1.3.7) with
 * cjose, the JOSE library mod_auth_openidc uses: no JWK or JWS code of our
 * own. The header is read first only to pick the algorithm and the key:
 * `none` and every HMAC algorithm are refused before cjose sees the token
 * (an HS256 token "signed" with a public key is the classic confusion), and
 * a key is used only for the family of its type (RSA for RS/PS, EC for ES).
 * Every refusal says why in err->msg. */
#include <cjose/cjose.h>
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "oidc.h"
#include "oidc_http.h"

struct oidc_key {
	char *kid; /* NULL when the JWK has none */
	cjose_jwk_kty_t kty;
	cjose_jwk_t *jwk;
};

/* Debian 12's cjose (0.6.2.1) asserts, and so aborts the daemon, when its
 * base64url decoder meets a '=' inside a string or a length of 4n+1 (found
 * by tests/fuzz/fuzz_oidc.c; later cjose returns an error). Everything
 * handed to its decoder — the token's three parts and a JWK's key members —
 * is first checked to be strict unpadded base64url. */
static bool b64u_ok(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return false;
	}
	return n % 4 != 1;
}

static const char *const jwk_b64_members[] = {"n",  "e",  "d", "p", "q", "dp",
					      "dq", "qi", "x", "y", "k"};

static bool jwk_members_ok(const cJSON *j)
{
	for (size_t i = 0; i < sizeof(jwk_b64_members) / sizeof(jwk_b64_members[0]); i++) {
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(j, jwk_b64_members[i]);

		if (m && (!cJSON_IsString(m) || !b64u_ok(m->valuestring, strlen(m->valuestring))))
			return false;
	}
	return true;
}

static const char *const algs[] = {"RS256", "RS384", "RS512", "PS256", "PS384",
				   "PS512", "ES256", "ES384", "ES512"};

void oidc_keys_init(struct oidc_keys *k, oidc_jwks_fetch_fn fetch, void *fetch_ctx)
{
	memset(k, 0, sizeof(*k));
	k->fetch = fetch;
	k->fetch_ctx = fetch_ctx;
	pthread_mutex_init(&k->lock, NULL);
}

static void drop_keys(struct oidc_key *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].kid);
		cjose_jwk_release(v[i].jwk);
	}
	free(v);
}

void oidc_keys_free(struct oidc_keys *k)
{
	drop_keys(k->v, k->n);
	k->v = NULL;
	k->n = 0;
	pthread_mutex_destroy(&k->lock);
}

/* One JWK of the set into *out; 1 when it is a usable signing key. */
static int import_key(const cJSON *j, struct oidc_key *out)
{
	const cJSON *use = cJSON_GetObjectItemCaseSensitive(j, "use");
	const cJSON *kid = cJSON_GetObjectItemCaseSensitive(j, "kid");
	char *text;
	cjose_err cerr;

	if ((cJSON_IsString(use) && strcmp(use->valuestring, "sig") != 0) || !jwk_members_ok(j))
		return 0;
	if (!(text = cJSON_PrintUnformatted(j)))
		return 0;
	out->jwk = cjose_jwk_import(text, strlen(text), &cerr);
	free(text);
	if (!out->jwk)
		return 0;
	out->kty = cjose_jwk_get_kty(out->jwk, &cerr);
	/* A symmetric key in a provider's public JWKS is never a signing key
	 * of ours to trust. */
	if (out->kty != CJOSE_JWK_KTY_RSA && out->kty != CJOSE_JWK_KTY_EC) {
		cjose_jwk_release(out->jwk);
		return 0;
	}
	out->kid = cJSON_IsString(kid) ? strdup(kid->valuestring) : NULL;
	return 1;
}

int oidc_keys_load(struct oidc_keys *k, const char *json, size_t len, struct sb_err *err)
{
	cJSON *doc = cJSON_ParseWithLength(json, len);
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(doc, "keys"), *j;
	struct oidc_key *v = NULL;
	size_t n = 0;
	int rc = -1;

	if (!cJSON_IsArray(arr)) {
		sb_err_set(err, SB_E_PROTOCOL, "the provider's JWKS has no 'keys' array");
		goto out;
	}
	v = calloc(OIDC_JWKS_KEYS_MAX, sizeof(*v));
	if (!v) {
		sb_err_set(err, SB_E_NOMEM, "out of memory");
		goto out;
	}
	cJSON_ArrayForEach(j, arr)
	{
		if (n < OIDC_JWKS_KEYS_MAX && cJSON_IsObject(j))
			n += (size_t)import_key(j, &v[n]);
	}
	if (n == 0) {
		sb_err_set(err, SB_E_PROTOCOL,
			   "the provider's JWKS holds no RSA or EC signing key");
		goto out;
	}
	drop_keys(k->v, k->n);
	k->v = v;
	k->n = n;
	k->loaded = true;
	v = NULL;
	n = 0;
	rc = 0;
out:
	drop_keys(v, n);
	cJSON_Delete(doc);
	return rc;
}

static int refresh(struct oidc_keys *k, struct sb_err *err)
{
	char *json = NULL;
	size_t len = 0;
	int rc;

	if (!k->fetch)
		return sb_err_set(err, SB_E_INTERNAL, "no way to fetch the provider's JWKS");
	k->fetches++;
	if (k->fetch(k->fetch_ctx, &json, &len, err) < 0)
		return -1;
	rc = oidc_keys_load(k, json, len, err);
	free(json);
	return rc;
}

/* The protected header, decoded without trusting it: alg and kid. */
static cJSON *read_header(const char *token, struct sb_err *err)
{
	const char *dot = strchr(token, '.');
	uint8_t *raw = NULL;
	size_t n = 0;
	cjose_err cerr;
	cJSON *h = NULL;

	const char *dot2 = dot ? strchr(dot + 1, '.') : NULL;

	if (!dot2 || strchr(dot2 + 1, '.') || dot == token || dot2 == dot + 1) {
		sb_err_set(err, SB_E_PROTOCOL, "ID token is not a compact JWS (three parts)");
		return NULL;
	}
	if (!b64u_ok(token, (size_t)(dot - token)) || !b64u_ok(dot + 1, (size_t)(dot2 - dot - 1)) ||
	    !b64u_ok(dot2 + 1, strlen(dot2 + 1))) {
		sb_err_set(err, SB_E_PROTOCOL, "ID token is not base64url (RFC 7515 §2)");
		return NULL;
	}
	if (cjose_base64url_decode(token, (size_t)(dot - token), &raw, &n, &cerr))
		h = cJSON_ParseWithLength((const char *)raw, n);
	cjose_get_dealloc()(raw);
	if (!cJSON_IsObject(h)) {
		cJSON_Delete(h);
		sb_err_set(err, SB_E_PROTOCOL, "ID token header is not base64url JSON");
		return NULL;
	}
	return h;
}

static int check_alg(const cJSON *h, cjose_jwk_kty_t *kty, struct sb_err *err)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(h, "alg");

	if (!cJSON_IsString(a))
		return sb_err_set(err, SB_E_SECURITY,
				  "ID token refused: its header names no 'alg'");
	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		if (!strcmp(a->valuestring, algs[i])) {
			*kty = algs[i][0] == 'E' ? CJOSE_JWK_KTY_EC : CJOSE_JWK_KTY_RSA;
			return 0;
		}
	}
	return sb_err_set(
	    err, SB_E_SECURITY,
	    "ID token refused: algorithm '%.20s' is not accepted (only RS*, PS*, ES*; "
	    "never none or HS*)",
	    a->valuestring);
}

static bool kid_known(const struct oidc_keys *k, const char *kid, cjose_jwk_kty_t kty)
{
	for (size_t i = 0; i < k->n; i++)
		if (k->v[i].kty == kty && (!kid || (k->v[i].kid && !strcmp(k->v[i].kid, kid))))
			return true;
	return false;
}

/* Verifies the signature with the key(s) the header names; the caller holds
 * the lock. A kid the cache lacks triggers one JWKS fetch. */
static int verify_sig(struct oidc_keys *k, cjose_jws_t *jws, const char *kid, cjose_jwk_kty_t kty,
		      struct sb_err *err)
{
	bool fetched = !k->loaded;
	cjose_err cerr;

	if (!k->loaded && refresh(k, err) < 0)
		return -1;
	/* Rotation: a kid we do not hold may be a key published since. */
	if (!kid_known(k, kid, kty) && kid && !fetched && refresh(k, err) < 0)
		return -1;
	if (!kid_known(k, kid, kty))
		return sb_err_set(
		    err, SB_E_SECURITY,
		    "ID token refused: signed with key '%.100s', which the provider's "
		    "JWKS does not hold (another key)",
		    kid ? kid : "(no kid)");
	for (size_t i = 0; i < k->n; i++) {
		if (k->v[i].kty != kty || (kid && (!k->v[i].kid || strcmp(k->v[i].kid, kid))))
			continue;
		if (cjose_jws_verify(jws, k->v[i].jwk, &cerr))
			return 0;
	}
	return sb_err_set(err, SB_E_SECURITY,
			  "ID token refused: the signature does not verify with the provider's key "
			  "'%.100s' (signed by another key)",
			  kid ? kid : "(no kid)");
}

static int check_aud(const cJSON *c, const char *client_id, struct sb_err *err)
{
	const cJSON *aud = cJSON_GetObjectItemCaseSensitive(c, "aud"), *e;
	const cJSON *azp = cJSON_GetObjectItemCaseSensitive(c, "azp");
	int found = 0, n = 0;

	if (cJSON_IsString(aud) && !strcmp(aud->valuestring, client_id))
		return 0;
	if (cJSON_IsArray(aud)) {
		cJSON_ArrayForEach(e, aud)
		{
			n++;
			found |= cJSON_IsString(e) && !strcmp(e->valuestring, client_id);
		}
	}
	if (found && (n == 1 || !cJSON_IsString(azp) || !strcmp(azp->valuestring, client_id)))
		return 0;
	if (found)
		return sb_err_set(
		    err, SB_E_SECURITY,
		    "ID token refused: authorized party '%.100s' is not oidc_client_id "
		    "'%.100s'",
		    azp->valuestring, client_id);
	return sb_err_set(err, SB_E_SECURITY,
			  "ID token refused: its audience '%.100s' is not oidc_client_id '%.100s' "
			  "(another audience)",
			  cJSON_IsString(aud) ? aud->valuestring : "(not a string)", client_id);
}

static int num_claim(const cJSON *c, const char *name, long long *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(c, name);

	if (!cJSON_IsNumber(v))
		return -1;
	*out = (long long)v->valuedouble;
	return 0;
}

static int check_times(const cJSON *c, long long now, struct sb_err *err)
{
	long long exp, iat, nbf;

	if (num_claim(c, "exp", &exp) < 0)
		return sb_err_set(err, SB_E_SECURITY, "ID token refused: missing claim 'exp'");
	if (num_claim(c, "iat", &iat) < 0)
		return sb_err_set(err, SB_E_SECURITY, "ID token refused: missing claim 'iat'");
	if (now > exp + OIDC_LEEWAY)
		return sb_err_set(err, SB_E_SECURITY,
				  "ID token refused: expired at %lld, %lld s ago (leeway %d s)",
				  exp, now - exp, OIDC_LEEWAY);
	if (iat > now + OIDC_LEEWAY || iat > exp)
		return sb_err_set(err, SB_E_SECURITY,
				  "ID token refused: issued at %lld, in the future or after its "
				  "expiry %lld (now %lld)",
				  iat, exp, now);
	if (num_claim(c, "nbf", &nbf) == 0 && nbf > now + OIDC_LEEWAY)
		return sb_err_set(err, SB_E_SECURITY, "ID token refused: not valid before %lld",
				  nbf);
	return 0;
}

static int check_claims(const char *json, size_t len, const struct oidc_expect *want,
			char **username, struct sb_err *err)
{
	cJSON *c = cJSON_ParseWithLength(json, len);
	const char *claim = want->username_claim ? want->username_claim : "preferred_username";
	const cJSON *iss, *u;
	int rc = -1;

	if (!cJSON_IsObject(c)) {
		sb_err_set(err, SB_E_PROTOCOL, "ID token payload is not a JSON object");
		goto out;
	}
	iss = cJSON_GetObjectItemCaseSensitive(c, "iss");
	if (!cJSON_IsString(iss) || strcmp(iss->valuestring, want->issuer) != 0) {
		sb_err_set(err, SB_E_SECURITY,
			   "ID token refused: issued by '%.200s', expected oidc_issuer '%.200s'",
			   cJSON_IsString(iss) ? iss->valuestring : "(missing)", want->issuer);
		goto out;
	}
	if (check_aud(c, want->client_id, err) < 0 ||
	    check_times(c, want->now ? (long long)want->now : (long long)time(NULL), err) < 0)
		goto out;
	u = cJSON_GetObjectItemCaseSensitive(c, claim);
	if (!cJSON_IsString(u) || !u->valuestring[0]) {
		sb_err_set(err, SB_E_SECURITY, "ID token refused: missing claim '%.100s'", claim);
		goto out;
	}
	if (!(*username = strdup(u->valuestring))) {
		sb_err_set(err, SB_E_NOMEM, "out of memory");
		goto out;
	}
	rc = 0;
out:
	cJSON_Delete(c);
	return rc;
}

int oidc_idtoken_verify(struct oidc_keys *k, const struct oidc_expect *want, const char *token,
			char **username, struct sb_err *err)
{
	cJSON *h = read_header(token, err);
	const cJSON *kid;
	cjose_jwk_kty_t kty = CJOSE_JWK_KTY_RSA;
	cjose_jws_t *jws = NULL;
	uint8_t *payload = NULL;
	size_t plen = 0;
	cjose_err cerr;
	int rc = -1, locked = 0;

	*username = NULL;
	if (!h || check_alg(h, &kty, err) < 0)
		goto out;
	jws = cjose_jws_import(token, strlen(token), &cerr);
	if (!jws) {
		sb_err_set(err, SB_E_PROTOCOL, "ID token is not a valid JWS: %.200s", cerr.message);
		goto out;
	}
	kid = cJSON_GetObjectItemCaseSensitive(h, "kid");
	pthread_mutex_lock(&k->lock);
	locked = 1;
	if (verify_sig(k, jws, cJSON_IsString(kid) ? kid->valuestring : NULL, kty, err) < 0)
		goto out;
	pthread_mutex_unlock(&k->lock);
	locked = 0;
	if (!cjose_jws_get_plaintext(jws, &payload, &plen, &cerr)) {
		sb_err_set(err, SB_E_PROTOCOL, "ID token has no payload: %.200s", cerr.message);
		goto out;
	}
	rc = check_claims((const char *)payload, plen, want, username, err);
out:
	if (locked)
		pthread_mutex_unlock(&k->lock);
	cjose_jws_release(jws);
	cJSON_Delete(h);
	return rc;
}

int oidc_jwks_fetch_https(void *ctx, char **json, size_t *len, struct sb_err *err)
{
	const struct oidc_jwks_http *c = ctx;
	long status = 0;

	if (oidc_http(c->cfg, c->jwks_uri, NULL, OIDC_JWKS_MAX, &status, json, len, err) < 0)
		return -1;
	if (status == 200)
		return 0;
	free(*json);
	*json = NULL;
	sb_err_set(err, SB_E_HTTP, "%.200s: HTTP %ld", c->jwks_uri, status);
	if (err)
		err->http_status = status;
	return -1;
}
