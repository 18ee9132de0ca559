/*
 * eval_int.h - the state of one `cfaug eval` run, shared by the files of
 * pipeline/eval/ (internal; the API is eval.h).  One group (an original
 * and its counterfactuals) is read, scored and dropped at a time.
 *
 *   eval.c         cf_eval_run: judges, layout, report, free
 *   eval_judges.c  the judges (sys/judge.h) and --fluency
 *   eval_read.c    input layouts: pairs, --pair-key, --block/--originals
 *   eval_score.c   scoring a group: figures, breakdowns, diversity
 *   eval_review.c  --review-export / --review-import
 *   eval_json.c    report.json (and the spurious-token tables)
 */
#ifndef CF_EVAL_INT_H
#define CF_EVAL_INT_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include "cfaug/conf.h"
#include "cfaug/reader.h"
#include "cfaug/sys/judge.h"
#include "eval.h"
#include "eval_metrics.h"
#include "http.h"

#define MAX_TOLD    20
#define MAX_JUDGES  CF_EVAL_MAX_JUDGES
#define MAX_BUCKETS 200      /* distinct values per breakdown, then "(other)" */
#define HIST_BINS   20
#define DIST_BINS   20
#define MIN_JUDGE_ACCURACY CF_EVAL_MIN_JUDGE_ACCURACY
/* --originals: a median normalised token distance above this means the
 * originals and the counterfactuals barely overlap (the wrong file?). */
#define MAX_ORIGINALS_DISTANCE 0.5

typedef cf_eval_opts args;
struct eval;

/* --fluency: a completions endpoint that returns a prompt's logprobs. */
typedef struct fluency {
	char *base_url, *model, *api_key_env;
	long concurrency, max_retries;
	double timeout_s;
	cf_conf *conf;
	char *endpoint;
	cf_http *http;
	struct eval *e;
	double *ppl;                     /* per text of the group; NAN: none */
	size_t cap;
	uint64_t failed;
} fluency;

typedef struct judge {
	const char *name, *path;         /* borrowed from jg; path: model or URL */
	cf_judge *jg;                    /* the engine's judge (sys/judge.h) */
	cf_conf *conf;                   /* the judge YAML (jg->node points in) */
	double *rp;                      /* remote: K probabilities per text of
	                                    the group (original first) */
	char *rfail;                     /* remote: that text's request failed */
	size_t caprp;
	/* figures */
	uint64_t tk, tn;                 /* targeted: gives target / flip pairs */
	uint64_t uk, un;                 /* untargeted: changed / edit pairs */
	uint64_t ck;                     /* consistency: both right / flip pairs */
	uint64_t lk, ln;                 /* label kept: gives the original label /
	                                    label-keeping pairs (CDA) */
	uint64_t ok, on;                 /* originals right / originals */
	uint64_t ctl_k, ctl_n;           /* controls whose label changed */
	double *dprob;                   /* per edit pair: q[t] - p[t] */
	int *pred;                       /* per scored text */
	size_t ndprob, cap_dprob, npred, cap_pred;
} judge;

/* A breakdown: rows keyed by a string, each with the judge's counts. */
typedef struct bucket {
	char *key;
	uint64_t n, tn;
	uint64_t tk[MAX_JUDGES], uk[MAX_JUDGES], ck[MAX_JUDGES];
	double dsum[MAX_JUDGES];
} bucket;

typedef struct breakdown {
	bucket *b;
	size_t n, cap;
} breakdown;

/* BD_FIELD: which text fields an edit changed (data with two or more,
 * e.g. NLI premise / hypothesis) */
enum { BD_TRANSITION, BD_STAGE, BD_KIND, BD_RULE, BD_PROMPT, BD_MODEL,
       BD_FIELD, BD_COUNT };

/* One text record of a group. */
typedef struct unit {
	char *texts[CF_EVAL_MAX_FIELDS];
	size_t lens[CF_EVAL_MAX_FIELDS];
	char *label;
	json_t *generator;     /* owned */
	int control;
	long line;
} unit;

