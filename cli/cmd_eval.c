/*
 * cmd_eval.c - `cfaug eval`: label-flip rates and counterfactual quality of
 * a set of (original, counterfactual) pairs, judged by one or more built-in
 * teachers; writes DIR/report.json and DIR/report.html
 * (pipeline/eval/eval_report.h).  Metrics: pipeline/stats/eval_metrics.h.
 *
 * Input layouts (all through the streaming readers):
 *   pairs      cfaug's pairs.jsonl: original{fields, label},
 *              counterfactual{fields, label = target}, generator{...};
 *              consecutive lines with one orig_id form a group
 *   --pair-key F   adjacent records sharing field F: the first is the
 *              original, the others its counterfactuals (their own labels,
 *              or --target-field, are the targets)
 *   --block N  N records per group, the first the original; with
 *              --originals FILE the original of the i-th block of N is the
 *              i-th record of FILE and all N are counterfactuals (the CAD
 *              NLI files)
 *
 * A pair is a *control* (a meaning-preserving paraphrase, "Compared to
 * What?") when its generator kind is "paraphrase" or --control KEY=VALUE
 * matches (pairs: generator.KEY; other layouts: the record's field KEY).
 * Controls are left out of the flip, minimality and diversity figures and
 * compared with the edits instead.  Pairs whose target equals the
 * original's label (label-keeping CDA) count in untargeted figures and in
 * their own transition row, not in the targeted flip rate.
 *
 * Memory: the texts of one group at a time; per pair a few numbers (the
 * judges' predicted labels, probability change, distance) are kept for
 * kappa, medians and histograms.  A bad record is told on stderr (the first
 * MAX_TOLD) and counted; the run goes on.  Exit codes as cf_exit_code.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include "cfaug/conf.h"
#include "cfaug/reader.h"
#include "cfaug/sys/stage.h"
#include "cli.h"
#include "eval_metrics.h"
#include "eval_report.h"
#include "cfaug/sys/judge.h"
#include "endpoint_opts.h"
#include "http.h"

int cf_cmd_eval(int argc, char **argv);

#define MAX_TOLD    20
#define MAX_JUDGES  8
#define MAX_BUCKETS 200      /* distinct values per breakdown, then "(other)" */
#define HIST_BINS   20
#define DIST_BINS   20

static const char usage_text[] =
	"usage: cfaug eval -i PAIRS [--format jsonl|csv|tsv]\n"
	"                  [--pair-key FIELD | --block N [--originals FILE]]\n"
	"                  [--text-field F]... [--label-field L] [--target-field T]\n"
	"                  [--generator-field G] [--control KEY=VALUE]\n"
	"                  --judge MODEL.cft|JUDGE.yaml [--judge ...]\n"
	"                  [--fluency LLM.yaml] [--seed N] -o DIR\n"
	"       cfaug eval --spurious BEFORE AFTER [--text-field F]... [--label-field L]\n"
	"                  [--min-count N] [--top N] -o DIR   (may be combined with -i)\n\n"
	"Writes DIR/report.json and DIR/report.html: targeted and untargeted flip\n"
	"rates with Wilson 95% intervals (by label transition and by generator),\n"
	"change of the target's probability, consistency, token-level minimality,\n"
	"diversity, Cohen's kappa between judges and against the data's labels, the\n"
	"paraphrase-control comparison and the spurious-token z-statistics.\n\n"
	"  -i PAIRS            cfaug's pairs.jsonl, or a flat file with --pair-key/--block\n"
	"  --pair-key F        adjacent records with the same F form a group; the\n"
	"                      first is the original\n"
	"  --block N           groups of N records, the first the original\n"
	"  --originals FILE    with --block: originals, one per block of N\n"
	"                      counterfactuals (CAD NLI: revised_dev.tsv + original_dev.tsv)\n"
	"  --text-field F      text fields (default: the first judge's)\n"
	"  --label-field L     label field of flat files (default label)\n"
	"  --target-field T    counterfactuals' target label field (default: L)\n"
	"  --generator-field G flat files: field naming the generator of a record\n"
	"  --control KEY=VALUE mark paraphrase controls (default: generator kind\n"
	"                      'paraphrase')\n"
	"  --judge PATH        a model from 'cfaug teacher train', or a judge YAML:\n"
	"                      one item of a teacher stage's judges: (kind builtin,\n"
	"                      tei, vllm or llm, with their options); repeatable\n"
	"  --fluency LLM.yaml  perplexity of originals and counterfactuals from a\n"
	"                      completions endpoint scoring a prompt's logprobs\n"
	"                      {base_url, model, api_key_env}\n"
	"  --review-export F.csv  write a stratified sample of the edit pairs (by\n"
	"                      label transition and generator; --seed) for annotators:\n"
	"                      id,original,counterfactual,target,transition,generator,\n"
	"                      human_label,comment (the last two empty)\n"
	"  --review-n N        pairs in the sample (default 100)\n"
	"  --review-import F.csv  the annotated sample (id, human_label): judge-vs-human\n"
	"                      kappa and accuracy, and the human flip rate\n"
	"  --seed N            seeds requests and the review sample (default 1)\n"
	"  --spurious B A      token z-statistics of dataset B and dataset A (e.g. the\n"
	"                      input and augmented.jsonl): the strongest before/after\n"
	"  --min-count N       spurious: tokens in at least N documents (default 10)\n"
	"  --top N             spurious: tokens shown (default 20)\n"
	"  -q, --quiet         no summary on stderr\n";

/* ---- arguments -------------------------------------------------------- */

typedef struct args {
	const char *input, *format, *pair_key, *originals, *output;
	const char *label_field, *target_field, *generator_field;
	const char *control_key, *control_value;
	const char *judges[MAX_JUDGES];
	size_t njudges;
	const char *fields[CF_EVAL_MAX_FIELDS];
	size_t nfields;
	const char *sp_before, *sp_after;
	const char *fluency, *review_export, *review_import;
	long review_n;
	long block, min_count, top;
	uint64_t seed;
	int quiet;
} args;

static int parse_args(args *a, int argc, char **argv, cf_error *err)
{
	const char *v = NULL;
	int i, r;

	memset(a, 0, sizeof *a);
	a->min_count = 10;
	a->top = 20;
	a->seed = 1;
	for (i = 1; i < argc; i++) {
#define O(l, s, hv) cf_cli_opt(argc, argv, &i, l, s, hv, &v, err)
		if ((r = O("--input", "-i", 1)) < 0) return r;
		if (r) { a->input = v; continue; }
		if ((r = O("--output", "-o", 1)) < 0) return r;
		if (r) { a->output = v; continue; }
		if ((r = O("--format", NULL, 1)) < 0) return r;
		if (r) { a->format = v; continue; }
		if ((r = O("--pair-key", NULL, 1)) < 0) return r;
		if (r) { a->pair_key = v; continue; }
		if ((r = O("--originals", NULL, 1)) < 0) return r;
		if (r) { a->originals = v; continue; }
		if ((r = O("--label-field", NULL, 1)) < 0) return r;
		if (r) { a->label_field = v; continue; }
		if ((r = O("--target-field", NULL, 1)) < 0) return r;
		if (r) { a->target_field = v; continue; }
		if ((r = O("--generator-field", NULL, 1)) < 0) return r;
		if (r) { a->generator_field = v; continue; }
		if ((r = O("--block", NULL, 1)) < 0) return r;
		if (r) {
			if ((r = cf_cli_long(v, 1, 1000000, "--block", &a->block, err)) < 0)
				return r;
			continue;
		}
		if ((r = O("--min-count", NULL, 1)) < 0) return r;
		if (r) {
			if ((r = cf_cli_long(v, 1, 1000000000, "--min-count", &a->min_count,
			                 err)) < 0)
				return r;
			continue;
		}
		if ((r = O("--seed", NULL, 1)) < 0) return r;
		if (r) {
			long sd;

			if ((r = cf_cli_long(v, 0, 2147483647L, "--seed", &sd, err)) < 0)
				return r;
			a->seed = (uint64_t)sd;
			continue;
		}
		if ((r = O("--top", NULL, 1)) < 0) return r;
		if (r) {
			if ((r = cf_cli_long(v, 1, 1000, "--top", &a->top, err)) < 0)
				return r;
			continue;
		}
		if ((r = O("--control", NULL, 1)) < 0) return r;
		if (r) {
			const char *eq = strchr(v, '=');

			if (!eq || eq == v || a->control_key)
				return cf_cli_usage_error(err, "--control: expected one KEY=VALUE, got '%s'",
				             v);
			a->control_key = v;   /* KEY=VALUE; is_control splits it */
			a->control_value = eq + 1;
			continue;
		}
		if ((r = O("--judge", "-j", 1)) < 0) return r;
		if (r) {
			if (a->njudges == MAX_JUDGES)
				return cf_cli_usage_error(err, "more than %s judges", "8");
			a->judges[a->njudges++] = v;
			continue;
		}
		if ((r = O("--review-export", NULL, 1)) < 0) return r;
		if (r) { a->review_export = v; continue; }
		if ((r = O("--review-import", NULL, 1)) < 0) return r;
		if (r) { a->review_import = v; continue; }
		if ((r = O("--review-n", NULL, 1)) < 0) return r;
		if (r) {
			if ((r = cf_cli_long(v, 1, 1000000, "--review-n", &a->review_n, err)) < 0)
				return r;
			continue;
		}
		if ((r = O("--fluency", NULL, 1)) < 0) return r;
		if (r) { a->fluency = v; continue; }
		if ((r = O("--text-field", NULL, 1)) < 0) return r;
		if (r) {
			if (a->nfields == CF_EVAL_MAX_FIELDS)
				return cf_cli_usage_error(err, "more than %s text fields", "16");
			a->fields[a->nfields++] = v;
			continue;
		}
		if (!strcmp(argv[i], "--spurious")) {
			if (i + 2 >= argc)
				return cf_cli_usage_error(err, "%s", "--spurious needs two files: BEFORE AFTER");
			a->sp_before = argv[++i];
			a->sp_after = argv[++i];
			continue;
		}
		if ((r = O("--quiet", "-q", 0)) < 0) return r;
		if (r) { a->quiet = 1; continue; }
#undef O
		return cf_cli_usage_error(err, "unknown option '%s'", argv[i]);
	}
	if (!a->output)
		return cf_cli_usage_error(err, "%s", "missing -o DIR");
	if (!a->input && !a->sp_before)
		return cf_cli_usage_error(err, "%s", "missing -i PAIRS (or --spurious BEFORE AFTER)");
	if (a->input && !a->njudges)
		return cf_cli_usage_error(err, "%s", "missing --judge MODEL (at least one judge)");
	if ((a->review_export || a->review_import) && !a->input)
		return cf_cli_usage_error(err, "%s", "--review-export/--review-import need -i PAIRS");
	if (a->review_export && !a->review_n)
		a->review_n = 100;
	if (a->pair_key && a->block)
		return cf_cli_usage_error(err, "%s", "give --pair-key or --block, not both");
	if (a->originals && !a->block)
		return cf_cli_usage_error(err, "%s", "--originals goes with --block N");
	if (a->block == 1 && !a->originals)
		return cf_cli_usage_error(err, "%s", "--block 1 leaves no counterfactual; "
		             "use --originals FILE or N >= 2");
	return 0;
}

