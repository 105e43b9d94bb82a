/* scim_parse.c — tenant JSON → sb_scim_* (see scim_parse.h). A page is read
 * one resource at a time (json_walk.h) and counted in only if every resource
 * in it is sound, so a caller never sees part of a page. Attribute paths: "<schema URN>:<attr>"
 * (SCIM 2.0 style; SCIM 1.1's "<URN>.<attr>" is accepted too) or a plain,
 * possibly dotted, top-level path. A user's `groups` list is not kept:
 * membership comes from the Groups listing, and on 100,000 users those
 * strings alone are ~60 MB. displayName is cut at 64 KiB (a GECOS keeps
 * 255 bytes of it anyway); everything else is kept whole and judged by the
 * mapping. */
#include "scim_parse.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hashmap.h"
#include "idindex.h"
#include "json_walk.h"

#define WS1_EXT		 "urn:scim:schemas:extension:workspace:1.0"
#define DISPLAY_NAME_MAX 65536

static char *dup_str(const cJSON *j, size_t max)
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
static char *dup_scalar(const cJSON *j)
{
	char buf[64];

	if (cJSON_IsString(j))
		return dup_str(j, 0);
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
static const cJSON *get_attr(const cJSON *res, const char *path)
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

static enum sb_tristate tristate(const cJSON *j, int *bad)
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
static int parse_multi(const cJSON *j, char ***v, size_t *n)
{
	const cJSON *e;

	if (!j || cJSON_IsNull(j))
		return 0;
	if (cJSON_IsString(j))
		return push_str(v, n, dup_str(j, 0));
	if (!cJSON_IsArray(j))
		return -1;
	cJSON_ArrayForEach(e, j)
	{
		const cJSON *val =
		    cJSON_IsObject(e) ? cJSON_GetObjectItemCaseSensitive(e, "value") : e;

		if (!cJSON_IsString(val) || push_str(v, n, dup_str(val, 0)) < 0)
			return -1;
	}
	return 0;
}

/* Wanted members of one object, found in one walk over its children rather
 * than a walk per key: a 100,000-user sync asked for ~14 keys per user. The
 * first of duplicated keys wins, as with cJSON_GetObjectItemCaseSensitive. */
struct pick {
	const char *key;
	const cJSON *found;
};

static void pick_fields(const cJSON *obj, struct pick *p, size_t n)
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

/* meta.lastModified (RFC 3339: 2026-01-01T00:00:00[.fff](Z|+hh:mm)) as unix
 * seconds, 0 when absent or unreadable: the daemon trusts incremental reads
 * only while every resource carries one (sync_loop.c). */
static int64_t meta_time(const cJSON *meta)
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

static int user_from_json(const cJSON *r, const struct sb_parse_opts *o, struct sb_scim_user *u,
			  const char *where, struct sb_err *err)
{
	struct pick f[U_N] = {{"id", NULL},	{"userName", NULL}, {"displayName", NULL},
			      {"active", NULL}, {"name", NULL},	    {WS1_EXT, NULL},
			      {"meta", NULL}};
	struct pick nm[N_N] = {{"formatted", NULL}, {"givenName", NULL}, {"familyName", NULL}};
	struct pick x[X_N] = {{"softDeleted", NULL},
			      {"domain", NULL},
			      {"userStatus", NULL},
			      {"internalUserType", NULL}};
	struct strs t = {0};
	int bad = 0;

	memset(u, 0, sizeof(*u));
	if (!cJSON_IsObject(r))
		return sb_err_set(err, SB_E_PROTOCOL, "%s: not an object", where);
	pick_fields(r, f, U_N);
	pick_fields(f[U_NAME].found, nm, N_N);
	pick_fields(f[U_EXT].found, x, X_N);
	want_scalar(&t, S_ID, f[U_ID].found, t.num[0]);
	want_str(&t, S_USERNAME, f[U_USERNAME].found, 0);
	want_str(&t, S_DISPLAY, f[U_DISPLAY].found, DISPLAY_NAME_MAX);
	want_str(&t, S_FORMATTED, nm[N_FORMATTED].found, 4096);
	want_str(&t, S_GIVEN, nm[N_GIVEN].found, 4096);
	want_str(&t, S_FAMILY, nm[N_FAMILY].found, 4096);
	want_str(&t, S_DOMAIN, x[X_DOMAIN].found, 0);
	want_scalar(&t, S_STATUS, x[X_STATUS].found, t.num[1]);
	want_str(&t, S_INTERNAL, x[X_INTERNAL].found, 0);
	want_scalar(&t, S_UIDVAL, get_attr(r, o->uid_attribute), t.num[2]);
	if (copy_strs(&t, u) < 0)
		return sb_err_set(err, SB_E_NOMEM, "out of memory");
	if (!u->id || !*u->id)
		return sb_err_set(err, SB_E_PROTOCOL, "%s: 'id' missing or not a string", where);
	if (!u->user_name)
		return sb_err_set(err, SB_E_PROTOCOL,
				  "%s (id %.64s): 'userName' missing or not a "
				  "string",
				  where, u->id);
	u->last_modified = meta_time(f[U_META].found);
	u->active = tristate(f[U_ACTIVE].found, &bad);
	u->soft_deleted = tristate(x[X_SOFTDEL].found, &bad);
	if (bad)
		return sb_err_set(err, SB_E_PROTOCOL,
				  "%s (id %.64s): 'active' or 'softDeleted' is "
				  "not a boolean",
				  where, u->id);
	if (parse_multi(get_attr(r, o->ssh_keys_attribute), &u->ssh_keys, &u->n_ssh_keys) < 0)
		return sb_err_set(err, SB_E_PROTOCOL,
				  "%s (id %.64s): '%s' is not a string or a "
				  "list of strings",
				  where, u->id, o->ssh_keys_attribute);
	return 0;
}

static bool is_group_type(const cJSON *t)
{
	return cJSON_IsString(t) && !strcmp(t->valuestring, "Group");
}

#define BATCH 16

/* Moves members found in ids (and not typed Group) to member_users. A
 * batch's table slots, then its keys, are prefetched before it is looked
 * up: a million lookups in a table of 100,000 scattered ids would otherwise
 * wait for memory one at a time. */
static void resolve_members(struct sb_scim_group *g, const struct sb_idindex *ids)
{
	uint64_t h[BATCH];
	size_t keep = 0;

	for (size_t base = 0; base < g->n_members; base += BATCH) {
		size_t n = g->n_members - base < BATCH ? g->n_members - base : BATCH;

		for (size_t i = 0; i < n; i++) {
			h[i] = sb_hash_str(g->members[base + i].value);
			sb_idindex_prefetch(ids, h[i]);
		}
		for (size_t i = 0; i < n; i++)
			sb_idindex_prefetch_key(ids, h[i]);
		for (size_t i = 0; i < n; i++) {
			struct sb_scim_member *mb = &g->members[base + i];
			uint32_t idx;

			if (!mb->is_group && sb_idindex_get_hashed(ids, mb->value, h[i], &idx))
				g->member_users[g->n_member_users++] = idx;
			else
				g->members[keep++] = *mb;
		}
	}
	g->n_members = keep;
}

/* The blob and the member array were sized for every member; those resolved
 * to users left most of them unused: both shrink to what remains. */
static int shrink_blob(struct sb_scim_group *g, struct sb_err *err)
{
	struct sb_scim_member *nm;
	size_t used = 0;
	char *nb;

	if (!g->member_users)
		return 0;
	nm = realloc(g->members, (g->n_members + 1) * sizeof(*g->members));
	if (nm)
		g->members = nm; /* else the larger array stays: still correct */
	for (size_t i = 0; i < g->n_members; i++)
		used += strlen(g->members[i].value) + 1;
	nb = malloc(used ? used : 1);
	if (!nb)
		return sb_err_set(err, SB_E_NOMEM, "out of memory");
	used = 0;
	for (size_t i = 0; i < g->n_members; i++) {
		size_t l = strlen(g->members[i].value) + 1;

		memcpy(nb + used, g->members[i].value, l);
		g->members[i].value = nb + used;
		used += l;
	}
	free(g->member_blob);
	g->member_blob = nb;
	return 0;
}

static int group_from_json(const cJSON *r, const struct sb_parse_opts *o, struct sb_scim_group *g,
			   const char *where, struct sb_err *err)
{
	const cJSON *members = cJSON_GetObjectItemCaseSensitive(r, "members"), *m;
	const cJSON *mlist = cJSON_IsArray(members) ? members : NULL;
	size_t n = 0, blob = 0, used = 0;

	memset(g, 0, sizeof(*g));
	if (!cJSON_IsObject(r))
		return sb_err_set(err, SB_E_PROTOCOL, "%s: not an object", where);
	g->id = dup_scalar(cJSON_GetObjectItemCaseSensitive(r, "id"));
	if (!g->id || !*g->id)
		return sb_err_set(err, SB_E_PROTOCOL, "%s: 'id' missing or not a string", where);
	g->display_name = dup_str(cJSON_GetObjectItemCaseSensitive(r, "displayName"), 4096);
	g->last_modified = meta_time(cJSON_GetObjectItemCaseSensitive(r, "meta"));
	if (members && !cJSON_IsNull(members) && !cJSON_IsArray(members))
		return sb_err_set(err, SB_E_PROTOCOL, "%s (id %.64s): 'members' is not a list",
				  where, g->id);
	n = (size_t)cJSON_GetArraySize(members);
	g->members = calloc(n + 1, sizeof(*g->members));
	g->member_users = o->user_ids ? calloc(n + 1, sizeof(*g->member_users)) : NULL;
	if (!g->members || (o->user_ids && !g->member_users))
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
	if (o->user_ids)
		resolve_members(g, o->user_ids);
	return shrink_blob(g, err);
}

static cJSON *parse_object(const char *body, size_t len, const char *what, struct sb_err *err)
{
	cJSON *root = cJSON_ParseWithLength(body, len);

	if (!root || !cJSON_IsObject(root)) {
		cJSON_Delete(root);
		sb_err_set(err, SB_E_PROTOCOL, "%s: the answer is not a JSON object (%zu bytes%s)",
			   what, len, len ? "" : ", empty");
		return NULL;
	}
	return root;
}

/* What a page's header members said: absent, a number, or something else
 * (the first occurrence counts, as with cJSON_GetObjectItem). */
enum head_state { HEAD_ABSENT, HEAD_NUMBER, HEAD_WRONG };

struct list_head {
	enum head_state total, start;
	double total_v, start_v;
	bool res_not_list;
};

static void head_number(const cJSON *v, enum head_state *st, double *out)
{
	if (*st != HEAD_ABSENT)
		return;
	*st = cJSON_IsNumber(v) ? HEAD_NUMBER : HEAD_WRONG;
	*out = cJSON_IsNumber(v) ? v->valuedouble : 0;
}

/* totalResults/startIndex and whether Resources was a list, checked once
 * the whole page has been read (they may come in any order). */
static int list_header(const struct list_head *h, size_t items, struct sb_page_info *info,
		       struct sb_err *err)
{
	/* 2^31: far past any tenant, and converts to long without overflow */
	const double most = 2147483648.0;

	if (h->total != HEAD_NUMBER || h->total_v < 0)
		return sb_err_set(err, SB_E_PROTOCOL,
				  "list page: 'totalResults' missing or not a "
				  "number");
	if (h->total_v > most)
		return sb_err_set(err, SB_E_PROTOCOL,
				  "list page: 'totalResults' %g is out of range", h->total_v);
	if (h->res_not_list)
		return sb_err_set(err, SB_E_PROTOCOL, "list page: 'Resources' is not a list");
	if (h->start == HEAD_WRONG || (h->start == HEAD_NUMBER && fabs(h->start_v) > most))
		return sb_err_set(err, SB_E_PROTOCOL,
				  "list page: 'startIndex' is not a number in range");
	info->total_results = (long)h->total_v;
	info->start_index = h->start == HEAD_NUMBER ? (long)h->start_v : 1;
	info->items = (long)items;
	return 0;
}

/* What differs between a Users and a Groups page: the element and how to
 * parse and free one. The page logic (all or nothing) is shared. */
struct page_kind {
	const char *what;
	size_t size;
	int (*parse)(const cJSON *r, const struct sb_parse_opts *o, void *elem, const char *where,
		     struct sb_err *err);
	void (*free)(void *elem);
};

static int parse_user_elem(const cJSON *r, const struct sb_parse_opts *o, void *elem,
			   const char *where, struct sb_err *err)
{
	return user_from_json(r, o, elem, where, err);
}

static int parse_group_elem(const cJSON *r, const struct sb_parse_opts *o, void *elem,
			    const char *where, struct sb_err *err)
{
	return group_from_json(r, o, elem, where, err);
}

static void free_user_elem(void *elem)
{
	sb_scim_user_free(elem);
}

static void free_group_elem(void *elem)
{
	sb_scim_group_free(elem);
}

static const struct page_kind users_kind = {"Users page", sizeof(struct sb_scim_user),
					    parse_user_elem, free_user_elem};
static const struct page_kind groups_kind = {"Groups page", sizeof(struct sb_scim_group),
					     parse_group_elem, free_group_elem};

/* A page being read: resources are parsed straight into the caller's array
 * past its end and counted in only when the whole page is sound. */
struct page_read {
	const struct page_kind *k;
	const struct sb_parse_opts *o;
	void **v;
	size_t base, *cap, n;
	struct list_head head;
};

static int page_member(const char *key, const cJSON *value, void *ctx, struct sb_err *err)
{
	struct page_read *r = ctx;

	(void)err;
	if (strcmp(key, "totalResults") == 0)
		head_number(value, &r->head.total, &r->head.total_v);
	else if (strcmp(key, "startIndex") == 0)
		head_number(value, &r->head.start, &r->head.start_v);
	else if (strcmp(key, "Resources") == 0)
		r->head.res_not_list = true; /* an array is walked, not passed here */
	return 0;
}

static int page_element(const cJSON *e, size_t i, void *ctx, struct sb_err *err)
{
	struct page_read *r = ctx;
	size_t size = r->k->size;
	char where[48];
	char *at;

	if (r->base + i + 1 > *r->cap) {
		size_t ncap = *r->cap ? *r->cap * 2 : 64;
		void *nv = realloc(*r->v, ncap * size);

		if (!nv)
			return sb_err_set(err, SB_E_NOMEM, "out of memory reading a %s",
					  r->k->what);
		*r->v = nv;
		*r->cap = ncap;
	}
	at = (char *)*r->v + (r->base + i) * size;
	memset(at, 0, size);
	snprintf(where, sizeof(where), "Resources[%zu]", i);
	if (r->k->parse(e, r->o, at, where, err) < 0) {
		r->k->free(at);
		return -1;
	}
	r->n = i + 1;
	return 0;
}

/* Appends every resource of the page to (*v, *n_out, *cap) — or nothing if
 * any part of the page is bad. */
static int parse_page(const struct page_kind *k, const char *body, size_t len,
		      const struct sb_parse_opts *o, void **v, size_t *n_out, size_t *cap,
		      struct sb_page_info *info, struct sb_err *err)
{
	struct page_read r = {.k = k, .o = o, .v = v, .base = *n_out, .cap = cap};
	const struct sb_json_walk w = {k->what, "Resources", page_member, page_element, &r};
	bool listed;

	if (sb_json_walk(&w, body, len, &listed, err) < 0)
		goto fail;
	if (list_header(&r.head, r.n, info, err) < 0)
		goto fail;
	*n_out += r.n;
	return 0;
fail:
	for (size_t i = 0; i < r.n; i++)
		k->free((char *)*v + (r.base + i) * k->size);
	return -1;
}

int sb_parse_user_page(const char *body, size_t len, const struct sb_parse_opts *o,
		       struct sb_scim_users *out, struct sb_page_info *info, struct sb_err *err)
{
	return parse_page(&users_kind, body, len, o, (void **)&out->v, &out->n, &out->cap, info,
			  err);
}

int sb_parse_group_page(const char *body, size_t len, const struct sb_parse_opts *o,
			struct sb_scim_groups *out, struct sb_page_info *info, struct sb_err *err)
{
	return parse_page(&groups_kind, body, len, o, (void **)&out->v, &out->n, &out->cap, info,
			  err);
}

int sb_parse_user(const char *body, size_t len, const struct sb_parse_opts *o,
		  struct sb_scim_user *out, struct sb_err *err)
{
	cJSON *root = parse_object(body, len, "User", err);
	int rc;

	if (!root)
		return -1;
	rc = user_from_json(root, o, out, "User", err);
	if (rc < 0)
		sb_scim_user_free(out);
	cJSON_Delete(root);
	return rc;
}

int sb_parse_error_body(const char *body, size_t len, char *buf, size_t buflen)
{
	cJSON *root = cJSON_ParseWithLength(body, len);
	const cJSON *errors, *first, *detail, *oauth;
	int rc = -1;

	if (!root)
		return -1;
	errors = cJSON_GetObjectItemCaseSensitive(root, "errors");
	first = cJSON_GetArrayItem(errors, 0);
	detail = cJSON_GetObjectItemCaseSensitive(root, "detail");
	oauth = cJSON_GetObjectItemCaseSensitive(root, "error");
	if (cJSON_IsObject(first)) {
		const cJSON *code = cJSON_GetObjectItemCaseSensitive(first, "code");
		const cJSON *msg = cJSON_GetObjectItemCaseSensitive(first, "message");

		snprintf(buf, buflen, "%s%s%s", cJSON_IsString(msg) ? msg->valuestring : "",
			 cJSON_IsString(code) ? " (" : "", "");
		if (cJSON_IsString(code))
			snprintf(buf + strlen(buf), buflen - strlen(buf), "%s)", code->valuestring);
		rc = 0;
	} else if (cJSON_IsString(detail)) {
		const cJSON *type = cJSON_GetObjectItemCaseSensitive(root, "scimType");

		snprintf(buf, buflen, "%s", detail->valuestring);
		if (cJSON_IsString(type))
			snprintf(buf + strlen(buf), buflen - strlen(buf), " (%s)",
				 type->valuestring);
		rc = 0;
	} else if (cJSON_IsString(oauth)) { /* RFC 6749 §5.2, from the token endpoint */
		const cJSON *desc = cJSON_GetObjectItemCaseSensitive(root, "error_description");

		snprintf(buf, buflen, "%s (%s)",
			 cJSON_IsString(desc) ? desc->valuestring : oauth->valuestring,
			 oauth->valuestring);
		rc = 0;
	}
	cJSON_Delete(root);
	return rc;
}
