/*
 * fuzz_util.h - checks shared by the fuzz targets (header only, so the
 * glob over tests/fuzz/fuzz_*.c does not make it a target).
 *
 * utf8_ok() is written here from RFC 3629 on purpose, independent of the
 * project's cf_utf8_check(), so a target does not test the code with
 * itself.  CHECK() aborts with the failed condition: libFuzzer reports it
 * as a crash and keeps the input.
 */
#ifndef CF_FUZZ_UTIL_H
#define CF_FUZZ_UTIL_H

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#define CHECK(c) do { if (!(c)) { \
	fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #c); \
	abort(); } } while (0)

/* 1 if s[0..n) is well-formed UTF-8 (no overlongs, surrogates or code
 * points above U+10FFFF); NUL bytes are allowed. */
static inline int utf8_ok(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i];
		size_t k, len;
		unsigned long cp;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
			len = 2, cp = c & 0x1F;
		else if (c >= 0xE0 && c <= 0xEF)
			len = 3, cp = c & 0x0F;
		else if (c >= 0xF0 && c <= 0xF4)
			len = 4, cp = c & 0x07;
		else
			return 0;
		if (i + len > n)
			return 0;
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
		    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		i += len;
	}
	return 1;
}

#endif
