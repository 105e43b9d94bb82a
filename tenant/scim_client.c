/* scim_client.c — the client's life (see scim_client.h): created with its
 * secret read at once, freed with its secrets zeroed; its single-resource
 * calls (GET Users/{id}, ServiceProviderConfig, a raw request) and filters.
 * The HTTP exchange is scim_http.c, the token scim_auth.c, the listings
 * scim_list.c. */
#include "scim_http.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sb_scim_client_new(const struct sb_config *cfg, const struct sb_client_opts *opts,
		       struct sb_scim_client **out, struct sb_err *err)
{
	struct sb_scim_client *c;

	*out = NULL;
	/* A subscriber validates without url (it reads a relay): whatever
	 * would talk to the tenant for it stops here, with the reason. */
	if (!cfg->url)
		return sb_err_set(err, SB_E_CONFIG,
				  "%s: no tenant url: role 'subscriber' reads the relay and never "
				  "talks to the tenant (scimbridged does not run that role yet; "
				  "`scimbridge sync` does)",
				  cfg->path ? cfg->path : "config");
	c = calloc(1, sizeof(*c));
	if (!c)
		return sb_err_set(err, SB_E_NOMEM, "out of memory");
	c->cfg = cfg;
	if (opts)
		c->opts = *opts;
	else
		c->opts.secret_owner = -1;
	c->popts = (struct sb_parse_opts){.dialect = cfg->dialect,
					  .uid_attribute = cfg->uid_attribute,
					  .ssh_keys_attribute = cfg->ssh_keys_attribute};
	c->static_bearer = cfg->bearer_token_file != NULL;
	if (c->static_bearer)
		c->secret =
		    sb_config_read_secret(cfg->bearer_token_file, c->opts.secret_owner, err);
	else if (cfg->client_secret_file)
		c->secret =
		    sb_config_read_secret(cfg->client_secret_file, c->opts.secret_owner, err);
	else
		sb_err_set(err, SB_E_CONFIG,
			   "no client_secret_file or bearer_token_file configured");
	curl_global_init(CURL_GLOBAL_DEFAULT);
	c->h = curl_easy_init();
	if (!c->secret || !c->h) {
		if (c->secret && !c->h)
			sb_err_set(err, SB_E_NOMEM, "cannot create a curl handle");
		sb_scim_client_free(c);
		return -1;
	}
	*out = c;
	return 0;
}

void sb_scim_client_free(struct sb_scim_client *c)
{
	if (!c)
		return;
	if (c->h)
		curl_easy_cleanup(c->h);
	sb_secret_drop(&c->secret);
	sb_secret_drop(&c->token);
	free(c);
}

void sb_scim_client_stats(const struct sb_scim_client *c, struct sb_client_stats *out)
{
	*out = c->stats;
}

char *sb_scim_filter_eq(const char *attr, const char *value)
{
	return sb_scim_filter_op(attr, "eq", value);
}

char *sb_scim_filter_op(const char *attr, const char *op, const char *value)
{
	size_t n = strlen(attr) + strlen(op) + 6 * strlen(value) + 8;
	char *out = malloc(n), *p;

	if (!out)
		return NULL;
	p = out + snprintf(out, n, "%s %s \"", attr, op);
	for (const unsigned char *v = (const unsigned char *)value; *v; v++) {
		if (*v == '"' || *v == '\\') {
			*p++ = '\\';
			*p++ = (char)*v;
		} else if (*v < 0x20 || *v == 0x7f) {
			p += sprintf(p, "\\u%04x", *v);
		} else {
			*p++ = (char)*v;
		}
	}
	*p++ = '"';
	*p = '\0';
	return out;
}

int sb_scim_get_user(struct sb_scim_client *c, const char *id, struct sb_scim_user *out,
		     struct sb_err *err)
{
	struct resp r = {0};
	char *base = sb_http_base_url(c, c->cfg->scim_path), *esc = curl_easy_escape(c->h, id, 0);
	char *url = NULL;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (!base || !esc || asprintf(&url, "%s/Users/%s", base, esc) < 0) {
		url = NULL;
		sb_err_set(err, SB_E_NOMEM, "out of memory");
		goto out;
	}
	if (sb_scim_get_page(c, url, &r, err) < 0)
		goto out;
	rc = sb_parse_user(r.buf, r.n, &c->popts, out, err);
out:
	curl_free(esc);
	free(base);
	free(url);
	free(r.buf);
	return rc;
}

int sb_scim_filter_supported(struct sb_scim_client *c, struct sb_err *err)
{
	struct resp r = {0};
	char *base = sb_http_base_url(c, c->cfg->scim_path), *url = NULL;
	cJSON *j = NULL;
	const cJSON *sup;
	long status = 0;
	int rc = -1;

	if (c->cfg->dialect != SB_DIALECT_SCIM2) /* SCIM 1.1: its filters are documented */
		goto out;
	if (!base || asprintf(&url, "%s/ServiceProviderConfig", base) < 0) {
		url = NULL;
		goto out;
	}
	if (sb_scim_authed(c, "GET", url, NULL, NULL, &r, &status, err) < 0 || status != 200)
		goto out;
	j = cJSON_ParseWithLength(r.buf ? r.buf : "", r.n);
	sup = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "filter"),
					       "supported");
	if (cJSON_IsBool(sup))
		rc = cJSON_IsTrue(sup) ? 1 : 0;
out:
	cJSON_Delete(j);
	free(r.buf);
	free(url);
	free(base);
	return rc;
}

int sb_scim_request(struct sb_scim_client *c, const char *method, const char *path,
		    const char *content_type, const char *body, long *status, char **resp,
		    size_t *resp_len, struct sb_err *err)
{
	struct resp r = {0};
	char *url = sb_http_base_url(c, path);
	int rc;

	*resp = NULL;
	if (!url)
		return sb_err_set(err, SB_E_NOMEM, "out of memory");
	rc = sb_scim_authed(c, method, url, content_type, body, &r, status, err);
	free(url);
	if (rc < 0) {
		free(r.buf);
		return -1;
	}
	*resp = r.buf ? r.buf : strdup("");
	if (resp_len)
		*resp_len = r.n;
	return 0;
}
