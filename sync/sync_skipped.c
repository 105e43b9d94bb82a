/* sync_skipped.c — see sync_skipped.h. */
#include "sync_skipped.h"

#include <stdlib.h>
#include <string.h>

static int cmp_user_ptr(const void *a, const void *b)
{
	return strcmp((*(const struct sb_scim_user *const *)a)->id,
		      (*(const struct sb_scim_user *const *)b)->id);
}

static int cmp_group_ptr(const void *a, const void *b)
{
	return strcmp((*(const struct sb_scim_group *const *)a)->id,
		      (*(const struct sb_scim_group *const *)b)->id);
}

/* Each index is built on the first skip of its kind: user skips happen
 * while users are mapped, group skips after the users may have been freed. */
static void relay_build_users(struct skip_relay *r)
{
	r->built_users = 1;
	if (!r->users || !(r->uidx = calloc(r->users->n + 1, sizeof(*r->uidx))))
		return; /* names are a nicety: report without them */
	for (size_t i = 0; i < r->users->n; i++)
		if (r->users->v[i].id)
			r->uidx[r->nu++] = &r->users->v[i];
	qsort(r->uidx, r->nu, sizeof(*r->uidx), cmp_user_ptr);
}

static void relay_build_groups(struct skip_relay *r)
{
	r->built_groups = 1;
	if (!(r->gidx = calloc(r->groups->n + 1, sizeof(*r->gidx))))
		return;
	for (size_t i = 0; i < r->groups->n; i++)
		if (r->groups->v[i].id)
			r->gidx[r->ng++] = &r->groups->v[i];
	qsort(r->gidx, r->ng, sizeof(*r->gidx), cmp_group_ptr);
}

static const char *relay_name(struct skip_relay *r, const char *kind, const char *scim_id)
{
	if (!scim_id)
		return NULL;
	if (!strcmp(kind, "group")) {
		struct sb_scim_group key = {.id = (char *)scim_id}, *kp = &key;
		const struct sb_scim_group **hit;

		if (!r->built_groups)
			relay_build_groups(r);
		if (!r->gidx)
			return NULL;
		hit = bsearch(&kp, r->gidx, r->ng, sizeof(*r->gidx), cmp_group_ptr);
		return hit ? (*hit)->display_name : NULL;
	} else {
		struct sb_scim_user key = {.id = (char *)scim_id}, *kp = &key;
		const struct sb_scim_user **hit;

		if (!r->built_users)
			relay_build_users(r);
		if (!r->uidx)
			return NULL;
		hit = bsearch(&kp, r->uidx, r->nu, sizeof(*r->uidx), cmp_user_ptr);
		return hit ? (*hit)->user_name : NULL;
	}
}

void sb_sync_skip_relay(void *arg, const char *kind, const char *scim_id, const char *reason)
{
	struct skip_relay *r = arg;

	r->fn(r->ctx, kind, scim_id, relay_name(r, kind, scim_id), reason);
}

void sb_sync_drop_users(void *arg)
{
	struct drop_users_ctx *d = arg;

	free(d->relay->uidx);
	d->relay->uidx = NULL;
	d->relay->nu = 0;
	d->relay->users = NULL;
	d->relay->built_users = 1;
	sb_scim_users_free(d->users);
}
