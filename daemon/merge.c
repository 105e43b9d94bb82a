/* merge.c — folding changed SCIM resources into the daemon's kept copy of
 * the tenant, by SCIM id: a miss lookup, a live check and an incremental
 * sync all bring a few resources that replace (or add to) what the last full
 * read had. Ownership of each merged resource moves into `kept`. merge_users
 * says how many users were new or different, so a caller rewrites the cache
 * only for a real change: a miss lookup that brings back a user the kept
 * copy already has (a case variant of a name, a user the mapping skips) must
 * not cost a rewrite of the whole cache. */
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "hashmap.h"

static bool str_same(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* Every field the mapping reads (scim_types.h), so "same" means the mapped
 * result cannot differ. */
static bool user_same(const struct sb_scim_user *a, const struct sb_scim_user *b)
{
	if (!str_same(a->id, b->id) || !str_same(a->user_name, b->user_name) ||
	    !str_same(a->display_name, b->display_name) ||
	    !str_same(a->name_formatted, b->name_formatted) ||
	    !str_same(a->given_name, b->given_name) || !str_same(a->family_name, b->family_name) ||
	    !str_same(a->domain, b->domain) || !str_same(a->user_status, b->user_status) ||
	    !str_same(a->internal_type, b->internal_type) ||
	    !str_same(a->uid_value, b->uid_value) || a->active != b->active ||
	    a->soft_deleted != b->soft_deleted || a->n_ssh_keys != b->n_ssh_keys)
		return false;
	for (size_t i = 0; i < a->n_ssh_keys; i++)
		if (!str_same(a->ssh_keys[i], b->ssh_keys[i]))
			return false;
	return true;
}

int merge_users(struct sb_scim_users *kept, struct sb_scim_users *fresh)
{
	struct sb_strmap idx = {0};
	int rc = -1, changed = 0;

	for (size_t k = 0; k < kept->n; k++)
		if (sb_strmap_put(&idx, kept->v[k].id, (uint32_t)k) < 0)
			goto out;
	for (size_t i = 0; i < fresh->n; i++) {
		struct sb_scim_user *f = &fresh->v[i], old = {0};
		uint32_t k;
		int put;

		if (sb_strmap_get(&idx, f->id, &k)) {
			old = kept->v[k];
			changed += !user_same(&old, f);
		} else {
			changed++;
			struct sb_scim_user *nv = realloc(kept->v, (kept->n + 1) * sizeof(*nv));

			if (!nv)
				goto out;
			kept->v = nv;
			kept->cap = kept->n + 1;
			k = (uint32_t)kept->n++;
		}
		kept->v[k] = *f;
		memset(f, 0, sizeof(*f));
		/* The index's key must point at the kept copy's id. The replaced
		 * user is freed only after: until then the index still compares
		 * against its id. */
		put = sb_strmap_put(&idx, kept->v[k].id, k);
		sb_scim_user_free(&old);
		if (put < 0)
			goto out;
	}
	fresh->n = 0;
	rc = changed;
out:
	sb_strmap_free(&idx);
	return rc;
}

int merge_groups(struct sb_scim_groups *kept, struct sb_scim_groups *fresh)
{
	for (size_t i = 0; i < fresh->n; i++) {
		struct sb_scim_group *f = &fresh->v[i];
		size_t k;

		for (k = 0; k < kept->n; k++)
			if (strcmp(kept->v[k].id, f->id) == 0)
				break;
		if (k == kept->n) {
			struct sb_scim_group *nv = realloc(kept->v, (kept->n + 1) * sizeof(*nv));

			if (!nv)
				return -1;
			kept->v = nv;
			kept->cap = kept->n + 1;
			kept->n++;
		} else {
			sb_scim_group_free(&kept->v[k]);
		}
		kept->v[k] = *f;
		memset(f, 0, sizeof(*f));
	}
	fresh->n = 0;
	return 0;
}
