/* scim_parse_group.c — one SCIM Group resource → sb_scim_group: its id,
 * displayName and members, the member ids packed in one block. Members stay
 * ids here; the mapping resolves them (mapping/members.c). */
#include "scim_parse_internal.h"

#include <stdlib.h>
#include <string.h>

#include "scim_json.h"

static bool is_group_type(const cJSON *t)
{
	return cJSON_IsString(t) && !strcmp(t->valuestring, "Group");
}

int sb_parse_group_json(const cJSON *r, const struct sb_parse_opts *o, struct sb_scim_group *g,
			const char *where, struct sb_err *err)
{
	(void)o; /* the group reads no configured attribute */
	const cJSON *members = cJSON_GetObjectItemCaseSensitive(r, "members"), *m;
	const cJSON *mlist = cJSON_IsArray(members) ? members : NULL;
	size_t n = 0, blob = 0, used = 0;

	memset(g, 0, sizeof(*g));
	if (!cJSON_IsObject(r))
		return sb_err_set(err, SB_E_PROTOCOL, "%s: not an object", where);
	g->id = sb_jv_scalar(cJSON_GetObjectItemCaseSensitive(r, "id"));
	if (!g->id || !*g->id)
		return sb_err_set(err, SB_E_PROTOCOL, "%s: 'id' missing or not a string", where);
	g->display_name = sb_jv_str(cJSON_GetObjectItemCaseSensitive(r, "displayName"), 4096);
	g->last_modified = sb_jv_meta_time(cJSON_GetObjectItemCaseSensitive(r, "meta"));
	if (members && !cJSON_IsNull(members) && !cJSON_IsArray(members))
		return sb_err_set(err, SB_E_PROTOCOL, "%s (id %.64s): 'members' is not a list",
				  where, g->id);
	n = (size_t)cJSON_GetArraySize(members);
	g->members = calloc(n + 1, sizeof(*g->members));
	if (!g->members)
		return sb_err_set(err, SB_E_NOMEM, "out of memory");
	n = 0;
	cJSON_ArrayForEach(m, mlist)
	{
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, "value");

		if (!cJSON_IsString(v))
			return sb_err_set(err, SB_E_PROTOCOL,
					  "%s (id %.64s): members[%zu]: 'value' "
					  "missing or not a string",
					  where, g->id, n);
		blob += strlen(v->valuestring) + 1;
		n++;
	}
	g->member_blob = malloc(blob ? blob : 1);
	if (!g->member_blob)
		return sb_err_set(err, SB_E_NOMEM, "out of memory");
	n = 0;
	cJSON_ArrayForEach(m, mlist)
	{
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, "value");
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(m, "type");
		size_t l = strlen(v->valuestring) + 1;

		memcpy(g->member_blob + used, v->valuestring, l);
		g->members[n].value = g->member_blob + used;
		g->members[n].is_group = is_group_type(t);
		used += l;
		g->n_members = ++n;
	}
	return 0;
}
