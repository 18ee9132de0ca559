/*
 * tokens.c - see tokens.h.
 */
#include <stdlib.h>
#include <string.h>
#include "tokens.h"
#include "cfaug/util.h"

/* 0 space, 1 word (letters, digits, '_', any byte >= 0x80), 2 other */
static const unsigned char tok_class[256] = {
	2, 2, 2, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0, 0, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	0, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2,
	2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 1,
	2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

static int is_word(unsigned char c)
{
	return tok_class[c] == 1;
}

static int is_space(unsigned char c)
{
	return tok_class[c] == 0;
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
 * length difference (exact for word swaps, which keep positions).  row:
 * nb + 1 entries, or NULL to allocate them. */
static size_t distance(const uint64_t *a, size_t na, const uint64_t *b, size_t nb,
                       size_t *scratch)
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
	if (!(row = scratch ? scratch : malloc((nb + 1) * sizeof *row)))
		return (size_t)-1;
	for (k = diff + 2;; k *= 2) {
		if (k >= up) {    /* d <= up: this band is wide enough */
			d = banded(a, na, b, nb, up, row);
			break;
		}
		if ((d = banded(a, na, b, nb, k, row)) <= k)
			break;
	}
	if (!scratch)
		free(row);
	return d;
}

size_t cf_tokens_distance(const uint64_t *a, size_t na, const uint64_t *b, size_t nb)
{
	return distance(a, na, b, nb, NULL);
}

size_t cf_tokens_distance_row(const uint64_t *a, size_t na, const uint64_t *b,
                              size_t nb, cf_tokens_work *w)
{
	return distance(a, na, b, nb, w->row);
}

int cf_tokens_work_init(cf_tokens_work *w, size_t cap)
{
	*w = (cf_tokens_work){ .cap = cap };
	w->row = malloc((cap + 1) * sizeof *w->row);
	w->aoff = malloc(cap * sizeof *w->aoff);
	w->boff = malloc(cap * sizeof *w->boff);
	w->agap = malloc(cap * sizeof *w->agap);
	w->gend = malloc((cap + 1) * sizeof *w->gend);
	w->gshift = malloc((cap + 1) * sizeof *w->gshift);
	w->reach = malloc(2 * (2 * cap + 3) * sizeof *w->reach);
	if (w->row && w->aoff && w->boff && w->agap && w->gend && w->gshift && w->reach)
		return 0;
	cf_tokens_work_free(w);
	return -1;
}

void cf_tokens_work_free(cf_tokens_work *w)
{
	free(w->row);
	free(w->aoff);
	free(w->boff);
	free(w->agap);
	free(w->gend);
	free(w->gshift);
	free(w->reach);
	*w = (cf_tokens_work){ 0 };
}

/* ---- from edit spans -------------------------------------------------- */

/* Does a token straddle byte position p of s (a word run across it)? */
static int splits(const char *s, size_t len, size_t p)
{
	return p > 0 && p < len && is_word((unsigned char)s[p - 1]) &&
	       is_word((unsigned char)s[p]);
}

/* Bit i set: byte i of the 16 at p is a space (*sp) / a word byte (*wd). */
#ifdef __SSE2__
#include <emmintrin.h>

static __m128i in_range(__m128i v, char lo, char hi)
{
	__m128i t = _mm_sub_epi8(v, _mm_set1_epi8(lo));

	return _mm_cmpeq_epi8(_mm_min_epu8(t, _mm_set1_epi8((char)(hi - lo))), t);
}

static void classify16(const unsigned char *p, unsigned *sp, unsigned *wd)
{
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
	__m128i s = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')), in_range(v, 9, 13));
	__m128i w = _mm_or_si128(_mm_or_si128(in_range(v, '0', '9'), in_range(v, 'A', 'Z')),
	                         _mm_or_si128(in_range(v, 'a', 'z'),
	                                      _mm_cmpeq_epi8(v, _mm_set1_epi8('_'))));

	*sp = (unsigned)_mm_movemask_epi8(s);
	*wd = (unsigned)(_mm_movemask_epi8(w) | _mm_movemask_epi8(v));   /* >= 0x80 */
}
#else
static void classify16(const unsigned char *p, unsigned *sp, unsigned *wd)
{
	unsigned i;

	*sp = *wd = 0;
	for (i = 0; i < 16; i++) {
		*sp |= (unsigned)(tok_class[p[i]] == 0) << i;
		*wd |= (unsigned)(tok_class[p[i]] == 1) << i;
	}
}
#endif

/* Append where the tokens of s[from..to) start to w->aoff[*n..); -1 past
 * cap.  The same tokens as cf_tokens_hash: one starts at a non-space byte
 * unless it continues a word.  from is not inside a word (the borders are
 * checked), so the piece is tokenised alone.  With gap (a run of unedited
 * tokens, numbered from 1), each token is also b's token k + shift, moved
 * bytes further, and marked as in that gap.  16 bytes at a time. */
static inline int token_starts(const char *s, size_t from, size_t to, uint32_t *off,
                               size_t *n, size_t cap, cf_tokens_work *w,
                               uint32_t gap, ptrdiff_t shift, uint32_t moved)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = from, k = *n;
	unsigned prevw = 0;

	for (; i + 16 <= to; i += 16) {
		unsigned sp, wd, st;

		classify16(u + i, &sp, &wd);
		st = ~sp & ~(wd & ((wd << 1) | prevw)) & 0xffffu;
		prevw = wd >> 15;
		while (st) {
			uint32_t at = (uint32_t)(i + (unsigned)__builtin_ctz(st));

			if (k == cap)
				return -1;
			off[k] = at;
			if (gap) {
				w->boff[(ptrdiff_t)k + shift] = at + moved;
				w->agap[k] = gap;
			}
			k++;
			st &= st - 1;
		}
	}
	for (; i < to; i++) {
		unsigned c = tok_class[u[i]], wb = c == 1;

		if ((c != 0) & !(wb & prevw)) {
			if (k == cap)
				return -1;
			off[k] = (uint32_t)i;
			if (gap) {
				w->boff[(ptrdiff_t)k + shift] = (uint32_t)i + moved;
				w->agap[k] = gap;
			}
			k++;
		}
		prevw = wb;
	}
	*n = k;
	return 0;
}

