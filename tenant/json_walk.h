/* json_walk.h — a JSON object read one member at a time, and one of its
 * arrays one element at a time: each value is parsed by cJSON on its own,
 * inside the thread's arena (json_arena.h), which is emptied after each. A
 * list page of 1,000 groups as one cJSON tree is ~30 MB; walked, the most it
 * holds is its largest group. */
#ifndef SB_JSON_WALK_H
#define SB_JSON_WALK_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "err.h"

struct sb_json_walk {
	const char *what;      /* names the document in messages ("Users page") */
	const char *array_key; /* the member whose array is walked element by element */
	/* Every other member (and array_key when its value is not an array). */
	int (*member)(const char *key, const cJSON *value, void *ctx, struct sb_err *err);
	/* Each element of array_key's array, in order. */
	int (*element)(const cJSON *elem, size_t index, void *ctx, struct sb_err *err);
	void *ctx;
};

/* 0 when the whole of body[0..len) is one object and every callback said 0.
 * *array_seen tells whether array_key held an array (an empty one too). A
 * callback's -1 is returned as is; bad JSON is SB_E_PROTOCOL. Nothing parsed
 * outlives its callback. */
int sb_json_walk(const struct sb_json_walk *w, const char *body, size_t len, bool *array_seen,
		 struct sb_err *err);

#endif
