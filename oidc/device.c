/* device.c — the OAuth 2.0 device authorization grant (RFC 8628) for a
 * public client (client_id in the body, no secret): start an authorization
 * (§3.1-3.2) and poll the token endpoint once (§3.4-3.5). Waiting between
 * polls is the caller's business: the daemon will poll for the PAM module. */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "oidc.h"
#include "oidc_http.h"

#define DEVICE_GRANT "urn:ietf:params:oauth:grant-type:device_code"

static const char *str_item(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static long num_item(const cJSON *o, const char *name, long def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 86400 * 7)
		return def;
	return (long)v->valuedouble;
}

/* What the user is shown (the code, the URLs) crosses to their terminal
 * through PAM, and the daemon hands it to pam_scim as key=value lines: a
 * provider's value with a control byte, a space or a byte >= 0x80 (none
 * is in a URI or an RFC 8628 user code) is refused, not passed on. */
static bool shown_safe(const char *v)
{
	for (const unsigned char *p = (const unsigned char *)v; *p; p++)
		if (*p <= 0x20 || *p >= 0x7f)
			return false;
	return true;
}

/* Trust boundary: the provider's answer. `shown` marks a value the user
 * will see. */
static int dup_item(const cJSON *o, const char *name, bool required, bool shown, char **out,
		    struct sb_err *err)
{
	const char *v = str_item(o, name);

	*out = NULL;
	if (!v || !*v)
		return required ? sb_err_set(err, SB_E_PROTOCOL,
					     "device authorization answer has no '%s'", name)
				: 0;
	if (shown && (strlen(v) > OIDC_SHOWN_MAX || !shown_safe(v)))
		return sb_err_set(err, SB_E_PROTOCOL,
				  "device authorization answer: '%s' is not printable ASCII of at "
				  "most %d bytes; refused",
				  name, OIDC_SHOWN_MAX);
	*out = strdup(v);
	return *out ? 0 : sb_err_set(err, SB_E_NOMEM, "out of memory");
}

/* "provider said: error_code: description" into err. */
static void provider_error(const cJSON *doc, const char *what, long status, struct sb_err *err)
{
	const char *e = doc ? str_item(doc, "error") : NULL;
	const char *d = doc ? str_item(doc, "error_description") : NULL;

	if (e)
		sb_err_set(err, SB_E_AUTH, "%s: provider said: %.100s%s%.300s", what, e,
			   d ? ": " : "", d ? d : "");
	else
		sb_err_set(err, SB_E_HTTP, "%s: HTTP %ld without an OAuth error", what, status);
	if (err)
		err->http_status = status;
}

static int parse_start(const cJSON *doc, struct oidc_device_auth *out, struct sb_err *err);

int oidc_device_parse_start(const char *body, size_t len, struct oidc_device_auth *out,
			    struct sb_err *err)
{
	cJSON *doc = cJSON_ParseWithLength(body, len);
	int rc;

	memset(out, 0, sizeof(*out));
	if (!cJSON_IsObject(doc)) {
		cJSON_Delete(doc);
		return sb_err_set(err, SB_E_PROTOCOL,
				  "device authorization answer is not a JSON object");
	}
	rc = parse_start(doc, out, err);
	if (rc < 0)
		oidc_device_auth_free(out);
	cJSON_Delete(doc);
	return rc;
}

static int parse_start(const cJSON *doc, struct oidc_device_auth *out, struct sb_err *err)
{
	if (dup_item(doc, "device_code", true, false, &out->device_code, err) < 0 ||
	    dup_item(doc, "user_code", true, true, &out->user_code, err) < 0 ||
	    dup_item(doc, "verification_uri", true, true, &out->verification_uri, err) < 0 ||
	    dup_item(doc, "verification_uri_complete", false, true, &out->verification_uri_complete,
		     err) < 0)
		return -1;
	out->expires_in = num_item(doc, "expires_in", -1);
	if (out->expires_in <= 0)
		return sb_err_set(err, SB_E_PROTOCOL,
				  "device authorization answer has no 'expires_in'");
	/* §3.2: 5 seconds when the provider does not say. */
	out->interval = num_item(doc, "interval", 5);
	if (out->interval < 1)
		out->interval = 1;
	return 0;
}

