/* arena.c — see arena.h. A request larger than a quarter of a chunk gets a
 * chunk of its own, placed behind the current one so the current one's room
 * is not abandoned. */
#include "arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_DEFAULT (256u << 10)

struct sb_arena_chunk {
	struct sb_arena_chunk *next;
	size_t size, used;
	alignas(16) unsigned char data[];
};

static struct sb_arena_chunk *chunk_new(size_t size)
{
	struct sb_arena_chunk *c = malloc(sizeof(*c) + size);

	if (c) {
		c->size = size;
		c->used = 0;
		c->next = NULL;
	}
	return c;
}

static void *chunk_take(struct sb_arena_chunk *c, size_t n, size_t align)
{
	size_t at = (c->used + align - 1) & ~(align - 1);

	if (at > c->size || c->size - at < n)
		return NULL;
	c->used = at + n;
	return c->data + at;
}

void *sb_arena_alloc(struct sb_arena *a, size_t n, size_t align)
{
	size_t chunk = a->chunk_size ? a->chunk_size : CHUNK_DEFAULT;
	struct sb_arena_chunk *c;
	void *p;

	if (a->head && (p = chunk_take(a->head, n, align)))
		return p;
	if (n > SIZE_MAX - sizeof(*c) - 16)
		return NULL;
	c = chunk_new(n > chunk / 4 ? n : chunk);
	if (!c)
		return NULL;
	if (n > chunk / 4 && a->head) {
		c->next = a->head->next;
		a->head->next = c;
	} else {
		c->next = a->head;
		a->head = c;
	}
	return chunk_take(c, n, align);
}

void *sb_arena_calloc(struct sb_arena *a, size_t n, size_t size)
{
	size_t align = size >= 16 ? 16 : size >= 8 ? 8 : size >= 4 ? 4 : size >= 2 ? 2 : 1;
	void *p;

	if (size && n > SIZE_MAX / size)
		return NULL;
	p = sb_arena_alloc(a, n * size, align);
	if (p)
		memset(p, 0, n * size);
	return p;
}

char *sb_arena_strdup(struct sb_arena *a, const char *s)
{
	size_t n = s ? strlen(s) + 1 : 0;
	char *p = s ? sb_arena_alloc(a, n, 1) : NULL;

	if (p)
		memcpy(p, s, n);
	return p;
}

void sb_arena_reset(struct sb_arena *a)
{
	size_t chunk = a->chunk_size ? a->chunk_size : CHUNK_DEFAULT;
	struct sb_arena_chunk *keep = NULL, *c = a->head;

	/* an ordinary chunk is kept; an oversized one would pin its memory */
	while (c) {
		struct sb_arena_chunk *next = c->next;

		if (!keep && c->size == chunk)
			keep = c;
		else
			free(c);
		c = next;
	}
	if (keep) {
		keep->used = 0;
		keep->next = NULL;
	}
	a->head = keep;
}

void sb_arena_free(struct sb_arena *a)
{
	while (a->head) {
		struct sb_arena_chunk *c = a->head;

		a->head = c->next;
		free(c);
	}
}
