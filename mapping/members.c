/* members.c — see members.h. Moved from the parser (issue 15): resolution
 * is the mapping's, the tenant client only reports what it read. */
#include "members.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hashmap.h"

#define BATCH 16

/* Moves members found in ids (and not typed Group) to member_users. A
 * batch's table slots, then its keys, are prefetched before it is looked
 * up: a million lookups in a table of 100,000 scattered ids would otherwise
 * wait for memory one at a time. */
static void resolve_members(struct sb_scim_group *g, const struct sb_idindex *ids)
{
	uint64_t h[BATCH];
	size_t keep = 0;

	for (size_t base = 0; base < g->n_members; base += BATCH) {
		size_t n = g->n_members - base < BATCH ? g->n_members - base : BATCH;

		for (size_t i = 0; i < n; i++) {
			h[i] = sb_table_hash(g->members[base + i].value);
			sb_idindex_prefetch(ids, h[i]);
		}
		for (size_t i = 0; i < n; i++)
			sb_idindex_prefetch_key(ids, h[i]);
		for (size_t i = 0; i < n; i++) {
			struct sb_scim_member *mb = &g->members[base + i];
			uint32_t idx;

			if (!mb->is_group && sb_idindex_get_hashed(ids, mb->value, h[i], &idx))
				g->member_users[g->n_member_users++] = idx;
			else
				g->members[keep++] = *mb;
		}
	}
	g->n_members = keep;
}

/* The blob and the member array were sized for every member; those resolved
 * to users left most of them unused: both shrink to what remains. */
static int shrink_blob(struct sb_scim_group *g, struct sb_err *err)
{
	struct sb_scim_member *nm;
	size_t used = 0;
	char *nb;

	if (!g->member_users)
		return 0;
	nm = realloc(g->members, (g->n_members + 1) * sizeof(*g->members));
	if (nm)
		g->members = nm; /* else the larger array stays: still correct */
	for (size_t i = 0; i < g->n_members; i++)
		used += strlen(g->members[i].value) + 1;
	nb = malloc(used ? used : 1);
	if (!nb)
		return sb_err_set(err, SB_E_NOMEM, "out of memory");
	used = 0;
	for (size_t i = 0; i < g->n_members; i++) {
		size_t l = strlen(g->members[i].value) + 1;

		memcpy(nb + used, g->members[i].value, l);
		g->members[i].value = nb + used;
		used += l;
	}
	free(g->member_blob);
	g->member_blob = nb;
	return 0;
}

int sb_members_resolve(struct sb_scim_group *g, const struct sb_idindex *user_ids,
		       struct sb_err *err)
{
	g->member_users = calloc(g->n_members + 1, sizeof(*g->member_users));
	if (!g->member_users)
		return sb_err_set(err, SB_E_NOMEM, "out of memory");
	resolve_members(g, user_ids);
	return shrink_blob(g, err);
}

int sb_members_resolve_group(void *ctx, struct sb_scim_group *g, struct sb_err *err)
{
	return sb_members_resolve(g, ctx, err);
}
