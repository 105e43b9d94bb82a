/* mapper.h — the state one sb_map_build call shares between map.c,
 * map_user.c and map_group.c, and the helpers over it (mapper.c). Not for
 * use outside the mapping. */
#ifndef SB_MAPPER_H
#define SB_MAPPER_H

#include "hashmap.h"
#include "idindex.h"
#include "idmap.h"
#include "localdb.h"
#include "map.h"

/* One sticky assignment of the previous cache, by id, for "whose is it?". */
struct prior_owner {
	uint32_t id;
	uint32_t prior; /* index into opts->prior */
};

struct mapper {
	const struct sb_config *cfg;
	const struct sb_map_opts *opts;
	struct sb_map_report *rep;
	struct sb_dataset *out;
	struct sb_err *err;
	struct sb_localdb local;
	struct sb_idalloc ids;	       /* one taken-set for uids and gids */
	struct sb_idindex prior_user;  /* scim id → uid from earlier syncs (first entry) */
	struct sb_idindex prior_group; /* scim id → gid */
	struct prior_owner *owners;    /* every prior id, sorted by id */
	size_t n_owners;
	struct sb_strmap names;		/* every name served (users, groups) */
	struct sb_idindex user_by_scim; /* SCIM user id → dataset user index */
	/* SCIM users array index → dataset user index (UINT32_MAX: none), for
	 * members the listing already resolved (sb_scim_group.member_users) */
	uint32_t *ds_of_scim;
	size_t n_scim_users;
	size_t cap_users, cap_groups, cap_idmap;
	const char *shell; /* the dataset's one copy of cfg->shell */
	bool upg;
};

void mapper_skip(struct mapper *m, const char *kind, const char *scim_id, const char *name,
		 const char *reason);
/* Tenant text made safe for a log line (control characters → '?', cut). */
const char *mapper_printable(const char *s, char *buf, size_t size);
/* Records that id was given to scim_id, which must be the dataset's own
 * copy (mapper_keep / sb_arena_strdup on out->arena): it is stored, not
 * copied. */
int mapper_add_idmap(struct mapper *m, const char *scim_id, uint32_t id, uint32_t kind);
int mapper_grow(void **arr, size_t *cap, size_t need, size_t elem);
/* s (malloc'd, may be NULL) moved into the dataset's arena: s is freed, the
 * copy returned (NULL if s was NULL or memory ran out). */
char *mapper_keep(struct mapper *m, char *s);
/* The dataset's copy of s. */
char *mapper_str(struct mapper *m, const char *s);
/* True if the previous cache gave id to exactly this scim_id and kind. */
bool mapper_prior_is(const struct mapper *m, uint32_t id, const char *scim_id, uint32_t kind);
/* The id for scim_id of kind: its sticky one when still usable, else the
 * hashed probe in [min, max] (recorded in the idmap, so scim_id must be the
 * dataset's copy). 0: the range is full. -1 only for out of memory. */
int mapper_sticky_or_hash(struct mapper *m, const char *scim_id, uint32_t kind, uint32_t min,
			  uint32_t max, uint32_t *id);
/* Checks the config's ranges, loads the local accounts and the sticky ids;
 * -1 with m->err set. mapper_teardown frees what setup made, always. */
int mapper_setup(struct mapper *m);
void mapper_teardown(struct mapper *m);

#endif
