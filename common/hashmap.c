/* hashmap.c — see hashmap.h. */
#include "hashmap.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

/* The tables hold keys a tenant chose (SCIM ids, names, group ids): under a
 * fixed hash it could pick keys that share a slot and turn every lookup
 * into a scan. So the tables hash with a key drawn once per process, and a
 * 64-bit finaliser puts every bit into the slot index. The cache file's
 * hash (cache_hash.c) is part of its format and stays fixed. */
static uint64_t table_key;
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static void table_key_init(void)
{
	if (getrandom(&table_key, sizeof(table_key), GRND_NONBLOCK) != (ssize_t)sizeof(table_key))
		table_key = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
}

uint64_t sb_table_hash(const char *s)
{
	uint64_t h;

	pthread_once(&table_once, table_key_init);
	h = 0xcbf29ce484222325ull ^ table_key; /* FNV-1a from a keyed basis */
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		h = (h ^ *p) * 0x100000001b3ull;
	h ^= h >> 33; /* MurmurHash3's fmix64 */
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 33);
}

static int strmap_grow(struct sb_strmap *m)
{
	size_t ncap = m->cap ? m->cap * 2 : 64;
	const char **nk = calloc(ncap, sizeof(*nk));
	uint32_t *nv = calloc(ncap, sizeof(*nv));

	if (!nk || !nv) {
		free(nk);
		free(nv);
		return -1;
	}
	for (size_t i = 0; i < m->cap; i++) {
		size_t j;

		if (!m->keys[i])
			continue;
		j = sb_table_hash(m->keys[i]) & (ncap - 1);
		while (nk[j])
			j = (j + 1) & (ncap - 1);
		nk[j] = m->keys[i];
		nv[j] = m->vals[i];
	}
	free(m->keys);
	free(m->vals);
	m->keys = nk;
	m->vals = nv;
	m->cap = ncap;
	return 0;
}

int sb_strmap_put(struct sb_strmap *m, const char *key, uint32_t val)
{
	size_t j;

	if ((m->n + 1) * 2 > m->cap && strmap_grow(m) < 0)
		return -1;
	j = sb_table_hash(key) & (m->cap - 1);
	while (m->keys[j] && strcmp(m->keys[j], key) != 0)
		j = (j + 1) & (m->cap - 1);
	if (!m->keys[j])
		m->n++;
	m->keys[j] = key;
	m->vals[j] = val;
	return 0;
}

bool sb_strmap_get(const struct sb_strmap *m, const char *key, uint32_t *val)
{
	size_t j;

	if (!m->cap)
		return false;
	j = sb_table_hash(key) & (m->cap - 1);
	while (m->keys[j]) {
		if (strcmp(m->keys[j], key) == 0) {
			if (val)
				*val = m->vals[j];
			return true;
		}
		j = (j + 1) & (m->cap - 1);
	}
	return false;
}

void sb_strmap_free(struct sb_strmap *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

static int u32set_grow(struct sb_u32set *s)
{
	size_t ncap = s->cap ? s->cap * 2 : 64;
	uint32_t *ns = calloc(ncap, sizeof(*ns));

	if (!ns)
		return -1;
	for (size_t i = 0; i < s->cap; i++) {
		size_t j;

		if (!s->slots[i])
			continue;
		j = sb_hash_u32(s->slots[i]) & (ncap - 1);
		while (ns[j])
			j = (j + 1) & (ncap - 1);
		ns[j] = s->slots[i];
	}
	free(s->slots);
	s->slots = ns;
	s->cap = ncap;
	return 0;
}

int sb_u32set_add(struct sb_u32set *s, uint32_t v)
{
	size_t j;

	if (v == 0) {
		s->has_zero = true;
		return 0;
	}
	if ((s->n + 1) * 2 > s->cap && u32set_grow(s) < 0)
		return -1;
	j = sb_hash_u32(v) & (s->cap - 1);
	while (s->slots[j] && s->slots[j] != v)
		j = (j + 1) & (s->cap - 1);
	if (!s->slots[j]) {
		s->slots[j] = v;
		s->n++;
	}
	return 0;
}

bool sb_u32set_has(const struct sb_u32set *s, uint32_t v)
{
	size_t j;

	if (v == 0)
		return s->has_zero;
	if (!s->cap)
		return false;
	j = sb_hash_u32(v) & (s->cap - 1);
	while (s->slots[j]) {
		if (s->slots[j] == v)
			return true;
		j = (j + 1) & (s->cap - 1);
	}
	return false;
}

void sb_u32set_free(struct sb_u32set *s)
{
	free(s->slots);
	memset(s, 0, sizeof(*s));
}
