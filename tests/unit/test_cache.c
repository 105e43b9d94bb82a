/* test_cache.c — cache writer/reader: round trip of every field, rejection of
 * truncated, foreign, future-version and byte-flipped files without reading
 * past the mapping, the superseded flag, and a failed write that leaves the
 * old file untouched. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cache_format.h"
#include "cache_reader.h"
#include "cache_writer.h"

static char dir[64];
static char path[128];

/* A dataset's strings and arrays live in its arena (dataset.h). */
static char *sdup(struct sb_dataset *ds, const char *s)
{
	return sb_arena_strdup(&ds->arena, s);
}

static void *zalloc(struct sb_dataset *ds, size_t n, size_t size)
{
	return sb_arena_calloc(&ds->arena, n, size);
}

/* Two users (alice active with two keys and two groups; bob inactive), their
 * private groups and one shared group with both as members. */
static void sample(struct sb_dataset *ds, const char *gecos_marker)
{
	char gecos[64];

	memset(ds, 0, sizeof(*ds));
	ds->n_users = 2;
	ds->users = calloc(2, sizeof(*ds->users));
	snprintf(gecos, sizeof(gecos), "Alice %s", gecos_marker);
	ds->users[0] = (struct sb_user){.name = sdup(ds, "alice"),
					.gecos = sdup(ds, gecos),
					.home = sdup(ds, "/home/alice"),
					.shell = sdup(ds, "/bin/bash"),
					.scim_id = sdup(ds, "id-alice"),
					.uid = 200001,
					.gid = 200001,
					.flags = SB_USER_ACTIVE};
	ds->users[0].ssh_keys = zalloc(ds, 2, sizeof(char *));
	ds->users[0].ssh_keys[0] = sdup(ds, "ssh-ed25519 AAAA1 alice@a");
	ds->users[0].ssh_keys[1] = sdup(ds, "ssh-rsa AAAA2 alice@b");
	ds->users[0].n_ssh_keys = 2;
	ds->users[0].gids = zalloc(ds, 1, sizeof(uint32_t));
	ds->users[0].gids[0] = 300001;
	ds->users[0].n_gids = 1;
	ds->users[1] = (struct sb_user){.name = sdup(ds, "bob"),
					.gecos = sdup(ds, ""),
					.home = sdup(ds, "/home/bob"),
					.shell = sdup(ds, "/bin/sh"),
					.scim_id = sdup(ds, "id-bob"),
					.uid = 200002,
					.gid = 200002};
	ds->n_groups = 3;
	ds->groups = calloc(3, sizeof(*ds->groups));
	for (int i = 0; i < 2; i++) {
		ds->groups[i] = (struct sb_group){.name = sdup(ds, ds->users[i].name),
						  .gid = ds->users[i].uid,
						  .flags = SB_GROUP_UPG};
		ds->groups[i].members = zalloc(ds, 1, sizeof(uint32_t));
		ds->groups[i].members[0] = (uint32_t)i;
		ds->groups[i].n_members = 1;
	}
	ds->groups[2] =
	    (struct sb_group){.name = sdup(ds, "engineers"), .scim_id = sdup(ds, "id-eng"), .gid = 300001};
	ds->groups[2].members = zalloc(ds, 2, sizeof(uint32_t));
	ds->groups[2].members[0] = 0;
	ds->groups[2].members[1] = 1;
	ds->groups[2].n_members = 2;
	ds->n_idmap = 1;
	ds->idmap = calloc(1, sizeof(*ds->idmap));
	ds->idmap[0] =
	    (struct sb_idmap_entry){.scim_id = sdup(ds, "id-gone"), .id = 200099, .kind = SB_ID_USER};
	ds->sync_time = 1700000000;
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/sbcache.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/cache", dir);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	chmod(dir, 0700);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static void write_sample(const char *marker)
{
	struct sb_dataset ds;
	struct sb_err err = {0};

	sample(&ds, marker);
	assert_int_equal(sb_cache_write(path, &ds, &err), 0);
	sb_dataset_free(&ds);
}

static void test_round_trip(void **state)
{
	struct sb_cache *c;
	struct sb_err err = {0};
	struct sb_user_view u;
	struct sb_group_view g;
	struct sb_cache_info info;
	struct stat st;
	const char *sid;
	uint32_t id, kind;

	(void)state;
	write_sample("v1");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	assert_int_equal(sb_cache_open(path, &c, &err), 0);
	sb_cache_get_info(c, &info);
	assert_int_equal(info.n_users, 2);
	assert_int_equal(info.n_groups, 3);
	assert_int_equal(info.sync_time, 1700000000);
	assert_int_equal(sb_cache_user_by_name(c, "alice", &u), 1);
	assert_string_equal(u.gecos, "Alice v1");
	assert_string_equal(u.home, "/home/alice");
	assert_string_equal(u.shell, "/bin/bash");
	assert_string_equal(u.scim_id, "id-alice");
	assert_int_equal(u.uid, 200001);
	assert_int_equal(u.flags & SB_USER_ACTIVE, SB_USER_ACTIVE);
	assert_int_equal(u.n_gids, 1);
	assert_int_equal(u.gids[0], 300001);
	assert_int_equal(u.n_keys, 2);
	assert_string_equal(sb_cache_user_key(c, &u, 1), "ssh-rsa AAAA2 alice@b");
	assert_null(sb_cache_user_key(c, &u, 2));
	assert_int_equal(sb_cache_user_by_uid(c, 200002, &u), 1);
	assert_string_equal(u.name, "bob");
	assert_int_equal(u.flags & SB_USER_ACTIVE, 0);
	assert_int_equal(u.n_keys, 0);
	assert_int_equal(sb_cache_group_by_name(c, "engineers", &g), 1);
	assert_int_equal(g.gid, 300001);
	assert_int_equal(g.n_members, 2);
	assert_string_equal(sb_cache_group_member(c, &g, 0), "alice");
	assert_string_equal(sb_cache_group_member(c, &g, 1), "bob");
	assert_int_equal(sb_cache_group_by_gid(c, 200002, &g), 1);
	assert_string_equal(g.name, "bob");
	assert_int_equal(g.flags & SB_GROUP_UPG, SB_GROUP_UPG);
	assert_int_equal(g.n_members, 0); /* like useradd's and SSSD's private groups */
	assert_int_equal(sb_cache_user_by_name(c, "carol", &u), 0);
	assert_int_equal(sb_cache_user_by_uid(c, 0, &u), 0);
	assert_int_equal(sb_cache_group_by_gid(c, 12345, &g), 0);
	assert_int_equal(sb_cache_idmap_at(c, 0, &sid, &id, &kind), 1);
	assert_string_equal(sid, "id-gone");
	assert_int_equal(id, 200099);
	assert_int_equal(sb_cache_idmap_at(c, 1, &sid, &id, &kind), 0);
	assert_int_equal(sb_cache_user_at(c, 2, &u), 0);
	sb_cache_close(c);
}

static void test_empty_dataset(void **state)
{
	struct sb_dataset ds = {0};
	struct sb_cache *c;
	struct sb_err err = {0};
	struct sb_user_view u;
	struct sb_group_view g;

	(void)state;
	assert_int_equal(sb_cache_write(path, &ds, &err), 0);
	assert_int_equal(sb_cache_open(path, &c, &err), 0);
	assert_int_equal(sb_cache_user_by_name(c, "alice", &u), 0);
	assert_int_equal(sb_cache_group_by_gid(c, 1, &g), 0);
	assert_int_equal(sb_cache_user_at(c, 0, &u), 0);
	sb_cache_close(c);
}

static void test_superseded_and_generation(void **state)
{
	struct sb_cache *old, *fresh;
	struct sb_err err = {0};
	struct sb_cache_info a, b;
	struct sb_user_view u;

	(void)state;
	write_sample("v1");
	assert_int_equal(sb_cache_open(path, &old, &err), 0);
	assert_false(sb_cache_superseded(old));
	assert_int_equal(sb_cache_is_current(old, path), 1);
	write_sample("v2");
	assert_true(sb_cache_superseded(old));
	assert_int_equal(sb_cache_is_current(old, path), 0);
	/* The old mapping still answers with the old data until closed. */
	assert_int_equal(sb_cache_user_by_name(old, "alice", &u), 1);
	assert_string_equal(u.gecos, "Alice v1");
	assert_int_equal(sb_cache_open(path, &fresh, &err), 0);
	sb_cache_get_info(old, &a);
	sb_cache_get_info(fresh, &b);
	assert_int_equal(b.generation, a.generation + 1);
	assert_int_equal(sb_cache_user_by_name(fresh, "alice", &u), 1);
	assert_string_equal(u.gecos, "Alice v2");
	sb_cache_close(old);
	sb_cache_close(fresh);
}

static void expect_open_fails(const void *bytes, size_t len, enum sb_errkind kind)
{
	struct sb_cache *c = NULL;
	struct sb_err err = {0};
	char bad[160];
	int fd;

	snprintf(bad, sizeof(bad), "%s/bad", dir);
	fd = open(bad, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, bytes, len), (ssize_t)len);
	close(fd);
	assert_int_equal(sb_cache_open(bad, &c, &err), -1);
	assert_null(c);
	assert_int_equal(err.kind, kind);
}

