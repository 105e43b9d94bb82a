/* fuzz_scim_parse.c — every tenant body goes through these parsers: they
 * must reject garbage with an error, never crash, leak or read out of bounds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scim_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sb_parse_opts o = {
	    .dialect = size && (data[0] & 1) ? SB_DIALECT_SCIM2 : SB_DIALECT_WORKSPACE_ONE,
	    .uid_attribute = "urn:scim:schemas:extension:enterprise:1.0:employeeNumber",
	    .ssh_keys_attribute = "urn:scim:schemas:extension:custom:1.0:sshPublicKey"};
	struct sb_scim_users users = {0};
	struct sb_scim_groups groups = {0};
	struct sb_scim_user one;
	struct sb_page_info info;
	struct sb_err err = {0};
	char msg[128];

	sb_parse_user_page((const char *)data, size, &o, &users, &info, &err);
	sb_parse_group_page((const char *)data, size, &o, &groups, &info, &err);
	if (sb_parse_user((const char *)data, size, &o, &one, &err) == 0)
		sb_scim_user_free(&one);
	sb_parse_error_body((const char *)data, size, msg, sizeof(msg));
	for (size_t i = 0; i < users.n; i++)
		if (!users.v[i].id || !users.v[i].user_name)
			abort(); /* a page that parsed has ids and names */
	sb_scim_users_free(&users);
	sb_scim_groups_free(&groups);
	return 0;
}
