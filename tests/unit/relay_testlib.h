/* relay_testlib.h — what test_snapshot.c and test_delta.c share: a
 * deterministic, compressible buffer shaped like a cache (records with
 * counters and text), and a frame's declared content size, to forge frames
 * that lie about it. Header-only: each test binary is one .c file. */
#ifndef SB_RELAY_TESTLIB_H
#define SB_RELAY_TESTLIB_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline uint8_t *make_buf(size_t n, unsigned seed)
{
	uint8_t *b = malloc(n);
	uint32_t x = seed * 2654435761u + 1;

	for (size_t i = 0; i < n;) {
		char rec[96];
		int k;

		x = x * 1103515245u + 12345u;
		k = snprintf(rec, sizeof(rec), "u%06zu:%u:User %zu:/home/u%06zu:/bin/bash;", i / 64,
			     x >> 16, i / 64, i / 64);
		for (int j = 0; j < k && i < n; j++)
			b[i++] = (uint8_t)rec[j];
	}
	return b;
}

/* Where the Frame_Content_Size field is and how wide (RFC 8878 3.1.1.1);
 * 0 when absent. */
static inline size_t fcs_at(const uint8_t *f, size_t *width)
{
	uint8_t fhd = f[4];
	static const size_t fcs_w[4] = {0, 2, 4, 8}, did_w[4] = {0, 1, 2, 4};
	int single = (fhd >> 5) & 1;

	*width = fcs_w[fhd >> 6];
	if (!*width && single)
		*width = 1;
	return 5 + (single ? 0 : 1) + did_w[fhd & 3];
}

/* Rewrites a 4- or 8-byte content size field (little-endian) to v. */
static inline int set_fcs(uint8_t *f, uint64_t v)
{
	size_t w, at = fcs_at(f, &w);

	if (w != 4 && w != 8)
		return -1;
	for (size_t i = 0; i < w; i++)
		f[at + i] = (uint8_t)(v >> (8 * i));
	return 0;
}

#endif
