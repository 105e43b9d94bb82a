/* scim_pager.h — the paging state machine of a SCIM listing, kept pure (no
 * I/O) so that tests/unit/test_scim_pager.c can feed it lying servers. The
 * client asks for startIndex=sb_pager.start, count=page_size, parses the
 * page and hands its ids to sb_pager_step until sb_pager_more is false. */
#ifndef SB_SCIM_PAGER_H
#define SB_SCIM_PAGER_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "hashmap.h"

struct sb_pager {
	long start;	 /* next startIndex (1-based) */
	long total;	 /* totalResults as first promised (-1 before page 1) */
	long got;	 /* resources accepted so far */
	bool verified;	 /* the extra page past a full last page was asked for */
	bool expect_end; /* the next page is that extra page */
	struct sb_strmap seen;
};

void sb_pager_init(struct sb_pager *p);
void sb_pager_free(struct sb_pager *p);
/* Checks one page (its totalResults and the ids it holds, in order) against
 * what came before: totalResults changing, duplicate ids, more resources than
 * promised, an empty page before the total → SB_E_PROTOCOL naming url. A
 * page shorter than page_size is fine (start advances by what came). *echo
 * is set when the page was the verification page past the end: its
 * resources (already seen ones, as SCIMMY sends) must be dropped. The pager
 * keeps the id pointers (no copy): they must live until sb_pager_free. */
int sb_pager_step(struct sb_pager *p, long total_results, char *const *ids, size_t n,
		  long page_size, const char *url, bool *echo, struct sb_err *err);
bool sb_pager_more(const struct sb_pager *p);
/* totalResults as the server stated it, for progress reports. */
long sb_pager_total(const struct sb_pager *p);

#endif
