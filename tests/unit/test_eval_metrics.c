/*
 * test_eval_metrics.c - the metrics of `cfaug eval` (pipeline/stats/eval_metrics)
 * against values worked out by hand, with the edge cases: identical texts,
 * empty texts, a single sample, undefined values.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "eval_metrics.h"

#define near(x, want, tol) assert_true(fabs((x) - (want)) < (tol))

static void test_wilson(void **state)
{
	cf_prop p;

	/* 8/10: p = .8, z^2 = 3.8415; centre .99207/1.38415, half .22658 */
	cf_eval_wilson(8, 10, CF_EVAL_Z95, &p);
	assert_int_equal(p.k, 8);
	assert_int_equal(p.n, 10);
	near(p.rate, 0.8, 1e-12);
	near(p.lo, 0.4902, 1e-4);
	near(p.hi, 0.9433, 1e-4);
	/* 0/10: lo 0, hi = 2 * (z^2/20) / (1 + z^2/10) = .2775 */
	cf_eval_wilson(0, 10, CF_EVAL_Z95, &p);
	near(p.lo, 0.0, 1e-12);
	near(p.hi, 0.2775, 1e-4);
	/* 10/10 mirrors 0/10 */
	cf_eval_wilson(10, 10, CF_EVAL_Z95, &p);
	near(p.lo, 1 - 0.2775, 1e-4);
	near(p.hi, 1.0, 1e-12);
	/* a single sample, a success: (1 + z^2/2 -+ z^2/2)/(1 + z^2) */
	cf_eval_wilson(1, 1, CF_EVAL_Z95, &p);
	near(p.rate, 1.0, 1e-12);
	near(p.lo, 1.0 / (1 + CF_EVAL_Z95 * CF_EVAL_Z95), 1e-9);
	near(p.hi, 1.0, 1e-12);
	/* no trials: undefined */
	cf_eval_wilson(0, 0, CF_EVAL_Z95, &p);
	assert_true(isnan(p.rate) && isnan(p.lo) && isnan(p.hi));
}

static void test_two_prop(void **state)
{
	double d, z, p;

	/* 30/50 vs 10/50: pooled .4, se sqrt(.24 * .04) = .09798, z 4.0825 */
	cf_eval_two_prop(30, 50, 10, 50, &d, &z, &p);
	near(d, 0.4, 1e-12);
	near(z, 4.08248, 1e-4);
	near(p, 4.4557e-5, 1e-8);
	/* equal rates: z 0, p 1 */
	cf_eval_two_prop(5, 10, 50, 100, &d, &z, &p);
	near(d, 0.0, 1e-12);
	near(z, 0.0, 1e-12);
	near(p, 1.0, 1e-12);
	/* all flip on both sides: no variance, no evidence */
	cf_eval_two_prop(10, 10, 3, 3, &d, &z, &p);
	near(z, 0.0, 1e-12);
	near(p, 1.0, 1e-12);
	/* one side empty */
	cf_eval_two_prop(1, 2, 0, 0, &d, &z, &p);
	assert_true(isnan(d) && isnan(z) && isnan(p));
	/* the normal quantile */
	near(cf_eval_norm_isf(0.025), CF_EVAL_Z95, 1e-9);
	near(cf_eval_norm_sf(0.0), 0.5, 1e-15);
	assert_true(isnan(cf_eval_norm_isf(0.0)));
}

