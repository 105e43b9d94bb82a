/* idindex.h — SCIM id → record index for the mapping's hot path: a million
 * group memberships are resolved against 100,000 users. Each slot keeps the
 * key's 64-bit hash beside the key, so a probe touches one cache line and
 * compares strings only on a hash match. Keys are borrowed, not copied. */
#ifndef SB_IDINDEX_H
#define SB_IDINDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sb_idindex_slot {
	uint64_t hash;
	const char *key; /* NULL: empty */
	uint32_t val;
};

struct sb_idindex {
	struct sb_idindex_slot *slots;
	size_t cap, n;
};

/* Sizes the table for n keys up front (no rehash while filling); 0 or -1. */
int sb_idindex_reserve(struct sb_idindex *x, size_t n);
/* Adds key → val; a key already present keeps its first value. 0 or -1. */
int sb_idindex_put(struct sb_idindex *x, const char *key, uint32_t val);
bool sb_idindex_get(const struct sb_idindex *x, const char *key, uint32_t *val);
/* The same with the key's hash computed once by the caller (sb_table_hash),
 * for a key looked up in several tables. */
bool sb_idindex_get_hashed(const struct sb_idindex *x, const char *key, uint64_t hash,
			   uint32_t *val);
/* Asks the CPU to start loading the slot a lookup of hash will read first:
 * a batch of lookups then overlaps its cache misses. */
void sb_idindex_prefetch(const struct sb_idindex *x, uint64_t hash);
/* The second stage, once that slot has arrived: prefetch the key string a
 * hit will compare. */
void sb_idindex_prefetch_key(const struct sb_idindex *x, uint64_t hash);
void sb_idindex_free(struct sb_idindex *x);

#endif
