/* json_arena.c — see json_arena.h. Chunks of at least 1 MiB, 16-byte
 * aligned bump allocation; end frees every chunk but the first. */
#include "json_arena.h"

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdlib.h>

#define CHUNK_MIN (1u << 20)

struct chunk {
	struct chunk *next;
	size_t size, used;
	alignas(16) unsigned char data[];
};

struct arena {
	struct chunk *head; /* newest first; the last one is kept */
	int active;
};

static _Thread_local struct arena arena;
static pthread_once_t hooks_once = PTHREAD_ONCE_INIT;

static void *chunk_alloc(size_t n)
{
	struct chunk *c = arena.head;

	n = (n + 15) & ~(size_t)15;
	if (!c || c->size - c->used < n) {
		size_t size = n > CHUNK_MIN ? n : CHUNK_MIN;

		c = malloc(sizeof(*c) + size);
		if (!c)
			return NULL;
		c->size = size;
		c->used = 0;
		c->next = arena.head;
		arena.head = c;
	}
	c->used += n;
	return c->data + c->used - n;
}

static void *hook_malloc(size_t n)
{
	return arena.active ? chunk_alloc(n) : malloc(n);
}

static void hook_free(void *p)
{
	if (!arena.active)
		free(p);
}

static void install_hooks(void)
{
	cJSON_Hooks h = {hook_malloc, hook_free};

	cJSON_InitHooks(&h);
}

void sb_json_arena_begin(void)
{
	pthread_once(&hooks_once, install_hooks);
	arena.active = 1;
}

void sb_json_arena_end(void)
{
	arena.active = 0;
	while (arena.head && arena.head->next) {
		struct chunk *c = arena.head;

		arena.head = c->next;
		free(c);
	}
	if (arena.head)
		arena.head->used = 0;
}
