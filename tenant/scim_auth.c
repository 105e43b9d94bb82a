/* scim_auth.c — the client's credentials: OAuth 2.0 client credentials
 * (a token minted, cached and renewed before it expires) or a static bearer
 * token re-read on 401, and the authenticated request built on them. A 4xx
 * is final except one token renewal on 401. */
#include "scim_http.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static int mint(struct sb_scim_client *c, long *expires_out, char **scope_out, double deadline,
		struct sb_err *err)
{
	struct resp r = {0};
	char *path = sb_http_base_url(c, c->cfg->token_path), *url = NULL;
	cJSON *j = NULL;
	const cJSON *tok, *exp, *scope;
	long status = 0, expires;
	int rc = -1;

	c->stats.token_requests++;
	if (!path || asprintf(&url, "%s?grant_type=client_credentials", path) < 0) {
		url = NULL;
		goto out;
	}
	if (sb_http_exchange(c,
			     &(struct sb_http_req){.method = "POST",
						   .url = url,
						   .ctype = "application/x-www-form-urlencoded",
						   .body = "",
						   .basic = true,
						   .deadline = deadline},
			     &r, &status, err) < 0)
		goto out;
	if (status == 400 || status == 401 || status == 403) {
		sb_http_error(err, SB_E_AUTH, "POST", url, status, &r,
			      " (check client_id and client_secret_file)");
		goto out;
	}
	if (status < 200 || status > 299) {
		sb_http_error(err, SB_E_HTTP, "POST", url, status, &r, NULL);
		goto out;
	}
	j = cJSON_ParseWithLength(r.buf ? r.buf : "", r.n);
	tok = cJSON_GetObjectItemCaseSensitive(j, "access_token");
	exp = cJSON_GetObjectItemCaseSensitive(j, "expires_in");
	scope = cJSON_GetObjectItemCaseSensitive(j, "scope");
	if (!cJSON_IsString(tok) || !*tok->valuestring) {
		sb_err_set(err, SB_E_PROTOCOL, "POST %.200s: no access_token in the answer", url);
		goto out;
	}
	expires = cJSON_IsNumber(exp) ? (long)exp->valuedouble : 21599;
	sb_secret_drop(&c->token);
	c->token = strdup(tok->valuestring);
	explicit_bzero(tok->valuestring, strlen(tok->valuestring));
	{
		long margin = expires / 10 > 60 ? expires / 10 : 60;

		if (margin > expires / 2)
			margin = expires / 2;
		c->token_renew_at = time(NULL) + expires - margin;
	}
	if (expires_out)
		*expires_out = expires;
	if (scope_out)
		*scope_out = cJSON_IsString(scope) ? strdup(scope->valuestring) : NULL;
	rc = c->token ? 0 : -1;
out:
	cJSON_Delete(j);
	if (r.buf) /* the answer held the access token */
		explicit_bzero(r.buf, r.cap);
	free(r.buf);
	free(url);
	free(path);
	return rc;
}

static int reread_bearer(struct sb_scim_client *c, struct sb_err *err)
{
	char *t = sb_config_read_secret(c->cfg->bearer_token_file, c->opts.secret_owner, err);

	if (!t)
		return -1;
	sb_secret_drop(&c->secret);
	c->secret = t;
	return 0;
}

static const char *current_token(struct sb_scim_client *c, double deadline, struct sb_err *err)
{
	if (c->static_bearer)
		return c->secret;
	if (!c->token || time(NULL) >= c->token_renew_at)
		if (mint(c, NULL, NULL, deadline, err) < 0)
			return NULL;
	return c->token;
}

/* An authenticated request; on 401 the token is renewed once and the
 * request repeated once. */
int sb_scim_authed(struct sb_scim_client *c, const char *method, const char *url, const char *ctype,
		   const char *body, struct resp *r, long *status, struct sb_err *err)
{
	double deadline = sb_now_s() + 3.0 * c->cfg->timeout;

	for (int renewed = 0;; renewed++) {
		const char *tok = current_token(c, deadline, err);

		if (!tok)
			return -1;
		struct sb_http_req q = {.method = method,
					.url = url,
					.ctype = ctype,
					.body = body,
					.bearer = tok,
					.deadline = deadline};

		if (sb_http_exchange(c, &q, r, status, err) < 0)
			return -1;
		if (*status != 401 || renewed)
			return 0;
		sb_log(LOG_INFO, "%s %s: 401, renewing the token once", method, url);
		if (c->static_bearer) {
			if (reread_bearer(c, err) < 0)
				return -1;
		} else {
			sb_secret_drop(&c->token);
		}
	}
}

int sb_scim_get_page(struct sb_scim_client *c, const char *url, struct resp *r, struct sb_err *err)
{
	long status = 0;

	if (sb_scim_authed(c, "GET", url, NULL, NULL, r, &status, err) < 0)
		return -1;
	if (status == 401 || status == 403)
		return sb_http_error(err, SB_E_AUTH, "GET", url, status, r,
				     status == 403 ? " (does the client have the admin scope?)"
				     : c->static_bearer
					 ? " (the bearer token in bearer_token_file was refused)"
					 : NULL);
	if (status == 404)
		return sb_http_error(err, SB_E_NOTFOUND, "GET", url, status, r, NULL);
	if (status < 200 || status > 299)
		return sb_http_error(err, SB_E_HTTP, "GET", url, status, r, NULL);
	return 0;
}

int sb_scim_token(struct sb_scim_client *c, char **token, long *expires_in, char **scope,
		  struct sb_err *err)
{
	*token = NULL;
	if (scope)
		*scope = NULL;
	if (c->static_bearer) {
		*expires_in = -1;
		*token = strdup(c->secret);
		return *token ? 0 : -1;
	}
	if (mint(c, expires_in, scope, sb_now_s() + 3.0 * c->cfg->timeout, err) < 0)
		return -1;
	*token = strdup(c->token);
	return *token ? 0 : -1;
}
