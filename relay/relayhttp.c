/* relayhttp.c — see relayhttp.h. */
#include "relayhttp.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

struct body {
	struct sb_relay_get *g;
	size_t cap;
	int too_big;
};

static size_t on_body(char *p, size_t sz, size_t n, void *arg)
{
	struct body *b = arg;
	struct sb_relay_get *g = b->g;
	size_t add = sz * n;

	if (add > g->max - g->len) {
		b->too_big = 1;
		return 0; /* aborts the transfer */
	}
	if (g->len + add + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 16384;
		uint8_t *nb;

		while (cap < g->len + add + 1)
			cap *= 2;
		nb = realloc(g->body, cap);
		if (!nb)
			return 0;
		g->body = nb;
		b->cap = cap;
	}
	memcpy(g->body + g->len, p, add);
	g->len += add;
	g->body[g->len] = 0;
	return add;
}

/* ETag and Last-Modified, kept as printable text without the CRLF. */
static void keep_header(const char *line, size_t n, const char *name, char *out, size_t size)
{
	size_t k = strlen(name), i;

	if (n <= k || strncasecmp(line, name, k))
		return;
	line += k;
	n -= k;
	while (n && (*line == ' ' || *line == '\t'))
		line++, n--;
	while (n && (line[n - 1] == '\r' || line[n - 1] == '\n' || line[n - 1] == ' '))
		n--;
	if (n >= size)
		return;
	for (i = 0; i < n; i++)
		if (!isprint((unsigned char)line[i]))
			return;
	memcpy(out, line, n);
	out[n] = 0;
}

static size_t on_header(char *p, size_t sz, size_t n, void *arg)
{
	struct sb_relay_get *g = arg;

	keep_header(p, sz * n, "etag:", g->etag_out, sizeof(g->etag_out));
	keep_header(p, sz * n, "last-modified:", g->last_modified_out,
		    sizeof(g->last_modified_out));
	return sz * n;
}

static struct curl_slist *conditions(const struct sb_relay_get *g)
{
	struct curl_slist *h = NULL;
	char line[512];

	if (g->etag && *g->etag) {
		snprintf(line, sizeof(line), "If-None-Match: %s", g->etag);
		h = curl_slist_append(h, line);
	}
	if (g->last_modified && *g->last_modified) {
		snprintf(line, sizeof(line), "If-Modified-Since: %s", g->last_modified);
		h = curl_slist_append(h, line);
	}
	return h;
}

static void setup(CURL *h, const struct sb_config *cfg, const char *url, struct body *b,
		  char *errbuf)
{
	long t = cfg->timeout ? (long)cfg->timeout : 10;

	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(h, CURLOPT_MAXREDIRS, 3L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, t);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, t < 5 ? t : 5L);
	curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)b->g->max);
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "identity");
	curl_easy_setopt(h, CURLOPT_USERAGENT, "scimbridge-subscriber");
	if (cfg->ca_file)
		curl_easy_setopt(h, CURLOPT_CAINFO, cfg->ca_file);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, b);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, b->g);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
}

static int verdict(CURLcode cc, const struct body *b, const char *url, const char *errbuf,
		   struct sb_err *err)
{
	long st = b->g->status;

	if (b->too_big || cc == CURLE_FILESIZE_EXCEEDED)
		return sb_err_set(err, SB_E_SECURITY, "relay: %s: larger than %zu bytes, refused",
				  url, b->g->max);
	if (cc != CURLE_OK)
		return sb_err_set(err, SB_E_NETWORK, "relay unreachable: %s: %s", url,
				  *errbuf ? errbuf : curl_easy_strerror(cc));
	if (st == 200 || st == 304)
		return 0;
	sb_err_set(err, st >= 500 ? SB_E_NETWORK : SB_E_HTTP, "relay: %s answered HTTP %ld", url,
		   st);
	if (err)
		err->http_status = st;
	return -1;
}

int sb_relay_http_get(const struct sb_config *cfg, const char *url, struct sb_relay_get *g,
		      struct sb_err *err)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct body b = {.g = g};
	struct curl_slist *hdrs = conditions(g);
	CURL *h = curl_easy_init();
	CURLcode cc;
	int rc;

	g->status = 0;
	g->body = NULL;
	g->len = 0;
	g->etag_out[0] = g->last_modified_out[0] = 0;
	if (!h) {
		curl_slist_free_all(hdrs);
		return sb_err_set(err, SB_E_NOMEM, "relay: cannot start libcurl");
	}
	setup(h, cfg, url, &b, errbuf);
	if (hdrs)
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	cc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &g->status);
	rc = verdict(cc, &b, url, errbuf, err);
	if (rc < 0 || g->status != 200) {
		free(g->body);
		g->body = NULL;
		g->len = 0;
	} else if (!g->body) {
		g->body = calloc(1, 1); /* an empty body is still a body */
	}
	curl_easy_cleanup(h);
	curl_slist_free_all(hdrs);
	return rc;
}