static char *slurp(size_t *len)
{
	struct stat st;
	char *buf;
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	buf = malloc((size_t)st.st_size);
	assert_int_equal(read(fd, buf, (size_t)st.st_size), st.st_size);
	close(fd);
	*len = (size_t)st.st_size;
	return buf;
}

static void test_rejects_truncated_foreign_future(void **state)
{
	struct sb_cache_header *h;
	size_t len;
	char *buf;

	(void)state;
	write_sample("v1");
	buf = slurp(&len);
	for (size_t cut = 0; cut < len; cut += (cut < 256 ? 1 : 61))
		expect_open_fails(buf, cut, SB_E_FORMAT);
	h = (struct sb_cache_header *)(void *)buf;
	h->version = SB_CACHE_VERSION + 1;
	expect_open_fails(buf, len, SB_E_FORMAT);
	h->version = SB_CACHE_VERSION;
	memcpy(h->magic, "NOTACACH", 8);
	expect_open_fails(buf, len, SB_E_FORMAT);
	expect_open_fails("root:x:0:0:root:/root:/bin/bash\n", 32, SB_E_FORMAT);
	free(buf);
}

/* Byte flips anywhere must never crash a reader: open may fail, or succeed
 * and answer (possibly wrongly) from inside the mapping. ASan checks reads. */
