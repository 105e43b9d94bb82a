/* hashmap.h — two small open-addressing tables the mapping needs to stay
 * O(n) on 100,000 users: string → u32 and a set of u32. Keys are borrowed
 * (not copied); the tables grow at load 1/2. */
#ifndef SB_HASHMAP_H
#define SB_HASHMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cache_hash.h" /* the tables hash with sb_hash_str / sb_hash_u32 */

struct sb_strmap {
	const char **keys;
	uint32_t *vals;
	size_t cap, n;
};

struct sb_u32set {
	uint32_t *slots; /* 0 marks an empty slot; 0 itself is stored in has_zero */
	size_t cap, n;
	bool has_zero;
};

/* The string tables' hash: keyed per process (see hashmap.c), so not for
 * anything written to a file or compared across processes. */
uint64_t sb_table_hash(const char *s);

int sb_strmap_put(struct sb_strmap *m, const char *key, uint32_t val); /* 0, or -1 ENOMEM */
bool sb_strmap_get(const struct sb_strmap *m, const char *key, uint32_t *val);
void sb_strmap_free(struct sb_strmap *m);

int sb_u32set_add(struct sb_u32set *s, uint32_t v);
bool sb_u32set_has(const struct sb_u32set *s, uint32_t v);
void sb_u32set_free(struct sb_u32set *s);

#endif
