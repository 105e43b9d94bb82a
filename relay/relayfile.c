/* relayfile.c — see relayfile.h. */
#include "relayfile.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "file_replace.h"

void sb_relay_directory_id(const uint8_t keyid[SB_MS_KEYID_BYTES], char out[32])
{
	char hex[17];

	snprintf(out, 32, "fleet-%s", sb_ms_keyid_hex(keyid, hex));
}

void sb_relay_sha256(const void *data, size_t len, uint8_t raw[32], char hex[65])
{
	crypto_hash_sha256(raw, data, len);
	sodium_bin2hex(hex, 65, raw, 32);
}

int sb_relay_unhex(const char *hex, uint8_t raw[32])
{
	for (int i = 0; i < 64; i++)
		if (!((hex[i] >= '0' && hex[i] <= '9') || (hex[i] >= 'a' && hex[i] <= 'f')))
			return -1;
	return sodium_hex2bin(raw, 32, hex, 64, NULL, NULL, NULL) == 0 ? 0 : -1;
}

void sb_relay_comment_build(const struct sb_relay_cache *c, char *out, size_t size)
{
	char hex[65];

	sodium_bin2hex(hex, sizeof(hex), c->sha256, 32);
	snprintf(out, size,
		 "scimbridge directory=%s generation=%" PRIu64 " cache=sha256:%s:%" PRIu64,
		 c->directory, c->generation, hex, c->size);
}

int sb_relay_comment_parse(const char *text, struct sb_relay_cache *c, struct sb_err *err)
{
	char dir[SB_RELEASE_DIR_ID_MAX + 2], hex[66];
	uint64_t gen, size;
	int n = 0;

	memset(c, 0, sizeof(*c));
	if (sscanf(text,
		   "scimbridge directory=%65[A-Za-z0-9._-] generation=%" SCNu64
		   " cache=sha256:%65[0-9a-f]:%" SCNu64 "%n",
		   dir, &gen, hex, &size, &n) != 4 ||
	    text[n] != '\0' || strlen(dir) > SB_RELEASE_DIR_ID_MAX || strlen(hex) != 64 ||
	    sb_relay_unhex(hex, c->sha256) < 0 || size == 0 || size > SB_RELEASE_FILE_MAX)
		return sb_err_set(err, SB_E_SECURITY,
				  "release.minisig: the trusted comment does not name a cache: "
				  "'%.120s'",
				  text);
	strcpy(c->directory, dir);
	c->generation = gen;
	c->size = size;
	return 0;
}

int sb_relay_read_file(const char *path, size_t max, uint8_t **out, size_t *len, struct sb_err *err)
{
	struct stat st;
	uint8_t *buf = NULL;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = -1;

	*out = NULL;
	*len = 0;
	if (fd < 0) {
		int e = errno;

		sb_err_sys(err, e, "cannot read %s", path);
		if (err && e == ENOENT)
			err->kind = SB_E_NOTFOUND;
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > max) {
		sb_err_set(err, SB_E_IO, "%s: not a regular file of at most %zu bytes", path, max);
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		sb_err_set(err, SB_E_NOMEM, "%s: out of memory", path);
		goto out;
	}
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			sb_err_sys(err, r < 0 ? errno : EIO, "cannot read %s", path);
			goto out;
		}
		got += (size_t)r;
	}
	buf[got] = 0;
	*out = buf;
	*len = got;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	close(fd);
	return rc;
}

int sb_relay_write_file(const char *path, int mode, const void *data, size_t len,
			struct sb_err *err)
{
	return sb_file_replace_data(path, (mode_t)mode, data, len, "relay file", err);
}
