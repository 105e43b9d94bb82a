/* scim_json.h — private to tenant/: reading SCIM values out of cJSON, shared
 * by the user parser (scim_parse_user.c) and the group parser
 * (scim_parse_group.c). */
#ifndef SB_SCIM_JSON_H
#define SB_SCIM_JSON_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "scim_types.h"

/* A string member copied, cut at max bytes (0: whole); NULL if not a string. */
char *sb_jv_str(const cJSON *j, size_t max);
/* A number or string as text (ids and statuses come both ways). */
char *sb_jv_scalar(const cJSON *j);
/* "<URN>:<attr>", "<URN>.<attr>" or "a.b" inside a resource; NULL if absent. */
const cJSON *sb_jv_attr(const cJSON *res, const char *path);
/* true/false (booleans or their strings); *bad set for anything else. */
enum sb_tristate sb_jv_tristate(const cJSON *j, int *bad);
/* A string, an array of strings, or an array of {"value": …}, appended. */
int sb_jv_multi(const cJSON *j, char ***v, size_t *n);
/* Wanted members of one object, found in one walk over its children rather
 * than a walk per key: a 100,000-user sync asked for ~14 keys per user. The
 * first of duplicated keys wins, as with cJSON_GetObjectItemCaseSensitive. */
struct sb_jv_pick {
	const char *key;
	const cJSON *found;
};
void sb_jv_pick(const cJSON *obj, struct sb_jv_pick *p, size_t n);
/* meta.lastModified as unix seconds, 0 when absent or unreadable. */
int64_t sb_jv_meta_time(const cJSON *meta);

#endif
