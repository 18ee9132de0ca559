/*
 * tokens.c - see tokens.h.
 */
#include <stdlib.h>
#include "tokens.h"
#include "cfaug/util.h"

static int is_word(unsigned char c)
{
	return c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

size_t cf_tokens_hash(const char *s, size_t len, uint64_t *out, size_t cap)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, n = 0, start;

	while (i < len) {
		if (is_space(u[i])) {
			i++;
			continue;
		}
		start = i++;
		if (is_word(u[start]))
			while (i < len && is_word(u[i]))
				i++;
		if (n < cap)
			out[n] = cf_hash64(s + start, i - start, 0);
		n++;
	}
	return n;
}

size_t cf_tokens_distance(const uint64_t *a, size_t na, const uint64_t *b, size_t nb)
{
	size_t *row, i, j, d;

	if (na == 0)
		return nb;
	if (nb == 0)
		return na;
	if (!(row = malloc((nb + 1) * sizeof *row)))
		return (size_t)-1;
	for (j = 0; j <= nb; j++)
		row[j] = j;
	for (i = 1; i <= na; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (j = 1; j <= nb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	d = row[nb];
	free(row);
	return d;
}
