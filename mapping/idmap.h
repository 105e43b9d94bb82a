/* idmap.h — SCIM id → POSIX uid/gid, stable on every host that sees the same
 * tenant (the algorithm is documented in docs/idmap.md and scimbridge.conf(5)):
 *
 *   h   = FNV-1a 32-bit over the bytes of the SCIM id
 *         (offset basis 2166136261, prime 16777619)
 *   id  = min + ((h mod span) + k) mod span,  span = max - min + 1,
 *         for k = 0, 1, 2, … : the first id that is not forbidden
 *         (0, 65534, 65535, 4294967295) and not taken.
 *
 * "Taken" means: a local uid or gid, an id already given to another SCIM id
 * in this or any earlier sync on this host (sticky), or an id given earlier in
 * this sync. Users and groups share one taken-set, so a group's gid never
 * equals a user's uid (a user private group has gid = uid). Entries are
 * processed in a fixed order so every host computes the same answer: the
 * previous assignments, then users sorted by SCIM id (uid attribute values
 * first, then sticky or hashed ids), then groups sorted by SCIM id. This file
 * is the hash and the probe; the order lives in map.c, map_user.c and
 * map_group.c. */
#ifndef SB_IDMAP_H
#define SB_IDMAP_H

#include <stdbool.h>
#include <stdint.h>

#include "hashmap.h"

struct sb_idalloc {
	uint32_t min, max;
	struct sb_u32set taken;
};

uint32_t sb_idmap_hash(const char *scim_id);
bool sb_id_forbidden(uint32_t id);
/* Parses a decimal uid from an attribute value: digits only; false for
 * text, a sign, spaces, zero, or more than 32 bits. */
bool sb_id_parse(const char *s, uint32_t *out);
void sb_idalloc_init(struct sb_idalloc *a, uint32_t min, uint32_t max);
int sb_idalloc_take(struct sb_idalloc *a, uint32_t id);
bool sb_idalloc_taken(const struct sb_idalloc *a, uint32_t id);
/* The first free id for scim_id by the probe above (and marks it taken);
 * 0 when the range is full, reversed (min > max) or memory ran out. */
uint32_t sb_idalloc_assign(struct sb_idalloc *a, const char *scim_id);
void sb_idalloc_free(struct sb_idalloc *a);

#endif