/* ---- judges ----------------------------------------------------------- */

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

static const cf_option fluency_table[] = {
	CF_OPT_ENDPOINT_BASE_URL(fluency),   /* /completions is added */
	{ .key = "model", .type = CF_OPT_STRING, .offset = offsetof(fluency, model),
	  .flags = CF_OPT_REQUIRED, .help = "model name" },
	CF_OPT_ENDPOINT_KEY(fluency),
	CF_OPT_ENDPOINT_CLIENT(fluency),
	{ .key = NULL }
};

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

enum { BD_TRANSITION, BD_STAGE, BD_KIND, BD_RULE, BD_PROMPT, BD_MODEL, BD_COUNT };
static const char *const bd_names[BD_COUNT] = {
	"transition", "stage", "kind", "rule", "prompt", "model"
};

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
	int fatal;
	char fatal_msg[CF_ERRMSG_MAX];
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
	uint64_t records, bad, groups, one_sided, pairs, controls, flip_pairs,
	         unknown;
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
} eval;

static int grow(void **v, size_t *cap, size_t need, size_t elem)
{
	size_t nc;
	void *nv;

	if (need <= *cap)
		return 0;
	nc = *cap ? 2 * *cap : 256;
	while (nc < need)
		nc *= 2;
	if (!(nv = realloc(*v, nc * elem)))
		return CF_ENOMEM;
	*v = nv;
	*cap = nc;
	return 0;
}

#define PUSH(arr, n, cap, val) \
	(grow((void **)&(arr), &(cap), (n) + 1, sizeof *(arr)) < 0 ? CF_ENOMEM : \
	 ((arr)[(n)++] = (val), 0))

static int in_labels(const cf_strlist *l, const char *v)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], v))
			return (int)i;
	return -1;
}

/* The eval's label set, from the first judge: a builtin model's labels
 * through its labels map, else the map's values. */
static int first_labels(eval *e, judge *jd, const char *spec, cf_error *err)
{
	if (cf_judge_own_labels(jd->jg, &e->L) < 0)
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	if (e->L.n < 2)
		return cf_error_set(err, CF_EUSAGE, "%s: the first judge sets the "
		                    "labels: give it a labels: map (its names -> "
		                    "the data's labels) with at least two labels",
		                    spec);
	e->K = e->L.n;
	return 0;
}

/* The first judge sets the default text fields (owned copies). */
static int first_fields(eval *e, judge *jd, cf_error *err)
{
	size_t f;

	e->nf = cf_judge_own_fields(jd->jg, e->fields, CF_EVAL_MAX_FIELDS);
	if (!e->nf) {
		e->fields[0] = "text";
		e->nf = 1;
	}
	for (f = 0; f < e->nf; f++) {
		if (!(e->own_fields[f] = strdup(e->fields[f])))
			return cf_error_set(err, CF_ENOMEM, "out of memory");
		e->fields[f] = e->own_fields[f];
	}
	return 0;
}

static int load_judge(eval *e, judge *jd, const char *spec, cf_error *err)
{
	size_t n = strlen(spec), i;
	cf_judge_env env;
	int rc = 0;

	if ((n > 5 && !strcmp(spec + n - 5, ".yaml")) ||
	    (n > 4 && !strcmp(spec + n - 4, ".yml"))) {
		/* a judge YAML: one item of a teacher stage's judges: */
		if ((rc = cf_conf_load(&jd->conf, spec, err)) < 0 ||
		    (rc = cf_judge_open(&jd->jg, jd->conf->root, spec, err)) < 0)
			return rc;
	} else if ((rc = cf_judge_open_model(&jd->jg, spec, NULL, spec, err)) < 0) {
		return rc;
	}
	jd->name = jd->jg->c.name;
	jd->path = cf_judge_what(jd->jg);
	for (i = 0; i < e->nj; i++)
		if (!strcmp(e->j[i].name, jd->name))
			return cf_error_set(err, CF_EUSAGE, "two judges are named '%s': "
			                    "give one a name: in its YAML", jd->name);
	if (e->nj == 0 && !e->nf && (rc = first_fields(e, jd, err)) < 0)
		return rc;
	if (e->nj == 0 && (rc = first_labels(e, jd, spec, err)) < 0)
		return rc;
	e->remote |= cf_judge_is_remote(jd->jg);
	e->F.v = (char **)e->fields;
	e->F.n = e->nf;
	memset(&env, 0, sizeof env);
	env.conf_path = spec;
	env.text_fields = &e->F;
	env.fields_what = "the --text-field fields";
	env.labels_what = "the first judge's labels";
	env.seed = e->a->seed;
	env.jitter_seed = e->a->seed + (uint64_t)(jd - e->j);
	if (!jd->conf)
		env.conf_path = "--judge";
	rc = cf_judge_bind(jd->jg, &e->L, &env, err);
	if (rc == CF_ECONFIG && !jd->conf) {
		/* a model given on the command line: a usage error */
		err->code = rc = CF_EUSAGE;
	}
	return rc;
}

/* Label index in the eval's label set, -1 when unknown. */
static int label_index(const eval *e, const char *label)
{
	return label ? in_labels(&e->L, label) : -1;
}

/* ---- remote judges ----------------------------------------------------- */

typedef struct utext {
	const eval *e;
	const unit *u;
} utext;

static const char *unit_text(void *ctx, const char *field, size_t *len)
{
	const utext *x = ctx;
	size_t f;

	for (f = 0; f < x->e->nf; f++)
		if (!strcmp(x->e->fields[f], field)) {
			*len = x->u->lens[f];
			return x->u->texts[f];
		}
	return NULL;
}

/* Text idx of the group: 0 the original, i + 1 the i-th counterfactual. */
static const unit *group_unit(const eval *e, size_t idx)
{
	return idx ? &e->cfs[idx - 1] : &e->orig;
}

static void set_fatal(eval *e, const char *fmt, const char *a, const char *b)
{
	if (e->fatal)
		return;
	e->fatal = 1;
	snprintf(e->fatal_msg, sizeof e->fatal_msg, fmt, a, b ? b : "");
}

/* A remote judge's answer for text idx (the request's user) of the group. */
static void remote_done(void *ctx, cf_judge *jg, void *user,
                        const cf_judge_answer *a)
{
	eval *e = ctx;
	size_t idx = (uintptr_t)user, j;
	judge *jd = e->j;

	for (j = 0; j < e->nj && e->j[j].jg != jg; j++)
		;
	jd = &e->j[j];
	if (a->outcome == CF_JUDGE_REFUSED) {
		set_fatal(e, "judge '%s' refused the request: %s", jd->name, a->why);
		jd->rfail[idx] = 1;
		return;
	}
	if (a->outcome == CF_JUDGE_ERROR)
		set_fatal(e, "%s%s", a->why, "");
	if (a->outcome != CF_JUDGE_OK) {
		jd->rfail[idx] = 1;
		if (jg->st.failed <= MAX_TOLD)
			fprintf(stderr, "cfaug eval: %s:%ld: judge '%s' failed: %s\n",
			        e->cur_path, group_unit(e, idx)->line, jd->name, a->why);
	}
}

/* Ask every remote judge about every text of the group and wait for the
 * answers (all texts of a group in parallel, groups one after the other).
 * Failed texts are marked in rfail; an endpoint that refuses us stops the
 * run. */
static int fluency_submit(eval *e, cf_error *err);
static void fluency_done(void *ctx, const cf_http_result *r);

static int remote_scores(eval *e, cf_error *err)
{
	size_t j, i, nt = e->ncf + 1;
	int rc, busy;

	if (grow((void **)&e->ut, &e->caput, nt, sizeof *e->ut) < 0)
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	for (i = 0; i < nt; i++) {
		e->ut[i].e = e;
		e->ut[i].u = group_unit(e, i);
	}
	for (j = 0; j < e->nj; j++) {
		judge *jd = &e->j[j];

		if (!cf_judge_is_remote(jd->jg))
			continue;
		if (grow((void **)&jd->rp, &jd->caprp, nt * e->K, sizeof *jd->rp) < 0 ||
		    !(jd->rfail = realloc(jd->rfail, jd->caprp)))
			return cf_error_set(err, CF_ENOMEM, "out of memory");
		memset(jd->rfail, 0, nt);
		for (i = 0; i < nt; i++) {
			rc = cf_judge_submit(jd->jg, unit_text, &e->ut[i],
			                     jd->rp + i * e->K, (void *)(uintptr_t)i, err);
			if (rc < 0)
				return rc;
			if (rc == 1) {          /* a text that is not UTF-8 */
				jd->rfail[i] = 1;
				jd->jg->st.failed++;
			}
		}
	}
	if (e->fl.http && (rc = fluency_submit(e, err)) < 0)
		return rc;
	do {
		busy = 0;
		if (e->fl.http && cf_http_pending(e->fl.http)) {
			if ((rc = cf_http_poll(e->fl.http, 5, fluency_done, &e->fl,
			                       err)) < 0)
				return rc;
			busy += rc > 0;
		}
		for (j = 0; j < e->nj && !e->fatal; j++) {
			judge *jd = &e->j[j];

			if (!cf_judge_pending(jd->jg))
				continue;
			if ((rc = cf_judge_poll(jd->jg, 5, remote_done, e, err)) < 0)
				return rc;
			busy += rc > 0;
		}
	} while (busy && !e->fatal);
	if (e->fatal)
		return cf_error_set(err, CF_ENET, "%s", e->fatal_msg);
	return 0;
}