static void test_byte_flips_do_not_crash(void **state)
{
	size_t len;
	char *buf, bad[160];
	const char *names[] = {"alice", "bob", "engineers", "x"};

	(void)state;
	write_sample("v1");
	buf = slurp(&len);
	snprintf(bad, sizeof(bad), "%s/flip", dir);
	for (size_t pos = 0; pos < len; pos++) {
		struct sb_cache *c;
		struct sb_user_view u;
		struct sb_group_view g;
		int fd;

		buf[pos] ^= 0xa5;
		fd = open(bad, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		assert_int_equal(write(fd, buf, len), (ssize_t)len);
		close(fd);
		buf[pos] ^= 0xa5;
		if (sb_cache_open(bad, &c, NULL) < 0)
			continue;
		for (size_t k = 0; k < 4; k++) {
			if (sb_cache_user_by_name(c, names[k], &u))
				for (uint32_t i = 0; i < u.n_keys; i++)
					(void)strlen(sb_cache_user_key(c, &u, i));
			if (sb_cache_group_by_name(c, names[k], &g))
				for (uint32_t i = 0; i < g.n_members; i++)
					(void)strlen(sb_cache_group_member(c, &g, i));
		}
		for (uint32_t i = 0; sb_cache_user_at(c, i, &u); i++)
			(void)sb_cache_user_by_uid(c, u.uid, &u);
		for (uint32_t i = 0; sb_cache_group_at(c, i, &g); i++)
			(void)sb_cache_group_by_gid(c, g.gid, &g);
		sb_cache_close(c);
	}
	free(buf);
}

/* 3,000 users: every one found by name and by uid through both views (many
 * share a bucket), passwd text laid out as a struct passwd buffer, gids
 * inline, user private groups answered from their user, and a private group
 * that is not only its user's kept as a stored group. */
static void test_many_users(void **state)
{
	enum { N = 3000 };
	struct sb_dataset ds = {0};
	struct sb_err err = {0};
	struct sb_cache *c;
	struct sb_user_view u;
	struct sb_group_view g;
	struct sb_cache_info info;
	uint32_t upg_seen = 0;
	char buf[64];

	(void)state;
	ds.users = calloc(N, sizeof(*ds.users));
	ds.groups = calloc(N + 1, sizeof(*ds.groups));
	for (uint32_t i = 0; i < N; i++) {
		struct sb_user *x = &ds.users[ds.n_users++];

		snprintf(buf, sizeof(buf), "user%u", i);
		x->name = sdup(&ds, buf);
		snprintf(buf, sizeof(buf), "/home/user%u", i);
		x->home = sdup(&ds, buf);
		x->gecos = sdup(&ds, i % 7 ? "Some One" : "");
		x->shell = sdup(&ds, "/bin/bash");
		x->scim_id = sdup(&ds, buf);
		x->uid = x->gid = 100000 + i * 7;
		x->n_gids = i % 4;
		x->gids = zalloc(&ds, 4, sizeof(uint32_t));
		for (uint32_t k = 0; k < x->n_gids; k++)
			x->gids[k] = 900000 + k;
		/* user 5's private group has a second member: stored, not implied */
		ds.groups[ds.n_groups] =
		    (struct sb_group){.name = sdup(&ds, x->name), .gid = x->uid, .flags = SB_GROUP_UPG};
		ds.groups[ds.n_groups].members = zalloc(&ds, 2, sizeof(uint32_t));
		ds.groups[ds.n_groups].members[0] = i;
		ds.groups[ds.n_groups].members[1] = 6;
		ds.groups[ds.n_groups++].n_members = i == 5 ? 2 : 1;
	}
	assert_int_equal(sb_cache_write(path, &ds, &err), 0);
	assert_int_equal(sb_cache_open(path, &c, &err), 0);
	sb_cache_get_info(c, &info);
	assert_int_equal(info.n_users, N);
	assert_int_equal(info.n_groups, N);
	for (uint32_t i = 0; i < N; i++) {
		const struct sb_user *x = &ds.users[i];

		assert_int_equal(sb_cache_passwd_by_name(c, x->name, &u), 1);
		assert_int_equal(u.uid, x->uid);
		assert_int_equal(u.n_gids, x->n_gids);
		for (uint32_t k = 0; k < u.n_gids; k++)
			assert_int_equal(u.gids[k], x->gids[k]);
		assert_int_equal(u.text_len, strlen(x->name) + strlen(x->gecos) + strlen(x->home) +
						 strlen(x->shell) + 6);
		assert_string_equal(u.text + strlen(x->name) + 1, "*");
		assert_string_equal(u.home, x->home);
		assert_int_equal(sb_cache_passwd_by_uid(c, x->uid, &u), 1);
		assert_string_equal(u.name, x->name);
		assert_string_equal(u.shell, "/bin/bash");
		assert_int_equal(sb_cache_user_by_uid(c, x->uid, &u), 1);
		assert_string_equal(u.scim_id, x->home);
		assert_int_equal(u.n_gids, x->n_gids);
		assert_int_equal(sb_cache_group_by_gid(c, x->uid, &g), 1);
		assert_string_equal(g.name, x->name);
		/* an implied private group lists no member (its user's gids never
		 * hold it); the stored one lists what it was given */
		assert_int_equal(g.n_members, i == 5 ? 2 : 0);
		if (i == 5)
			assert_string_equal(sb_cache_group_member(c, &g, 0), x->name);
		else
			assert_null(sb_cache_group_member(c, &g, 0));
		assert_int_equal(sb_cache_group_by_name(c, x->name, &g), 1);
		assert_int_equal(g.gid, x->uid);
		assert_int_equal(g.flags, SB_GROUP_UPG);
		assert_int_equal(sb_cache_passwd_by_uid(c, x->uid + 1, &u), 0);
	}
	assert_int_equal(sb_cache_group_by_gid(c, ds.users[5].uid, &g), 1);
	assert_string_equal(sb_cache_group_member(c, &g, 1), "user6");
	assert_int_equal(sb_cache_passwd_by_name(c, "user3000", &u), 0);
	assert_int_equal(sb_cache_group_by_name(c, "user3000", &g), 0);
	for (uint32_t i = 0; sb_cache_group_at(c, i, &g); i++)
		upg_seen += g.gid != 0;
	assert_int_equal(upg_seen, N);
	sb_cache_close(c);
	sb_dataset_free(&ds);
}

static void test_missing_is_notfound(void **state)
{
	struct sb_cache *c;
	struct sb_err err = {0};
	char missing[160];

	(void)state;
	snprintf(missing, sizeof(missing), "%s/none", dir);
	assert_int_equal(sb_cache_open(missing, &c, &err), -1);
	assert_int_equal(err.kind, SB_E_NOTFOUND);
}

/* A write that cannot complete leaves the previous cache byte for byte. */
static void test_failed_write_keeps_old(void **state)
{
	struct sb_dataset ds;
	struct sb_err err = {0};
	size_t before_len, after_len;
	char *before, *after;

	(void)state;
	if (geteuid() == 0) {
		/* root ignores directory permissions: use a path whose directory
		 * does not exist instead, which fails at the same step. */
		write_sample("v1");
		before = slurp(&before_len);
		sample(&ds, "v2");
		assert_int_equal(sb_cache_write("/nonexistent-dir/cache", &ds, &err), -1);
		assert_non_null(strstr(err.msg, "/nonexistent-dir/cache"));
		sb_dataset_free(&ds);
	} else {
		write_sample("v1");
		before = slurp(&before_len);
		assert_int_equal(chmod(dir, 0555), 0);
		sample(&ds, "v2");
		assert_int_equal(sb_cache_write(path, &ds, &err), -1);
		assert_non_null(strstr(err.msg, path));
		sb_dataset_free(&ds);
		assert_int_equal(chmod(dir, 0700), 0);
	}
	after = slurp(&after_len);
	assert_int_equal(before_len, after_len);
	assert_memory_equal(before, after, before_len);
	free(before);
	free(after);
}

/* Issue 14: a reader trusts a cache only if nobody but root (or, outside
 * setuid programs, the reader's own real uid) could have written it. */
static void test_untrusted_cache_refused(void **state)
{
	struct sb_cache *c;
	struct sb_err err = {0};

	(void)state;
	write_sample("t");
	assert_int_equal(sb_cache_open(path, &c, &err), 0);
	sb_cache_close(c);

	assert_int_equal(chmod(path, 0666), 0);
	assert_int_equal(sb_cache_open(path, &c, &err), -1);
	assert_int_equal(err.kind, SB_E_SECURITY);
	assert_non_null(strstr(err.msg, "writable by group or others"));
	assert_int_equal(chmod(path, 0644), 0);

	assert_int_equal(chmod(dir, 0777), 0); /* a writable state directory */
	assert_int_equal(sb_cache_open(path, &c, &err), -1);
	assert_int_equal(err.kind, SB_E_SECURITY);
	assert_non_null(strstr(err.msg, "its directory"));
	assert_int_equal(chmod(dir, 0775), 0);
	assert_int_equal(sb_cache_open(path, &c, &err), -1);
	assert_int_equal(chmod(dir, 0755), 0);
	assert_int_equal(sb_cache_open(path, &c, &err), 0);
	sb_cache_close(c);

	/* Another owner than root or us: only root can hand the file away. */
	if (geteuid() == 0) {
		assert_int_equal(chown(path, 65534, 65534), 0);
		assert_int_equal(sb_cache_open(path, &c, &err), -1);
		assert_int_equal(err.kind, SB_E_SECURITY);
		assert_non_null(strstr(err.msg, "owned by another user"));
		assert_int_equal(chown(path, 0, 0), 0);
		assert_int_equal(chown(dir, 65534, 65534), 0);
		assert_int_equal(sb_cache_open(path, &c, &err), -1);
		assert_int_equal(err.kind, SB_E_SECURITY);
		assert_int_equal(chown(dir, 0, 0), 0);
	}
}

static void add_user(struct sb_dataset *ds, const char *name, uint32_t uid, uint32_t gid,
		     uint32_t extra_gid)
{
	struct sb_user *x = &ds->users[ds->n_users++];

	*x = (struct sb_user){.name = sdup(ds, name),
			      .gecos = sdup(ds, ""),
			      .home = sdup(ds, "/home/x"),
			      .shell = sdup(ds, "/bin/sh"),
			      .scim_id = sdup(ds, name),
			      .uid = uid,
			      .gid = gid,
			      .flags = SB_USER_ACTIVE};
	if (extra_gid) {
		x->gids = zalloc(ds, 2, sizeof(uint32_t));
		x->gids[0] = extra_gid;
		x->gids[1] = 300001;
		x->n_gids = 2;
	}
}

static void write_at(const char *file, const char *marker)
{
	struct sb_dataset ds;
	struct sb_err err = {0};

	sample(&ds, marker);
	assert_int_equal(sb_cache_write(file, &ds, &err), 0);
	sb_dataset_free(&ds);
}

struct swapper {
	char link[160], tmp[160];
	volatile int stop;
};

/* Points `link` at good/ and bad/ in turn, each time by an atomic rename. */
static void *swap_link(void *arg)
{
	struct swapper *s = arg;

	for (unsigned i = 0; !s->stop; i++) {
		unlink(s->tmp);
		if (symlink(i % 2 ? "bad" : "good", s->tmp) == 0)
			rename(s->tmp, s->link);
	}
	return NULL;
}

/* The directory checked is the one the file was opened in, not the path's
 * directory looked up again after the open: with a path through a symlink
 * someone swaps (or a parent they can rename), open() went through a
 * 0777 directory while stat() saw the 0755 one, and the cache was taken.
 * The test races the two for a bounded number of opens; with the check
 * made on the opened directory no open can come back with bad/'s file. */
static void test_trust_checks_the_directory_opened(void **state)
{
	struct swapper s = {.stop = 0};
	char good[96], bad[96], p[160];
	pthread_t t;
	unsigned served = 0, from_bad = 0;

	(void)state;
	snprintf(good, sizeof(good), "%s/good", dir);
	snprintf(bad, sizeof(bad), "%s/bad", dir);
	assert_int_equal(mkdir(good, 0755), 0);
	assert_int_equal(mkdir(bad, 0755), 0);
	snprintf(p, sizeof(p), "%s/cache", good);
	write_at(p, "GOOD");
	snprintf(p, sizeof(p), "%s/cache", bad);
	write_at(p, "BAD");
	assert_int_equal(chmod(bad, 0777), 0);
	snprintf(s.link, sizeof(s.link), "%s/cur", dir);
	snprintf(s.tmp, sizeof(s.tmp), "%s/cur.tmp", dir);
	assert_int_equal(symlink("good", s.link), 0);
	snprintf(p, sizeof(p), "%s/cur/cache", dir);
	assert_int_equal(pthread_create(&t, NULL, swap_link, &s), 0);
	for (int i = 0; i < 20000; i++) {
		struct sb_cache *c;
		struct sb_user_view u;

		if (sb_cache_open(p, &c, NULL) < 0)
			continue;
		served++;
		if (sb_cache_user_by_name(c, "alice", &u) && strstr(u.gecos, "BAD"))
			from_bad++;
		sb_cache_close(c);
	}
	s.stop = 1;
	pthread_join(t, NULL);
	print_message("opens served %u, of them from the 0777 directory %u\n", served, from_bad);
	assert_true(served > 0);
	assert_int_equal(from_bad, 0);
}

/* Issue 14: whatever a (forged or damaged) file says, no uid or gid below
 * 1000 — nor below uid_min / gid_min once set — is ever served. */
static void test_ids_below_floor_not_served(void **state)
{
	struct sb_dataset ds;
	struct sb_cache *c;
	struct sb_err err = {0};
	struct sb_user_view u;
	struct sb_group_view g;
	uint32_t groups = 0, users = 0;

	(void)state;
	memset(&ds, 0, sizeof(ds));
	ds.users = calloc(8, sizeof(*ds.users));
	add_user(&ds, "zero", 0, 0, 0);
	add_user(&ds, "low", 500, 500, 0);
	add_user(&ds, "diskgid", 200001, 6, 0);
	add_user(&ds, "diskextra", 200002, 200002, 6);
	add_user(&ds, "midrange", 150000, 150000, 0);
	add_user(&ds, "fine", 200003, 200003, 0);
	add_user(&ds, "usersgid", 200004, 100, 0); /* primary_group = users */
	add_user(&ds, "gidzero", 200005, 0, 0);
	ds.groups = calloc(3, sizeof(*ds.groups));
	ds.groups[ds.n_groups++] = (struct sb_group){.name = sdup(&ds, "sudo"), .gid = 27};
	ds.groups[ds.n_groups++] = (struct sb_group){.name = sdup(&ds, "eng"), .gid = 300001};
	ds.groups[ds.n_groups++] = (struct sb_group){.name = sdup(&ds, "mid"), .gid = 150001};
	assert_int_equal(sb_cache_write(path, &ds, &err), 0);
	sb_dataset_free(&ds);
	assert_int_equal(sb_cache_open(path, &c, &err), 0);

	assert_int_equal(sb_cache_user_by_name(c, "zero", &u), 0);
	assert_int_equal(sb_cache_passwd_by_uid(c, 0, &u), 0);
	assert_int_equal(sb_cache_passwd_by_name(c, "low", &u), 0);
	assert_int_equal(sb_cache_user_by_uid(c, 500, &u), 0);
	assert_int_equal(sb_cache_passwd_by_name(c, "diskgid", &u), 0);
	assert_int_equal(sb_cache_passwd_by_name(c, "diskextra", &u), 0);
	assert_int_equal(sb_cache_group_by_name(c, "sudo", &g), 0);
	assert_int_equal(sb_cache_group_by_gid(c, 27, &g), 0);
	assert_int_equal(sb_cache_passwd_by_name(c, "fine", &u), 1);
	assert_int_equal(sb_cache_passwd_by_name(c, "midrange", &u), 1); /* above 1000 */
	assert_int_equal(sb_cache_group_by_name(c, "mid", &g), 1);
	/* Enumeration skips them too: a hole (gid 0), never the low gid. */
	for (uint32_t i = 0; sb_cache_group_at(c, i, &g); i++) {
		assert_true(g.gid == 0 || g.gid >= 1000);
		groups += g.gid != 0;
	}
	assert_int_equal(groups, 2);
	/* and users: a refused user is a hole (uid 0), not the end of the list */
	for (uint32_t i = 0; sb_cache_user_at(c, i, &u); i++) {
		assert_true(u.uid == 0 || (u.uid >= 1000 && u.gid >= 1000));
		/* a hole is still a well-formed view (fuzz_cache_reader reads it) */
		assert_true(u.text_len >= 6 && u.text[u.text_len - 1] == '\0');
		assert_string_equal(u.shell, u.text + u.text_len - 1 - strlen(u.shell));
		users += u.uid != 0;
	}
	assert_int_equal(users, 2); /* fine, midrange */

	sb_cache_set_id_min(c, 200000, 200000);
	assert_int_equal(sb_cache_passwd_by_name(c, "midrange", &u), 0);
	assert_int_equal(sb_cache_passwd_by_uid(c, 150000, &u), 0);
	assert_int_equal(sb_cache_group_by_name(c, "mid", &g), 0);
	assert_int_equal(sb_cache_passwd_by_name(c, "fine", &u), 1);
	assert_int_equal(sb_cache_group_by_name(c, "eng", &g), 1);
	sb_cache_set_id_min(c, 5, 5); /* never below the floor */
	assert_int_equal(sb_cache_passwd_by_name(c, "low", &u), 0);

	/* primary_group's local gid (100 for "users") is allowed as a primary
	 * gid once the reader is told it, and no other low gid with it. */
	assert_int_equal(sb_cache_passwd_by_name(c, "usersgid", &u), 0);
	sb_cache_allow_primary_gid(c, 100);
	assert_int_equal(sb_cache_passwd_by_name(c, "usersgid", &u), 1);
	assert_int_equal(u.gid, 100);
	assert_int_equal(sb_cache_user_by_uid(c, 200004, &u), 1);
	assert_int_equal(sb_cache_passwd_by_name(c, "diskgid", &u), 0);
	assert_int_equal(sb_cache_passwd_by_name(c, "diskextra", &u), 0);
	assert_int_equal(sb_cache_group_by_gid(c, 27, &g), 0);
	sb_cache_allow_primary_gid(c, 0); /* 0 allows none, gid 0 never */
	assert_int_equal(sb_cache_passwd_by_name(c, "usersgid", &u), 0);
	assert_int_equal(sb_cache_passwd_by_name(c, "gidzero", &u), 0);
	sb_cache_close(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_empty_dataset, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_superseded_and_generation, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rejects_truncated_foreign_future, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_byte_flips_do_not_crash, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_many_users, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_missing_is_notfound, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_failed_write_keeps_old, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_untrusted_cache_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_trust_checks_the_directory_opened, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ids_below_floor_not_served, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