typedef struct eval {
	const args *a;
	judge j[MAX_JUDGES];
	size_t nj, K;
	cf_strlist L;                    /* labels: the first judge's (owned) */
	cf_strlist F;                    /* the text fields as a list (borrowed) */
	int remote;                      /* some judge is remote */
	struct utext *ut;                /* remote: the texts of the group */
	size_t caput;
	cf_error fatal;                  /* a judge or fluency call failed the
	                                  * run (cfaug.h: the one fatal path) */
	const char *fields[CF_EVAL_MAX_FIELDS];
	char *own_fields[CF_EVAL_MAX_FIELDS];
	size_t nf;
	uint64_t judge_failed;           /* pairs left out: a judge failed */
	fluency fl;                      /* --fluency (fl.http NULL: none) */
	struct review *rv;               /* --review-export / --review-import */
	double *ppl_o, *ppl_c, *ppl_r;   /* per edit pair: perplexities, ratio */
	size_t nppl, cap_ppl;
	/* the group being read */
	unit orig;
	unit *cfs;
	size_t ncf, capcf;
	int have_group;
	/* scratch */
	cf_evtext to, *tc;
	size_t captc;
	double *p, *q;
	/* figures */
	char last_bad[256];              /* the last reason told (ev_tell_bad) */
	int last_bad_repeats;            /* told again since: 1 = "the same" said */
	uint64_t records, bad, groups, one_sided, pairs, controls, flip_pairs,
	         unknown;
	char *told_labels[MAX_TOLD];     /* unknown labels told (once each) */
	size_t ntold_labels;
	double *dist, *ndist;
	size_t ndist_n, cap_dist;
	double *div;
	size_t ndiv, cap_div;
	double dn_sum[2];
	size_t dn_groups;
	int *gold;
	size_t ngold, cap_gold;
	breakdown bd[BD_COUNT];
	/* reading */
	const char *cur_path;
	const char *label_field;         /* flat layouts: --label-field, else
	                                    the first judge's that knows its
	                                    data's (label_from), else "label" */
	const char *label_from;          /* that judge's name, or NULL */
	json_t *warnings;                /* strings, NULL until the first */
	struct examples *ex;             /* example pairs (eval_examples.c) */
} eval;

typedef struct utext {
	const eval *e;
	const unit *u;
} utext;

typedef struct rvitem {
	uint64_t h;
	long line;
	char *orig, *cf, *target;
} rvitem;

typedef struct rvstratum {
	char *key, *transition, *generator;
	uint64_t n;
	rvitem *it;
	size_t nit;
} rvstratum;

typedef struct rvhuman {
	long line;
	int human;                       /* label index, -1 unknown */
	int seen;
	int pred[MAX_JUDGES];
	int target;
} rvhuman;

typedef struct review {
	rvstratum *s;
	size_t ns, caps;
	rvhuman *h;
	size_t nh, caph;
	uint64_t unknown_label;
} review;

/* Shared between the files of pipeline/eval/ (ev_: internal). */
/* A warning: on stderr ("cfaug eval: warning: ...") and into the report's
 * "warnings". */
void ev_warn(eval *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The original's or a counterfactual's text fields as one text (eval_review.c). */
char *ev_join_fields(const eval *e, const unit *u);
/* Example pairs for the report (eval_examples.c): an edit pair u with
 * target t, transition tr and generator gen, as the first judge saw it. */
int ev_example_add(eval *e, const unit *u, const char *tr, const char *gen,
                   int t, int pred, double dp);
json_t *ev_examples_json(const eval *e);
void ev_examples_free(eval *e);
extern const cf_option ev_fluency_table[];
int ev_grow(void **v, size_t *cap, size_t need, size_t elem);
int ev_spurious(eval *e, json_t *r, cf_error *err);
json_t *ev_build_report(const eval *e);
json_t *ev_jnum(double v);
json_t *ev_jprop(uint64_t k, uint64_t n);
int ev_judge_predict(eval *e, judge *jd, const unit *u, double *out,
                         int *argmax);
int ev_label_index(const eval *e, const char *label);
int ev_load_fluency(eval *e, const char *path, cf_error *err);
int ev_load_judge(eval *e, judge *jd, const char *spec, cf_error *err);
int ev_remote_failed(const eval *e, size_t idx);
int ev_remote_scores(eval *e, cf_error *err);
char *ev_label_of(const json_t *v);
int ev_next_obj(eval *e, cf_reader *rd, const char *path, json_t **obj,
                    long *line, cf_error *err);
int ev_open_reader(cf_reader **rd, const char *path, const char *format,
                       cf_error *err);
int ev_read_flat(eval *e, cf_reader *rd, cf_error *err);
int ev_read_pairs(eval *e, cf_reader *rd, cf_error *err);
void ev_group_clear(eval *e);
void ev_tell_bad(eval *e, const char *path, long line, const char *why);
int ev_review_pair(eval *e, const unit *u, const char *tr, const char *gen,
                       int t);
int ev_review_read(eval *e, cf_error *err);
int ev_review_write(eval *e, size_t *written, cf_error *err);
json_t *ev_review_json(const eval *e, size_t written);
void ev_review_free(review **p);
int ev_score_group(eval *e, cf_error *err);

#define PUSH(arr, n, cap, val) \
	(ev_grow((void **)&(arr), &(cap), (n) + 1, sizeof *(arr)) < 0 ? CF_ENOMEM : \
	 ((arr)[(n)++] = (val), 0))

#endif
