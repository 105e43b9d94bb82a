/* fuzz_release.c — a `release` comes from any HTTP server before its
 * signature is checked against it: whatever the bytes, the parser refuses
 * them or returns a release that builds back to exactly the same bytes
 * (the format has one spelling per release, so nothing two readers could
 * read differently gets through). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "release.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sb_release r;
	struct sb_err err = {0};
	char *text = NULL;
	size_t len = 0;

	if (sb_release_parse((const char *)data, size, &r, &err) < 0)
		return 0;
	if (sb_release_build(&r, &text, &len, &err) < 0 || len != size || memcmp(text, data, size))
		abort();
	free(text);
	return 0;
}
