/* discovery.c — OpenID Connect Discovery 1.0 §4: the provider's metadata at
 * <issuer>/.well-known/openid-configuration. The `issuer` it names must be
 * the configured one byte for byte (§4.3), so that a document served for
 * another issuer (a mix-up, a proxy) is refused before any token is
 * trusted. */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "oidc.h"
#include "oidc_http.h"

static int take_url(const cJSON *doc, const char *name, char **out, struct sb_err *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, name);

	if (!cJSON_IsString(v) || !v->valuestring[0])
		return sb_err_set(err, SB_E_PROTOCOL,
				  "provider metadata has no '%s' (is device flow enabled?)", name);
	if (strncmp(v->valuestring, "https://", 8) != 0)
		return sb_err_set(err, SB_E_SECURITY,
				  "provider metadata: '%s' is not https: '%.200s'", name,
				  v->valuestring);
	*out = strdup(v->valuestring);
	return *out ? 0 : sb_err_set(err, SB_E_NOMEM, "out of memory");
}

int oidc_discovery_parse(const char *issuer, const char *body, size_t len,
			 struct oidc_provider *out, struct sb_err *err)
{
	cJSON *doc = cJSON_ParseWithLength(body, len);
	const cJSON *iss;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (!cJSON_IsObject(doc)) {
		sb_err_set(err, SB_E_PROTOCOL, "provider metadata is not a JSON object");
		goto out;
	}
	iss = cJSON_GetObjectItemCaseSensitive(doc, "issuer");
	if (!cJSON_IsString(iss)) {
		sb_err_set(err, SB_E_PROTOCOL, "provider metadata has no 'issuer'");
		goto out;
	}
	if (strcmp(iss->valuestring, issuer) != 0) {
		sb_err_set(err, SB_E_SECURITY,
			   "provider metadata names issuer '%.200s', expected oidc_issuer '%.200s'",
			   iss->valuestring, issuer);
		goto out;
	}
	if (!(out->issuer = strdup(issuer))) {
		sb_err_set(err, SB_E_NOMEM, "out of memory");
		goto out;
	}
	if (take_url(doc, "device_authorization_endpoint", &out->device_authorization_endpoint,
		     err) < 0 ||
	    take_url(doc, "token_endpoint", &out->token_endpoint, err) < 0 ||
	    take_url(doc, "jwks_uri", &out->jwks_uri, err) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0)
		oidc_provider_free(out);
	cJSON_Delete(doc);
	return rc;
}

int oidc_discover(const struct sb_config *cfg, struct oidc_provider *out, struct sb_err *err)
{
	static const char wk[] = "/.well-known/openid-configuration";
	const char *iss = cfg->oidc_issuer;
	char *url = NULL, *body = NULL;
	size_t n, len = 0;
	long status = 0;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (!iss || strncmp(iss, "https://", 8) != 0)
		return sb_err_set(err, SB_E_CONFIG, "oidc_issuer must be an https:// URL");
	/* §4: a trailing '/' of the issuer is removed before appending. */
	n = strlen(iss);
	if (n > 8 && iss[n - 1] == '/')
		n--;
	url = malloc(n + sizeof(wk));
	if (!url)
		return sb_err_set(err, SB_E_NOMEM, "out of memory");
	memcpy(url, iss, n);
	memcpy(url + n, wk, sizeof(wk));
	if (oidc_http(cfg, url, NULL, OIDC_DISCOVERY_MAX, &status, &body, &len, err) < 0)
		goto out;
	if (status != 200) {
		sb_err_set(err, SB_E_HTTP, "%.200s: HTTP %ld", url, status);
		if (err)
			err->http_status = status;
		goto out;
	}
	rc = oidc_discovery_parse(iss, body, len, out, err);
out:
	free(url);
	free(body);
	return rc;
}

void oidc_provider_free(struct oidc_provider *p)
{
	free(p->issuer);
	free(p->device_authorization_endpoint);
	free(p->token_endpoint);
	free(p->jwks_uri);
	memset(p, 0, sizeof(*p));
}