static void test_kappa(void **state)
{
	int a[] = { 0, 0, 1, 1 }, b[] = { 0, 1, 1, 1 };
	int same[] = { 1, 1, 1 }, x[] = { 0, 1 }, y[] = { 1, 0 };
	int m1[] = { 0, -1, 1, 1, 0 }, m2[] = { 0, 1, -1, 1, 1 };
	size_t used;

	/* po 3/4, pe .5 * .25 + .5 * .75 = .5: (.75 - .5) / .5 */
	near(cf_eval_kappa(a, b, 4, 2, &used), 0.5, 1e-12);
	assert_int_equal(used, 4);
	/* identical raters with varied labels: 1 */
	near(cf_eval_kappa(a, a, 4, 2, NULL), 1.0, 1e-12);
	/* both always say the same label: chance agreement 1, undefined */
	assert_true(isnan(cf_eval_kappa(same, same, 3, 2, NULL)));
	/* perfect disagreement on two items: po 0, pe .5 -> -1 */
	near(cf_eval_kappa(x, y, 2, 2, NULL), -1.0, 1e-12);
	/* missing labels are left out: items 0, 3, 4 -> (0,0) (1,1) (0,1):
	 * po 2/3, pe (2/3)(1/3) + (1/3)(2/3) = 4/9 -> (2/9)/(5/9) = .4 */
	near(cf_eval_kappa(m1, m2, 5, 2, &used), 0.4, 1e-12);
	assert_int_equal(used, 3);
	/* nothing to compare */
	assert_true(isnan(cf_eval_kappa(a, b, 0, 2, &used)));
	assert_int_equal(used, 0);
}

static size_t dist1(const char *a, const char *b, size_t *alen)
{
	cf_evtext x = { 0 }, y = { 0 };
	size_t d = 99;

	assert_int_equal(cf_evtext_set(&x, &a, NULL, 1), 0);
	assert_int_equal(cf_evtext_set(&y, &b, NULL, 1), 0);
	assert_int_equal(cf_evtext_distance(&x, &y, &d), 0);
	*alen = cf_evtext_len(&x);
	cf_evtext_clear(&x);
	cf_evtext_clear(&y);
	return d;
}

static void test_minimality(void **state)
{
	size_t len, d;

	d = dist1("the movie was good", "the movie was bad", &len);
	assert_int_equal(d, 1);
	assert_int_equal(len, 4);
	near(cf_eval_norm_distance(d, len), 0.25, 1e-12);
	/* identical texts */
	d = dist1("Same text, same words.", "Same text, same words.", &len);
	assert_int_equal(d, 0);
	assert_int_equal(len, 6);     /* Same text , same words . */
	near(cf_eval_norm_distance(d, len), 0.0, 1e-12);
	/* punctuation is a token; case counts; spaces do not */
	assert_int_equal(dist1("good.", "good !", &len), 1);
	assert_int_equal(dist1("Good", "good", &len), 1);
	assert_int_equal(dist1("a  b", "a b", &len), 0);
	/* insertions: "not" added */
	assert_int_equal(dist1("it is good", "it is not good", &len), 1);
	/* empty counterfactual: every token deleted, normalised 1 */
	d = dist1("a b c", "", &len);
	assert_int_equal(d, 3);
	near(cf_eval_norm_distance(d, len), 1.0, 1e-12);
	/* empty original: 0 if both empty, else undefined */
	d = dist1("", "", &len);
	assert_int_equal(d, 0);
	near(cf_eval_norm_distance(d, len), 0.0, 1e-12);
	d = dist1("", "x", &len);
	assert_int_equal(d, 1);
	assert_true(isnan(cf_eval_norm_distance(d, len)));
	/* two fields: distances add, so do lengths (4 + 4) */
	{
		const char *o[2] = { "A man sleeps.", "He is awake." };
		const char *c[2] = { "A man sleeps.", "He is asleep." };
		cf_evtext x = { 0 }, y = { 0 };

		assert_int_equal(cf_evtext_set(&x, o, NULL, 2), 0);
		assert_int_equal(cf_evtext_set(&y, c, NULL, 2), 0);
		assert_int_equal(cf_evtext_distance(&x, &y, &d), 0);
		assert_int_equal(d, 1);
		assert_int_equal(cf_evtext_len(&x), 8);
		near(cf_eval_norm_distance(d, cf_evtext_len(&x)), 0.125, 1e-12);
		/* reuse of x's memory for a longer text */
		o[1] = "He is very very very much awake, really.";
		assert_int_equal(cf_evtext_set(&x, o, NULL, 2), 0);
		assert_int_equal(cf_evtext_len(&x), 4 + 10);
		cf_evtext_clear(&x);
		cf_evtext_clear(&y);
	}
}

