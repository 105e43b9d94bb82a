/* dataset.c — freeing a dataset (see dataset.h). */
#include "dataset.h"

#include <stdlib.h>
#include <string.h>

void sb_dataset_free(struct sb_dataset *ds)
{
	if (!ds)
		return;
	sb_arena_free(&ds->arena);
	free(ds->users);
	free(ds->groups);
	free(ds->idmap);
	memset(ds, 0, sizeof(*ds));
}
