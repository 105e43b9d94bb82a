/* jwks.c — the provider's signing keys (a JWKS) for ID token
 * verification: loaded with cjose, refetched by idtoken.c on an unknown
 * kid, fetched over HTTPS by the daemon (oidc_jwks_fetch_https). */
#include <cjose/cjose.h>
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "oidc_http.h"
#include "oidc_keys.h"

/* Debian 12's cjose (0.6.2.1) asserts, and so aborts the daemon, when its
 * base64url decoder meets a '=' inside a string or a length of 4n+1 (found
 * by tests/fuzz/fuzz_oidc.c; later cjose returns an error). Everything
 * handed to its decoder — the token's three parts and a JWK's key members —
 * is first checked to be strict unpadded base64url. */
bool oidc_b64u_ok(const char *s, size_t n)
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

		if (m &&
		    (!cJSON_IsString(m) || !oidc_b64u_ok(m->valuestring, strlen(m->valuestring))))
			return false;
	}
	return true;
}

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

int oidc_keys_refresh(struct oidc_keys *k, struct sb_err *err)
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
