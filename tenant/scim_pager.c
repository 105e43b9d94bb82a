/* scim_pager.c — the paging state machine (see scim_pager.h): decides the
 * next startIndex and where the list ends, and refuses a listing whose pages
 * contradict each other, so that a lying, capping or changing tenant yields
 * either every resource or an error, never a partial or duplicated list. */
#include "scim_pager.h"

#include <string.h>

void sb_pager_init(struct sb_pager *p, long largest_seen)
{
	memset(p, 0, sizeof(*p));
	p->start = 1;
	p->total = -1;
	p->largest = largest_seen > 0 ? largest_seen : 0;
}

void sb_pager_free(struct sb_pager *p)
{
	sb_strmap_free(&p->seen);
}

bool sb_pager_more(const struct sb_pager *p)
{
	return !p->done;
}

long sb_pager_total(const struct sb_pager *p)
{
	return p->understated || p->got > p->total ? p->got : p->total;
}

bool sb_pager_end_on_404(struct sb_pager *p)
{
	if (!p->probing && !p->understated)
		return false;
	p->done = true;
	return true;
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
	p->got += (long)n;
	p->start += (long)n;
	if ((long)n > p->largest)
		p->largest = (long)n;
	return 0;
}

/* A page past the stated end (or past an understated one): nothing new ends
 * the list; unseen resources mean the total is too small, so read on. Some
 * servers (SCIMMY among them) answer past the end with resources already
 * listed: those are echoes, not duplicates. */
static int step_past_end(struct sb_pager *p, char *const *ids, size_t n, const char *url,
			 bool *echo, struct sb_err *err)
{
	size_t unseen = 0;

	for (size_t i = 0; i < n; i++)
		unseen += !sb_strmap_get(&p->seen, ids[i], NULL);
	if (unseen == 0) {
		*echo = n > 0;
		p->done = true;
		return 0;
	}
	p->probing = false;
	p->understated = true;
	return take_ids(p, ids, n, url, err);
}

int sb_pager_step(struct sb_pager *p, long total_results, char *const *ids, size_t n, long asked,
		  const char *url, bool *echo, struct sb_err *err)
{
	long largest_before = p->largest;

	*echo = false;
	if (p->probing || p->understated)
		return step_past_end(p, ids, n, url, echo, err);
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
	if (p->got > p->total)
		return sb_err_set(err, SB_E_PROTOCOL,
				  "GET %.200s: %ld resources so far, more than totalResults %ld",
				  url, p->got, p->total);
	if (n == 0 && p->got < p->total)
		return sb_err_set(
		    err, SB_E_PROTOCOL,
		    "GET %.200s: empty page after %ld resources, totalResults says %ld", url,
		    p->got, p->total);
	if (p->got < p->total)
		return 0;
	/* At totalResults. An empty page, or a short one from a server that has
	 * returned longer pages (so it does not cap count there), is the end. A
	 * full page cannot tell a true total from one that is too small, nor a
	 * short page a true total from a server that caps count and states the
	 * page's length as the total: ask for the page past the end. */
	if (n == 0 || ((long)n < asked && (long)n < largest_before))
		p->done = true;
	else
		p->probing = true;
	return 0;
}