/* ---- fluency ------------------------------------------------------------ */

static int load_fluency(eval *e, const char *path, cf_error *err)
{
	fluency *f = &e->fl;
	cf_http_opts ho;
	size_t n;
	int rc;

	f->e = e;
	if ((rc = cf_conf_load(&f->conf, path, err)) < 0 ||
	    (rc = cf_options_load(fluency_table, f, f->conf->root, path, NULL,
	                          err)) < 0)
		return rc;
	n = strlen(f->base_url);
	while (n && f->base_url[n - 1] == '/')
		n--;
	if (!(f->endpoint = malloc(n + 16)))
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	snprintf(f->endpoint, n + 16, "%.*s/completions", (int)n, f->base_url);
	memset(&ho, 0, sizeof ho);
	ho.concurrency = f->concurrency;
	ho.max_retries = f->max_retries;
	ho.timeout_s = f->timeout_s;
	ho.api_key = f->api_key_env && *f->api_key_env ? getenv(f->api_key_env)
	                                               : NULL;
	ho.jitter_seed = e->a->seed + 1000;
	return cf_http_new(&f->http, &ho, err);
}

/* Perplexity from an echoed completions answer: exp of minus the mean of
 * choices[0].logprobs.token_logprobs, the null ones (the first token has
 * no context) left out.  NAN when none is a number. */
static double ppl_of(const char *body, size_t len, char *why, size_t wsz)
{
	json_t *r = json_loadb(body, len, 0, NULL), *lp;
	double sum = 0, out = NAN;
	size_t i, n = 0;

	lp = json_object_get(json_object_get(json_array_get(json_object_get(r,
	     "choices"), 0), "logprobs"), "token_logprobs");
	if (!json_is_array(lp)) {
		snprintf(why, wsz, "no choices[0].logprobs.token_logprobs in the "
		         "answer (does the server score prompts with echo?)");
		goto done;
	}
	for (i = 0; i < json_array_size(lp); i++) {
		json_t *v = json_array_get(lp, i);

		if (json_is_number(v)) {
			sum += json_number_value(v);
			n++;
		}
	}
	if (!n)
		snprintf(why, wsz, "no token with a logprob (a one-token text?)");
	else
		out = exp(-sum / (double)n);
done:
	json_decref(r);
	return out;
}

static void fluency_done(void *ctx, const cf_http_result *r)
{
	fluency *f = ctx;
	eval *e = f->e;
	size_t idx = (uintptr_t)r->user;
	char why[300] = "";

	if (r->outcome == CF_HTTP_FATAL) {
		set_fatal(e, "fluency endpoint %s refused the request: %s",
		          f->endpoint, r->error);
		return;
	}
	if (r->outcome == CF_HTTP_FAILED)
		snprintf(why, sizeof why, "%s", r->error ? r->error : "failed");
	else
		f->ppl[idx] = ppl_of(r->body, r->body_len, why, sizeof why);
	if (why[0] && ++f->failed <= MAX_TOLD)
		fprintf(stderr, "cfaug eval: %s:%ld: no perplexity: %s\n",
		        e->cur_path, group_unit(e, idx)->line, why);
}

/* Ask the fluency endpoint for the logprobs of every text of the group
 * (text fields joined by a newline). */
static int fluency_submit(eval *e, cf_error *err)
{
	fluency *f = &e->fl;
	size_t i, nt = e->ncf + 1, fi, len;
	int rc = 0;

	if (grow((void **)&f->ppl, &f->cap, nt, sizeof *f->ppl) < 0)
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	for (i = 0; i < nt && rc == 0; i++) {
		const unit *u = group_unit(e, i);
		cf_http_request hr;
		char *text, *body;
		json_t *b;

		f->ppl[i] = NAN;
		for (len = 0, fi = 0; fi < e->nf; fi++)
			len += u->lens[fi] + 1;
		if (!(text = malloc(len + 1)))
			return cf_error_set(err, CF_ENOMEM, "out of memory");
		for (len = 0, fi = 0; fi < e->nf; fi++) {
			if (fi)
				text[len++] = '\n';
			memcpy(text + len, u->texts[fi], u->lens[fi]);
			len += u->lens[fi];
		}
		b = json_pack("{s:s,s:s%,s:b,s:i,s:i,s:i}", "model", f->model,
		              "prompt", text, len, "echo", 1, "max_tokens", 0,
		              "logprobs", 1, "temperature", 0);
		free(text);
		body = b ? json_dumps(b, JSON_COMPACT) : NULL;
		json_decref(b);
		if (!body) {
			f->failed++;
			continue;
		}
		memset(&hr, 0, sizeof hr);
		hr.url = f->endpoint;
		hr.body = body;
		hr.body_len = strlen(body);
		hr.user = (void *)(uintptr_t)i;
		hr.est_tokens = (double)len / 4;
		rc = cf_http_submit(f->http, &hr, err);
		free(body);
	}
	return rc;
}

/* Did a remote judge fail on text idx of the group? */
static int remote_failed(const eval *e, size_t idx)
{
	size_t j;

	for (j = 0; j < e->nj; j++)
		if (cf_judge_is_remote(e->j[j].jg) && e->j[j].rfail[idx])
			return 1;
	return 0;
}

/* Probabilities of judge jd for unit u, in eval label order, into out. */
static int judge_predict(eval *e, judge *jd, const unit *u, double *out,
                         int *argmax)
{
	size_t k, K = e->K;
	utext x = { e, u };
	int rc;

	if (cf_judge_is_remote(jd->jg)) {
		size_t idx = u == &e->orig ? 0 : (size_t)(u - e->cfs) + 1;

		memcpy(out, jd->rp + idx * K, K * sizeof *out);
	} else if ((rc = cf_judge_score(jd->jg, unit_text, &x, out)) < 0) {
		return rc;
	}
	*argmax = 0;
	for (k = 0; k < K; k++)
		if (out[k] > out[*argmax])
			*argmax = (int)k;
	return 0;
}

/* ---- breakdowns ------------------------------------------------------- */

static bucket *bd_get(breakdown *bd, const char *key)
{
	size_t i;

	for (i = 0; i < bd->n; i++)
		if (!strcmp(bd->b[i].key, key))
			return &bd->b[i];
	if (bd->n == MAX_BUCKETS) {
		key = "(other)";
		for (i = 0; i < bd->n; i++)
			if (!strcmp(bd->b[i].key, key))
				return &bd->b[i];
		bd->n--;   /* the last row becomes "(other)" */
		free(bd->b[bd->n].key);
	}
	if (grow((void **)&bd->b, &bd->cap, bd->n + 1, sizeof *bd->b) < 0)
		return NULL;
	memset(&bd->b[bd->n], 0, sizeof *bd->b);
	if (!(bd->b[bd->n].key = strdup(key)))
		return NULL;
	return &bd->b[bd->n++];
}

/* The generator's value for a breakdown dimension, into buf; NULL when the
 * generator does not say. */
static const char *gen_value(const json_t *g, int dim, char *buf, size_t size)
{
	static const char *const keys[BD_COUNT][3] = {
		{ NULL }, { "stage" }, { "kind" }, { "rules", "rule", "entry" },
		{ "prompt", "template" }, { "model" }
	};
	size_t i, k;

	for (k = 0; k < 3 && keys[dim][k]; k++) {
		json_t *v = json_object_get(g, keys[dim][k]);

		if (json_is_string(v)) {
			snprintf(buf, size, "%s", json_string_value(v));
			return buf;
		}
		if (json_is_array(v) && json_array_size(v)) {
			size_t used = 0;

			buf[0] = 0;
			for (i = 0; i < json_array_size(v); i++) {
				json_t *s = json_array_get(v, i);

				if (json_is_string(s) && used + 1 < size)
					used += (size_t)snprintf(buf + used, size - used, "%s%s",
					                         i ? "+" : "", json_string_value(s));
			}
			return buf;
		}
	}
	return NULL;
}

/* ---- units and groups ------------------------------------------------- */

static void unit_clear(unit *u)
{
	size_t f;

	for (f = 0; f < CF_EVAL_MAX_FIELDS; f++)
		free(u->texts[f]);
	free(u->label);
	json_decref(u->generator);
	memset(u, 0, sizeof *u);
}

static void group_clear(eval *e)
{
	size_t i;

	unit_clear(&e->orig);
	for (i = 0; i < e->ncf; i++)
		unit_clear(&e->cfs[i]);
	e->ncf = 0;
	e->have_group = 0;
}

static void tell_bad(eval *e, const char *path, long line, const char *why)
{
	if (++e->bad <= MAX_TOLD)
		fprintf(stderr, "cfaug eval: %s:%ld: skipped: %s\n", path, line, why);
	else if (e->bad == MAX_TOLD + 1)
		fprintf(stderr, "cfaug eval: more bad records, counting them "
		        "quietly\n");
}

/* A label value (string or integer) as a new string; NULL if absent. */
static char *label_of(const json_t *v)
{
	char buf[32];

	if (json_is_string(v) && json_string_length(v))
		return strdup(json_string_value(v));
	if (json_is_integer(v)) {
		snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
		return strdup(buf);
	}
	return NULL;
}

/* Fill u from object o: the text fields, the label from label_field.
 * Returns 0, 1 with why set (bad record), or CF_ENOMEM. */
static int unit_from(eval *e, unit *u, const json_t *o, const char *label_field,
                     char *why, size_t wsz)
{
	size_t f;
	json_t *lv;

	for (f = 0; f < e->nf; f++) {
		json_t *t = json_object_get(o, e->fields[f]);

		if (!json_is_string(t)) {
			snprintf(why, wsz, "text field '%s' %s", e->fields[f],
			         t ? "is not a string" : "is missing");
			return 1;
		}
		u->lens[f] = json_string_length(t);
		if (!(u->texts[f] = malloc(u->lens[f] + 1)))
			return CF_ENOMEM;
		memcpy(u->texts[f], json_string_value(t), u->lens[f] + 1);
	}
	lv = json_object_get(o, label_field);
	if (!(u->label = label_of(lv))) {
		if (lv && !json_is_string(lv) && !json_is_integer(lv)) {
			snprintf(why, wsz, "label field '%s' is not a string or integer",
			         label_field);
			return 1;
		}
		snprintf(why, wsz, "label field '%s' is missing or empty", label_field);
		return 1;
	}
	return 0;
}

