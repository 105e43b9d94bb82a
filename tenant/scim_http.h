/* scim_http.h — private to tenant/: the client's state and its one HTTP
 * exchange (scim_http.c), shared by the client's calls (scim_client.c), its
 * token and authenticated requests (scim_auth.c) and its listings
 * (scim_list.c). Nothing outside tenant/ includes it. */
#ifndef SB_SCIM_HTTP_H
#define SB_SCIM_HTTP_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "err.h"
#include "scim_client.h"
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

/* One request: what perform sends and exchange retries. */
struct sb_http_req {
	const char *method, *url;
	const char *ctype;  /* Content-Type of body; NULL: application/json */
	const char *body;   /* NULL: no body */
	const char *bearer; /* NULL: no Authorization header */
	bool basic;	    /* HTTP basic with client_id and the secret (token requests) */
	double deadline;    /* sb_now_s() by which the whole call, retries included, ends */
};

/* Zeroes a secret or token before freeing it; *s becomes NULL. */
void sb_secret_drop(char **s);
/* CLOCK_MONOTONIC, in seconds. */
double sb_now_s(void);
/* Network errors, 429 and 5xx retried within q->deadline; other answers
 * returned (0) with *status set for the caller to judge. */
int sb_http_exchange(struct sb_scim_client *c, const struct sb_http_req *q, struct resp *r,
		     long *status, struct sb_err *err);
/* "METHOD URL: HTTP 500: tenant message[hint]" into err; returns -1. */
int sb_http_error(struct sb_err *err, enum sb_errkind kind, const char *method, const char *url,
		  long status, const struct resp *r, const char *hint);
/* The tenant url joined with path; malloc'd. */
char *sb_http_base_url(const struct sb_scim_client *c, const char *path);

/* scim_auth.c: an authenticated request (the token renewed once on 401),
 * and a GET whose non-2xx answer is an error naming the likely cause. */
int sb_scim_authed(struct sb_scim_client *c, const char *method, const char *url, const char *ctype,
		   const char *body, struct resp *r, long *status, struct sb_err *err);
int sb_scim_get_page(struct sb_scim_client *c, const char *url, struct resp *r, struct sb_err *err);

#endif
