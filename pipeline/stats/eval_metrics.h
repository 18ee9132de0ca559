/*
 * eval_metrics.h - the numbers of `cfaug eval`, as pure functions on
 * counts, label vectors and texts (internal to cfaug; unit-tested against
 * hand-worked values in tests/unit/test_eval_metrics.c).
 *
 *   proportions   Wilson 95% score interval; two-proportion z-test
 *   agreement     Cohen's kappa
 *   minimality    token-level Levenshtein distance (tokenizer of
 *                 pipeline/util/tokens.h: runs of letters/digits/_/bytes >= 0x80,
 *                 every other non-space character alone; case kept), summed
 *                 over text fields, raw and divided by the original's token
 *                 count (the MiCE / CEval definition)
 *   diversity     mean pairwise normalised token distance among the
 *                 counterfactuals of one original, distinct-n
 *   spurious      per-token z-statistic of label correlation (Gardner et
 *                 al. 2021): z = (k/n - p0) / sqrt(p0 (1 - p0) / n) for a
 *                 token in n documents, k of them with the label, p0 the
 *                 label's share of all documents (1/K on balanced data, as
 *                 Gardner et al. assume); tokens lower-cased words, counted
 *                 once per document
 *   summaries     mean, sd, median, histogram
 *
 * Undefined values are NAN (written as null in report.json): a rate of 0
 * items, kappa when chance agreement is 1, the diversity of fewer than two
 * texts.  Ownership: objects made by *_new are the caller's and freed by
 * the matching *_free (NULL accepted, pointer cleared); strings returned
 * are borrowed from the object.
 */
#ifndef CF_EVAL_METRICS_H
#define CF_EVAL_METRICS_H

#include <stddef.h>
#include <stdint.h>
#include "cfaug/cfaug.h"

#define CF_EVAL_MAX_FIELDS 16
#define CF_EVAL_Z95 1.959963984540054   /* two-sided 95% normal quantile */

/* ---- proportions ------------------------------------------------------ */

typedef struct cf_prop {
	uint64_t k, n;
	double rate, lo, hi;    /* k/n and its Wilson interval; NAN when n == 0 */
} cf_prop;

/* Wilson score interval for k successes in n trials at normal quantile z. */
void cf_eval_wilson(uint64_t k, uint64_t n, double z, cf_prop *out);

/* Two-sided two-proportion z-test (pooled variance) of k1/n1 against
 * k2/n2: *diff = k1/n1 - k2/n2, *z, *p.  All NAN when n1 or n2 is 0;
 * z 0 and p 1 when the pooled rate is 0 or 1 (no variance, no evidence). */
void cf_eval_two_prop(uint64_t k1, uint64_t n1, uint64_t k2, uint64_t n2,
                      double *diff, double *z, double *p);

/* Standard normal upper tail P(Z > z), and its inverse (0 < p < 1). */
double cf_eval_norm_sf(double z);
double cf_eval_norm_isf(double p);

/* ---- agreement -------------------------------------------------------- */

/* Cohen's kappa of two raters over n items with labels in [0, K); items
 * where either rater has a label < 0 (missing) are left out.  *used (may
 * be NULL) gets how many items counted.  NAN when none counted or chance
 * agreement is 1 (both raters always give one same label), as
 * scikit-learn's cohen_kappa_score. */
double cf_eval_kappa(const int *a, const int *b, size_t n, size_t K,
                     size_t *used);

/* ---- texts as tokens -------------------------------------------------- */

/* One text record as token hashes, one sequence per text field. */
typedef struct cf_evtext {
	size_t nf;
	uint64_t *tok[CF_EVAL_MAX_FIELDS];
	size_t n[CF_EVAL_MAX_FIELDS];
	size_t cap[CF_EVAL_MAX_FIELDS];
} cf_evtext;

/* Tokenise nf texts (NULL = empty; lens NULL = NUL-terminated) into t,
 * reusing its memory.  t must start zeroed.  CF_ENOMEM, CF_EINTERNAL if
 * nf > CF_EVAL_MAX_FIELDS. */
