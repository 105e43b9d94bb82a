/* cmd_lookup.c — `scimbridge lookup NAME|UID`: what the cache (not NSS,
 * not the tenant) says about a user — the passwd line, the groups, the
 * active flag — or, failing that, about a group of that name or gid.
 * Exit 2 when the cache has neither. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache_reader.h"
#include "cli.h"
#include "dataset.h"

/* A decimal uid/gid, or -1 when the argument is a name. */
static long long parse_id(const char *s)
{
	char *end;
	unsigned long long v;

	if (!*s || strspn(s, "0123456789") != strlen(s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || v > 0xffffffffULL)
		return -1;
	return (long long)v;
}

static void print_user(const struct sb_cache *c, const struct sb_user_view *u)
{
	struct sb_group_view g;

	printf("passwd: %s:*:%u:%u:%s:%s:%s\n", u->name, u->uid, u->gid, u->gecos, u->home,
	       u->shell);
	printf("active: %s\n", (u->flags & SB_USER_ACTIVE) ? "yes" : "no");
	printf("scim_id: %s\n", u->scim_id);
	printf("groups:");
	if (sb_cache_group_by_gid(c, u->gid, &g))
		printf(" %s(%u)", g.name, g.gid);
	else
		printf(" %u", u->gid);
	for (uint32_t i = 0; i < u->n_gids; i++) {
		if (u->gids[i] == u->gid)
			continue; /* a shared primary group that lists the user: once, as id(1) */
		if (sb_cache_group_by_gid(c, u->gids[i], &g))
			printf(" %s(%u)", g.name, g.gid);
		else
			printf(" %u", u->gids[i]);
	}
	printf("\nssh_keys: %u\n", u->n_keys);
}

static void print_group(const struct sb_cache *c, const struct sb_group_view *g)
{
	printf("group: %s:x:%u:", g->name, g->gid);
	for (uint32_t i = 0; i < g->n_members; i++) {
		const char *m = sb_cache_group_member(c, g, i);

		printf("%s%s", i ? "," : "", m ? m : "?");
	}
	printf("\nscim_id: %s\n", *g->scim_id ? g->scim_id : "(user private group)");
}

int cmd_lookup(struct cli *ctx, int argc, char **argv)
{
	struct sb_cache *cache = NULL;
	struct sb_user_view u;
	struct sb_group_view g;
	struct sb_err err = {0};
	long long id;
	int found_u, found_g;

	if (argc != 2) {
		fprintf(stderr, "usage: scimbridge lookup NAME|UID\n");
		return CLI_USAGE;
	}
	if (cli_load_config(ctx, CLI_CONF_PUBLIC) < 0)
		return CLI_FAIL;
	if (sb_cache_open(ctx->cfg.cache_path, &cache, &err) < 0) {
		cli_print_err(ctx, "lookup", &err);
		return CLI_FAIL;
	}
	sb_cache_set_id_min(cache, ctx->cfg.uid_min, ctx->cfg.gid_min);
	sb_cache_allow_primary_gid(cache, sb_config_primary_gid(&ctx->cfg, NULL));
	id = parse_id(argv[1]);
	found_u = id >= 0 ? sb_cache_user_by_uid(cache, (uint32_t)id, &u)
			  : sb_cache_user_by_name(cache, argv[1], &u);
	if (found_u)
		print_user(cache, &u);
	found_g = !found_u && (id >= 0 ? sb_cache_group_by_gid(cache, (uint32_t)id, &g)
				       : sb_cache_group_by_name(cache, argv[1], &g));
	if (found_g)
		print_group(cache, &g);
	if (!found_u && !found_g)
		fprintf(stderr, "%s: lookup: '%s' is not in the cache %s\n", ctx->prog, argv[1],
			ctx->cfg.cache_path);
	sb_cache_close(cache);
	return (found_u || found_g) ? CLI_OK : CLI_NOTFOUND;
}
