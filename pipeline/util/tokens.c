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

/* The distance of a[0..na) and b[0..nb) if it is at most k, else k + 1
 * (Ukkonen's band: a path of cost <= k never leaves |i - j| <= k, and a row
 * whose band holds nothing <= k ends the search).  O(k * na) time; row has
 * nb + 1 entries.  Needs |na - nb| <= k. */
static size_t banded(const uint64_t *a, size_t na, const uint64_t *b, size_t nb,
                     size_t k, size_t *row)
{
	size_t big = k + 1, i, j;

	for (j = 0; j <= nb; j++)
		row[j] = j <= k ? j : big;
	for (i = 1; i <= na; i++) {
		size_t lo = i > k ? i - k : 1, hi = i + k < nb ? i + k : nb;
		size_t diag = row[lo - 1], left, rowmin;

		/* column lo - 1 of this row: the border, or just outside the band */
		row[lo - 1] = left = lo == 1 && i <= k ? i : big;
		rowmin = left;
		for (j = lo; j <= hi; j++) {
			size_t up = row[j];   /* big past the previous row's band */
			size_t best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (left + 1 < best)
				best = left + 1;
			if (best > big)
				best = big;
			diag = up;
			row[j] = left = best;
			if (best < rowmin)
				rowmin = best;
		}
		if (rowmin > k)
			return big;
	}
	return row[nb] <= k ? row[nb] : big;
}

/* Exact: common prefix and suffix cost nothing and are cut off; the rest is
 * searched with a band that doubles until the distance fits in it, so the
 * work is O(d * n) for a distance d instead of O(n^2) (a rules edit of a
 * few tokens in a long text is cheap).  The band never needs to be wider
 * than an upper bound: the position-by-position mismatches plus the
 * length difference (exact for word swaps, which keep positions). */
size_t cf_tokens_distance(const uint64_t *a, size_t na, const uint64_t *b, size_t nb)
{
	size_t *row, k, d, diff, up, i, m;

	while (na && nb && a[0] == b[0]) {
		a++;
		b++;
		na--;
		nb--;
	}
	while (na && nb && a[na - 1] == b[nb - 1]) {
		na--;
		nb--;
	}
	if (na == 0)
		return nb;
	if (nb == 0)
		return na;
	diff = na > nb ? na - nb : nb - na;
	m = na < nb ? na : nb;
	for (i = 0, up = diff; i < m; i++)
		up += a[i] != b[i];
	if (up <= 1)          /* one substitution, or one insertion at the end */
		return up;
	if (!(row = malloc((nb + 1) * sizeof *row)))
		return (size_t)-1;
	for (k = diff + 2;; k *= 2) {
		if (k >= up) {    /* d <= up: this band is wide enough */
			d = banded(a, na, b, nb, up, row);
			break;
		}
		if ((d = banded(a, na, b, nb, k, row)) <= k)
			break;
	}
	free(row);
	return d;
}
