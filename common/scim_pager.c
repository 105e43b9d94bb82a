/* scim_pager.c — the paging state machine (see scim_pager.h): decides the
 * next startIndex and refuses a listing whose pages contradict each other,
 * so that a lying or changing tenant yields an error, never a partial or
 * duplicated user list. */
#include "scim_pager.h"

#include <string.h>

void sb_pager_init(struct sb_pager *p)
{
	memset(p, 0, sizeof(*p));
	p->start = 1;
	p->total = -1;
}

void sb_pager_free(struct sb_pager *p)
{
	sb_strmap_free(&p->seen);
}

bool sb_pager_more(const struct sb_pager *p)
{
	return p->total < 0 || p->got < p->total;
}

long sb_pager_total(const struct sb_pager *p)
{
	return p->expect_end ? p->total - 1 : p->total;
}

/* The page after the promised end must hold nothing new. Some servers
 * (SCIMMY among them) answer a startIndex past the end with resources
 * already listed; only unseen ids mean the total was too small. */
static int check_end(struct sb_pager *p, char *const *ids, size_t n, const char *url,
		     struct sb_err *err)
{
	size_t unseen = 0;

	p->expect_end = false;
	p->total--;
	for (size_t i = 0; i < n; i++)
		unseen += !sb_strmap_get(&p->seen, ids[i], NULL);
	if (unseen > 0)
		return sb_err_set(err, SB_E_PROTOCOL,
				  "GET %.200s: %zu more resources past totalResults %ld (the "
				  "total is smaller than the truth)",
				  url, unseen, p->total);
	p->total = p->got; /* ends the loop */
	return 0;
}

static int take_ids(struct sb_pager *p, char *const *ids, size_t n, const char *url,
		    struct sb_err *err)
{
	for (size_t i = 0; i < n; i++) {
		if (sb_strmap_get(&p->seen, ids[i], NULL))
			return sb_err_set(err, SB_E_PROTOCOL, "GET %.200s: duplicate id %.64s", url,
					  ids[i]);
		if (sb_strmap_put(&p->seen, ids[i], 1) < 0)
			return sb_err_set(err, SB_E_NOMEM, "out of memory");
	}
	return 0;
}

int sb_pager_step(struct sb_pager *p, long total_results, char *const *ids, size_t n,
		  long page_size, const char *url, bool *echo, struct sb_err *err)
{
	*echo = p->expect_end;
	if (p->expect_end)
		return check_end(p, ids, n, url, err);
	if (total_results < 0)
		return sb_err_set(err, SB_E_PROTOCOL, "GET %.200s: negative totalResults %ld", url,
				  total_results);
	if (p->total < 0)
		p->total = total_results;
	else if (total_results != p->total)
		return sb_err_set(err, SB_E_PROTOCOL,
				  "GET %.200s: totalResults changed from %ld to %ld between pages",
				  url, p->total, total_results);
	if (take_ids(p, ids, n, url, err) < 0)
		return -1;
	p->got += (long)n;
	if (p->got > p->total)
		return sb_err_set(err, SB_E_PROTOCOL,
				  "GET %.200s: %ld resources so far, more than totalResults %ld",
				  url, p->got, p->total);
	if (n == 0 && p->got < p->total)
		return sb_err_set(
		    err, SB_E_PROTOCOL,
		    "GET %.200s: empty page after %ld resources, totalResults says %ld", url,
		    p->got, p->total);
	p->start += (long)n;
	/* A full last page that lands exactly on totalResults cannot tell a
	 * truthful total from one that is too small: ask for one more page,
	 * which must bring nothing new. */
	if (p->got == p->total && p->total > 0 && (long)n == page_size && !p->verified) {
		p->verified = true;
		p->total++;
		p->expect_end = true;
	}
	return 0;
}
