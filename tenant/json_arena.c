/* json_arena.c — see json_arena.h. A thread's arena (arena.h) of 1 MiB
 * chunks, 16-byte aligned as malloc's; end keeps one chunk for the next
 * page, and the thread's exit frees it: the daemon reads list pages in
 * short-lived connection threads, and each kept chunk used to leak with its
 * thread (1 MiB per miss lookup that reached the tenant, found by LSan). */
#include "json_arena.h"

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "arena.h"

static _Thread_local struct arena {
	struct sb_arena mem;
	int active;
	bool freed_at_exit; /* registered with exit_key */
} arena = {.mem.chunk_size = 1u << 20};
static pthread_once_t hooks_once = PTHREAD_ONCE_INIT;
static pthread_key_t exit_key;
static bool have_exit_key;

static void *hook_malloc(size_t n)
{
	return arena.active ? sb_arena_alloc(&arena.mem, n, 16) : malloc(n);
}

static void hook_free(void *p)
{
	if (!arena.active)
		free(p);
}

static void free_at_exit(void *mem)
{
	sb_arena_free(mem);
}

static void install_hooks(void)
{
	cJSON_Hooks h = {hook_malloc, hook_free};

	cJSON_InitHooks(&h);
	have_exit_key = pthread_key_create(&exit_key, free_at_exit) == 0;
}

void sb_json_arena_begin(void)
{
	pthread_once(&hooks_once, install_hooks);
	if (!arena.freed_at_exit && have_exit_key)
		arena.freed_at_exit = pthread_setspecific(exit_key, &arena.mem) == 0;
	arena.active = 1;
}

void sb_json_arena_end(void)
{
	arena.active = 0;
	if (arena.freed_at_exit)
		sb_arena_reset(&arena.mem);
	else
		sb_arena_free(&arena.mem); /* nothing would free a kept chunk */
}
