/* idindex.c — see idindex.h. Open addressing, linear probing, load ≤ 1/2. */
#include "idindex.h"

#include <stdlib.h>
#include <string.h>

#include "hashmap.h"

static int grow(struct sb_idindex *x, size_t want)
{
	size_t ncap = x->cap ? x->cap : 64;
	struct sb_idindex_slot *ns;

	while (ncap < want * 2)
		ncap *= 2;
	if (ncap == x->cap)
		return 0;
	ns = calloc(ncap, sizeof(*ns));
	if (!ns)
		return -1;
	for (size_t i = 0; i < x->cap; i++) {
		size_t j;

		if (!x->slots[i].key)
			continue;
		j = x->slots[i].hash & (ncap - 1);
		while (ns[j].key)
			j = (j + 1) & (ncap - 1);
		ns[j] = x->slots[i];
	}
	free(x->slots);
	x->slots = ns;
	x->cap = ncap;
	return 0;
}

int sb_idindex_reserve(struct sb_idindex *x, size_t n)
{
	return grow(x, n > x->n ? n : x->n);
}

int sb_idindex_put(struct sb_idindex *x, const char *key, uint32_t val)
{
	uint64_t h = sb_table_hash(key);
	size_t j;

	if ((x->n + 1) * 2 > x->cap && grow(x, x->n + 1) < 0)
		return -1;
	j = h & (x->cap - 1);
	while (x->slots[j].key) {
		if (x->slots[j].hash == h && strcmp(x->slots[j].key, key) == 0)
			return 0;
		j = (j + 1) & (x->cap - 1);
	}
	x->slots[j] = (struct sb_idindex_slot){.hash = h, .key = key, .val = val};
	x->n++;
	return 0;
}

bool sb_idindex_get(const struct sb_idindex *x, const char *key, uint32_t *val)
{
	return sb_idindex_get_hashed(x, key, sb_table_hash(key), val);
}

bool sb_idindex_get_hashed(const struct sb_idindex *x, const char *key, uint64_t h, uint32_t *val)
{
	size_t j;

	if (!x->cap)
		return false;
	for (j = h & (x->cap - 1); x->slots[j].key; j = (j + 1) & (x->cap - 1)) {
		if (x->slots[j].hash == h && strcmp(x->slots[j].key, key) == 0) {
			if (val)
				*val = x->slots[j].val;
			return true;
		}
	}
	return false;
}

void sb_idindex_prefetch(const struct sb_idindex *x, uint64_t hash)
{
	if (x->cap)
		__builtin_prefetch(&x->slots[hash & (x->cap - 1)]);
}

void sb_idindex_prefetch_key(const struct sb_idindex *x, uint64_t hash)
{
	const struct sb_idindex_slot *sl;

	if (!x->cap)
		return;
	sl = &x->slots[hash & (x->cap - 1)];
	if (sl->key && sl->hash == hash)
		__builtin_prefetch(sl->key);
}

void sb_idindex_free(struct sb_idindex *x)
{
	free(x->slots);
	memset(x, 0, sizeof(*x));
}
