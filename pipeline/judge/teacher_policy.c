/*
 * teacher_policy.c - the acceptance policies of the teacher (see
 * teacher_policy.h).  No state, no allocation.
 */
#include <stdio.h>
#include "teacher_policy.h"

const char *const cf_policy_names[] = {
	"flip", "delta", "threshold", "preserve", NULL
};
const char *const cf_combine_names[] = { "mean", "vote", "all", NULL };

static size_t argmax(const double *v, size_t n)
{
	size_t i, best = 0;

	for (i = 1; i < n; i++)
		if (v[i] > v[best])
			best = i;
	return best;
}

int cf_accept_decide(const cf_accept *a, const double *p, const double *q,
                     size_t n, size_t t, double *score, const char **reason)
{
	int ok = 0;

	*score = q[t];
	*reason = NULL;
	switch (a->policy) {
	case CF_POLICY_FLIP:
		ok = argmax(q, n) == t;
		*reason = "no_flip";
		break;
	case CF_POLICY_DELTA:
		*score = q[t] - p[t];
		ok = *score >= a->min_delta;
		*reason = "below_delta";
		break;
	case CF_POLICY_THRESHOLD:
		ok = q[t] >= a->min_prob;
		*reason = "below_threshold";
		break;
	case CF_POLICY_PRESERVE:
		ok = argmax(q, n) == t && q[t] >= a->min_prob;
		*reason = "label_changed";
		break;
	}
	if (ok && a->has_band && (q[t] < a->band_lo || q[t] > a->band_hi)) {
		ok = 0;
		*reason = "out_of_band";
	}
	if (ok)
		*reason = NULL;
	return ok;
}

int cf_overfit_note(char *msg, size_t size, unsigned long long right,
                    unsigned long long n, const char *what)
{
	double a = n ? (double)right / (double)n : 0.0;

	if (n < CF_OVERFIT_MIN_N || a < CF_OVERFIT_MIN_ACC)
		return 0;
	snprintf(msg, size, "right on %.1f%% of the %llu %s: the model has "
	         "likely seen these records", 100 * a, n, what);
	return 1;
}
