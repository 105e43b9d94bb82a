/* cache_hash.c — see cache_hash.h. Frozen by the cache format. */
#include "cache_hash.h"
#include "hot.h"

SB_HOT uint64_t sb_hash_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a 64 */

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ull;
	}
	return h;
}

SB_HOT uint64_t sb_hash_u32(uint32_t v)
{
	uint64_t h = v;

	h ^= h >> 16;
	h *= 0x45d9f3b3335b369ull;
	h ^= h >> 29;
	return h;
}
