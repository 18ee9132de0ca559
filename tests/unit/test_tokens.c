/*
 * test_tokens.c - the token edit distance against the full Levenshtein
 * table, on hand-worked pairs and on random sequences over small alphabets
 * (many ties, long common runs, distances from 0 to the longer length).
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hand_worked),
		cmocka_unit_test(test_random_against_full_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
