/*
 * test_tokens.c - the token edit distance against the full Levenshtein
 * table, on hand-worked pairs and on random sequences over small alphabets
 * (many ties, long common runs, distances from 0 to the longer length);
 * the distance from edit spans (cf_tokens_distance_spans) against the same
 * table on random texts with random edits, and the cases where it must
 * not answer (overlapping or unordered spans, a token across a border,
 * texts that differ outside the spans, too many tokens).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "tokens.h"

/* The textbook O(na * nb) table. */
static size_t full_table(const uint64_t *a, size_t na, const uint64_t *b, size_t nb)
{
	size_t *row = malloc((nb + 1) * sizeof *row), i, j, d;

	assert_non_null(row);
	for (j = 0; j <= nb; j++)
		row[j] = j;
	for (i = 1; i <= na; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (j = 1; j <= nb; j++) {
			size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);

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

static size_t dist_of(const char *x, const char *y)
{
	uint64_t a[64], b[64];
	size_t na = cf_tokens_hash(x, strlen(x), a, 64);
	size_t nb = cf_tokens_hash(y, strlen(y), b, 64);

	return cf_tokens_distance(a, na, b, nb);
}

static void test_hand_worked(void **state)
{
	(void)state;
	assert_int_equal(dist_of("He won.", "She won."), 1);
	assert_int_equal(dist_of("He won.", "He won."), 0);
	assert_int_equal(dist_of("", "a b c"), 3);
	assert_int_equal(dist_of("a b c", ""), 3);
	assert_int_equal(dist_of("a b c d e", "a c d e"), 1);          /* deletion */
	assert_int_equal(dist_of("a b c d e", "e d c b a"), 4);
	assert_int_equal(dist_of("x a b c d e f g h y", "z a b c d e f g h w"), 2);
	/* the band must grow: one insertion at each end of a long run */
	assert_int_equal(dist_of("a a a a a a a a a a a a", "b a a a a a a a a a a a a b"), 2);
}

static void test_random_against_full_table(void **state)
{
	uint64_t a[300], b[300];
	unsigned seed = 12345;
	int round;

	(void)state;
	for (round = 0; round < 3000; round++) {
		size_t na, nb, i, alpha, edits;

		seed = seed * 1103515245u + 12345u;
		na = (seed >> 8) % 120;
		alpha = 2 + (seed >> 20) % 6;
		for (i = 0; i < na; i++) {
			seed = seed * 1103515245u + 12345u;
			a[i] = (seed >> 10) % alpha;
		}
		/* b: a copy of a with a few random edits, or unrelated */
		memcpy(b, a, na * sizeof *a);
		nb = na;
		seed = seed * 1103515245u + 12345u;
		edits = round % 4 == 3 ? 0 : (seed >> 12) % (1 + round % 40);
		if (round % 7 == 6) {
			nb = (seed >> 4) % 150;
			for (i = 0; i < nb; i++) {
				seed = seed * 1103515245u + 12345u;
				b[i] = (seed >> 10) % alpha;
			}
			edits = 0;
		}
		for (i = 0; i < edits; i++) {
			size_t at, op;

			seed = seed * 1103515245u + 12345u;
			op = (seed >> 5) % 3;
			at = nb ? (seed >> 9) % (nb + (op == 1)) : 0;
			if (op == 0 && nb) {                  /* substitute */
				b[at % nb] = 100 + i;
			} else if (op == 1 && nb < 299) {     /* insert */
				memmove(b + at + 1, b + at, (nb - at) * sizeof *b);
				b[at] = 200 + i;
				nb++;
			} else if (nb) {                      /* delete */
				at %= nb;
				memmove(b + at, b + at + 1, (nb - at - 1) * sizeof *b);
				nb--;
			}
		}
		assert_int_equal(cf_tokens_distance(a, na, b, nb), full_table(a, na, b, nb));
		assert_int_equal(cf_tokens_distance(b, nb, a, na), full_table(a, na, b, nb));
	}
}

/* The distance of two texts by the full table over their token hashes. */
static size_t text_dist(const char *x, size_t lx, const char *y, size_t ly, size_t *nx)
{
	uint64_t a[400], b[400];
	size_t na = cf_tokens_hash(x, lx, a, 400), nb = cf_tokens_hash(y, ly, b, 400);

	assert_true(na <= 400 && nb <= 400);
	*nx = na;
	return full_table(a, na, b, nb);
}

/* b = a with spans [src) replaced by the strings rep[], in one call. */
static size_t spans_of(const char *a, const size_t (*src)[2], const char *const *rep,
                       size_t n, cf_tokens_work *w, size_t *ntok, char *b, size_t *lb)
{
	cf_edit_span e[16];
	size_t k, at = 0, bl = 0;

	for (k = 0; k < n; k++) {
		size_t r = strlen(rep[k]);

		memcpy(b + bl, a + at, src[k][0] - at);
		bl += src[k][0] - at;
		e[k] = (cf_edit_span){ .field = "text", .src_off = (uint32_t)src[k][0],
		                       .src_len = (uint32_t)src[k][1], .dst_off = (uint32_t)bl,
		                       .dst_len = (uint32_t)r };
		memcpy(b + bl, rep[k], r);
		bl += r;
		at = src[k][0] + src[k][1];
	}
	memcpy(b + bl, a + at, strlen(a) - at);
	bl += strlen(a) - at;
	b[bl] = 0;
	*lb = bl;
	return cf_tokens_distance_spans(a, strlen(a), b, bl, e, n, w, ntok);
}

static void test_spans_hand_worked(void **state)
{
	cf_tokens_work w;
	char b[256];
	size_t lb, nt = 0;
	(void)state;
	assert_int_equal(cf_tokens_work_init(&w, 64), 0);
	{   /* per-edit costs would say 3: the shift costs 2 */
		const size_t src[][2] = { { 0, 2 }, { 3, 3 }, { 7, 2 } };
		const char *rep[] = { "she", "he", "she" };
		assert_int_equal(spans_of("he she he", src, rep, 3, &w, &nt, b, &lb), 2);
		assert_string_equal(b, "she he she");
		assert_int_equal(nt, 3);
	}
	{   /* five tokens each side, one of them changed */
		const size_t src[][2] = { { 4, 10 } };
		const char *rep[] = { "daughter-in-law" };
		assert_int_equal(spans_of("his son-in-law came", src, rep, 1, &w, &nt, b, &lb), 1);
		assert_int_equal(nt, 7);
	}
	{   /* an insertion and a deletion */
		const size_t src[][2] = { { 0, 0 }, { 6, 4 } };
		const char *rep[] = { "oh, ", "" };
		assert_int_equal(spans_of("He won the cup", src, rep, 2, &w, &nt, b, &lb), 3);
		assert_string_equal(b, "oh, He won cup");
	}
	{   /* a span inside a word: "the" -> "tshe" is not a token edit */
		const size_t src[][2] = { { 1, 2 } };
		const char *rep[] = { "she" };
		assert_int_equal(spans_of("the cat", src, rep, 1, &w, &nt, b, &lb),
		                 CF_TOKENS_UNKNOWN);
	}
	{   /* a replacement that glues onto the next word */
		const size_t src[][2] = { { 0, 3 } };
		const char *rep[] = { "xy" };
		assert_int_equal(spans_of("he, cat", src, rep, 1, &w, &nt, b, &lb), 2);
		assert_int_equal(spans_of("hey cat", (const size_t[][2]){ { 0, 4 } },
		                          (const char *[]){ "x" }, 1, &w, &nt, b, &lb),
		                 CF_TOKENS_UNKNOWN);
	}
	{   /* spans out of order, overlapping, or texts differing between them */
		const char *a = "he saw her there", *bb = "she saw him there";
		cf_edit_span e[2] = { { "text", 8, 3, 9, 3 }, { "text", 0, 2, 0, 3 } };
		assert_int_equal(cf_tokens_distance_spans(a, strlen(a), bb, strlen(bb), e, 2, &w, &nt),
		                 CF_TOKENS_UNKNOWN);
		e[0] = (cf_edit_span){ "text", 0, 2, 0, 3 };
		e[1] = (cf_edit_span){ "text", 1, 2, 1, 3 };
		assert_int_equal(cf_tokens_distance_spans(a, strlen(a), bb, strlen(bb), e, 2, &w, &nt),
		                 CF_TOKENS_UNKNOWN);
		e[1] = (cf_edit_span){ "text", 7, 3, 8, 3 };
		assert_int_equal(cf_tokens_distance_spans(a, strlen(a), bb, strlen(bb), e, 2, &w, &nt),
		                 2);
		bb = "she saw him thera";
		assert_int_equal(cf_tokens_distance_spans(a, strlen(a), bb, strlen(bb), e, 2, &w, &nt),
		                 CF_TOKENS_UNKNOWN);
	}
	cf_tokens_work_free(&w);
	/* more tokens than the scratch holds */
	assert_int_equal(cf_tokens_work_init(&w, 4), 0);
	{
		const size_t src[][2] = { { 0, 1 } };
		const char *rep[] = { "b" };
		assert_int_equal(spans_of("a c d e f", src, rep, 1, &w, &nt, b, &lb),
		                 CF_TOKENS_UNKNOWN);
		assert_int_equal(spans_of("a c d e", src, rep, 1, &w, &nt, b, &lb), 1);
	}
	cf_tokens_work_free(&w);
}

static unsigned next_rand(unsigned *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return *seed >> 8;
}

/* Random texts over a small vocabulary (repeats, runs, punctuation, words
 * glued without a space), random edits at random byte positions (most at
 * token borders, some not), random replacements: every answer must be
 * the full table's; and both answers and refusals must happen. */
static void test_spans_random_against_full_table(void **state)
{
	static const char *const vocab[] = { "he", "she", "his", "her", "a", "the",
		",", ".", "-", "in", "law", "x", "Mary", "James", "'s", "\xc3\xa9t\xc3\xa9" };
	const size_t nv = sizeof vocab / sizeof *vocab;
	cf_tokens_work w;
	unsigned seed = 777;
	size_t round, answered = 0, refused = 0, nonzero = 0;

	(void)state;
	assert_int_equal(cf_tokens_work_init(&w, 200), 0);
	for (round = 0; round < 20000; round++) {
		char a[400], b[800], rep[16][40];
		const char *reps[16];
		size_t src[16][2], la = 0, lb, n, k, i, nt = 0, nfull, d, full;
		size_t words = next_rand(&seed) % 30;
		int aligned = next_rand(&seed) % 4 != 0;

		for (i = 0; i < words; i++) {
			const char *t = vocab[next_rand(&seed) % nv];
			unsigned sp = next_rand(&seed) % 5;

			memcpy(a + la, t, strlen(t));
			la += strlen(t);
			if (sp)
				a[la++] = sp == 4 ? '\n' : ' ';
		}
		a[la] = 0;
		/* edits: n sorted, non-overlapping spans */
		n = next_rand(&seed) % 6;
		for (k = 0, i = 0; k < n && i <= la; k++) {
			size_t start = i + next_rand(&seed) % (la - i + 1), len;

			if (aligned)   /* move back to a border */
				while (start > i && start < la && a[start - 1] != ' ' &&
				       a[start - 1] != '\n' && a[start] != ' ')
					start--;
			len = next_rand(&seed) % (la - start + 1);
			len = len > 12 ? len % 12 : len;
			if (aligned)
				while (start + len < la && a[start + len] != ' ' &&
				       a[start + len] != '\n')
					len++;
			src[k][0] = start;
			src[k][1] = len;
			i = start + len;
			/* a replacement: 0 to 3 words */
			{
				size_t rl = 0, m = next_rand(&seed) % 4, q;
				for (q = 0; q < m; q++) {
					const char *t = vocab[next_rand(&seed) % nv];
					if (q)
						rep[k][rl++] = ' ';
					memcpy(rep[k] + rl, t, strlen(t));
					rl += strlen(t);
				}
				rep[k][rl] = 0;
				reps[k] = rep[k];
			}
		}
		n = k;
		d = spans_of(a, (const size_t (*)[2])src, reps, n, &w, &nt, b, &lb);
		full = text_dist(a, la, b, lb, &nfull);
		if (d == CF_TOKENS_UNKNOWN) {
			refused++;
			continue;
		}
		answered++;
		nonzero += d != 0;
		assert_int_equal(d, full);
		assert_int_equal(nt, nfull);
	}
	/* both paths exercised, many times */
	assert_true(answered > 5000);
	assert_true(refused > 500);
	assert_true(nonzero > 4000);
	cf_tokens_work_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hand_worked),
		cmocka_unit_test(test_random_against_full_table),
		cmocka_unit_test(test_spans_hand_worked),
		cmocka_unit_test(test_spans_random_against_full_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
