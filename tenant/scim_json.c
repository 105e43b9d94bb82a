/* scim_json.c — see scim_json.h. */
#include "scim_json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

char *sb_jv_str(const cJSON *j, size_t max)
{
	size_t n;
	char *s;

	if (!cJSON_IsString(j) || !j->valuestring)
		return NULL;
	n = strlen(j->valuestring);
	if (max && n > max)
		n = max;
	s = malloc(n + 1);
	if (s) {
		memcpy(s, j->valuestring, n);
		s[n] = '\0';
	}
	return s;
}

/* A number or string as text (ids and statuses come both ways). */
char *sb_jv_scalar(const cJSON *j)
{
	char buf[64];

	if (cJSON_IsString(j))
		return sb_jv_str(j, 0);
	if (!cJSON_IsNumber(j))
		return NULL;
	if (j->valuedouble == floor(j->valuedouble) && fabs(j->valuedouble) < 1e18)
		snprintf(buf, sizeof(buf), "%.0f", j->valuedouble);
	else
		snprintf(buf, sizeof(buf), "%g", j->valuedouble);
	return strdup(buf);
}

static const cJSON *get_dotted(const cJSON *obj, const char *path)
{
	char part[256];

	while (obj && *path) {
		const char *dot = strchr(path, '.');
		size_t n = dot ? (size_t)(dot - path) : strlen(path);

		if (n >= sizeof(part))
			return NULL;
		memcpy(part, path, n);
		part[n] = '\0';
		obj = cJSON_GetObjectItemCaseSensitive(obj, part);
		path = dot ? dot + 1 : path + n;
	}
	return obj;
}

/* Resolves "<URN>:<attr>", "<URN>.<attr>" or "a.b" inside a resource. */
const cJSON *sb_jv_attr(const cJSON *res, const char *path)
{
	const cJSON *k;

	if (!path || !*path)
		return NULL;
	cJSON_ArrayForEach(k, res)
	{
		size_t n;

		if (!k->string || strncmp(k->string, "urn:", 4) != 0)
			continue;
		n = strlen(k->string);
		if (strncmp(path, k->string, n) == 0 && (path[n] == ':' || path[n] == '.'))
			return get_dotted(k, path + n + 1);
	}
	return get_dotted(res, path);
}

enum sb_tristate sb_jv_tristate(const cJSON *j, int *bad)
{
	if (!j || cJSON_IsNull(j))
		return SB_UNSET;
	if (cJSON_IsBool(j))
		return cJSON_IsTrue(j) ? SB_TRUE : SB_FALSE;
	if (cJSON_IsString(j) && !strcmp(j->valuestring, "true"))
		return SB_TRUE;
	if (cJSON_IsString(j) && !strcmp(j->valuestring, "false"))
		return SB_FALSE;
	*bad = 1;
	return SB_UNSET;
}

static int push_str(char ***v, size_t *n, char *s)
{
	char **nv;

	if (!s)
		return -1;
	nv = realloc(*v, (*n + 1) * sizeof(char *));
	if (!nv) {
		free(s);
		return -1;
	}
	nv[(*n)++] = s;
	*v = nv;
	return 0;
}

/* A string, an array of strings, or an array of {"value": …}. */
int sb_jv_multi(const cJSON *j, char ***v, size_t *n)
{
	const cJSON *e;

	if (!j || cJSON_IsNull(j))
		return 0;
	if (cJSON_IsString(j))
		return push_str(v, n, sb_jv_str(j, 0));
	if (!cJSON_IsArray(j))
		return -1;
	cJSON_ArrayForEach(e, j)
	{
		const cJSON *val =
		    cJSON_IsObject(e) ? cJSON_GetObjectItemCaseSensitive(e, "value") : e;

		if (!cJSON_IsString(val) || push_str(v, n, sb_jv_str(val, 0)) < 0)
			return -1;
	}
	return 0;
}

void sb_jv_pick(const cJSON *obj, struct sb_jv_pick *p, size_t n)
{
	const cJSON *k;

	for (size_t i = 0; i < n; i++)
		p[i].found = NULL;
	if (!cJSON_IsObject(obj))
		return;
	cJSON_ArrayForEach(k, obj)
	{
		for (size_t i = 0; k->string && i < n; i++) {
			if (!p[i].found && k->string[0] == p[i].key[0] &&
			    strcmp(k->string, p[i].key) == 0) {
				p[i].found = k;
				break;
			}
		}
	}
}

/* meta.lastModified (RFC 3339: 2026-01-01T00:00:00[.fff](Z|+hh:mm)) as unix
 * seconds, 0 when absent or unreadable: the daemon trusts incremental reads
 * only while every resource carries one (sync_loop.c). */
int64_t sb_jv_meta_time(const cJSON *meta)
{
	const cJSON *lm = cJSON_GetObjectItemCaseSensitive(meta, "lastModified");
	struct tm tm = {0};
	const char *p;
	int sign = 1, oh = 0, om = 0;
	time_t t;

	if (!cJSON_IsString(lm) || !lm->valuestring)
		return 0;
	p = strptime(lm->valuestring, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!p)
		return 0;
	if (*p == '.')
		p += 1 + strspn(p + 1, "0123456789");
	if (*p == '+' || *p == '-') {
		sign = *p == '-' ? -1 : 1;
		if (sscanf(p + 1, "%2d:%2d", &oh, &om) != 2)
			return 0;
	} else if (*p != 'Z' && *p != 'z') {
		return 0;
	}
	t = timegm(&tm);
	return t <= 0 ? 0 : (int64_t)t - sign * (oh * 3600 + om * 60);
}
