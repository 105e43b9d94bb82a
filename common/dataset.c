/* dataset.c — freeing a dataset (see dataset.h). */
#include "dataset.h"

#include <stdlib.h>
#include <string.h>

static void user_free(struct sb_user *u)
{
	free(u->name);
	free(u->gecos);
	free(u->home);
	free(u->shell);
	free(u->scim_id);
	for (size_t i = 0; i < u->n_ssh_keys; i++)
		free(u->ssh_keys[i]);
	free(u->ssh_keys);
	free(u->gids);
}

void sb_dataset_free(struct sb_dataset *ds)
{
	if (!ds)
		return;
	for (size_t i = 0; i < ds->n_users; i++)
		user_free(&ds->users[i]);
	for (size_t i = 0; i < ds->n_groups; i++) {
		free(ds->groups[i].name);
		free(ds->groups[i].scim_id);
		free(ds->groups[i].members);
	}
	for (size_t i = 0; i < ds->n_idmap; i++)
		free(ds->idmap[i].scim_id);
	free(ds->users);
	free(ds->groups);
	free(ds->idmap);
	memset(ds, 0, sizeof(*ds));
}
