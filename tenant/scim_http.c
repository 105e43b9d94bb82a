/* scim_http.c — the tenant over HTTPS: one exchange (see scim_http.h). One
 * curl easy handle per client: curl_easy_reset between requests keeps its
 * connection cache, so a whole sync is one TLS handshake. Every call has a
 * time budget of 3 × timeout; retries (429 with Retry-After, 5xx, network
 * errors, at most 3, backoff 0.5/1/2 s) happen only inside it. */
#include "scim_http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

/* Secrets and tokens are zeroed before their memory goes back to malloc,
 * where a later core or heap read would find them. */
void sb_secret_drop(char **s)
{
	if (*s)
		explicit_bzero(*s, strlen(*s));
	free(*s);
	*s = NULL;
}

double sb_now_s(void)
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

/* One HTTP exchange, as q says. */
static CURLcode perform(struct sb_scim_client *c, const struct sb_http_req *q, struct resp *r,
			long *status, char *cerr)
{
	struct curl_slist *hdr = NULL;
	char line[8192];
	CURLcode rc;
	long conns = 0;
	unsigned t = c->cfg->timeout;
	/* A retry gets only what is left of the call's budget, so a stalled
	 * tenant costs at most the budget, not (retries + 1) x timeout. */
	long left_ms = (long)((q->deadline - sb_now_s()) * 1000);
	long total_ms = left_ms < (long)t * 1000 ? (left_ms > 1 ? left_ms : 1) : (long)t * 1000;

	curl_easy_reset(c->h);
	resp_reset(r);
	cerr[0] = '\0';
	curl_easy_setopt(c->h, CURLOPT_URL, q->url);
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
	curl_easy_setopt(c->h, CURLOPT_CUSTOMREQUEST, q->method);
	hdr = curl_slist_append(hdr, "Accept: application/json");
	if (q->bearer) {
		snprintf(line, sizeof(line), "Authorization: Bearer %s", q->bearer);
		hdr = curl_slist_append(hdr, line);
	}
	if (q->basic) {
		curl_easy_setopt(c->h, CURLOPT_USERNAME, c->cfg->client_id);
		curl_easy_setopt(c->h, CURLOPT_PASSWORD, c->secret);
	}
	if (q->body) {
		snprintf(line, sizeof(line), "Content-Type: %s",
			 q->ctype ? q->ctype : "application/json");
		hdr = curl_slist_append(hdr, line);
		curl_easy_setopt(c->h, CURLOPT_POSTFIELDS, q->body);
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
	for (struct curl_slist *l = hdr; q->bearer && l; l = l->next)
		explicit_bzero(l->data, strlen(l->data));
	curl_slist_free_all(hdr);
	explicit_bzero(line, sizeof(line));
	curl_easy_setopt(c->h, CURLOPT_PASSWORD, "");
	return rc;
}

/* "METHOD URL: HTTP 500: tenant message" */
int sb_http_error(struct sb_err *err, enum sb_errkind kind, const char *method, const char *url,
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
	return sb_http_error(err, SB_E_HTTP, method, url, status, r, hint);
}

/* Network errors, 429 and 5xx retried within the budget; other answers returned. */
int sb_http_exchange(struct sb_scim_client *c, const struct sb_http_req *q, struct resp *r,
		     long *status, struct sb_err *err)
{
	const char *method = q->method, *url = q->url;
	char cerr[CURL_ERROR_SIZE];

	for (int attempt = 0;; attempt++) {
		double wait = 0.5 * (1 << attempt);
		CURLcode rc = perform(c, q, r, status, cerr);

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

		if (attempt >= max || sb_now_s() + wait + 0.05 >= q->deadline ||
		    (rc != CURLE_OK && !retryable(rc))) {
			if (rc != CURLE_OK)
				return sb_err_set(err, SB_E_NETWORK,
						  "%s %.200s: curl: %s (%d attempt%s)", method, url,
						  cerr[0] ? cerr : curl_easy_strerror(rc),
						  attempt + 1, attempt ? "s" : "");
			if (*status == 429)
				return rate_limited(err, method, url, *status, r,
						    3 * c->cfg->timeout);
			return sb_http_error(err, SB_E_HTTP, method, url, *status, r, NULL);
		}
		c->stats.retries++;
		sb_log(LOG_DEBUG, "%s %s: retrying in %.1f s", method, url, wait);
		usleep((useconds_t)(wait * 1e6));
	}
}

char *sb_http_base_url(const struct sb_scim_client *c, const char *path)
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
