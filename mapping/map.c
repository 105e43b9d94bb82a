/* map.c — sb_map_build: sets up the shared state (mapper.c) and runs the
 * user then the group mapping (map_user.c, map_group.c). */
#include "map_internal.h"

#include <string.h>

#include "log.h"

int sb_map_build(const struct sb_config *cfg, const struct sb_scim_users *users,
		 const struct sb_scim_groups *groups, const struct sb_map_opts *opts,
		 struct sb_dataset *out, struct sb_map_report *rep, struct sb_err *err)
{
	struct sb_map_report dummy = {0};
	struct mapper m = {.cfg = cfg, .opts = opts, .out = out, .err = err};
	int rc = -1;

	memset(out, 0, sizeof(*out));
	m.rep = rep ? rep : &dummy;
	memset(m.rep, 0, sizeof(*m.rep));
	m.upg = !cfg->primary_group || !*cfg->primary_group;
	if (mapper_setup(&m) < 0)
		goto out;
	if (map_users(&m, users) < 0)
		goto out;
	if (opts && opts->users_mapped)
		opts->users_mapped(opts->users_mapped_ctx);
	if (map_groups(&m, groups) < 0)
		goto out;
	if (m.rep->users_other_domain)
		sb_log(LOG_INFO, "%zu users of other domains than %s not mapped",
		       m.rep->users_other_domain, cfg->domain ? cfg->domain : "(any)");
	rc = 0;
out:
	mapper_teardown(&m);
	if (rc < 0)
		sb_dataset_free(out);
	return rc;
}
