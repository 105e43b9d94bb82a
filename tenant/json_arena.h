/* json_arena.h — while a thread parses one SCIM list page, cJSON's nodes and
 * strings come from a bump arena instead of malloc. A page of 1,000 groups
 * is ~400,000 allocations; their malloc and free were a third of the CPU of
 * a 100,000-user sync, and their headers a quarter of the page's memory.
 * cJSON's hooks are process-wide: a thread with no arena open (any other
 * cJSON use, in any thread) gets plain malloc and free. */
#ifndef SB_JSON_ARENA_H
#define SB_JSON_ARENA_H

/* Between begin and end, every cJSON allocation in this thread is arena
 * memory and cJSON_Delete frees nothing: nothing parsed may outlive end. */
void sb_json_arena_begin(void);
/* Releases the arena's memory (keeps one chunk for the next page). */
void sb_json_arena_end(void);

#endif
