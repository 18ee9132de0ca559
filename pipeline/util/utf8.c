/*
 * utf8.c - UTF-8 validation (include/cfaug/util.h), used by the readers,
 * the output writers and the template renderer.  ASCII runs are checked
 * eight bytes at a time.
 */
#include <stdint.h>
#include <string.h>
#include "cfaug/util.h"

/* 1 if any byte of the 8 in v is zero or has its top bit set. */
static inline int word_special(uint64_t v)
{
	const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;

	return ((v | ((v - ones) & ~v)) & highs) != 0;
}

size_t cf_utf8_check(const char *str, size_t n, int *nul)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, need;
	unsigned char c, lo, hi;
	uint64_t w;

	*nul = 0;
	while (i < n) {
		/* ASCII without NUL runs 8 bytes at a time */
		while (i + 8 <= n) {
			memcpy(&w, s + i, 8);
			if (word_special(w))
				break;
			i += 8;
		}
		if (i >= n)
			break;
		c = s[i];
		if (c == 0) {
			*nul = 1;
			return i;
		}
		if (c < 0x80) {
			i++;
			continue;
		}
		lo = 0x80, hi = 0xBF;
		if (c >= 0xC2 && c <= 0xDF)
			need = 1;
		else if (c >= 0xE0 && c <= 0xEF) {
			need = 2;
			if (c == 0xE0) lo = 0xA0;          /* overlong */
			if (c == 0xED) hi = 0x9F;          /* surrogates */
		} else if (c >= 0xF0 && c <= 0xF4) {
			need = 3;
			if (c == 0xF0) lo = 0x90;          /* overlong */
			if (c == 0xF4) hi = 0x8F;          /* above U+10FFFF */
		} else
			return i;
		if (n - i <= need)
			return i;
		if (s[i + 1] < lo || s[i + 1] > hi)
			return i;
		for (size_t k = 2; k <= need; k++)
			if ((s[i + k] & 0xC0) != 0x80)
				return i;
		i += need + 1;
	}
	return n;
}