static void set_texts(cf_evtext *v, const char *const *t, size_t m)
{
	size_t i;

	for (i = 0; i < m; i++)
		assert_int_equal(cf_evtext_set(&v[i], &t[i], NULL, 1), 0);
}

static void clear_texts(cf_evtext *v, size_t m)
{
	size_t i;

	for (i = 0; i < m; i++)
		cf_evtext_clear(&v[i]);
}

static void test_diversity(void **state)
{
	const char *t[3] = { "a b c d", "a b c e", "x y" };
	const char *e[2] = { "", "" };
	const char *same[2] = { "a b", "a b" };
	cf_evtext v[3];
	int rc = 0;

	memset(v, 0, sizeof v);
	/* pairs: 1/4, 4/4, 4/4 -> mean .75 */
	set_texts(v, t, 3);
	near(cf_eval_diversity(v, 3, &rc), 0.75, 1e-12);
	/* a single counterfactual has no diversity */
	assert_true(isnan(cf_eval_diversity(v, 1, &rc)));
	assert_true(isnan(cf_eval_diversity(v, 0, &rc)));
	assert_int_equal(rc, 0);
	clear_texts(v, 3);
	/* identical texts: 0; two empty texts: 0 */
	set_texts(v, same, 2);
	near(cf_eval_diversity(v, 2, &rc), 0.0, 1e-12);
	clear_texts(v, 2);
	set_texts(v, e, 2);
	near(cf_eval_diversity(v, 2, &rc), 0.0, 1e-12);
	clear_texts(v, 2);
}

