/* scim_pager.h — the paging state machine of a SCIM listing, kept pure (no
 * I/O) so that tests/unit/test_scim_pager.c can feed it lying servers. The
 * client asks for startIndex=sb_pager.start, count=page_size, parses the
 * page and hands its ids to sb_pager_step until sb_pager_more is false.
 *
 * A list ends only where the pager knows it ends: a short page that lands on
 * totalResults ends it only if the server has returned a longer page before
 * (so the page is not a cap); otherwise — a full page at totalResults, or a
 * short one from a server that may cap `count` — it asks for the page past
 * the end, which must bring nothing new (empty, a 404 there, or echoes of
 * seen resources). If it brings unseen resources, totalResults was smaller
 * than the truth: the pager stops trusting it and reads on until a page
 * brings nothing new (sb_pager.understated says so, for a warning). */
#ifndef SB_SCIM_PAGER_H
#define SB_SCIM_PAGER_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "hashmap.h"

struct sb_pager {
	long start;	  /* next startIndex (1-based) */
	long total;	  /* totalResults as first stated (-1 before page 1) */
	long got;	  /* resources accepted so far */
	long largest;	  /* the longest page the server has returned (seedable) */
	bool probing;	  /* the next page is asked past the stated end */
	bool understated; /* a page past totalResults held unseen resources */
	bool done;
	struct sb_strmap seen;
};

/* largest_seen: the longest page this server is known to have returned
 * before (0 if unknown); it spares the read past the end of a short page. */
void sb_pager_init(struct sb_pager *p, long largest_seen);
void sb_pager_free(struct sb_pager *p);
/* Checks one page (its totalResults and the ids it holds, in order; asked =
 * the count asked for) against what came before: totalResults changing,
 * duplicate ids, more resources than promised, an empty page before the
 * total → SB_E_PROTOCOL naming url. *echo is set when the page brought only
 * resources already seen (past the end, as SCIMMY answers): the caller must
 * drop them. The pager keeps the id pointers (no copy): they must live until
 * sb_pager_free. */
int sb_pager_step(struct sb_pager *p, long total_results, char *const *ids, size_t n, long asked,
		  const char *url, bool *echo, struct sb_err *err);
/* A 404 to the page asked for: the end of the list if that page lies past
 * what the server said it holds (Workspace ONE answers a startIndex past the
 * end so); returns false if the 404 must stay an error. */
bool sb_pager_end_on_404(struct sb_pager *p);
bool sb_pager_more(const struct sb_pager *p);
/* totalResults as the server stated it, or what was read when the server
 * understated it, for progress reports. */
long sb_pager_total(const struct sb_pager *p);

#endif