int cf_evtext_set(cf_evtext *t, const char *const *texts, const size_t *lens,
                  size_t nf);
/* Total tokens over all fields. */
size_t cf_evtext_len(const cf_evtext *t);
/* Free the token arrays and zero t (the struct itself is the caller's). */
void cf_evtext_clear(cf_evtext *t);

/* Token Levenshtein distance, summed over fields (a and b must have the
 * same nf).  0 or CF_ENOMEM. */
int cf_evtext_distance(const cf_evtext *a, const cf_evtext *b, size_t *d);

/* Minimality normalised by the original's length: d / orig_len; when the
 * original is empty, 0 if d is 0 too, else NAN (undefined). */
double cf_eval_norm_distance(size_t d, size_t orig_len);

/* Mean over the m(m-1)/2 pairs of d(a,b) / max(len a, len b) (0 for two
 * empty texts).  NAN when m < 2; CF_ENOMEM makes it NAN and sets *rc. */
double cf_eval_diversity(const cf_evtext *v, size_t m, int *rc);

/* Distinct-n over the texts v[0..m): *distinct different n-grams of *total
 * (n-grams never cross a field).  Callers divide; 0/0 means no n-gram. */
int cf_eval_distinct_n(const cf_evtext *v, size_t m, int n,
                       uint64_t *distinct, uint64_t *total);

/* ---- spurious tokens -------------------------------------------------- */

#define CF_Z_MAX_LABELS 64
#define CF_Z_MAX_TOKENS (1u << 24)   /* distinct tokens kept, then CF_ELIMIT */

/* The z-statistic formula above; NAN when n == 0 or p0 is 0 or 1. */
double cf_eval_z(uint64_t k, uint64_t n, double p0);

typedef struct cf_zstats cf_zstats;

typedef struct cf_ztoken {
	const char *token;   /* borrowed from the cf_zstats */
	const char *label;   /* the label the token leans to most (largest z) */
	uint64_t n, k;       /* documents with the token; of them with label */
	double z;
} cf_ztoken;

int cf_zstats_new(cf_zstats **out);
/* Count one document: nf texts and its label.  CF_ELIMIT past
 * CF_Z_MAX_LABELS labels or CF_Z_MAX_TOKENS tokens; CF_ENOMEM. */
int cf_zstats_add(cf_zstats *z, const char *const *texts, const size_t *lens,
                  size_t nf, const char *label, cf_error *err);
uint64_t cf_zstats_docs(const cf_zstats *z);
size_t cf_zstats_vocab(const cf_zstats *z);
/* Every token in at least min_count documents with its leaning label, by
 * |z| descending (ties: token bytes).  *out is a new array (free() it),
 * its strings borrowed from z.  0 or CF_ENOMEM. */
int cf_zstats_rank(const cf_zstats *z, uint64_t min_count, cf_ztoken **out,
                   size_t *nout);
/* z of token for label in z (NAN when the token or label is unknown);
 * *n gets the token's document count (0 if unknown). */
double cf_zstats_lookup(const cf_zstats *z, const char *token,
                        const char *label, uint64_t *n);
void cf_zstats_free(cf_zstats **z);

/* ---- summaries -------------------------------------------------------- */

typedef struct cf_summary {
	size_t n;                    /* finite values */
	double mean, sd, median, min, max;   /* sd: n-1 denominator (0 if n 1) */
} cf_summary;

/* Summary of the finite values among v[0..n); NANs when none.  Sorts a
 * copy; 0 or CF_ENOMEM. */
int cf_eval_summary(const double *v, size_t n, cf_summary *s);

/* Count finite v into nbins equal bins over [lo, hi); values outside go
 * into the first or last bin. */
void cf_eval_histogram(const double *v, size_t n, double lo, double hi,
                       size_t nbins, uint64_t *counts);

#endif
