/* scim_types.c — freeing parsed SCIM resources, and the one rule that
 * decides whether a tenant account may log in (DESIGN.md: active true,
 * userStatus absent or "1", softDeleted not true). */
#include "scim_types.h"

#include <stdlib.h>
#include <string.h>

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void sb_scim_user_free(struct sb_scim_user *u)
{
	if (!u)
		return;
	if (u->str_blob) {
		free(u->str_blob);
	} else {
		free(u->id);
		free(u->user_name);
		free(u->display_name);
		free(u->name_formatted);
		free(u->given_name);
		free(u->family_name);
		free(u->domain);
		free(u->user_status);
		free(u->internal_type);
		free(u->uid_value);
	}
	free_strv(u->ssh_keys, u->n_ssh_keys);
	memset(u, 0, sizeof(*u));
}

void sb_scim_group_free(struct sb_scim_group *g)
{
	if (!g)
		return;
	free(g->id);
	free(g->display_name);
	for (size_t i = 0; !g->member_blob && i < g->n_members; i++)
		free(g->members[i].value);
	free(g->member_blob);
	free(g->members);
	free(g->member_users);
	memset(g, 0, sizeof(*g));
}

void sb_scim_users_free(struct sb_scim_users *a)
{
	for (size_t i = 0; a && i < a->n; i++)
		sb_scim_user_free(&a->v[i]);
	if (a) {
		free(a->v);
		memset(a, 0, sizeof(*a));
	}
}

void sb_scim_groups_free(struct sb_scim_groups *a)
{
	for (size_t i = 0; a && i < a->n; i++)
		sb_scim_group_free(&a->v[i]);
	if (a) {
		free(a->v);
		memset(a, 0, sizeof(*a));
	}
}

const char *sb_scim_user_refusal(const struct sb_scim_user *u)
{
	bool status_ok = !u->user_status || !strcmp(u->user_status, "1");

	if (u->active != SB_FALSE && status_ok && u->soft_deleted != SB_TRUE)
		return NULL;
	if (u->soft_deleted == SB_TRUE || (u->user_status && !strcmp(u->user_status, "3")))
		return "deleted";
	if (!status_ok)
		return "disabled";
	return "deactivated";
}

bool sb_scim_user_login_allowed(const struct sb_scim_user *u)
{
	return sb_scim_user_refusal(u) == NULL;
}