typedef struct tview {
	const char *a, *b;
	size_t alen, blen;
	const cf_tokens_work *w;
	ptrdiff_t na, nb;
} tview;

/* Are the tokens at a + i and b + j the same?  (A word token is its whole
 * run of word bytes; any other token is one byte.) */
static int same_token(const tview *v, size_t i, size_t j)
{
	const unsigned char *x = (const unsigned char *)v->a, *y = (const unsigned char *)v->b;

	if (x[i] != y[j])
		return 0;
	if (tok_class[x[i]] != 1)
		return 1;
	for (i++, j++; i < v->alen && j < v->blen && tok_class[x[i]] == 1; i++, j++)
		if (x[i] != y[j])
			return 0;
	return (i == v->alen || tok_class[x[i]] != 1) ==
	       (j == v->blen || tok_class[y[j]] != 1);
}

/* From row i of diagonal k (a's token i against b's token i + k), as far
 * as the tokens agree; a gap aligned with its own copy is crossed in one
 * step. */
static ptrdiff_t slide(const tview *v, ptrdiff_t i, ptrdiff_t k)
{
	const cf_tokens_work *w = v->w;

	while (i < v->na && i + k < v->nb) {
		uint32_t g = w->agap[i];

		if (g && w->gshift[g - 1] == k) {
			i = w->gend[g - 1];
			continue;
		}
		if (!same_token(v, w->aoff[i], w->boff[i + k]))
			break;
		i++;
	}
	return i;
}

/* Diagonal transition: reach[k] is the furthest row of diagonal k (j - i)
 * reachable at cost d; cost d + 1 comes from cost d's neighbours by one
 * substitution, insertion or deletion, then a slide.  A move that would
 * leave the table is not taken.  Ends when the last cell is reached.
 * upper: a known upper bound of the distance; a diagonal from which the
 * last one is further than upper - d is not worked on (any path through
 * it costs more). */
