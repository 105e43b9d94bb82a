/* scim_parse.c — tenant JSON → sb_scim_* (see scim_parse.h): list pages,
 * one User, error bodies. A page is read one resource at a time
 * (json_walk.h) and counted in only if every resource in it is sound, so a
 * caller never sees part of a page. Each resource is read by
 * scim_parse_user.c or scim_parse_group.c. */
#include "scim_parse_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_walk.h"

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
	return sb_parse_user_json(r, o, elem, where, err);
}

static int parse_group_elem(const cJSON *r, const struct sb_parse_opts *o, void *elem,
			    const char *where, struct sb_err *err)
{
	if (sb_parse_group_json(r, o, elem, where, err) < 0)
		return -1;
	return o->on_group ? o->on_group(o->on_group_ctx, elem, err) : 0;
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
	rc = sb_parse_user_json(root, o, out, "User", err);
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
