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
#include "oidc_keys.h"

static const char *const algs[] = {"RS256", "RS384", "RS512", "PS256", "PS384",
				   "PS512", "ES256", "ES384", "ES512"};

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
	if (!oidc_b64u_ok(token, (size_t)(dot - token)) ||
	    !oidc_b64u_ok(dot + 1, (size_t)(dot2 - dot - 1)) ||
	    !oidc_b64u_ok(dot2 + 1, strlen(dot2 + 1))) {
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

	if (!k->loaded && oidc_keys_refresh(k, err) < 0)
		return -1;
	/* Rotation: a kid we do not hold may be a key published since. */
	if (!kid_known(k, kid, kty) && kid && !fetched && oidc_keys_refresh(k, err) < 0)
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