static int is_control(const eval *e, const json_t *gen, const json_t *rec)
{
	const json_t *src = rec ? rec : gen;
	json_t *k = json_object_get(gen, "kind"), *v;
	char *eq;
	int r;

	if (json_is_string(k) && !strcmp(json_string_value(k), "paraphrase"))
		return 1;
	if (json_is_true(json_object_get(gen, "control")))
		return 1;
	if (!e->a->control_key)
		return 0;
	eq = strchr(e->a->control_key, '=');
	{
		char key[256];
		size_t n = (size_t)(eq - e->a->control_key);

		if (n >= sizeof key)
			return 0;
		memcpy(key, e->a->control_key, n);
		key[n] = 0;
		v = json_object_get(src, key);
	}
	if (json_is_string(v))
		return !strcmp(json_string_value(v), e->a->control_value);
	if (json_is_boolean(v))
		return !strcmp(json_is_true(v) ? "true" : "false", e->a->control_value);
	if (json_is_integer(v)) {
		char b[32];

		snprintf(b, sizeof b, "%lld", (long long)json_integer_value(v));
		r = !strcmp(b, e->a->control_value);
		return r;
	}
	return 0;
}

static unit *new_cf(eval *e)
{
	if (grow((void **)&e->cfs, &e->capcf, e->ncf + 1, sizeof *e->cfs) < 0)
		return NULL;
	memset(&e->cfs[e->ncf], 0, sizeof *e->cfs);
	return &e->cfs[e->ncf++];
}

/* ---- human review ------------------------------------------------------ */

/* Export: per stratum (label transition | generator) the review_n edit
 * pairs with the smallest hash of (seed, input line) -- bottom-k sampling,
 * so memory is review_n texts per stratum whatever the input's size;
 * strata beyond MAX_BUCKETS share "(other)".  At the end the sample's size
 * is shared out by largest remainder in proportion to the strata's sizes,
 * at least one per stratum while there is room.  Import: the annotators'
 * labels by id (the counterfactual's input line), matched while scoring;
 * memory: the imported rows. */
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

static char *join_fields(const eval *e, const unit *u)
{
	size_t f, len = 0;
	char *out, *p;

	for (f = 0; f < e->nf; f++)
		len += u->lens[f] + strlen(e->fields[f]) + 4;
	if (!(p = out = malloc(len + 1)))
		return NULL;
	for (f = 0; f < e->nf; f++) {
		if (e->nf > 1)
			p += sprintf(p, "%s%s: ", f ? "\n" : "", e->fields[f]);
		memcpy(p, u->texts[f], u->lens[f]);
		p += u->lens[f];
	}
	*p = 0;
	return out;
}

static void rvitem_clear(rvitem *it)
{
	free(it->orig);
	free(it->cf);
	free(it->target);
	memset(it, 0, sizeof *it);
}

static int review_pair(eval *e, const unit *u, const char *tr, const char *gen,
                       int t)
{
	review *rv = e->rv;
	size_t i, j, worst;
	long line = u->line;
	uint64_t h;
	char key[1200];
	rvstratum *st = NULL;

	/* import: the judges' labels of an annotated pair */
	for (i = 0; i < rv->nh; i++)
		if (rv->h[i].line == line) {
			rv->h[i].seen = 1;
			rv->h[i].target = t;
			for (j = 0; j < e->nj; j++)
				rv->h[i].pred[j] = e->j[j].pred[e->j[j].npred - 1];
		}
	if (!e->a->review_export)
		return 0;
	snprintf(key, sizeof key, "%s | %s", tr, gen);
	for (i = 0; i < rv->ns; i++)
		if (!strcmp(rv->s[i].key, key) ||
		    (rv->ns == MAX_BUCKETS && i == rv->ns - 1))
			break;
	if (i == rv->ns) {
		if (grow((void **)&rv->s, &rv->caps, rv->ns + 1, sizeof *rv->s) < 0)
			return CF_ENOMEM;
		st = &rv->s[rv->ns++];
		memset(st, 0, sizeof *st);
		if (!(st->key = strdup(rv->ns == MAX_BUCKETS ? "(other)" : key)) ||
		    !(st->transition = strdup(rv->ns == MAX_BUCKETS ? "(other)" : tr)) ||
		    !(st->generator = strdup(rv->ns == MAX_BUCKETS ? "(other)" : gen)) ||
		    !(st->it = calloc((size_t)e->a->review_n, sizeof *st->it)))
			return CF_ENOMEM;
	}
	st = &rv->s[i];
	st->n++;
	h = cf_hash64(&line, sizeof line, e->a->seed);
	if (st->nit < (size_t)e->a->review_n) {
		worst = st->nit++;
	} else {
		for (worst = 0, j = 1; j < st->nit; j++)
			if (st->it[j].h > st->it[worst].h)
				worst = j;
		if (st->it[worst].h <= h)
			return 0;
		rvitem_clear(&st->it[worst]);
	}
	st->it[worst].h = h;
	st->it[worst].line = line;
	if (!(st->it[worst].orig = join_fields(e, &e->orig)) ||
	    !(st->it[worst].cf = join_fields(e, u)) ||
	    !(st->it[worst].target = strdup(u->label)))
		return CF_ENOMEM;
	return 0;
}

static int by_hash(const void *a, const void *b)
{
	const rvitem *x = a, *y = b;

	return x->h < y->h ? -1 : x->h > y->h;
}

static void csv_field(FILE *f, const char *s, int last)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputs(last ? "\"\r\n" : "\",", f);
}

/* How many of each stratum go into a sample of N: proportional, largest
 * remainder, at least one per stratum while N allows. */
static void review_quota(const review *rv, size_t N, size_t *q)
{
	uint64_t M = 0;
	size_t i, sum = 0, best;

	for (i = 0; i < rv->ns; i++)
		M += rv->s[i].n;
	for (i = 0; i < rv->ns; i++) {
		q[i] = (size_t)((double)N * (double)rv->s[i].n / (double)M);
		if (q[i] == 0 && sum < N)
			q[i] = 1;
		if (q[i] > rv->s[i].nit)
			q[i] = rv->s[i].nit;
		sum += q[i];
	}
	while (sum > N) {            /* the minimum of one overshot: trim */
		for (best = 0, i = 1; i < rv->ns; i++)
			if (q[i] > q[best])
				best = i;
		q[best]--;
		sum--;
	}
	while (sum < N) {            /* the remainders, largest first */
		double bd = -1;

		best = rv->ns;
		for (i = 0; i < rv->ns; i++) {
			double d = (double)N * (double)rv->s[i].n / (double)M - (double)q[i];

			if (q[i] < rv->s[i].nit && d > bd) {
				bd = d;
				best = i;
			}
		}
		if (best == rv->ns)
			break;
		q[best]++;
		sum++;
	}
}

static int review_write(eval *e, size_t *written, cf_error *err)
{
	review *rv = e->rv;
	const char *path = e->a->review_export;
	size_t *q = calloc(rv->ns + 1, sizeof *q), i, k;
	char tmp[4096], line[32];
	FILE *f;
	int rc = 0;

	*written = 0;
	if (!q)
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	review_quota(rv, (size_t)e->a->review_n, q);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	if (!(f = fopen(tmp, "w"))) {
		rc = cf_error_set(err, CF_EIO, "%s: %s", tmp, strerror(errno));
		goto done;
	}
	fputs("id,original,counterfactual,target,transition,generator,"
	      "human_label,comment\r\n", f);
	for (i = 0; i < rv->ns; i++) {
		rvstratum *st = &rv->s[i];

		qsort(st->it, st->nit, sizeof *st->it, by_hash);
		for (k = 0; k < q[i]; k++) {
			snprintf(line, sizeof line, "%ld", st->it[k].line);
			csv_field(f, line, 0);
			csv_field(f, st->it[k].orig, 0);
			csv_field(f, st->it[k].cf, 0);
			csv_field(f, st->it[k].target, 0);
			csv_field(f, st->transition, 0);
			csv_field(f, st->generator, 0);
			csv_field(f, "", 0);
			csv_field(f, "", 1);
			(*written)++;
		}
	}
	if (ferror(f) | fclose(f) || rename(tmp, path) < 0) {
		rc = cf_error_set(err, CF_EIO, "%s: cannot write: %s", path,
		                  strerror(errno));
		remove(tmp);
	}
done:
	free(q);
	return rc;
}

/* Read the annotated CSV: id and human_label columns (others ignored);
 * rows without a human label are not annotated and skipped. */
static int review_read(eval *e, cf_error *err)
{
	review *rv = e->rv;
	const char *path = e->a->review_import;
	cf_reader *rd = NULL;
	cf_raw raw;
	int rc;

	if ((rc = cf_reader_open(&rd, path, CF_FMT_CSV, CF_MAX_RECORD_BYTES_DEFAULT,
	                         err)) < 0)
		return rc;
	while ((rc = cf_reader_next(rd, &raw, err)) == CF_READ_OK ||
	       rc == CF_READ_BAD) {
		json_t *id, *hl;
		char *end;
		long line;
		const char *lab;
		rvhuman *h;

		if (rc == CF_READ_BAD) {
			fprintf(stderr, "cfaug eval: %s:%ld: skipped: %s\n", path, raw.line,
			        raw.reason);
			continue;
		}
		id = json_object_get(raw.obj, "id");
		hl = json_object_get(raw.obj, "human_label");
		lab = json_is_string(hl) ? json_string_value(hl) : "";
		line = json_is_string(id) ? strtol(json_string_value(id), &end, 10) :
		       json_is_integer(id) ? (long)json_integer_value(id) : -1;
		if (json_is_string(id) && (*end || !*json_string_value(id)))
			line = -1;
		if (line < 0 || !hl) {
			json_decref(raw.obj);
			rc = cf_error_set(err, CF_EDATA, "%s:%ld: expected the columns "
			                  "id (a number) and human_label of --review-export",
			                  path, raw.line);
			goto done;
		}
		if (*lab) {
			if (grow((void **)&rv->h, &rv->caph, rv->nh + 1, sizeof *rv->h) < 0) {
				json_decref(raw.obj);
				rc = cf_error_set(err, CF_ENOMEM, "out of memory");
				goto done;
			}
			h = &rv->h[rv->nh++];
			memset(h, 0, sizeof *h);
			h->line = line;
			h->human = label_index(e, lab);
			if (h->human < 0 && ++rv->unknown_label <= MAX_TOLD)
				fprintf(stderr, "cfaug eval: %s:%ld: human label '%.80s' is "
				        "not one of the judges' labels\n", path, raw.line, lab);
		}
		json_decref(raw.obj);
	}
done:
	cf_reader_close(&rd);
	return rc < 0 ? rc : 0;
}

