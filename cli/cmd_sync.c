/* cmd_sync.c — `scimbridge sync`: one full sync without a daemon, then a
 * summary a person can act on: what was mapped, what was skipped and why
 * (capped so a hostile tenant cannot flood the terminal), how long it took
 * and how many HTTP requests it cost. On failure the cache is untouched. */
#include <malloc.h>
#include <stdio.h>
#include <unistd.h>

#include "cli.h"
#include "sync.h"

#define SKIP_LINES_MAX 20

struct skip_list {
	size_t n;
};

static void on_skipped(void *arg, const char *kind, const char *scim_id, const char *name,
		       const char *reason)
{
	struct skip_list *s = arg;
	char shown[80], id[80];

	if (s->n++ >= SKIP_LINES_MAX)
		return;
	/* Both come from the tenant: printed escaped and bounded. */
	cli_escape(shown, sizeof(shown), name ? name : "?");
	cli_escape(id, sizeof(id), scim_id ? scim_id : "?");
	printf("  skipped %s %s (id %s): %s\n", kind, shown, id, reason);
}

static void print_summary(const struct sb_sync_report *r, const struct skip_list *s)
{
	const struct sb_map_report *m = &r->map;

	if (s->n > SKIP_LINES_MAX)
		printf("  ... and %zu more skipped (-v logs every one)\n", s->n - SKIP_LINES_MAX);
	printf("users:  %zu mapped (%zu inactive), %zu skipped, %zu of another domain, "
	       "%zu read\n",
	       m->users_mapped, m->users_inactive, m->users_skipped, m->users_other_domain,
	       m->users_in);
	printf("groups: %zu mapped, %zu ignored, %zu skipped, %zu read\n", m->groups_mapped,
	       m->groups_ignored, m->groups_skipped, m->groups_in);
	if (r->http.understated)
		printf("warning: %ld list%s held more than the tenant's totalResults said (a "
		       "server that caps count and states the page's length as the total does "
		       "this): read on until a page brought nothing new, nothing lost\n",
		       r->http.understated, r->http.understated == 1 ? "" : "s");
	printf("time:   %.2f s, %ld HTTP requests (%ld token, %ld retries, %ld connections), "
	       "%ld bytes\n",
	       r->seconds, r->http.requests, r->http.token_requests, r->http.retries,
	       r->http.connects, r->http.bytes);
}

int cmd_sync(struct cli *ctx, int argc, char **argv)
{
	struct sb_scim_client *c = NULL;
	struct sb_sync_report rep = {0};
	struct skip_list skips = {0};
	struct sb_err err = {0};
	int rc = CLI_FAIL;

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: scimbridge sync\n");
		return CLI_USAGE;
	}
	/* A one-shot process: memory freed between pages (10 MB bodies, parse
	 * arenas, growing arrays) is kept for the next page instead of going back
	 * to the kernel and being faulted in again. Halves the page faults of a
	 * 100,000-user sync (52,000 -> 28,000) and its CPU by ~15%; the peak RSS
	 * is the same. The daemon keeps glibc's defaults: it lives on. */
	mallopt(M_TRIM_THRESHOLD, 1 << 30);
	mallopt(M_MMAP_THRESHOLD, 32 << 20); /* glibc's maximum */
	if (cli_load_config(ctx, CLI_CONF_STRICT) < 0)
		return CLI_FAIL;
	if (cli_client_new(ctx, true, &c, &err) < 0) {
		cli_print_err(ctx, "sync", &err);
		goto out;
	}
	if (sb_sync_full_opts(&ctx->cfg, c, on_skipped, &skips, &rep, &err) < 0) {
		fflush(stdout); /* skipped lines first, then why the sync failed */
		cli_print_err(ctx, "sync failed, cache unchanged", &err);
		goto out;
	}
	print_summary(&rep, &skips);
	printf("cache:  %s\n", ctx->cfg.cache_path);
	rc = CLI_OK;
out:
	if (c)
		sb_scim_client_free(c);
	return rc;
}
