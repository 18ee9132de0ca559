/*
 * utf8_cut.c - see utf8_cut.h.
 */
#include <stdlib.h>
#include <string.h>
#include "cfaug/reader.h"
#include "utf8_cut.h"

/* Length of the sequence a lead byte starts (0 for a continuation or an
 * impossible byte). */
static size_t seq_len(unsigned char c)
{
	if (c < 0x80) return 1;
	if (c >= 0xC2 && c <= 0xDF) return 2;
	if (c >= 0xE0 && c <= 0xEF) return 3;
	if (c >= 0xF0 && c <= 0xF4) return 4;
	return 0;
}

size_t cf_utf8_cut(const char *s, size_t n, size_t max)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, k;

	if (n <= max)
		return n;
	/* back up over at most 3 continuation bytes to the lead byte */
	for (i = max, k = 0; i > 0 && k < 4 && (u[i] & 0xC0) == 0x80; i--, k++)
		;
	if ((u[i] & 0xC0) == 0x80)
		return max;               /* not UTF-8 there anyway */
	return i + seq_len(u[i]) <= max ? max : i;
}

void cf_utf8_trim(char *s)
{
	size_t n = strlen(s), i = n, k = 0;
	const unsigned char *u = (const unsigned char *)s;

	while (i > 0 && k < 3 && (u[i - 1] & 0xC0) == 0x80)
		i--, k++;
	if (i > 0 && u[i - 1] >= 0xC0 && i - 1 + seq_len(u[i - 1]) > n)
		s[i - 1] = '\0';
}

char *cf_utf8_valid_dup(const char *s, size_t n)
{
	char *out = malloc(n * 3 + 1), *o = out;
	size_t ok, at = 0;
	int nul;

	if (!out)
		return NULL;
	while (at < n) {
		ok = cf_utf8_check(s + at, n - at, &nul);
		memcpy(o, s + at, ok);
		o += ok;
		at += ok;
		if (at == n)
			break;
		/* a sequence cut by the end: drop it rather than mark it */
		if (!nul && seq_len((unsigned char)s[at]) > n - at) {
			size_t k = 1;
			while (at + k < n && ((unsigned char)s[at + k] & 0xC0) == 0x80)
				k++;
			if (at + k == n)
				break;
		}
		memcpy(o, "\xEF\xBF\xBD", 3);
		o += 3;
		at++;
	}
	*o = '\0';
	return out;
}

void cf_utf8_sanitize(char *s)
{
	size_t n, at = 0, ok;
	int nul;

	cf_utf8_trim(s);
	n = strlen(s);
	while (at < n) {
		ok = cf_utf8_check(s + at, n - at, &nul);
		at += ok;
		if (at < n)
			s[at++] = '?';
	}
}
