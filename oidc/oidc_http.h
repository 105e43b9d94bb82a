/* oidc_http.h — the one HTTPS helper oidc/ uses: a single request with
 * libcurl, https only, TLS verified against ca_file (or the system CAs),
 * the whole request bounded by `timeout`, the answer bounded in size. */
#ifndef SB_OIDC_HTTP_H
#define SB_OIDC_HTTP_H

#include <stddef.h>

#include "config.h"
#include "err.h"

/* GET url (form == NULL) or POST form as application/x-www-form-urlencoded.
 * *body is malloc'd and NUL-terminated; *status is the HTTP status. An answer
 * over max bytes is SB_E_PROTOCOL; no answer is SB_E_NETWORK. */
int oidc_http(const struct sb_config *cfg, const char *url, const char *form, size_t max,
	      long *status, char **body, size_t *len, struct sb_err *err);

/* "k1=v1&k2=v2…" with each value percent-encoded; pairs end at a NULL key.
 * malloc'd, NULL on failure. */
char *oidc_form(const char *const *pairs);

#endif
