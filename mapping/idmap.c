/* idmap.c — see idmap.h for the algorithm; keep the two in step with
 * docs/idmap.md, which other tools implement from. */
#include "idmap.h"

#include <errno.h>
#include <stdlib.h>

uint32_t sb_idmap_hash(const char *scim_id)
{
	uint32_t h = 2166136261u;

	for (const unsigned char *p = (const unsigned char *)scim_id; *p; p++) {
		h ^= *p;
		h *= 16777619u;
	}
	return h;
}

bool sb_id_forbidden(uint32_t id)
{
	return id == 0 || id == 65534 || id == 65535 || id == 4294967295u;
}

bool sb_id_parse(const char *s, uint32_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v == 0 || v > 4294967295ull)
		return false;
	*out = (uint32_t)v;
	return true;
}

void sb_idalloc_init(struct sb_idalloc *a, uint32_t min, uint32_t max)
{
	a->min = min;
	a->max = max;
	a->taken = (struct sb_u32set){0};
}

int sb_idalloc_take(struct sb_idalloc *a, uint32_t id)
{
	return sb_u32set_add(&a->taken, id);
}

bool sb_idalloc_taken(const struct sb_idalloc *a, uint32_t id)
{
	return sb_u32set_has(&a->taken, id);
}

uint32_t sb_idalloc_assign(struct sb_idalloc *a, const char *scim_id)
{
	uint64_t span, start;

	if (a->min > a->max)
		return 0;
	span = (uint64_t)a->max - a->min + 1;
	start = sb_idmap_hash(scim_id) % span;

	for (uint64_t k = 0; k < span; k++) {
		uint32_t id = (uint32_t)(a->min + (start + k) % span);

		if (sb_id_forbidden(id) || sb_u32set_has(&a->taken, id))
			continue;
		if (sb_u32set_add(&a->taken, id) < 0)
			return 0;
		return id;
	}
	return 0;
}

void sb_idalloc_free(struct sb_idalloc *a)
{
	sb_u32set_free(&a->taken);
}
