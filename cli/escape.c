/* escape.c — tenant text on the admin's terminal: a userName or
 * displayName may hold newlines or escape sequences, so every control
 * character is shown escaped and the result is bounded. Bytes >= 0x80 are
 * kept only as well-formed UTF-8 of a printable character
 * (sb_utf8_printable, the rule the logs use): a lone 0x9b is CSI to many
 * terminals. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "log.h"

const char *cli_escape(char *dst, size_t size, const char *src)
{
	size_t j = 0;

	if (!size)
		return dst;
	for (size_t i = 0; src[i]; i++) {
		unsigned char ch = (unsigned char)src[i];
		char tmp[5];
		size_t len, u = ch >= 0x80 ? sb_utf8_printable((const unsigned char *)src + i) : 0;

		if (ch == '\n')
			memcpy(tmp, "\\n", len = 2);
		else if (u)
			memcpy(tmp, src + i, len = u), i += u - 1;
		else if (ch < 0x20 || ch >= 0x7f)
			len = (size_t)snprintf(tmp, sizeof(tmp), "\\x%02x", ch);
		else
			tmp[0] = (char)ch, len = 1;
		if (j + len + 4 > size) {
			/* Room is kept for "..." and the NUL. */
			memcpy(dst + j, "...", 3);
			j += 3;
			break;
		}
		memcpy(dst + j, tmp, len);
		j += len;
	}
	dst[j] = '\0';
	return dst;
}