static json_t *jprop(uint64_t k, uint64_t n);
static json_t *jnum(double v);

static json_t *review_json(const eval *e, size_t written)
{
	const review *rv = e->rv;
	json_t *o = json_object(), *js;
	size_t i, j, n = 0;
	uint64_t flips = 0, unmatched = 0;
	int *hum, *pr;

	if (e->a->review_export)
		json_object_set_new(o, "export", json_pack("{s:s,s:I,s:I,s:I,s:s}",
		        "path", e->a->review_export, "rows", (json_int_t)written,
		        "strata", (json_int_t)rv->ns, "seed", (json_int_t)e->a->seed,
		        "sampling", "stratified by label transition | generator; "
		        "per stratum the pairs with the smallest hash of (seed, id), "
		        "sizes in proportion to the strata (largest remainder, at "
		        "least one each while the sample allows)"));
	if (!e->a->review_import)
		return o;
	js = json_array();
	hum = calloc(rv->nh + 1, sizeof *hum);
	pr = calloc(rv->nh + 1, sizeof *pr);
	if (!hum || !pr) {
		free(hum);
		free(pr);
		json_decref(js);
		json_decref(o);
		return NULL;
	}
	for (i = 0; i < rv->nh; i++)
		if (rv->h[i].seen && rv->h[i].human >= 0) {
			hum[n++] = rv->h[i].human;
			flips += rv->h[i].human == rv->h[i].target;
		}
	for (j = 0; j < e->nj; j++) {
		size_t used, m = 0;
		uint64_t agree = 0;

		for (i = 0; i < rv->nh; i++)
			if (rv->h[i].seen && rv->h[i].human >= 0) {
				pr[m] = rv->h[i].pred[j];
				agree += pr[m] == rv->h[i].human;
				m++;
			}
		json_array_append_new(js, json_pack("{s:s,s:o,s:o,s:I}", "name",
		        e->j[j].name, "kappa", jnum(cf_eval_kappa(pr, hum, m, e->K,
		        &used)), "accuracy", jprop(agree, m), "items",
		        (json_int_t)used));
	}
	for (i = 0; i < rv->nh; i++)
		unmatched += !rv->h[i].seen;
	json_object_set_new(o, "import", json_pack("{s:s,s:I,s:I,s:I,s:I,s:o,s:o}",
	        "path", e->a->review_import, "annotated", (json_int_t)rv->nh,
	        "matched", (json_int_t)n, "unmatched", (json_int_t)unmatched,
	        "unknown_label", (json_int_t)rv->unknown_label,
	        "human_flip", jprop(flips, n), "judges", js));
	free(hum);
	free(pr);
	return o;
}

static void review_free(review **p)
{
	review *rv = *p;
	size_t i, k;

	if (!rv)
		return;
	for (i = 0; i < rv->ns; i++) {
		for (k = 0; k < rv->s[i].nit; k++)
			rvitem_clear(&rv->s[i].it[k]);
		free(rv->s[i].it);
		free(rv->s[i].key);
		free(rv->s[i].transition);
		free(rv->s[i].generator);
	}
	free(rv->s);
	free(rv->h);
	free(rv);
	*p = NULL;
}

/* ---- scoring a group -------------------------------------------------- */

static int score_group(eval *e, cf_error *err)
{
	size_t i, j, K = e->K, m = 0;
	double *po = NULL;
	int *orig_pred = NULL, ol, rc = 0;
	char gbuf[512];

	if (!e->have_group)
		return 0;
	e->groups++;
	if (e->ncf == 0) {
		e->one_sided++;
		goto done;
	}
	if ((e->remote || e->fl.http) && (rc = remote_scores(e, err)) < 0)
		goto done;
	if (e->remote && remote_failed(e, 0)) {
		/* no judge's view of the original: its pairs are left out */
		e->pairs += e->ncf;
		e->judge_failed += e->ncf;
		goto done;
	}
	ol = label_index(e, e->orig.label);
	if (!(po = malloc(e->nj * K * sizeof *po)) ||
	    !(orig_pred = malloc(e->nj * sizeof *orig_pred)))
		goto nomem;
	for (j = 0; j < e->nj; j++) {
		if ((rc = judge_predict(e, &e->j[j], &e->orig, po + j * K,
		                        &orig_pred[j])) < 0)
			goto nomem;
		if (ol >= 0) {
			e->j[j].on++;
			e->j[j].ok += orig_pred[j] == ol;
		}
		if (PUSH(e->j[j].pred, e->j[j].npred, e->j[j].cap_pred, orig_pred[j]))
			goto nomem;
	}
	if (PUSH(e->gold, e->ngold, e->cap_gold, ol))
		goto nomem;
	if ((rc = cf_evtext_set(&e->to, (const char *const *)e->orig.texts,
	                        e->orig.lens, e->nf)) < 0)
		goto nomem;
	if (grow((void **)&e->tc, &e->captc, e->ncf, sizeof *e->tc) < 0)
		goto nomem;
	for (i = 0; i < e->ncf; i++) {
		unit *u = &e->cfs[i];
		int t = label_index(e, u->label), flip = t != ol;
		bucket *rows[BD_COUNT];
		size_t d, nr = 0, r;
		char tr[600];

		e->pairs++;
		if (e->remote && remote_failed(e, i + 1)) {
			e->judge_failed++;
			continue;
		}
		if (ol < 0 || t < 0) {
			e->unknown++;
			if (e->unknown <= MAX_TOLD)
				fprintf(stderr, "cfaug eval: %s:%ld: pair skipped: label "
				        "'%.100s' is not one of the judges'\n", e->cur_path,
				        u->line, ol < 0 ? e->orig.label : u->label);
			continue;
		}
		if (u->control) {
			e->controls++;
			for (j = 0; j < e->nj; j++) {
				int pc;

				if ((rc = judge_predict(e, &e->j[j], u, e->p, &pc)) < 0)
					goto nomem;
				e->j[j].ctl_n++;
				e->j[j].ctl_k += pc != orig_pred[j];
				if (PUSH(e->j[j].pred, e->j[j].npred, e->j[j].cap_pred, pc))
					goto nomem;
			}
			if (PUSH(e->gold, e->ngold, e->cap_gold, t))
				goto nomem;
			continue;
		}
		/* an edit: minimality, and into the diversity set */
		memset(&e->tc[m], 0, sizeof e->tc[m]);
		if ((rc = cf_evtext_set(&e->tc[m], (const char *const *)u->texts,
		                        u->lens, e->nf)) < 0 ||
		    (rc = cf_evtext_distance(&e->to, &e->tc[m], &d)) < 0)
			goto nomem;
		m++;
		if (grow((void **)&e->dist, &e->cap_dist, e->ndist_n + 1,
		         sizeof *e->dist) < 0 ||
		    !(e->ndist = realloc(e->ndist, e->cap_dist * sizeof *e->ndist)))
			goto nomem;
		if (e->fl.http) {
			double po_ = e->fl.ppl[0], pc_ = e->fl.ppl[i + 1];

			if (grow((void **)&e->ppl_o, &e->cap_ppl, e->nppl + 1,
			         sizeof *e->ppl_o) < 0 ||
			    !(e->ppl_c = realloc(e->ppl_c, e->cap_ppl * sizeof *e->ppl_c)) ||
			    !(e->ppl_r = realloc(e->ppl_r, e->cap_ppl * sizeof *e->ppl_r)))
				goto nomem;
			e->ppl_o[e->nppl] = po_;
			e->ppl_c[e->nppl] = pc_;
			e->ppl_r[e->nppl++] = pc_ / po_;   /* NAN if either is */
		}
		e->dist[e->ndist_n] = (double)d;
		e->ndist[e->ndist_n++] = cf_eval_norm_distance(d, cf_evtext_len(&e->to));
		e->flip_pairs += flip;
		/* breakdown rows this pair counts in */
		snprintf(tr, sizeof tr, "%s \xe2\x86\x92 %s", e->orig.label, u->label);
		if (!(rows[nr++] = bd_get(&e->bd[BD_TRANSITION], tr)))
			goto nomem;
		for (r = BD_STAGE; r < BD_COUNT; r++) {
			const char *gv = gen_value(u->generator, (int)r, gbuf, sizeof gbuf);

			if (gv && !(rows[nr++] = bd_get(&e->bd[r], gv)))
				goto nomem;
		}
		for (r = 0; r < nr; r++) {
			rows[r]->n++;
			rows[r]->tn += flip;
		}
		for (j = 0; j < e->nj; j++) {
			judge *jd = &e->j[j];
			const double *p = po + j * K;
			int pc, hit, changed, cons;
			double dp;

			if ((rc = judge_predict(e, jd, u, e->p, &pc)) < 0)
				goto nomem;
			hit = pc == t;
			changed = pc != orig_pred[j];
			cons = hit && orig_pred[j] == ol;
			dp = e->p[t] - p[t];
			jd->un++;
			jd->uk += changed;
			if (flip) {
				jd->tn++;
				jd->tk += hit;
				jd->ck += cons;
			}
			if (PUSH(jd->dprob, jd->ndprob, jd->cap_dprob, dp) ||
			    PUSH(jd->pred, jd->npred, jd->cap_pred, pc))
				goto nomem;
			for (r = 0; r < nr; r++) {
				rows[r]->tk[j] += hit;
				rows[r]->uk[j] += changed;
				rows[r]->ck[j] += cons;
				rows[r]->dsum[j] += dp;
			}
		}
		if (e->rv) {
			const char *gv = gen_value(u->generator, BD_STAGE, gbuf, sizeof gbuf);

			if (!gv)
				gv = gen_value(u->generator, BD_KIND, gbuf, sizeof gbuf);
			if ((rc = review_pair(e, u, tr, gv ? gv : "", t)) < 0)
				goto nomem;
		}
		if (PUSH(e->gold, e->ngold, e->cap_gold, t))
			goto nomem;
	}
	/* diversity among the edits of this original */
	if (m >= 2) {
		uint64_t dd, tot;
		double dv;
		int n;

		rc = 0;
		dv = cf_eval_diversity(e->tc, m, &rc);
		if (rc < 0 || PUSH(e->div, e->ndiv, e->cap_div, dv))
			goto nomem;
		for (n = 1; n <= 2; n++) {
			if (cf_eval_distinct_n(e->tc, m, n, &dd, &tot) < 0)
				goto nomem;
			e->dn_sum[n - 1] += tot ? (double)dd / (double)tot : 0.0;
		}
		e->dn_groups++;
	}
	rc = 0;
	goto done;
nomem:
	rc = cf_error_set(err, CF_ENOMEM, "out of memory");
done:
	for (i = 0; i < m; i++)
		cf_evtext_clear(&e->tc[i]);
	free(po);
	free(orig_pred);
	group_clear(e);
	return rc;
}

