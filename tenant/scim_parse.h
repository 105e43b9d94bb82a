/* scim_parse.h — JSON bodies from the tenant → sb_scim_* structs, for both
 * dialects. Pure functions over a buffer: no I/O, fuzzable
 * (tests/fuzz/fuzz_scim_parse.c). A malformed body (bad JSON, wrong types,
 * a resource without id/userName) is an error for the whole page: never a
 * crash, never a silently partial page. */
#ifndef SB_SCIM_PARSE_H
#define SB_SCIM_PARSE_H

#include <stddef.h>

#include "config.h"
#include "err.h"
#include "scim_types.h"

/* What the parser needs from the config, so the fuzzer can build one. */
struct sb_parse_opts {
	enum sb_dialect dialect;
	const char *uid_attribute;	/* may be NULL */
	const char *ssh_keys_attribute; /* may be NULL */
	/* Called on each group as soon as it is read, before the next one:
	 * a sync's mapping resolves its members there (mapping/members.c), so
	 * a page's member ids are never all held at once. -1 fails the page.
	 * NULL: groups keep their member ids. */
	int (*on_group)(void *ctx, struct sb_scim_group *g, struct sb_err *err);
	void *on_group_ctx;
};

struct sb_page_info {
	long total_results; /* totalResults */
	long start_index;   /* startIndex as answered (1-based) */
	long items;	    /* resources on this page (itemsPerPage or counted) */
};

/* A list page of Users (ListResponse in scim2; {"Resources":[…]} in ws1).
 * Appends to out; on error out holds the same resources as before (its
 * array may have grown: free it as usual). */
int sb_parse_user_page(const char *body, size_t len, const struct sb_parse_opts *o,
		       struct sb_scim_users *out, struct sb_page_info *info, struct sb_err *err);
int sb_parse_group_page(const char *body, size_t len, const struct sb_parse_opts *o,
			struct sb_scim_groups *out, struct sb_page_info *info, struct sb_err *err);
/* One resource (GET Users/{id}). */
int sb_parse_user(const char *body, size_t len, const struct sb_parse_opts *o,
		  struct sb_scim_user *out, struct sb_err *err);
/* An error body in either shape ({"errors":[{code,message}]} or a SCIM 2.0
 * Error with detail/status), summarised into buf; returns 0 if recognised. */
int sb_parse_error_body(const char *body, size_t len, char *buf, size_t buflen);

#endif
