/* cache_hash.h — the two hashes the cache file's bucket tables are built with
 * (cache_build) and probed with (cache_lookup). They are part of the file
 * format: changing either makes every existing cache unreadable by lookup, so
 * they live here, on their own, and not in a hash-table helper. The in-memory
 * tables (hashmap.h) and the modules' request keys use them too. */
#ifndef SB_CACHE_HASH_H
#define SB_CACHE_HASH_H

#include <stdint.h>

uint64_t sb_hash_str(const char *s); /* FNV-1a 64 */
uint64_t sb_hash_u32(uint32_t v);

#endif
