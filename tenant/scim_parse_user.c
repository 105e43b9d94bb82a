/* scim_parse_user.c — one SCIM User resource → sb_scim_user, in either
 * dialect: the wanted members found in one walk per object, the strings
 * copied into one block per user. Attribute paths: "<schema URN>:<attr>"
 * (SCIM 2.0 style; SCIM 1.1's "<URN>.<attr>" is accepted too) or a plain,
 * possibly dotted, top-level path. A user's `groups` list is not kept:
 * membership comes from the Groups listing, and on 100,000 users those
 * strings alone are ~60 MB. displayName is cut at 64 KiB (a GECOS keeps
 * 255 bytes of it anyway); everything else is kept whole and judged by the
 * mapping. */
#include "scim_parse_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scim_json.h"

#define WS1_EXT		 "urn:scim:schemas:extension:workspace:1.0"
#define DISPLAY_NAME_MAX 65536

enum { U_ID, U_USERNAME, U_DISPLAY, U_ACTIVE, U_NAME, U_EXT, U_META, U_N };
enum { N_FORMATTED, N_GIVEN, N_FAMILY, N_N };
enum { X_SOFTDEL, X_DOMAIN, X_STATUS, X_INTERNAL, X_N };

/* A user's strings, gathered and then copied into one block. */
enum {
	S_ID,
	S_USERNAME,
	S_DISPLAY,
	S_FORMATTED,
	S_GIVEN,
	S_FAMILY,
	S_DOMAIN,
	S_STATUS,
	S_INTERNAL,
	S_UIDVAL,
	S_N
};

struct strs {
	const char *src[S_N];
	size_t len[S_N];
	char num[3][64]; /* scalars given as numbers, as text */
};

static void want_str(struct strs *t, int i, const cJSON *j, size_t max)
{
	if (!cJSON_IsString(j) || !j->valuestring)
		return;
	t->src[i] = j->valuestring;
	t->len[i] = strlen(j->valuestring);
	if (max && t->len[i] > max)
		t->len[i] = max;
}

/* A number or a string as text (ids and statuses come both ways). */
static void want_scalar(struct strs *t, int i, const cJSON *j, char *num)
{
	if (!cJSON_IsNumber(j)) {
		want_str(t, i, j, 0);
		return;
	}
	if (j->valuedouble == floor(j->valuedouble) && fabs(j->valuedouble) < 1e18)
		snprintf(num, 64, "%.0f", j->valuedouble);
	else
		snprintf(num, 64, "%g", j->valuedouble);
	t->src[i] = num;
	t->len[i] = strlen(num);
}

static int copy_strs(const struct strs *t, struct sb_scim_user *u)
{
	char **dst[S_N] = {
	    &u->id,	     &u->user_name, &u->display_name, &u->name_formatted, &u->given_name,
	    &u->family_name, &u->domain,    &u->user_status,  &u->internal_type,  &u->uid_value};
	size_t total = 1;
	char *p;

	for (int i = 0; i < S_N; i++)
		total += t->src[i] ? t->len[i] + 1 : 0;
	p = u->str_blob = malloc(total);
	if (!p)
		return -1;
	for (int i = 0; i < S_N; i++) {
		if (!t->src[i])
			continue;
		memcpy(p, t->src[i], t->len[i]);
		p[t->len[i]] = '\0';
		*dst[i] = p;
		p += t->len[i] + 1;
	}
	return 0;
}

int sb_parse_user_json(const cJSON *r, const struct sb_parse_opts *o, struct sb_scim_user *u,
		       const char *where, struct sb_err *err)
{
	struct sb_jv_pick f[U_N] = {{"id", NULL},     {"userName", NULL}, {"displayName", NULL},
				    {"active", NULL}, {"name", NULL},	  {WS1_EXT, NULL},
				    {"meta", NULL}};
	struct sb_jv_pick nm[N_N] = {
	    {"formatted", NULL}, {"givenName", NULL}, {"familyName", NULL}};
	struct sb_jv_pick x[X_N] = {{"softDeleted", NULL},
				    {"domain", NULL},
				    {"userStatus", NULL},
				    {"internalUserType", NULL}};
	struct strs t = {0};
	int bad = 0;

	memset(u, 0, sizeof(*u));
	if (!cJSON_IsObject(r))
		return sb_err_set(err, SB_E_PROTOCOL, "%s: not an object", where);
	sb_jv_pick(r, f, U_N);
	sb_jv_pick(f[U_NAME].found, nm, N_N);
	sb_jv_pick(f[U_EXT].found, x, X_N);
	want_scalar(&t, S_ID, f[U_ID].found, t.num[0]);
	want_str(&t, S_USERNAME, f[U_USERNAME].found, 0);
	want_str(&t, S_DISPLAY, f[U_DISPLAY].found, DISPLAY_NAME_MAX);
	want_str(&t, S_FORMATTED, nm[N_FORMATTED].found, 4096);
	want_str(&t, S_GIVEN, nm[N_GIVEN].found, 4096);
	want_str(&t, S_FAMILY, nm[N_FAMILY].found, 4096);
	want_str(&t, S_DOMAIN, x[X_DOMAIN].found, 0);
	want_scalar(&t, S_STATUS, x[X_STATUS].found, t.num[1]);
	want_str(&t, S_INTERNAL, x[X_INTERNAL].found, 0);
	want_scalar(&t, S_UIDVAL, sb_jv_attr(r, o->uid_attribute), t.num[2]);
	if (copy_strs(&t, u) < 0)
		return sb_err_set(err, SB_E_NOMEM, "out of memory");
	if (!u->id || !*u->id)
		return sb_err_set(err, SB_E_PROTOCOL, "%s: 'id' missing or not a string", where);
	if (!u->user_name)
		return sb_err_set(err, SB_E_PROTOCOL,
				  "%s (id %.64s): 'userName' missing or not a "
				  "string",
				  where, u->id);
	u->last_modified = sb_jv_meta_time(f[U_META].found);
	u->active = sb_jv_tristate(f[U_ACTIVE].found, &bad);
	u->soft_deleted = sb_jv_tristate(x[X_SOFTDEL].found, &bad);
	if (bad)
		return sb_err_set(err, SB_E_PROTOCOL,
				  "%s (id %.64s): 'active' or 'softDeleted' is "
				  "not a boolean",
				  where, u->id);
	if (sb_jv_multi(sb_jv_attr(r, o->ssh_keys_attribute), &u->ssh_keys, &u->n_ssh_keys) < 0)
		return sb_err_set(err, SB_E_PROTOCOL,
				  "%s (id %.64s): '%s' is not a string or a "
				  "list of strings",
				  where, u->id, o->ssh_keys_attribute);
	return 0;
}
