/* localdb.c — see localdb.h. Reads name:x:id:… lines; anything malformed is
 * ignored (the files are the admin's, not ours to validate). */
#include "localdb.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int slurp(const char *path, char **out, size_t *len, struct sb_err *err)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t cap = 0, n = 0, r;

	*out = NULL;
	*len = 0;
	if (!f)
		return errno == ENOENT ? 0 : sb_err_sys(err, errno, "%s", path);
	for (;;) {
		if (n + 4096 + 1 > cap) {
			char *nb = realloc(buf, cap = (n + 4096 + 1) * 2);

			if (!nb) {
				free(buf);
				fclose(f);
				return sb_err_set(err, SB_E_NOMEM, "%s: out of memory", path);
			}
			buf = nb;
		}
		r = fread(buf + n, 1, 4096, f);
		n += r;
		if (r < 4096)
			break;
	}
	/* A read error must not pass for an empty file: tenant names would then
	 * shadow the local accounts we failed to read. */
	if (ferror(f)) {
		int e = errno ? errno : EIO;

		free(buf);
		fclose(f);
		return sb_err_sys(err, e, "%s", path);
	}
	fclose(f);
	if (buf)
		buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

/* Splits name:x:id: lines in place and records name and id; group lines
 * also go into the name → gid table. */
static int index_lines(struct sb_localdb *db, char *buf, int is_group)
{
	char *save = NULL;

	for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *c1 = strchr(line, ':'), *c2, *end;
		unsigned long id;

		if (!c1 || line[0] == '#')
			continue;
		*c1 = '\0';
		c2 = strchr(c1 + 1, ':');
		if (sb_strmap_put(&db->names, line, 0) < 0)
			return -1;
		if (!c2)
			continue;
		id = strtoul(c2 + 1, &end, 10);
		if (end == c2 + 1 || *end != ':')
			continue;
		if (sb_u32set_add(&db->ids, (uint32_t)id) < 0)
			return -1;
		if (is_group && sb_strmap_put(&db->groups, line, (uint32_t)id) < 0)
			return -1;
	}
	return 0;
}

int sb_localdb_load(struct sb_localdb *db, const char *passwd_file, const char *group_file,
		    struct sb_err *err)
{
	char *p = NULL, *g = NULL;
	size_t plen, glen;
	int rc = -1;

	memset(db, 0, sizeof(*db));
	if (slurp(passwd_file, &p, &plen, err) < 0 || slurp(group_file, &g, &glen, err) < 0)
		goto out;
	db->blob = malloc(plen + glen + 2);
	if (!db->blob) {
		sb_err_set(err, SB_E_NOMEM, "out of memory reading local accounts");
		goto out;
	}
	memcpy(db->blob, p ? p : "", plen);
	db->blob[plen] = '\0';
	memcpy(db->blob + plen + 1, g ? g : "", glen);
	db->blob[plen + 1 + glen] = '\0';
	if (index_lines(db, db->blob, 0) < 0 || index_lines(db, db->blob + plen + 1, 1) < 0) {
		sb_err_set(err, SB_E_NOMEM, "out of memory reading local accounts");
		goto out;
	}
	rc = 0;
out:
	free(p);
	free(g);
	if (rc < 0)
		sb_localdb_free(db);
	return rc;
}

void sb_localdb_free(struct sb_localdb *db)
{
	sb_strmap_free(&db->names);
	sb_strmap_free(&db->groups);
	sb_u32set_free(&db->ids);
	free(db->blob);
	db->blob = NULL;
}
