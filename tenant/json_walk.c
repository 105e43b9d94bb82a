/* json_walk.c — see json_walk.h. Only the object's own punctuation is read
 * here ({ , : } and the array's [ , ]); every key and value goes through
 * cJSON_ParseWithLengthOpts, which parses one value and says where it ended. */
#include "json_walk.h"

#include <string.h>

#include "json_arena.h"

struct cursor {
	const char *p, *end;
};

static char peek(struct cursor *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
		c->p++;
	return c->p < c->end ? *c->p : '\0';
}

static bool take(struct cursor *c, char ch)
{
	if (peek(c) != ch)
		return false;
	c->p++;
	return true;
}

/* One value at the cursor, in the arena (the caller ends it). */
static cJSON *value_at(struct cursor *c)
{
	const char *after = NULL;
	cJSON *v;

	if (!peek(c))
		return NULL;
	v = cJSON_ParseWithLengthOpts(c->p, (size_t)(c->end - c->p), &after, 0);
	if (v)
		c->p = after;
	return v;
}

static int bad_json(const struct sb_json_walk *w, const char *body, size_t len,
		    const struct cursor *c, struct sb_err *err)
{
	if (len == 0)
		return sb_err_set(err, SB_E_PROTOCOL,
				  "%s: the answer is not a JSON object (0 bytes, empty)", w->what);
	return sb_err_set(err, SB_E_PROTOCOL,
			  "%s: the answer is not a JSON object (%zu bytes; malformed or cut "
			  "short at byte %zu)",
			  w->what, len, (size_t)(c->p - body));
}

/* The array after array_key's ':' — the cursor is on its '['. */
static int walk_array(const struct sb_json_walk *w, struct cursor *c, bool *syntax,
		      struct sb_err *err)
{
	size_t i = 0;

	c->p++;
	if (take(c, ']'))
		return 0;
	do {
		cJSON *e;
		int rc;

		sb_json_arena_begin();
		e = value_at(c);
		rc = e ? w->element(e, i++, w->ctx, err) : -1;
		sb_json_arena_end();
		if (!e)
			*syntax = true;
		if (rc < 0)
			return -1;
	} while (take(c, ','));
	if (take(c, ']'))
		return 0;
	*syntax = true;
	return -1;
}

/* One "key": value pair; the cursor is on the key. */
static int walk_member(const struct sb_json_walk *w, struct cursor *c, bool *array_seen,
		       bool *syntax, struct sb_err *err)
{
	char key[64] = "";
	cJSON *k, *v;
	int rc;

	sb_json_arena_begin();
	k = value_at(c);
	if (cJSON_IsString(k) && strlen(k->valuestring) < sizeof(key))
		strcpy(key, k->valuestring);
	sb_json_arena_end();
	if (!cJSON_IsString(k) || !take(c, ':')) {
		*syntax = true;
		return -1;
	}
	if (strcmp(key, w->array_key) == 0 && peek(c) == '[') {
		if (*array_seen)
			return sb_err_set(err, SB_E_PROTOCOL, "%s: '%s' appears twice", w->what,
					  w->array_key);
		*array_seen = true;
		return walk_array(w, c, syntax, err);
	}
	sb_json_arena_begin();
	v = value_at(c);
	rc = v ? w->member(key, v, w->ctx, err) : -1;
	sb_json_arena_end();
	if (!v)
		*syntax = true;
	return rc;
}

int sb_json_walk(const struct sb_json_walk *w, const char *body, size_t len, bool *array_seen,
		 struct sb_err *err)
{
	struct cursor c = {body, body ? body + len : body};
	bool syntax = false;

	*array_seen = false;
	if (!take(&c, '{'))
		return bad_json(w, body, len, &c, err);
	if (!take(&c, '}')) {
		do {
			if (walk_member(w, &c, array_seen, &syntax, err) < 0)
				return syntax ? bad_json(w, body, len, &c, err) : -1;
		} while (take(&c, ','));
		if (!take(&c, '}'))
			return bad_json(w, body, len, &c, err);
	}
	if (peek(&c))
		return bad_json(w, body, len, &c, err);
	return 0;
}