/* ---- reading ---------------------------------------------------------- */

static int open_reader(cf_reader **rd, const char *path, const char *format,
                       cf_error *err)
{
	cf_format fmt = format ? cf_format_from_name(format) :
	                cf_format_from_path(path);

	if (fmt == CF_FMT_AUTO)
		return format ?
		       cf_error_set(err, CF_EUSAGE, "--format: unknown format '%s' "
		                    "(jsonl, csv or tsv)", format) :
		       cf_error_set(err, CF_EUSAGE, "%s: cannot tell the format from "
		                    "the name; use --format jsonl|csv|tsv", path);
	return cf_reader_open(rd, path, fmt, CF_MAX_RECORD_BYTES_DEFAULT, err);
}

/* Next good record of rd as a new reference (bad ones told, skipped). */
static int next_obj(eval *e, cf_reader *rd, const char *path, json_t **obj,
                    long *line, cf_error *err)
{
	cf_raw raw;
	int rc;

	for (;;) {
		*obj = NULL;
		rc = cf_reader_next(rd, &raw, err);
		if (rc < 0 || rc == CF_READ_EOF)
			return rc;
		if (rc == CF_READ_BAD) {
			tell_bad(e, path, raw.line, raw.reason);
			continue;
		}
		e->records++;
		*obj = raw.obj;
		*line = raw.line;
		return CF_READ_OK;
	}
}

static json_t *flat_generator(const eval *e, const json_t *rec)
{
	json_t *g = json_pack("{s:s}", "kind", "given");
	json_t *v;

	if (g && e->a->generator_field &&
	    json_is_string(v = json_object_get(rec, e->a->generator_field)))
		json_object_set(g, "stage", v);
	return g;
}

static int read_pairs(eval *e, cf_reader *rd, cf_error *err)
{
	char *group_id = NULL, why[300];
	json_t *obj = NULL;
	long line;
	int rc;

	while ((rc = next_obj(e, rd, e->a->input, &obj, &line, err)) == CF_READ_OK) {
		json_t *o = json_object_get(obj, "original"),
		       *c = json_object_get(obj, "counterfactual"),
		       *g = json_object_get(obj, "generator"),
		       *oid = json_object_get(obj, "orig_id");
		const char *id = json_is_string(oid) ? json_string_value(oid) : NULL;
		unit *u;

		why[0] = 0;
		if (!json_is_object(o) || !json_is_object(c))
			snprintf(why, sizeof why, "not a pair: 'original' and "
			         "'counterfactual' objects expected (flat file? use "
			         "--pair-key or --block)");
		else if (!id)
			snprintf(why, sizeof why, "pair without a string 'orig_id'");
		if (why[0])
			goto bad;
		if (!e->have_group || strcmp(id, group_id)) {
			if ((rc = score_group(e, err)) < 0) {
				json_decref(obj);   /* the record that opened the next group */
				goto done;
			}
			free(group_id);
			if (!(group_id = strdup(id)))
				goto nomem;
			e->have_group = 1;
			if ((rc = unit_from(e, &e->orig, o, "label", why, sizeof why)) < 0)
				goto nomem;
			e->orig.line = line;
			if (rc) {
				group_clear(e);
				goto bad;
			}
		}
		if (!(u = new_cf(e)))
			goto nomem;
		u->line = line;
		if ((rc = unit_from(e, u, c, "label", why, sizeof why)) < 0)
			goto nomem;
		if (rc) {
			unit_clear(u);
			e->ncf--;
			goto bad;
		}
		u->generator = json_is_object(g) ? json_incref(g) : json_object();
		u->control = is_control(e, u->generator, NULL);
		json_decref(obj);
		continue;
bad:
		tell_bad(e, e->a->input, line, why);
		json_decref(obj);
	}
	if (rc >= 0)
		rc = score_group(e, err);
	goto done;
nomem:
	json_decref(obj);
	rc = cf_error_set(err, CF_ENOMEM, "out of memory");
done:
	free(group_id);
	return rc;
}

/* Flat files: --pair-key, or --block with or without --originals. */
static int read_flat(eval *e, cf_reader *rd, cf_error *err)
{
	const args *a = e->a;
	const char *lf = a->label_field ? a->label_field : "label";
	const char *tf = a->target_field ? a->target_field : lf;
	cf_reader *ord = NULL;
	char *group_key = NULL, why[300], kbuf[64];
	json_t *obj = NULL;
	long line, inblock = 0;
	int rc;

	if (a->originals && (rc = open_reader(&ord, a->originals, a->format,
	                                      err)) < 0)
		return rc;
	while ((rc = next_obj(e, rd, a->input, &obj, &line, err)) == CF_READ_OK) {
		int starts = 0, as_orig = 0;
		const char *key = NULL;
		unit *u;

		why[0] = 0;
		if (a->pair_key) {
			json_t *kv = json_object_get(obj, a->pair_key);

			if (json_is_string(kv)) {
				key = json_string_value(kv);
			} else if (json_is_integer(kv)) {
				snprintf(kbuf, sizeof kbuf, "%lld",
				         (long long)json_integer_value(kv));
				key = kbuf;
			} else {
				snprintf(why, sizeof why, "pair key '%s' is missing or not "
				         "a string", a->pair_key);
				tell_bad(e, a->input, line, why);
				json_decref(obj);
				continue;
			}
			/* by key alone: after a bad original its group stays skipped */
			starts = !group_key || strcmp(key, group_key);
			as_orig = starts;
		} else {
			starts = inblock == 0;
			as_orig = starts && !a->originals;
			inblock = (inblock + 1) % a->block;
		}
		if (starts) {
			if ((rc = score_group(e, err)) < 0) {
				json_decref(obj);   /* the record that opened the next group */
				goto done;
			}
			free(group_key);
			group_key = NULL;
			if (key && !(group_key = strdup(key)))
				goto nomem;
			e->have_group = 1;
			if (ord) {
				json_t *oo = NULL;
				long oline;

				/* the block's original from --originals */
				rc = next_obj(e, ord, a->originals, &oo, &oline, err);
				if (rc < 0) {
					json_decref(obj);
					goto done;
				}
				if (rc == CF_READ_EOF) {
					rc = cf_error_set(err, CF_EDATA, "%s: more blocks of %ld "
					                  "than originals in %s (line %ld)",
					                  a->input, a->block, a->originals, line);
					json_decref(obj);
					goto done;
				}
				rc = unit_from(e, &e->orig, oo, lf, why, sizeof why);
				json_decref(oo);
				e->orig.line = oline;
				if (rc < 0)
					goto nomem;
				if (rc) {
					/* a bad original: its block is skipped whole */
					tell_bad(e, a->originals, oline, why);
					e->have_group = 0;
					unit_clear(&e->orig);
				}
			}
		}
		if (!e->have_group) {
			json_decref(obj);
			continue;
		}
		if (as_orig) {
			rc = unit_from(e, &e->orig, obj, lf, why, sizeof why);
			e->orig.line = line;
			if (rc < 0)
				goto nomem;
			if (rc) {
				/* without its original the group cannot be judged */
				tell_bad(e, a->input, line, why);
				e->have_group = 0;
				unit_clear(&e->orig);
			}
			json_decref(obj);
			continue;
		}
		if (!(u = new_cf(e)))
			goto nomem;
		u->line = line;
		if ((rc = unit_from(e, u, obj, tf, why, sizeof why)) < 0)
			goto nomem;
		if (rc) {
			unit_clear(u);
			e->ncf--;
			tell_bad(e, a->input, line, why);
			json_decref(obj);
			continue;
		}
		if (!(u->generator = flat_generator(e, obj)))
			goto nomem;
		u->control = is_control(e, u->generator, obj);
		json_decref(obj);
	}
	if (rc < 0)
		goto done;
	if (a->block && inblock)
		fprintf(stderr, "cfaug eval: %s: the last block has %ld of %ld "
		        "records\n", a->input, inblock, a->block);
	rc = score_group(e, err);
	goto done;
nomem:
	json_decref(obj);
	rc = cf_error_set(err, CF_ENOMEM, "out of memory");
done:
	free(group_key);
	cf_reader_close(&ord);
	return rc;
}

/* ---- the report ------------------------------------------------------- */

