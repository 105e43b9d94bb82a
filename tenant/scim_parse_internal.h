/* scim_parse_internal.h — private to tenant/: one resource of each kind,
 * read from its JSON object; scim_parse.c reads the pages around them. */
#ifndef SB_SCIM_PARSE_INTERNAL_H
#define SB_SCIM_PARSE_INTERNAL_H

#include <cjson/cJSON.h>

#include "scim_parse.h"

/* where names the resource in errors ("Resources[3]", "User"). */
int sb_parse_user_json(const cJSON *r, const struct sb_parse_opts *o, struct sb_scim_user *u,
		       const char *where, struct sb_err *err);
int sb_parse_group_json(const cJSON *r, const struct sb_parse_opts *o, struct sb_scim_group *g,
			const char *where, struct sb_err *err);

#endif
