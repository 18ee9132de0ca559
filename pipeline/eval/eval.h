/*
 * eval.h - `cfaug eval` as a library: label-flip rates and counterfactual
 * quality of a set of (original, counterfactual) pairs, judged by one or
 * more judges (include/cfaug/sys/judge.h); writes DIR/report.json and
 * DIR/report.html (eval_report.h).  Metrics: pipeline/stats/eval_metrics.h.
 *
 * Input layouts (all through the streaming readers):
 *   pairs      cfaug's pairs.jsonl: original{fields, label},
 *              counterfactual{fields, label = target}, generator{...};
 *              consecutive lines with one orig_id form a group
 *   pair_key F adjacent records sharing field F: the first is the
 *              original, the others its counterfactuals (their own labels,
 *              or target_field, are the targets)
 *   block N    N records per group, the first the original; with
 *              originals FILE the original of the i-th block of N is the
 *              i-th record of FILE and all N are counterfactuals (the CAD
 *              NLI files)
 *
 * A pair is a *control* (a meaning-preserving paraphrase, "Compared to
 * What?") when its generator kind is "paraphrase" or control KEY=VALUE
 * matches (pairs: generator.KEY; other layouts: the record's field KEY).
 * Controls are left out of the flip, minimality and diversity figures and
 * compared with the edits instead.  Pairs whose target equals the
 * original's label (label-keeping CDA) count in untargeted figures and in
 * their own transition row, not in the targeted flip rate.
 *
 * Memory: the texts of one group at a time; per pair a few numbers (the
 * judges' predicted labels, probability change, distance) are kept for
 * kappa, medians and histograms.  A bad record is told on stderr (the first
 * 20) and counted; the run goes on.  So is a pair whose labels the judges
 * do not know (told once per label, with the labels: map that fixes it).
 */
#ifndef CF_EVAL_H
#define CF_EVAL_H

#include <jansson.h>
#include <stdint.h>
#include "cfaug/cfaug.h"
#include "eval_metrics.h"

#define CF_EVAL_MAX_JUDGES 8
/* A judge right on fewer of the originals than this makes its flip rates
 * meaningless: the report warns, next to them. */
#define CF_EVAL_MIN_JUDGE_ACCURACY 0.7

/* What to evaluate (the command line of `cfaug eval`, checked there).
 * Strings are borrowed. */
typedef struct cf_eval_opts {
	const char *input, *format, *pair_key, *originals, *output;
	const char *label_field, *target_field, *generator_field;
	const char *control_key, *control_value;   /* KEY=VALUE, VALUE */
	const char *judges[CF_EVAL_MAX_JUDGES];    /* model paths or judge YAMLs */
	size_t njudges;
	const char *fields[CF_EVAL_MAX_FIELDS];
	size_t nfields;
	const char *sp_before, *sp_after;          /* spurious tokens */
	const char *fluency, *review_export, *review_import;
	long review_n;
	long block, min_count, top;
	uint64_t seed;
	int quiet;                                 /* the caller's */
} cf_eval_opts;

/* Run the evaluation o: create o->output, judge the pairs of o->input
 * and/or compare o->sp_before with o->sp_after, write report.json and
 * report.html there (and o->review_export).  *report gets the report (a
 * new reference) on success.  Returns 0 or a CF_E* code with err set
 * (CF_EUSAGE for judges that do not fit the data, CF_EDATA when there is
 * no pair or no pair could be judged, CF_ENET when a judge refuses us). */
int cf_eval_run(const cf_eval_opts *o, json_t **report, cf_error *err);

#endif