static json_t *jnum(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *jprop(uint64_t k, uint64_t n)
{
	cf_prop p;

	cf_eval_wilson(k, n, CF_EVAL_Z95, &p);
	return json_pack("{s:I,s:I,s:o,s:o,s:o}", "k", (json_int_t)k, "n",
	                 (json_int_t)n, "rate", jnum(p.rate), "lo", jnum(p.lo),
	                 "hi", jnum(p.hi));
}

static json_t *jsummary(const double *v, size_t n)
{
	cf_summary s;

	if (cf_eval_summary(v, n, &s) < 0)
		return NULL;
	return json_pack("{s:I,s:o,s:o,s:o,s:o,s:o}", "n", (json_int_t)s.n,
	                 "mean", jnum(s.mean), "sd", jnum(s.sd), "median",
	                 jnum(s.median), "min", jnum(s.min), "max", jnum(s.max));
}

static json_t *jhist(const double *v, size_t n, double lo, double hi,
                     size_t bins)
{
	uint64_t c[64];
	json_t *a = json_array();
	size_t i;

	cf_eval_histogram(v, n, lo, hi, bins, c);
	for (i = 0; i < bins; i++)
		json_array_append_new(a, json_integer((json_int_t)c[i]));
	return json_pack("{s:f,s:f,s:o}", "lo", lo, "hi", hi, "counts", a);
}

/* Upper end of the normalised-distance histogram: the least of 0.05, 0.1,
 * 0.2, 0.5, 1 above every value (larger ones go into the last bin). */
static double hist_top(const double *v, size_t n)
{
	static const double tops[] = { 0.05, 0.1, 0.2, 0.5, 1.0 };
	double mx = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if (isfinite(v[i]) && v[i] > mx)
			mx = v[i];
	for (i = 0; i < 4 && mx >= tops[i]; i++)
		;
	return tops[i];
}

static json_t *judge_json(const eval *e, size_t j)
{
	const judge *jd = &e->j[j];
	json_t *o, *bd = json_object(), *labels = json_array();
	size_t d, i, k;
	double diff, z, p;

	for (k = 0; k < e->K; k++)
		json_array_append_new(labels, json_string(e->L.v[k]));
	o = json_pack("{s:s,s:s,s:s,s:o}", "name", jd->name, "model", jd->path,
	              "kind", jd->jg->kind->name, "labels", labels);
	if (cf_judge_http_stats(jd->jg)) {
		const cf_http_stats *hs = cf_judge_http_stats(jd->jg);

		json_object_set_new(o, "endpoint", json_string(jd->jg->endpoint));
		json_object_set_new(o, "requests", json_pack("{s:I,s:I,s:I}",
		        "sent", (json_int_t)hs->attempts, "retries",
		        (json_int_t)hs->retries, "failed",
		        (json_int_t)jd->jg->st.failed));
	}
	json_object_set_new(o, "targeted_flip", jprop(jd->tk, jd->tn));
	json_object_set_new(o, "untargeted_flip", jprop(jd->uk, jd->un));
	json_object_set_new(o, "consistency", jprop(jd->ck, jd->tn));
	json_object_set_new(o, "original_accuracy", jprop(jd->ok, jd->on));
	json_object_set_new(o, "target_prob_change",
	                    json_pack("{s:o,s:o}", "summary",
	                              jsummary(jd->dprob, jd->ndprob), "histogram",
	                              jhist(jd->dprob, jd->ndprob, -1, 1, HIST_BINS)));
	for (d = 0; d < BD_COUNT; d++) {
		json_t *rows = json_array();

		for (i = 0; i < e->bd[d].n; i++) {
			const bucket *b = &e->bd[d].b[i];

			json_array_append_new(rows, json_pack(
				"{s:s,s:I,s:o,s:o,s:o,s:o}", "key", b->key, "pairs",
				(json_int_t)b->n,
				/* a transition that keeps the label: "gives the target" */
				"targeted", jprop(b->tk[j], d == BD_TRANSITION ? b->n : b->tn),
				"untargeted", jprop(b->uk[j], b->n),
				"consistency", jprop(b->ck[j], d == BD_TRANSITION ? b->n : b->tn),
				"mean_prob_change", jnum(b->n ? b->dsum[j] / (double)b->n : NAN)));
		}
		if (d == BD_TRANSITION || json_array_size(rows))
			json_object_set_new(bd, bd_names[d], rows);
		else
			json_decref(rows);
	}
	json_object_set_new(o, "by", bd);
	cf_eval_two_prop(jd->uk, jd->un, jd->ctl_k, jd->ctl_n, &diff, &z, &p);
	json_object_set_new(o, "paraphrase_control", jd->ctl_n ?
		json_pack("{s:o,s:o,s:o,s:o,s:o,s:s}", "edits", jprop(jd->uk, jd->un),
		          "paraphrases", jprop(jd->ctl_k, jd->ctl_n), "difference",
		          jnum(diff), "z", jnum(z), "p_value", jnum(p), "test",
		          "two-proportion z-test (pooled), two-sided; rates are "
		          "untargeted (the judge's label changed)") : json_null());
	{
		size_t used;
		double kap = cf_eval_kappa(jd->pred, e->gold, jd->npred, e->K, &used);

		json_object_set_new(o, "kappa_vs_labels",
		                    json_pack("{s:o,s:I}", "kappa", jnum(kap), "items",
		                              (json_int_t)used));
	}
	return o;
}

static json_t *build_report(const eval *e)
{
	const args *a = e->a;
	json_t *r, *in, *fields = json_array(), *judges = json_array(),
	       *agree = json_array();
	size_t i, j;
	const char *layout = a->pair_key ? "pair-key" : a->block ? "block" : "pairs";

	for (i = 0; i < e->nf; i++)
		json_array_append_new(fields, json_string(e->fields[i]));
	in = json_pack("{s:s,s:s,s:o}", "path", a->input, "layout", layout,
	               "text_fields", fields);
	if (a->pair_key)
		json_object_set_new(in, "pair_key", json_string(a->pair_key));
	if (a->block)
		json_object_set_new(in, "block", json_integer(a->block));
	if (a->originals)
		json_object_set_new(in, "originals", json_string(a->originals));
	if (a->pair_key || a->block) {
		const char *lf = a->label_field ? a->label_field : "label";

		json_object_set_new(in, "label_field", json_string(lf));
		json_object_set_new(in, "target_field",
		                    json_string(a->target_field ? a->target_field : lf));
	}
	r = json_pack("{s:s,s:o}", "tool", "cfaug " CFAUG_VERSION, "input", in);
	json_object_set_new(r, "counts", json_pack(
		"{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}",
		"records", (json_int_t)e->records, "bad_records", (json_int_t)e->bad,
		"groups", (json_int_t)e->groups,
		"groups_without_counterfactual", (json_int_t)e->one_sided,
		"pairs", (json_int_t)e->pairs, "edit_pairs",
		(json_int_t)(e->pairs - e->controls - e->unknown - e->judge_failed),
		"label_changing_pairs", (json_int_t)e->flip_pairs,
		"control_pairs", (json_int_t)e->controls));
	json_object_set_new(json_object_get(r, "counts"), "unknown_label_pairs",
	                    json_integer((json_int_t)e->unknown));
	json_object_set_new(json_object_get(r, "counts"), "judge_failed_pairs",
	                    json_integer((json_int_t)e->judge_failed));
	json_object_set_new(r, "minimality", json_pack(
		"{s:s,s:o,s:o,s:o}",
		"tokenizer", "word tokens (runs of letters, digits, _ and UTF-8 "
		"bytes) and single punctuation characters, case kept; Levenshtein "
		"distance summed over text fields, normalised by the original's "
		"token count (MiCE/CEval)",
		"distance", jsummary(e->dist, e->ndist_n),
		"normalized", jsummary(e->ndist, e->ndist_n),
		"normalized_histogram", jhist(e->ndist, e->ndist_n, 0,
		                              hist_top(e->ndist, e->ndist_n), DIST_BINS)));
	json_object_set_new(r, "diversity", json_pack(
		"{s:I,s:o,s:o,s:o}", "groups", (json_int_t)e->dn_groups,
		"pairwise_distance", jsummary(e->div, e->ndiv),
		"distinct_1", jnum(e->dn_groups ? e->dn_sum[0] / (double)e->dn_groups : NAN),
		"distinct_2", jnum(e->dn_groups ? e->dn_sum[1] / (double)e->dn_groups : NAN)));
	for (j = 0; j < e->nj; j++)
		json_array_append_new(judges, judge_json(e, j));
	json_object_set_new(r, "judges", judges);
	for (i = 0; i < e->nj; i++)
		for (j = i + 1; j < e->nj; j++) {
			size_t used;
			double k = cf_eval_kappa(e->j[i].pred, e->j[j].pred, e->j[i].npred,
			                         e->K, &used);

			json_array_append_new(agree, json_pack(
				"{s:s,s:s,s:o,s:I}", "a", e->j[i].name, "b", e->j[j].name,
				"kappa", jnum(k), "items", (json_int_t)used));
		}
	json_object_set_new(r, "judge_agreement", agree);
	if (e->fl.http)
		json_object_set_new(r, "fluency", json_pack(
			"{s:s,s:s,s:s,s:o,s:o,s:o,s:I}", "endpoint", e->fl.endpoint,
			"model", e->fl.model, "method", "perplexity exp(-mean token "
			"logprob) of each text (text fields joined by a newline), scored "
			"by POST /completions {prompt, echo: true, max_tokens: 0, "
			"logprobs: 1}; the first token, without context, left out; "
			"per edit pair, ratio = counterfactual / original",
			"perplexity_original", jsummary(e->ppl_o, e->nppl),
			"perplexity_counterfactual", jsummary(e->ppl_c, e->nppl),
			"ratio", jsummary(e->ppl_r, e->nppl),
			"failed_texts", (json_int_t)e->fl.failed));
	else
		json_object_set_new(r, "not_computed", json_pack("{s:s}",
			"fluency", "perplexity needs an endpoint that scores a prompt's "
			"logprobs: --fluency LLM.yaml"));
	return r;
}

/* ---- spurious tokens -------------------------------------------------- */

static int zstats_of(eval *e, const char *path, cf_zstats **out, cf_error *err)
{
	const args *a = e->a;
	const char *deff[1] = { "text" };
	const char *const *fields = a->nfields ? a->fields : deff;
	size_t nf = a->nfields ? a->nfields : 1, f;
	const char *lf = a->label_field ? a->label_field : "label";
	cf_reader *rd = NULL;
	json_t *obj = NULL;
	long line;
	int rc;

	if ((rc = cf_zstats_new(out)) < 0)
		return cf_error_set(err, rc, "out of memory");
	if ((rc = open_reader(&rd, path, NULL, err)) < 0)
		goto done;
	while ((rc = next_obj(e, rd, path, &obj, &line, err)) == CF_READ_OK) {
		const char *t[CF_EVAL_MAX_FIELDS];
		size_t l[CF_EVAL_MAX_FIELDS];
		char *label = label_of(json_object_get(obj, lf));
		char why[300] = "";

		for (f = 0; f < nf && !why[0]; f++) {
			json_t *v = json_object_get(obj, fields[f]);

			if (!json_is_string(v))
				snprintf(why, sizeof why, "text field '%s' missing", fields[f]);
			else {
				t[f] = json_string_value(v);
				l[f] = json_string_length(v);
			}
		}
		if (!why[0] && !label)
			snprintf(why, sizeof why, "label field '%s' missing", lf);
		if (why[0])
			tell_bad(e, path, line, why);
		else
			rc = cf_zstats_add(*out, t, l, nf, label, err);
		free(label);
		json_decref(obj);
		if (rc < 0)
			goto done;
	}
done:
	cf_reader_close(&rd);
	return rc < 0 ? rc : 0;
}

static json_t *ztable(const cf_zstats *z, const cf_zstats *other, long top,
                      long min_count, int *rc)
{
	cf_ztoken *r = NULL;
	size_t n, i;
	json_t *a = json_array();
	double zc;

	if ((*rc = cf_zstats_rank(z, (uint64_t)min_count, &r, &n)) < 0)
		return a;
	/* Bonferroni over the tokens tested, alpha 0.01 two-sided, as
	 * Gardner et al.'s plots */
	zc = n ? cf_eval_norm_isf(0.005 / (double)n) : NAN;
	for (i = 0; i < n && i < (size_t)top; i++) {
		uint64_t on;
		double oz = cf_zstats_lookup(other, r[i].token, r[i].label, &on);

		json_array_append_new(a, json_pack(
			"{s:s,s:s,s:I,s:I,s:f,s:o,s:I}", "token", r[i].token, "label",
			r[i].label, "n", (json_int_t)r[i].n, "k", (json_int_t)r[i].k,
			"z", r[i].z, "z_other", jnum(oz), "n_other", (json_int_t)on));
	}
	{
		size_t over = 0;

		for (i = 0; i < n; i++)
			over += isfinite(zc) && fabs(r[i].z) > zc;
		free(r);
		return json_pack("{s:I,s:o,s:I,s:o}", "tokens_tested", (json_int_t)n,
		                 "z_critical", jnum(zc), "tokens_over", (json_int_t)over,
		                 "top", a);
	}
}

static int spurious(eval *e, json_t *r, cf_error *err)
{
	cf_zstats *b = NULL, *af = NULL;
	json_t *sp;
	int rc;

	if ((rc = zstats_of(e, e->a->sp_before, &b, err)) < 0 ||
	    (rc = zstats_of(e, e->a->sp_after, &af, err)) < 0)
		goto done;
	sp = json_pack("{s:s,s:s,s:I,s:I,s:I,s:s}", "before", e->a->sp_before,
	               "after", e->a->sp_after,
	               "docs_before", (json_int_t)cf_zstats_docs(b),
	               "docs_after", (json_int_t)cf_zstats_docs(af),
	               "min_count", (json_int_t)e->a->min_count,
	               "statistic", "z = (k/n - p0)/sqrt(p0(1-p0)/n), p0 the "
	               "label's share; lower-cased word tokens once per document "
	               "(Gardner et al. 2021)");
	json_object_set_new(sp, "top_before",
	                    ztable(b, af, e->a->top, e->a->min_count, &rc));
	if (rc >= 0)
		json_object_set_new(sp, "top_after",
		                    ztable(af, b, e->a->top, e->a->min_count, &rc));
	json_object_set_new(r, "spurious", sp);
	if (rc < 0)
		rc = cf_error_set(err, rc, "out of memory");
done:
	cf_zstats_free(&b);
	cf_zstats_free(&af);
	return rc;
}

/* ---- the command ------------------------------------------------------ */

static void eval_free(eval *e)
{
	size_t i;

	group_clear(e);
	free(e->cfs);
	free(e->tc);
	cf_evtext_clear(&e->to);
	free(e->p);
	free(e->q);
	free(e->dist);
	free(e->ndist);
	free(e->div);
	free(e->gold);
	review_free(&e->rv);
	free(e->ppl_o);
	free(e->ppl_c);
	free(e->ppl_r);
	cf_http_free(&e->fl.http);
	free(e->fl.endpoint);
	free(e->fl.ppl);
	cf_options_free(fluency_table, &e->fl);
	cf_conf_free(&e->fl.conf);
	for (i = 0; i < BD_COUNT; i++) {
		size_t k;

		for (k = 0; k < e->bd[i].n; k++)
			free(e->bd[i].b[k].key);
		free(e->bd[i].b);
	}
	for (i = 0; i < CF_EVAL_MAX_FIELDS; i++)
		free(e->own_fields[i]);
	cf_strlist_free(&e->L);
	free(e->ut);
	for (i = 0; i < MAX_JUDGES; i++) {
		cf_judge_free(&e->j[i].jg);
		cf_conf_free(&e->j[i].conf);
		free(e->j[i].rp);
		free(e->j[i].rfail);
		free(e->j[i].dprob);
		free(e->j[i].pred);
	}
}

static void summary(const json_t *r)
{
	json_t *js = json_object_get(r, "judges"), *c = json_object_get(r, "counts");
	size_t i;

	if (c)
		fprintf(stderr, "cfaug eval: %lld groups, %lld pairs (%lld label-"
		        "changing, %lld controls), %lld bad records\n",
		        json_integer_value(json_object_get(c, "groups")),
		        json_integer_value(json_object_get(c, "pairs")),
		        json_integer_value(json_object_get(c, "label_changing_pairs")),
		        json_integer_value(json_object_get(c, "control_pairs")),
		        json_integer_value(json_object_get(c, "bad_records")));
	for (i = 0; i < json_array_size(js); i++) {
		json_t *j = json_array_get(js, i);
		json_t *t = json_object_get(j, "targeted_flip"),
		       *co = json_object_get(j, "consistency");

		fprintf(stderr, "  %s: targeted flip %.3f [%.3f, %.3f], consistency "
		        "%.3f, mean change of p(target) %+.3f\n",
		        json_string_value(json_object_get(j, "name")),
		        json_number_value(json_object_get(t, "rate")),
		        json_number_value(json_object_get(t, "lo")),
		        json_number_value(json_object_get(t, "hi")),
		        json_number_value(json_object_get(co, "rate")),
		        json_number_value(json_object_get(json_object_get(
		            json_object_get(j, "target_prob_change"), "summary"),
		            "mean")));
	}
	if ((c = json_object_get(r, "minimality")))
		fprintf(stderr, "  minimality: mean token distance %.2f, normalised "
		        "%.3f (median %.3f)\n",
		        json_number_value(json_object_get(json_object_get(c, "distance"),
		                                          "mean")),
		        json_number_value(json_object_get(json_object_get(c, "normalized"),
		                                          "mean")),
		        json_number_value(json_object_get(json_object_get(c, "normalized"),
		                                          "median")));
}

int cf_cmd_eval(int argc, char **argv)
{
	cf_error err = { 0 };
	cf_reader *rd = NULL;
	json_t *report = NULL;
	eval e;
	args a;
	size_t i;
	int rc;

	memset(&e, 0, sizeof e);
	for (rc = 1; rc < argc; rc++)
		if (!strcmp(argv[rc], "-h") || !strcmp(argv[rc], "--help")) {
			fputs(usage_text, stdout);
			return CF_EXIT_OK;
		}
	if ((rc = parse_args(&a, argc, argv, &err)) < 0) {
		fprintf(stderr, "cfaug eval: %s\n(see cfaug eval --help)\n", err.msg);
		return cf_exit_code(rc);
	}
	e.a = &a;
	for (i = 0; i < a.nfields; i++)
		e.fields[i] = a.fields[i];
	e.nf = a.nfields;
	if (mkdir(a.output, 0777) < 0 && errno != EEXIST) {
		rc = cf_error_set(&err, CF_EIO, "%s: %s", a.output, strerror(errno));
		goto done;
	}
	if (a.input) {
		for (i = 0; i < a.njudges; i++) {
			if ((rc = load_judge(&e, &e.j[i], a.judges[i], &err)) < 0)
				goto done;
			e.nj++;
		}
		if (a.fluency && (rc = load_fluency(&e, a.fluency, &err)) < 0)
			goto done;
		if (a.review_export || a.review_import) {
			if (!(e.rv = calloc(1, sizeof *e.rv))) {
				rc = cf_error_set(&err, CF_ENOMEM, "out of memory");
				goto done;
			}
			if (a.review_import && (rc = review_read(&e, &err)) < 0)
				goto done;
		}
		if (!(e.p = malloc(e.K * sizeof *e.p)) ||
		    !(e.q = malloc(2 * e.K * sizeof *e.q))) {
			rc = cf_error_set(&err, CF_ENOMEM, "out of memory");
			goto done;
		}
		if ((rc = open_reader(&rd, a.input, a.format, &err)) < 0)
			goto done;
		e.cur_path = a.input;
		rc = a.pair_key || a.block ? read_flat(&e, rd, &err) :
		     read_pairs(&e, rd, &err);
		if (rc < 0)
			goto done;
		if (e.pairs == 0) {
			rc = cf_error_set(&err, CF_EDATA, "%s: no pairs to evaluate (%llu "
			                  "records, %llu bad)", a.input,
			                  (unsigned long long)e.records,
			                  (unsigned long long)e.bad);
			goto done;
		}
		report = build_report(&e);
		if (report && e.rv) {
			size_t written = 0;
			json_t *rj;

			if (a.review_export && (rc = review_write(&e, &written, &err)) < 0)
				goto done;
			if (!(rj = review_json(&e, written))) {
				rc = cf_error_set(&err, CF_ENOMEM, "out of memory");
				goto done;
			}
			json_object_set_new(report, "human_review", rj);
		}
	} else {
		report = json_pack("{s:s}", "tool", "cfaug " CFAUG_VERSION);
	}
	if (!report) {
		rc = cf_error_set(&err, CF_ENOMEM, "out of memory");
		goto done;
	}
	if (a.sp_before && (rc = spurious(&e, report, &err)) < 0)
		goto done;
	if ((rc = cf_eval_report_write(report, a.output, &err)) < 0)
		goto done;
	if (!a.quiet) {
		summary(report);
		fprintf(stderr, "cfaug eval: wrote %s/report.json and %s/report.html\n",
		        a.output, a.output);
	}
done:
	if (rc < 0)
		fprintf(stderr, "cfaug eval: %s\n", err.msg[0] ? err.msg :
		        cf_strerror(rc));
	cf_reader_close(&rd);
	json_decref(report);
	eval_free(&e);
	return rc < 0 ? cf_exit_code(rc) : CF_EXIT_OK;
}