int oidc_device_start(const struct sb_config *cfg, const struct oidc_provider *p,
		      struct oidc_device_auth *out, struct sb_err *err)
{
	const char *pairs[] = {"client_id", cfg->oidc_client_id ? cfg->oidc_client_id : "", "scope",
			       cfg->oidc_scopes ? cfg->oidc_scopes : "openid profile", NULL};
	char *form = NULL, *body = NULL;
	cJSON *doc = NULL;
	size_t len = 0;
	long status = 0;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (!cfg->oidc_client_id)
		return sb_err_set(err, SB_E_CONFIG, "oidc_client_id is not set");
	if (!(form = oidc_form(pairs)))
		return sb_err_set(err, SB_E_NOMEM, "out of memory");
	if (oidc_http(cfg, p->device_authorization_endpoint, form, OIDC_TOKEN_MAX, &status, &body,
		      &len, err) < 0)
		goto out;
	if (status != 200) {
		doc = cJSON_ParseWithLength(body, len);
		provider_error(doc, "device authorization", status, err);
		goto out;
	}
	rc = oidc_device_parse_start(body, len, out, err);
out:
	cJSON_Delete(doc);
	free(form);
	free(body);
	return rc;
}

/* §3.5: the error codes of a pending, slowed, denied or expired grant. */
static enum oidc_poll poll_error(const cJSON *doc, long status, struct oidc_device_auth *auth,
				 struct sb_err *err)
{
	const char *e = doc ? str_item(doc, "error") : NULL;

	if (e && !strcmp(e, "authorization_pending"))
		return OIDC_POLL_PENDING;
	if (e && !strcmp(e, "slow_down")) {
		auth->interval += 5;
		return OIDC_POLL_SLOW_DOWN;
	}
	provider_error(doc, "token", status, err);
	if (e && !strcmp(e, "access_denied"))
		return OIDC_POLL_DENIED;
	if (e && !strcmp(e, "expired_token"))
		return OIDC_POLL_EXPIRED;
	return OIDC_POLL_ERROR;
}

enum oidc_poll oidc_device_poll(const struct sb_config *cfg, const struct oidc_provider *p,
				struct oidc_device_auth *auth, char **id_token, struct sb_err *err)
{
	const char *pairs[] = {"grant_type",  DEVICE_GRANT,
			       "device_code", auth->device_code,
			       "client_id",   cfg->oidc_client_id ? cfg->oidc_client_id : "",
			       NULL};
	char *form = oidc_form(pairs), *body = NULL;
	enum oidc_poll r = OIDC_POLL_ERROR;
	cJSON *doc = NULL;
	const char *tok;
	size_t len = 0;
	long status = 0;

	*id_token = NULL;
	if (!form) {
		sb_err_set(err, SB_E_NOMEM, "out of memory");
		goto out;
	}
	if (oidc_http(cfg, p->token_endpoint, form, OIDC_TOKEN_MAX, &status, &body, &len, err) < 0)
		goto out;
	doc = cJSON_ParseWithLength(body, len);
	if (status != 200) {
		r = poll_error(doc, status, auth, err);
		goto out;
	}
	tok = doc ? str_item(doc, "id_token") : NULL;
	if (!tok) {
		sb_err_set(err, SB_E_PROTOCOL,
			   "token answer has no id_token (does oidc_scopes hold 'openid'?)");
		goto out;
	}
	if (!(*id_token = strdup(tok))) {
		sb_err_set(err, SB_E_NOMEM, "out of memory");
		goto out;
	}
	r = OIDC_POLL_SUCCESS;
out:
	cJSON_Delete(doc);
	free(form);
	free(body);
	return r;
}

void oidc_device_auth_free(struct oidc_device_auth *a)
{
	free(a->device_code);
	free(a->user_code);
	free(a->verification_uri);
	free(a->verification_uri_complete);
	memset(a, 0, sizeof(*a));
}

const char *oidc_poll_name(enum oidc_poll r)
{
	switch (r) {
	case OIDC_POLL_PENDING:
		return "pending";
	case OIDC_POLL_SLOW_DOWN:
		return "slow_down";
	case OIDC_POLL_DENIED:
		return "denied";
	case OIDC_POLL_EXPIRED:
		return "expired";
	case OIDC_POLL_SUCCESS:
		return "success";
	case OIDC_POLL_ERROR:
		break;
	}
	return "error";
}
