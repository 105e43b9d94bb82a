/* cache_build.h — a dataset laid out in memory as the cache file's sections
 * (cache_format.h), for cache_writer.c to write. Kept apart from the writing
 * so that the layout and the atomic replace can each be read whole. */
#ifndef SB_CACHE_BUILD_H
#define SB_CACHE_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "cache_format.h"
#include "dataset.h"
#include "err.h"
#include "hashmap.h"

struct sb_cache_build {
	const struct sb_dataset *ds;
	/* the sections, in enum sb_cache_sec order */
	const void *src[SB_SEC_COUNT];
	uint64_t len[SB_SEC_COUNT];
	uint32_t n_groups, n_upg, n_u32; /* stored groups, private groups, pool */

	/* working state */
	uint8_t *urecs[2]; /* by name, by uid */
	size_t n_urecs[2], cap_urecs[2];
	uint32_t *dir[2];
	size_t n_buckets;
	uint32_t *rec_of; /* user index -> by-name record ref */
	uint8_t *upg_of;  /* user index -> 1 if its private group is implied */
	uint32_t *stored; /* dataset group index -> stored index + 1, 0 = implied */
	struct sb_cache_user *users;
	struct sb_cache_group *groups;
	struct sb_cache_idmap *idmap;
	uint32_t *u32;
	size_t cap_u32;
	uint32_t *gidx[2];
	size_t gidx_cap;
	char *str;
	size_t n_str, cap_str;
	struct sb_strmap interned;
	int oom;
	const char *too_long; /* a user whose passwd field exceeds 65535 bytes */
};

/* Fills b->src/len and the counts from ds (which must outlive b). */
int sb_cache_build(struct sb_cache_build *b, const struct sb_dataset *ds, struct sb_err *err);
void sb_cache_build_free(struct sb_cache_build *b);

#endif