static size_t diagonal_distance(const tview *v, ptrdiff_t upper)
{
	ptrdiff_t na = v->na, nb = v->nb, kend = nb - na;
	ptrdiff_t off = (ptrdiff_t)v->w->cap + 1;
	ptrdiff_t *prev = v->w->reach, *cur = prev + 2 * off + 1, *t, d, k;
	ptrdiff_t plo = 0, phi = 0;   /* the diagonals worked on at d - 1 */

	cur[off] = slide(v, 0, 0);
	if (kend == 0 && cur[off] == na)
		return 0;
	for (d = 1;; d++) {
		ptrdiff_t lo = -d > -na ? -d : -na, hi = d < nb ? d : nb;

		if (lo < kend - (upper - d))
			lo = kend - (upper - d);
		if (hi > kend + (upper - d))
			hi = kend + (upper - d);
		t = prev;
		prev = cur;
		cur = t;
		for (k = lo; k <= hi; k++) {
			ptrdiff_t best = -1, p;

			if (k >= plo && k <= phi) {              /* substitution */
				p = prev[off + k];
				if (p >= 0 && p < na && p + k < nb)
					best = p + 1;
			}
			if (k - 1 >= plo && k - 1 <= phi) {      /* insertion */
				p = prev[off + k - 1];
				if (p >= 0 && p + k - 1 < nb && p > best)
					best = p;
			}
			if (k + 1 >= plo && k + 1 <= phi) {      /* deletion */
				p = prev[off + k + 1];
				if (p >= 0 && p < na && p + 1 > best)
					best = p + 1;
			}
			cur[off + k] = best < 0 ? -1 : slide(v, best, k);
			if (k == kend && cur[off + k] == na)
				return (size_t)d;
		}
		plo = lo;
		phi = hi;
	}
}

size_t cf_tokens_distance_spans(const char *a, size_t alen, const char *b,
                                size_t blen, const cf_edit_span *e, size_t n,
                                cf_tokens_work *w, size_t *ntok)
{
	size_t k, i, as = 0, bs = 0, na = 0, nb = 0, ng = 0, cap = w->cap;
	size_t b0, upper = 0;
	tview v = { .a = a, .b = b, .alen = alen, .blen = blen, .w = w };

	if (n > cap || alen > UINT32_MAX || blen > UINT32_MAX)
		return CF_TOKENS_UNKNOWN;
	/* the spans in order, the bytes between them the same on both sides,
	 * no token across a border */
	for (k = 0; k <= n; k++) {
		size_t ao = k < n ? e[k].src_off : alen, bo = k < n ? e[k].dst_off : blen;

		if (ao < as || bo < bs || ao > alen || bo > blen || ao - as != bo - bs ||
		    memcmp(a + as, b + bs, ao - as))
			return CF_TOKENS_UNKNOWN;
		if (k == n)
			break;
		as = ao + e[k].src_len;
		bs = bo + e[k].dst_len;
		if (as > alen || bs > blen || splits(a, alen, ao) || splits(a, alen, as) ||
		    splits(b, blen, bo) || splits(b, blen, bs))
			return CF_TOKENS_UNKNOWN;
	}
	/* the tokens: each gap's once (b's copy moved), each span's own */
	as = 0;
	for (k = 0; k <= n; k++) {
		size_t ao = k < n ? e[k].src_off : alen, bo = k < n ? e[k].dst_off : blen;
		size_t g0 = na;
		ptrdiff_t shift = (ptrdiff_t)nb - (ptrdiff_t)g0;

		/* b's copy must fit too: na - g0 more tokens from nb */
		if (token_starts(a, as, ao, w->aoff, &na, cap - (nb > g0 ? nb - g0 : 0), w,
		                 (uint32_t)ng + 1, shift, (uint32_t)(bo - ao)) < 0)
			return CF_TOKENS_UNKNOWN;
		if (na > g0) {
			w->gend[ng] = (uint32_t)na;
			w->gshift[ng] = (int32_t)shift;
			ng++;
			nb += na - g0;
		}
		if (k == n)
			break;
		g0 = na;
		b0 = nb;
		as = ao + e[k].src_len;
		if (token_starts(a, ao, as, w->aoff, &na, cap, w, 0, 0, 0) < 0 ||
		    token_starts(b, bo, bo + e[k].dst_len, w->boff, &nb, cap, w, 0, 0, 0) < 0)
			return CF_TOKENS_UNKNOWN;
		for (i = g0; i < na; i++)
			w->agap[i] = 0;
		/* the edit as written costs at most its longer side */
		upper += na - g0 > nb - b0 ? na - g0 : nb - b0;
	}
	*ntok = na;
	v.na = (ptrdiff_t)na;
	v.nb = (ptrdiff_t)nb;
	return diagonal_distance(&v, (ptrdiff_t)upper);
}
