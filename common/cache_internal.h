/* cache_internal.h — the reader's view of a mapped cache file, shared by
 * cache_reader.c (open, validate, info) and cache_lookup.c (lookups). */
#ifndef SB_CACHE_INTERNAL_H
#define SB_CACHE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cache_format.h"

/* One list of user records (by name or by uid) and its bucket directory. */
struct sb_cache_list {
	const uint8_t *recs;
	uint64_t units; /* section size / 8 */
	const uint32_t *dir;
	uint32_t mask; /* buckets - 1 */
};

struct sb_cache {
	const uint8_t *base;
	size_t size;
	const struct sb_cache_header *h;
	struct sb_cache_list list[2]; /* by name, by uid */
	const struct sb_cache_user *users;
	const struct sb_cache_group *groups;
	const struct sb_cache_idmap *idmap;
	const uint32_t *u32;
	const uint32_t *gidx[2];
	uint32_t gmask;
	const char *str;
	uint32_t n_str;
	/* Counts copied at open: the mapping is shared, so a file rewritten in
	 * place (cp over it) must not be able to widen a bound we checked. */
	uint32_t n_users, n_groups, n_upg, n_idmap, n_u32;
	dev_t dev;
	ino_t ino;
	/* Lowest uid and gid served (sb_cache_set_id_min); never below
	 * SB_CACHE_ID_FLOOR, whatever the file says. */
	uint32_t uid_min, gid_min;
	uint32_t primary_gid; /* sb_cache_allow_primary_gid; 0: none */
	bool owned;	      /* allocated by sb_cache_open (else the caller's storage) */
};

#endif
