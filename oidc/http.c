/* http.c — one HTTPS request for discovery, device authorization, token
 * polling and the JWKS. A new handle per request: these are rare (a few per
 * sign-in) and a handle shared between the daemon's threads would need a
 * lock for no gain. */
#include "oidc_http.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct buf {
	char *p;
	size_t n, max;
	int over;
};

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud)
{
	struct buf *b = ud;
	size_t n = size * nmemb;
	char *np;

	if (b->n + n > b->max) {
		b->over = 1;
		return 0; /* curl stops with CURLE_WRITE_ERROR */
	}
	np = realloc(b->p, b->n + n + 1);
	if (!np)
		return 0;
	b->p = np;
	memcpy(b->p + b->n, data, n);
	b->n += n;
	b->p[b->n] = '\0';
	return n;
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void set_opts(CURL *h, const struct sb_config *cfg, const char *url, struct buf *b,
		     char *cerr)
{
	unsigned t = cfg->timeout;

	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (cfg->ca_file)
		curl_easy_setopt(h, CURLOPT_CAINFO, cfg->ca_file);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long)(t < 5 ? t : 5));
	curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)t);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, cerr);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "scimbridge/0.1");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, b);
}

int oidc_http(const struct sb_config *cfg, const char *url, const char *form, size_t max,
	      long *status, char **body, size_t *len, struct sb_err *err)
{
	struct buf b = {.max = max};
	struct curl_slist *hdr = NULL;
	char cerr[CURL_ERROR_SIZE] = "";
	CURLcode rc;
	CURL *h;
	int ret = -1;

	*body = NULL;
	*status = 0;
	if (strncmp(url, "https://", 8) != 0)
		return sb_err_set(err, SB_E_SECURITY, "refusing a URL that is not https: '%.200s'",
				  url);
	pthread_once(&curl_once, curl_init);
	h = curl_easy_init();
	if (!h)
		return sb_err_set(err, SB_E_NOMEM, "curl_easy_init failed");
	set_opts(h, cfg, url, &b, cerr);
	hdr = curl_slist_append(hdr, "Accept: application/json");
	if (form) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, form);
		hdr = curl_slist_append(hdr, "Content-Type: application/x-www-form-urlencoded");
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	rc = curl_easy_perform(h);
	if (b.over) {
		sb_err_set(err, SB_E_PROTOCOL, "%.200s: answer larger than %zu bytes", url, max);
		goto out;
	}
	if (rc != CURLE_OK) {
		sb_err_set(err, SB_E_NETWORK, "%.200s: %s", url,
			   cerr[0] ? cerr : curl_easy_strerror(rc));
		goto out;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	*body = b.p ? b.p : strdup("");
	b.p = NULL;
	if (!*body) {
		sb_err_set(err, SB_E_NOMEM, "out of memory");
		goto out;
	}
	if (len)
		*len = b.n;
	ret = 0;
out:
	free(b.p);
	curl_slist_free_all(hdr);
	curl_easy_cleanup(h);
	return ret;
}

char *oidc_form(const char *const *pairs)
{
	size_t cap = 1, n = 0;
	char *out = NULL;

	for (size_t i = 0; pairs[i]; i += 2)
		cap += strlen(pairs[i]) + 3 * strlen(pairs[i + 1]) + 2;
	out = malloc(cap);
	if (!out)
		return NULL;
	out[0] = '\0';
	for (size_t i = 0; pairs[i]; i += 2) {
		char *v = curl_easy_escape(NULL, pairs[i + 1], 0);

		if (!v) {
			free(out);
			return NULL;
		}
		n += (size_t)snprintf(out + n, cap - n, "%s%s=%s", i ? "&" : "", pairs[i], v);
		curl_free(v);
	}
	return out;
}