static void test_distinct_n(void **state)
{
	const char *t[2] = { "a b a b", "a b c" };
	const char *e[1] = { "" };
	cf_evtext v[2];
	uint64_t d, n;

	memset(v, 0, sizeof v);
	set_texts(v, t, 2);
	/* unigrams: a b a b a b c -> 7, distinct 3 */
	assert_int_equal(cf_eval_distinct_n(v, 2, 1, &d, &n), 0);
	assert_int_equal(n, 7);
	assert_int_equal(d, 3);
	/* bigrams: ab ba ab | ab bc -> 5, distinct 3 */
	assert_int_equal(cf_eval_distinct_n(v, 2, 2, &d, &n), 0);
	assert_int_equal(n, 5);
	assert_int_equal(d, 3);
	/* trigrams longer than a text: "a b c" gives 1, "a b a b" 2 */
	assert_int_equal(cf_eval_distinct_n(v, 2, 3, &d, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(d, 3);
	clear_texts(v, 2);
	/* empty text: no n-grams at all */
	set_texts(v, e, 1);
	assert_int_equal(cf_eval_distinct_n(v, 1, 1, &d, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(d, 0);
	clear_texts(v, 1);
}

static void add(cf_zstats *z, const char *text, const char *label)
{
	cf_error err = { 0 };

	assert_int_equal(cf_zstats_add(z, &text, NULL, 1, label, &err), 0);
}

static void test_z(void **state)
{
	cf_zstats *z = NULL;
	cf_ztoken *r = NULL;
	size_t n;
	uint64_t cnt;

	/* 30 of 40 with p0 .5: .25 / sqrt(.25/40) = sqrt(10) */
	near(cf_eval_z(30, 40, 0.5), sqrt(10.0), 1e-12);
	near(cf_eval_z(20, 40, 0.5), 0.0, 1e-12);
	assert_true(isnan(cf_eval_z(0, 0, 0.5)));
	assert_true(isnan(cf_eval_z(1, 1, 1.0)));

	assert_int_equal(cf_zstats_new(&z), 0);
	add(z, "Good film", "pos");
	add(z, "good plot, GOOD good", "pos");   /* counted once */
	add(z, "bad film", "neg");
	add(z, "good but bad.", "neg");
	assert_int_equal(cf_zstats_docs(z), 4);
	assert_int_equal(cf_zstats_vocab(z), 5);   /* good film plot bad but */
	/* p0 = .5: good n 3, 2 pos: (2/3 - .5)/sqrt(.25/3) = .57735;
	 * bad n 2, both neg: .5/sqrt(.125) = 1.41421; film n 2: 0 */
	assert_int_equal(cf_zstats_rank(z, 2, &r, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(r[0].token, "bad");
	assert_string_equal(r[0].label, "neg");
	near(r[0].z, sqrt(2.0), 1e-12);
	assert_int_equal(r[0].n, 2);
	assert_int_equal(r[0].k, 2);
	assert_string_equal(r[1].token, "good");
	assert_string_equal(r[1].label, "pos");
	near(r[1].z, 1.0 / sqrt(3.0), 1e-12);
	assert_int_equal(r[1].k, 2);
	assert_string_equal(r[2].token, "film");
	near(r[2].z, 0.0, 1e-12);
	free(r);
	/* min_count 1 adds plot and but (z 1 each) */
	assert_int_equal(cf_zstats_rank(z, 1, &r, &n), 0);
	assert_int_equal(n, 5);
	free(r);
	/* lookup: the other label of a binary task mirrors */
	near(cf_zstats_lookup(z, "good", "neg", &cnt), -1.0 / sqrt(3.0), 1e-12);
	assert_int_equal(cnt, 3);
	assert_true(isnan(cf_zstats_lookup(z, "great", "pos", &cnt)));
	assert_int_equal(cnt, 0);
	assert_true(isnan(cf_zstats_lookup(z, "good", "neutral", &cnt)));
	cf_zstats_free(&z);
	assert_null(z);
	cf_zstats_free(&z);

	/* one label only: p0 is 1, no z at all */
	assert_int_equal(cf_zstats_new(&z), 0);
	add(z, "x y", "pos");
	assert_int_equal(cf_zstats_rank(z, 1, &r, &n), 0);
	assert_int_equal(n, 0);
	free(r);
	cf_zstats_free(&z);
}

static void test_summary(void **state)
{
	double v[] = { 4, 1, NAN, 3, 2 }, one[] = { 5 };
	double h[] = { 0, 0.1, 0.5, 0.99, 1.0, -3, NAN };
	uint64_t c[2];
	cf_summary s;

	assert_int_equal(cf_eval_summary(v, 5, &s), 0);
	assert_int_equal(s.n, 4);
	near(s.mean, 2.5, 1e-12);
	near(s.median, 2.5, 1e-12);
	near(s.sd, sqrt(5.0 / 3.0), 1e-12);
	near(s.min, 1, 1e-12);
	near(s.max, 4, 1e-12);
	/* a single sample: sd 0 */
	assert_int_equal(cf_eval_summary(one, 1, &s), 0);
	assert_int_equal(s.n, 1);
	near(s.median, 5, 1e-12);
	near(s.sd, 0, 1e-12);
	/* nothing */
	assert_int_equal(cf_eval_summary(one, 0, &s), 0);
	assert_int_equal(s.n, 0);
	assert_true(isnan(s.mean) && isnan(s.median) && isnan(s.sd));
	/* histogram: out-of-range values go to the end bins, NAN nowhere */
	cf_eval_histogram(h, 7, 0, 1, 2, c);
	assert_int_equal(c[0], 3);
	assert_int_equal(c[1], 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wilson),
		cmocka_unit_test(test_two_prop),
		cmocka_unit_test(test_kappa),
		cmocka_unit_test(test_minimality),
		cmocka_unit_test(test_diversity),
		cmocka_unit_test(test_distinct_n),
		cmocka_unit_test(test_z),
		cmocka_unit_test(test_summary),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
