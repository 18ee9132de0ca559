/*
 * test_teacher_policy.c - the teacher's acceptance policies on hand-made
 * probabilities (pipeline/judge/teacher_policy).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "teacher_policy.h"

/* labels: 0 = neg, 1 = pos; the original is clearly negative */
static const double orig[2] = { 0.9, 0.1 };

static int decide(const cf_accept *a, double q_pos, size_t t, double *score,
                  const char **reason)
{
	double q[2] = { 1.0 - q_pos, q_pos };

	return cf_accept_decide(a, orig, q, 2, t, score, reason);
}

static void test_flip(void **state)
{
	cf_accept a = { .policy = CF_POLICY_FLIP };
	double s;
	const char *why;

	assert_int_equal(decide(&a, 0.8, 1, &s, &why), 1);
	assert_null(why);
	assert_true(s > 0.79 && s < 0.81);
	assert_int_equal(decide(&a, 0.4, 1, &s, &why), 0);
	assert_string_equal(why, "no_flip");
	/* three labels: the target must be the argmax, not just above 0.5 */
	{
		double p[3] = { 0.8, 0.1, 0.1 }, q[3] = { 0.45, 0.40, 0.15 };

		assert_int_equal(cf_accept_decide(&a, p, q, 3, 1, &s, &why), 0);
		assert_string_equal(why, "no_flip");
		q[0] = 0.3; q[1] = 0.35; q[2] = 0.35;   /* a tie is not a flip */
		assert_int_equal(cf_accept_decide(&a, p, q, 3, 2, &s, &why), 0);
		q[2] = 0.36; q[1] = 0.34;
		assert_int_equal(cf_accept_decide(&a, p, q, 3, 2, &s, &why), 1);
	}
}

static void test_delta(void **state)
{
	cf_accept a = { .policy = CF_POLICY_DELTA, .min_delta = 0.25 };
	double s;
	const char *why;

	assert_int_equal(decide(&a, 0.40, 1, &s, &why), 1);   /* +0.30 */
	assert_true(s > 0.299 && s < 0.301);
	assert_int_equal(decide(&a, 0.30, 1, &s, &why), 0);   /* +0.20 */
	assert_string_equal(why, "below_delta");
	assert_true(s > 0.199 && s < 0.201);
	/* toward the original's label: negative delta */
	assert_int_equal(decide(&a, 0.05, 1, &s, &why), 0);
	assert_true(s < 0);
}

static void test_threshold(void **state)
{
	cf_accept a = { .policy = CF_POLICY_THRESHOLD, .min_prob = 0.7 };
	double s;
	const char *why;

	assert_int_equal(decide(&a, 0.7, 1, &s, &why), 1);
	assert_int_equal(decide(&a, 0.69, 1, &s, &why), 0);
	assert_string_equal(why, "below_threshold");
}

static void test_preserve(void **state)
{
	cf_accept a = { .policy = CF_POLICY_PRESERVE, .min_prob = 0.5 };
	double s;
	const char *why;

	/* target = the original's label (0): the edit must keep it */
	assert_int_equal(decide(&a, 0.2, 0, &s, &why), 1);
	assert_true(s > 0.79 && s < 0.81);
	assert_int_equal(decide(&a, 0.6, 0, &s, &why), 0);
	assert_string_equal(why, "label_changed");
	a.min_prob = 0.9;   /* kept, but not confidently enough */
	assert_int_equal(decide(&a, 0.2, 0, &s, &why), 0);
	assert_string_equal(why, "label_changed");
}

static void test_band(void **state)
{
	cf_accept a = { .policy = CF_POLICY_FLIP, .has_band = 1,
	                .band_lo = 0.6, .band_hi = 0.9 };
	double s;
	const char *why;

	assert_int_equal(decide(&a, 0.75, 1, &s, &why), 1);
	assert_int_equal(decide(&a, 0.95, 1, &s, &why), 0);
	assert_string_equal(why, "out_of_band");
	assert_int_equal(decide(&a, 0.55, 1, &s, &why), 0);
	assert_string_equal(why, "out_of_band");
	/* the policy's own reason comes first */
	assert_int_equal(decide(&a, 0.3, 1, &s, &why), 0);
	assert_string_equal(why, "no_flip");
}

static void test_names(void **state)
{
	assert_string_equal(cf_policy_names[CF_POLICY_PRESERVE], "preserve");
	assert_null(cf_policy_names[4]);
	assert_string_equal(cf_combine_names[CF_COMBINE_ALL], "all");
	assert_null(cf_combine_names[3]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flip),
		cmocka_unit_test(test_delta),
		cmocka_unit_test(test_threshold),
		cmocka_unit_test(test_preserve),
		cmocka_unit_test(test_band),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
