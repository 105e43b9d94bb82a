/* json_arena.c — see json_arena.h. A thread's arena (arena.h) of 1 MiB
 * chunks, 16-byte aligned as malloc's; end keeps one chunk for the next
 * page. */
#include "json_arena.h"

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdlib.h>

#include "arena.h"

static _Thread_local struct arena {
	struct sb_arena mem;
	int active;
} arena = {.mem.chunk_size = 1u << 20};
static pthread_once_t hooks_once = PTHREAD_ONCE_INIT;

static void *hook_malloc(size_t n)
{
	return arena.active ? sb_arena_alloc(&arena.mem, n, 16) : malloc(n);
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
	sb_arena_reset(&arena.mem);
}
