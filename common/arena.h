/* arena.h — bump allocation from a list of chunks, all freed at once. For
 * data that lives and dies together and comes in many small pieces: a
 * page's cJSON nodes (json_arena.c) and a mapped dataset's strings and
 * member lists (dataset.h), where malloc's per-block header and rounding
 * cost more than the data (100,000 users: ~20 MB of 70). */
#ifndef SB_ARENA_H
#define SB_ARENA_H

#include <stddef.h>

struct sb_arena_chunk;

struct sb_arena {
	struct sb_arena_chunk *head; /* newest first */
	size_t chunk_size;	     /* 0: the default (256 KiB) */
};

/* n bytes aligned to align (a power of two, at most 16); NULL when out of
 * memory. Not zeroed. */
void *sb_arena_alloc(struct sb_arena *a, size_t n, size_t align);
/* n zeroed elements of size bytes, aligned for them (up to 16). */
void *sb_arena_calloc(struct sb_arena *a, size_t n, size_t size);
/* A copy of s (NULL for NULL or when out of memory — check s first). */
char *sb_arena_strdup(struct sb_arena *a, const char *s);
/* Everything allocated is released; the oldest chunk is kept for reuse. */
void sb_arena_reset(struct sb_arena *a);
/* Everything is released. */
void sb_arena_free(struct sb_arena *a);

#endif
