/*
 * teacher_policy.h - when does a teacher accept a candidate?  Pure
 * functions on probability vectors, shared by the teacher stage and its
 * tests (internal to cfaug).
 *
 * Policies, on the target label t (the candidate's label; for preserve the
 * original's) with p = the original's probabilities, q = the candidate's:
 *   flip       argmax q == t                     else "no_flip"
 *   delta      q[t] - p[t] >= min_delta          else "below_delta"
 *   threshold  q[t] >= min_prob                  else "below_threshold"
 *   preserve   argmax q == t and q[t] >= min_prob else "label_changed"
 * then, if a band [lo, hi] is set, lo <= q[t] <= hi else "out_of_band"
 * (keeps candidates that are neither trivial nor hopeless).
 *
 * Several judges combine as: mean (average q and p, then decide once),
 * vote (a strict majority of judges accepts), all (every judge accepts).
 */
#ifndef CFAUG_TEACHER_POLICY_H
#define CFAUG_TEACHER_POLICY_H

#include <stddef.h>

typedef enum {
	CF_POLICY_FLIP, CF_POLICY_DELTA, CF_POLICY_THRESHOLD, CF_POLICY_PRESERVE
} cf_policy;

typedef enum { CF_COMBINE_MEAN, CF_COMBINE_VOTE, CF_COMBINE_ALL } cf_combine;

typedef struct cf_accept {
	cf_policy policy;
	double min_delta;       /* delta */
	double min_prob;        /* threshold, preserve */
	int has_band;
	double band_lo, band_hi;
} cf_accept;

/* NULL-terminated names, in enum order (for option tables and messages). */
extern const char *const cf_policy_names[];
extern const char *const cf_combine_names[];

/* Decide one candidate: p and q hold n probabilities, t < n.  Returns 1
 * accept, 0 reject with *reason set (a static string); *score gets q[t],
 * or q[t] - p[t] for delta. */
int cf_accept_decide(const cf_accept *a, const double *p, const double *q,
                     size_t n, size_t t, double *score, const char **reason);

/* Over-fit (issue 13): a judge right on at least CF_OVERFIT_MIN_ACC of
 * at least CF_OVERFIT_MIN_N labelled records has likely been trained on
 * them.  The teacher stage (on the originals) and `cfaug teacher eval` say
 * it with the same words: when so, writes "right on 99.5% of the 245
 * WHAT: the model has likely seen these records" into msg and returns 1;
 * else 0. */
#define CF_OVERFIT_MIN_N   20
#define CF_OVERFIT_MIN_ACC 0.98
int cf_overfit_note(char *msg, size_t size, unsigned long long right,
                    unsigned long long n, const char *what);

#endif
