/* scim_client.c — the tenant over HTTPS (see scim_client.h). One curl easy
 * handle per client: curl_easy_reset between requests keeps its connection
 * cache, so a whole sync is one TLS handshake. Every call has a time budget
 * of 3 × timeout; retries (429 with Retry-After, 5xx, network errors, at
 * most 3, backoff 0.5/1/2 s) happen only inside it. A 4xx is final except
 * one token renewal on 401. */
#include "scim_client.h"

#include <curl/curl.h>
#include <stdatomic.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hashmap.h"
#include "log.h"
#include "scim_pager.h"
#include "scim_parse.h"

#define MAX_BODY    (64u << 20)
#define MAX_RETRIES 3

struct sb_scim_client {
	const struct sb_config *cfg;
	struct sb_client_opts opts;
	struct sb_parse_opts popts;
	CURL *h;
	char *secret; /* client secret, or the static bearer token */
	bool static_bearer;
	char *token;
	time_t token_renew_at;
	struct sb_client_stats stats;
};

struct resp {
	char *buf;
	size_t n, cap;
	bool too_big;
	long retry_after;
};

/* Secrets and tokens are zeroed before their memory goes back to malloc,
 * where a later core or heap read would find them. */
static void drop_secret(char **s)
{
	if (*s)
		explicit_bzero(*s, strlen(*s));
	free(*s);
	*s = NULL;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t on_body(char *p, size_t size, size_t nmemb, void *arg)
{
	struct resp *r = arg;
	size_t n = size * nmemb;

	if (r->n + n + 1 > MAX_BODY) {
		r->too_big = true;
		return 0;
	}
	if (r->n + n + 1 > r->cap) {
		size_t cap = (r->n + n + 1) * 2;
		char *nb = realloc(r->buf, cap);

		if (!nb)
			return 0;
		r->buf = nb;
		r->cap = cap;
	}
	memcpy(r->buf + r->n, p, n);
	r->n += n;
	r->buf[r->n] = '\0';
	return n;
}

static size_t on_header(char *p, size_t size, size_t nmemb, void *arg)
{
	struct resp *r = arg;
	size_t n = size * nmemb;

	if (n > 12 && !strncasecmp(p, "Retry-After:", 12))
		r->retry_after = strtol(p + 12, NULL, 10);
	return n;
}

static void resp_reset(struct resp *r)
{
	r->n = 0;
	r->too_big = false;
	r->retry_after = -1;
	if (r->buf)
		r->buf[0] = '\0';
}

/* One HTTP exchange. auth: NULL (none), "basic", or a bearer token. */
static CURLcode perform(struct sb_scim_client *c, const char *method, const char *url,
			const char *ctype, const char *body, const char *bearer, bool basic,
			struct resp *r, long *status, double deadline, char *cerr)
{
	struct curl_slist *hdr = NULL;
	char line[8192];
	CURLcode rc;
	long conns = 0;
	unsigned t = c->cfg->timeout;
	/* A retry gets only what is left of the call's budget, so a stalled
	 * tenant costs at most the budget, not (retries + 1) x timeout. */
	long left_ms = (long)((deadline - now_s()) * 1000);
	long total_ms = left_ms < (long)t * 1000 ? (left_ms > 1 ? left_ms : 1) : (long)t * 1000;

	curl_easy_reset(c->h);
	resp_reset(r);
	cerr[0] = '\0';
	curl_easy_setopt(c->h, CURLOPT_URL, url);
	curl_easy_setopt(c->h, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(c->h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c->h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c->h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (c->cfg->ca_file)
		curl_easy_setopt(c->h, CURLOPT_CAINFO, c->cfg->ca_file);
	curl_easy_setopt(c->h, CURLOPT_CONNECTTIMEOUT, (long)(t < 5 ? t : 5));
	curl_easy_setopt(c->h, CURLOPT_TIMEOUT_MS, total_ms);
	curl_easy_setopt(c->h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->h, CURLOPT_ERRORBUFFER, cerr);
	curl_easy_setopt(c->h, CURLOPT_USERAGENT, "scimbridge/0.1");
	curl_easy_setopt(c->h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c->h, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c->h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c->h, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(c->h, CURLOPT_CUSTOMREQUEST, method);
	hdr = curl_slist_append(hdr, "Accept: application/json");
	if (bearer) {
		snprintf(line, sizeof(line), "Authorization: Bearer %s", bearer);
		hdr = curl_slist_append(hdr, line);
	}
	if (basic) {
		curl_easy_setopt(c->h, CURLOPT_USERNAME, c->cfg->client_id);
		curl_easy_setopt(c->h, CURLOPT_PASSWORD, c->secret);
	}
	if (body) {
		snprintf(line, sizeof(line), "Content-Type: %s",
			 ctype ? ctype : "application/json");
		hdr = curl_slist_append(hdr, line);
		curl_easy_setopt(c->h, CURLOPT_POSTFIELDS, body);
	}
	curl_easy_setopt(c->h, CURLOPT_HTTPHEADER, hdr);
	rc = curl_easy_perform(c->h);
	curl_easy_getinfo(c->h, CURLINFO_RESPONSE_CODE, status);
	curl_easy_getinfo(c->h, CURLINFO_NUM_CONNECTS, &conns);
	c->stats.requests++;
	c->stats.connects += conns;
	c->stats.bytes += (long)r->n;
	/* The secret must not outlive the request in the handle, nor the
	 * bearer token in our header copies. */
	for (struct curl_slist *l = hdr; bearer && l; l = l->next)
		explicit_bzero(l->data, strlen(l->data));
	curl_slist_free_all(hdr);
	explicit_bzero(line, sizeof(line));
	curl_easy_setopt(c->h, CURLOPT_PASSWORD, "");
	return rc;
}

/* "METHOD URL: HTTP 500: tenant message" */
static int http_error(struct sb_err *err, enum sb_errkind kind, const char *method, const char *url,
		      long status, const struct resp *r, const char *hint)
{
	char msg[300] = "";

	if (!r->buf || sb_parse_error_body(r->buf, r->n, msg, sizeof(msg)) < 0)
		snprintf(msg, sizeof(msg), "%.200s", r->buf && r->n ? r->buf : "(no body)");
	sb_err_set(err, kind, "%s %.200s: HTTP %ld: %s%s", method, url, status, msg,
		   hint ? hint : "");
	if (err)
		err->http_status = status;
	return -1;
}

/* Certificate and URL errors do not heal by waiting: fail at once. */
static bool retryable(CURLcode rc)
{
	switch (rc) {
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
	case CURLE_OUT_OF_MEMORY:
		return false;
	default:
		return true;
	}
}

/* The 429 hint quotes the tenant's Retry-After and the budget it overran. */
static int rate_limited(struct sb_err *err, const char *method, const char *url, long status,
			const struct resp *r, unsigned budget)
{
	char hint[96];

	if (r->retry_after >= 0)
		snprintf(hint, sizeof(hint),
			 " (Retry-After: %ld s exceeds the time budget of %u s)", r->retry_after,
			 budget);
	else
		snprintf(hint, sizeof(hint), " (still rate limited after the retries)");
	return http_error(err, SB_E_HTTP, method, url, status, r, hint);
}

/* Network errors, 429 and 5xx retried within the budget; other answers returned. */
static int exchange(struct sb_scim_client *c, const char *method, const char *url,
		    const char *ctype, const char *body, const char *bearer, bool basic,
		    struct resp *r, long *status, double deadline, struct sb_err *err)
{
	char cerr[CURL_ERROR_SIZE];

	for (int attempt = 0;; attempt++) {
		double wait = 0.5 * (1 << attempt);
		CURLcode rc =
		    perform(c, method, url, ctype, body, bearer, basic, r, status, deadline, cerr);

		if (rc == CURLE_OK && r->too_big)
			return sb_err_set(err, SB_E_PROTOCOL,
					  "%s %.200s: answer larger than %u MiB", method, url,
					  MAX_BODY >> 20);
		if (rc == CURLE_OK && *status != 429 && *status < 500)
			return 0;
		if (rc == CURLE_OK && *status == 429)
			wait = r->retry_after >= 0 ? (double)r->retry_after : 1.0;
		int max = c->opts.max_retries < 0 ? 0
			  : c->opts.max_retries	  ? c->opts.max_retries
						  : MAX_RETRIES;

		if (attempt >= max || now_s() + wait + 0.05 >= deadline ||
		    (rc != CURLE_OK && !retryable(rc))) {
			if (rc != CURLE_OK)
				return sb_err_set(err, SB_E_NETWORK,
						  "%s %.200s: curl: %s (%d attempt%s)", method, url,
						  cerr[0] ? cerr : curl_easy_strerror(rc),
						  attempt + 1, attempt ? "s" : "");
			if (*status == 429)
				return rate_limited(err, method, url, *status, r,
						    3 * c->cfg->timeout);
			return http_error(err, SB_E_HTTP, method, url, *status, r, NULL);
		}
		c->stats.retries++;
		sb_log(LOG_DEBUG, "%s %s: retrying in %.1f s", method, url, wait);
		usleep((useconds_t)(wait * 1e6));
	}
}

static char *base_url(const struct sb_scim_client *c, const char *path)
{
	size_t n = strlen(c->cfg->url) + strlen(path) + 2;
	char *u = malloc(n);
	size_t l;

	if (!u)
		return NULL;
	snprintf(u, n, "%s", c->cfg->url);
	l = strlen(u);
	while (l && u[l - 1] == '/')
		u[--l] = '\0';
	snprintf(u + l, n - l, "%s%s", path[0] == '/' ? "" : "/", path);
	return u;
}

static int mint(struct sb_scim_client *c, long *expires_out, char **scope_out, double deadline,
		struct sb_err *err)
{
	struct resp r = {0};
	char *path = base_url(c, c->cfg->token_path), *url = NULL;
	cJSON *j = NULL;
	const cJSON *tok, *exp, *scope;
	long status = 0, expires;
	int rc = -1;

	c->stats.token_requests++;
	if (!path || asprintf(&url, "%s?grant_type=client_credentials", path) < 0) {
		url = NULL;
		goto out;
	}
	if (exchange(c, "POST", url, "application/x-www-form-urlencoded", "", NULL, true, &r,
		     &status, deadline, err) < 0)
		goto out;
	if (status == 400 || status == 401 || status == 403) {
		http_error(err, SB_E_AUTH, "POST", url, status, &r,
			   " (check client_id and client_secret_file)");
		goto out;
	}
	if (status < 200 || status > 299) {
		http_error(err, SB_E_HTTP, "POST", url, status, &r, NULL);
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
	drop_secret(&c->token);
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
	drop_secret(&c->secret);
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
static int authed(struct sb_scim_client *c, const char *method, const char *url, const char *ctype,
		  const char *body, struct resp *r, long *status, struct sb_err *err)
{
	double deadline = now_s() + 3.0 * c->cfg->timeout;

	for (int renewed = 0;; renewed++) {
		const char *tok = current_token(c, deadline, err);

		if (!tok)
			return -1;
		if (exchange(c, method, url, ctype, body, tok, false, r, status, deadline, err) < 0)
			return -1;
		if (*status != 401 || renewed)
			return 0;
		sb_log(LOG_INFO, "%s %s: 401, renewing the token once", method, url);
		if (c->static_bearer) {
			if (reread_bearer(c, err) < 0)
				return -1;
		} else {
			drop_secret(&c->token);
		}
	}
}

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
	drop_secret(&c->secret);
	drop_secret(&c->token);
	free(c);
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
	if (mint(c, expires_in, scope, now_s() + 3.0 * c->cfg->timeout, err) < 0)
		return -1;
	*token = strdup(c->token);
	return *token ? 0 : -1;
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

/* Base/Resource?startIndex=S&count=N[&filter=…] */
static char *list_url(struct sb_scim_client *c, const char *resource, long start, long count,
		      const char *filter)
{
	char *base = base_url(c, c->cfg->scim_path), *esc = NULL, *url = NULL;
	int n;

	if (!base)
		return NULL;
	if (filter)
		esc = curl_easy_escape(c->h, filter, 0);
	n = asprintf(&url, "%s/%s?startIndex=%ld&count=%ld%s%s", base, resource, start, count,
		     esc ? "&filter=" : "", esc ? esc : "");
	curl_free(esc);
	free(base);
	return n < 0 ? NULL : url;
}

static int get_page(struct sb_scim_client *c, const char *url, struct resp *r, struct sb_err *err)
{
	long status = 0;

	if (authed(c, "GET", url, NULL, NULL, r, &status, err) < 0)
		return -1;
	if (status == 401 || status == 403)
		return http_error(err, SB_E_AUTH, "GET", url, status, r,
				  status == 403 ? " (does the client have the admin scope?)"
				  : c->static_bearer
				      ? " (the bearer token in bearer_token_file was refused)"
				      : NULL);
	if (status == 404)
		return http_error(err, SB_E_NOTFOUND, "GET", url, status, r, NULL);
	if (status < 200 || status > 299)
		return http_error(err, SB_E_HTTP, "GET", url, status, r, NULL);
	return 0;
}

/* A tenant that keeps sending (pages that never end, a totalResults in
 * the billions, pages of 64 MiB) would otherwise grow this process without
 * bound: every listing is held to max_resources resources and
 * max_listing_mib MiB of answers, and fails with a message naming the
 * bound, so the caller keeps the last good cache. */
static int over_bounds(const struct sb_scim_client *c, const char *resource, size_t got,
		       unsigned long long bytes, struct sb_err *err)
{
	const struct sb_config *cfg = c->cfg;

	if (cfg->max_resources && got > cfg->max_resources)
		return sb_err_set(err, SB_E_PROTOCOL,
				  "the tenant sent more than %u %s (max_resources); refused, "
				  "the last good cache stays",
				  cfg->max_resources, resource);
	if (cfg->max_listing_mib && bytes > ((unsigned long long)cfg->max_listing_mib << 20))
		return sb_err_set(err, SB_E_PROTOCOL,
				  "the tenant's %s listing passed %u MiB (max_listing_mib); "
				  "refused, the last good cache stays",
				  resource, cfg->max_listing_mib);
	return 0;
}

/* The longest list page this process has seen the tenant return: a short
 * page at totalResults that is shorter still cannot be the tenant capping
 * count, so it ends a list without a read past it (sb_pager_init). Shared by
 * the daemon's clients, so a miss lookup after a sync costs one request. */
static _Atomic long largest_page;

static void note_largest(long n)
{
	long cur = largest_page;

	while (n > cur && !atomic_compare_exchange_weak(&largest_page, &cur, n))
		;
}

/* Prefixes err->msg with "GET url: ". */
static void prefix_url(struct sb_err *err, const char *url)
{
	char where[300];

	snprintf(where, sizeof(where), "GET %.200s: ", url);
	if (err && strlen(where) + strlen(err->msg) < sizeof(err->msg)) {
		memmove(err->msg + strlen(where), err->msg, strlen(err->msg) + 1);
		memcpy(err->msg, where, strlen(where));
	}
}

/* The page's resources appended to users or groups; their ids in *ids. */
static int parse_page(struct sb_scim_client *c, const struct resp *r, const char *url,
		      struct sb_scim_users *users, struct sb_scim_groups *groups,
		      struct sb_page_info *info, char ***ids, size_t *n_new, struct sb_err *err)
{
	size_t before = users ? users->n : groups->n;

	if ((users ? sb_parse_user_page(r->buf, r->n, &c->popts, users, info, err)
		   : sb_parse_group_page(r->buf, r->n, &c->popts, groups, info, err)) < 0) {
		prefix_url(err, url);
		return -1;
	}
	*n_new = (users ? users->n : groups->n) - before;
	free(*ids);
	*ids = calloc(*n_new + 1, sizeof(char *));
	if (!*ids)
		return sb_err_set(err, SB_E_NOMEM, "out of memory");
	for (size_t i = 0; i < *n_new; i++)
		(*ids)[i] = users ? users->v[before + i].id : groups->v[before + i].id;
	return 0;
}

static void drop_from(struct sb_scim_users *users, struct sb_scim_groups *groups, size_t before)
{
	for (size_t i = before; users && i < users->n; i++)
		sb_scim_user_free(&users->v[i]);
	for (size_t i = before; groups && i < groups->n; i++)
		sb_scim_group_free(&groups->v[i]);
	*(users ? &users->n : &groups->n) = before;
}

/* Says what the tenant did when its totalResults was smaller than what it
 * listed: the list is whole, but a person should know why it cost more. */
static void warn_understated(struct sb_scim_client *c, const char *resource,
			     const struct sb_pager *p)
{
	c->stats.understated++;
	sb_log(LOG_WARNING,
	       "%s: the tenant stated totalResults %ld but listed %ld: pages past the "
	       "stated end brought the rest, read until one brought nothing new (a "
	       "server that caps count, here at %ld for page_size = %u, and states the "
	       "page's length as the total does this)",
	       resource, p->total, p->got, p->largest, c->cfg->page_size);
}

static int list_all(struct sb_scim_client *c, const char *resource, const char *filter,
		    struct sb_scim_users *users, struct sb_scim_groups *groups, struct sb_err *err)
{
	struct sb_pager p;
	struct resp r = {0};
	char **ids = NULL;
	bool echo = false;
	size_t first = SIZE_MAX; /* the count before the first page */
	unsigned long long bytes = 0;
	int rc = -1;

	sb_pager_init(&p, largest_page);
	do {
		struct sb_page_info info = {0};
		char *url = list_url(c, resource, p.start, c->cfg->page_size, filter);
		size_t before = users ? users->n : groups->n, n_new = 0;
		struct sb_err gerr = {0};
		int got = url ? get_page(c, url, &r, &gerr) : -1;

		if (first == SIZE_MAX)
			first = before;
		if (!url)
			sb_err_set(&gerr, SB_E_NOMEM, "out of memory");
		if (got < 0 && gerr.kind == SB_E_NOTFOUND && sb_pager_end_on_404(&p)) {
			sb_log(LOG_DEBUG, "GET %s: 404 past the end of the list", url);
			free(url);
			break;
		}
		if (got < 0 && gerr.kind == SB_E_NOTFOUND && p.total >= 0) {
			char was[sizeof(gerr.msg)];

			memcpy(was, gerr.msg, sizeof(was));
			sb_err_set(&gerr, SB_E_PROTOCOL,
				   "%.300s (at startIndex %ld, after %ld of the %ld resources "
				   "totalResults promised: the total is larger than the truth)",
				   was, p.start, p.got, p.total);
		}
		if (got < 0 && err)
			*err = gerr;
		if (got < 0 || over_bounds(c, resource, 0, bytes += r.n, err) < 0 ||
		    parse_page(c, &r, url, users, groups, &info, &ids, &n_new, err) < 0 ||
		    sb_pager_step(&p, info.total_results, ids, n_new, c->cfg->page_size, url, &echo,
				  err) < 0) {
			free(url);
			goto out;
		}
		if (over_bounds(c, resource, (users ? users->n : groups->n) - first, bytes, err) <
		    0) {
			free(url);
			goto out;
		}
		if (echo) /* a page past the end brought only known resources */
			drop_from(users, groups, before);
		if (c->opts.progress)
			c->opts.progress(c->opts.progress_ctx, resource, p.got, sb_pager_total(&p));
		free(url);
	} while (sb_pager_more(&p));
	note_largest(p.largest);
	if (p.understated)
		warn_understated(c, resource, &p);
	rc = 0;
out:
	free(ids);
	free(r.buf);
	sb_pager_free(&p);
	return rc;
}

/* The listing appends to out page by page; on failure what it appended is
 * freed again, so the caller never sees a partial result. */
int sb_scim_list_users(struct sb_scim_client *c, const char *filter, struct sb_scim_users *out,
		       struct sb_err *err)
{
	size_t before = out->n;

	if (list_all(c, "Users", filter, out, NULL, err) == 0)
		return 0;
	for (size_t i = before; i < out->n; i++)
		sb_scim_user_free(&out->v[i]);
	out->n = before;
	return -1;
}

int sb_scim_list_groups(struct sb_scim_client *c, const char *filter, struct sb_scim_groups *out,
			struct sb_err *err)
{
	size_t before = out->n;

	if (list_all(c, "Groups", filter, NULL, out, err) == 0)
		return 0;
	for (size_t i = before; i < out->n; i++)
		sb_scim_group_free(&out->v[i]);
	out->n = before;
	return -1;
}

int sb_scim_list_groups_resolved(struct sb_scim_client *c, const struct sb_idindex *user_ids,
				 struct sb_scim_groups *out, struct sb_err *err)
{
	int rc;

	c->popts.user_ids = user_ids;
	rc = sb_scim_list_groups(c, NULL, out, err);
	c->popts.user_ids = NULL;
	return rc;
}

int sb_scim_probe(struct sb_scim_client *c, const char *resource, long count,
		  struct sb_scim_users *users_out, long *total, struct sb_err *err)
{
	struct resp r = {0};
	struct sb_page_info info = {0};
	struct sb_scim_groups groups = {0};
	char *url = list_url(c, resource, 1, count, NULL);
	int rc = -1;

	if (!url || get_page(c, url, &r, err) < 0)
		goto out;
	if (!strcmp(resource, "Users") && users_out)
		rc = sb_parse_user_page(r.buf, r.n, &c->popts, users_out, &info, err);
	else
		rc = sb_parse_group_page(r.buf, r.n, &c->popts, &groups, &info, err);
	if (rc == 0 && total)
		*total = info.total_results;
out:
	sb_scim_groups_free(&groups);
	free(r.buf);
	free(url);
	return rc;
}

int sb_scim_get_user(struct sb_scim_client *c, const char *id, struct sb_scim_user *out,
		     struct sb_err *err)
{
	struct resp r = {0};
	char *base = base_url(c, c->cfg->scim_path), *esc = curl_easy_escape(c->h, id, 0);
	char *url = NULL;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (!base || !esc || asprintf(&url, "%s/Users/%s", base, esc) < 0) {
		url = NULL;
		sb_err_set(err, SB_E_NOMEM, "out of memory");
		goto out;
	}
	if (get_page(c, url, &r, err) < 0)
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
	char *base = base_url(c, c->cfg->scim_path), *url = NULL;
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
	if (authed(c, "GET", url, NULL, NULL, &r, &status, err) < 0 || status != 200)
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
	char *url = base_url(c, path);
	int rc;

	*resp = NULL;
	if (!url)
		return sb_err_set(err, SB_E_NOMEM, "out of memory");
	rc = authed(c, method, url, content_type, body, &r, status, err);
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
