/*
 * teacher.c - the teacher stage: judges score each candidate against its
 * original and an acceptance policy keeps it or rejects it.
 *
 * Consumes candidates, emits 0 or 1: the candidate annotated "teacher" =
 * {judges: [{name, kind, model|url, orig: {label: p}, cf: {label: q}}],
 * policy, target, score, accepted}, or a rejection with the policy's reason
 * ("no_flip", "below_delta", "below_threshold", "label_changed",
 * "out_of_band"; "unknown_label" when the target is not one of the stage's
 * labels; "judge_failed" when a judge could not score the original or the
 * candidate -- its error is in the rejection's detail; "dry_run" for
 * candidates that needed a remote judge under --dry-run).  Policies and
 * combination: pipeline/judge/teacher_policy.h.
 *
 * Judges (`model: PATH` is shorthand for one builtin judge, with the
 * stage's `fields:` and `labels:` as that judge's; `judges:` a sequence of
 * up to MAX_JUDGES):
 *   builtin  a model file of `cfaug teacher train`, scored in-process
 *   tei      a Hugging Face TEI-style classifier: POST url {"inputs": TEXT}
 *            (two text fields: {"inputs": [[A, B]]}, a batch of one pair)
 *   vllm     vLLM's /classify (alias `classify`): {"model", "input": [TEXT]}
 *   llm      an OpenAI-compatible chat endpoint asked for the label with a
 *            prompt template; probabilities from the first answer token's
 *            top_logprobs, or (server without logprobs, or mode: json) a
 *            JSON answer {"label": L} read as a one-hot distribution
 * Answers are mapped onto the stage's labels (input.labels, else the first
 * judge's) through each judge's `labels` map (pipeline/judge/teacher_judge.h).
 * The judges themselves are the judge engine's (include/cfaug/sys/judge.h):
 * this stage keeps only its bookkeeping -- which scores a candidate waits
 * for, the originals' scores shared by their candidates, the decision.
 *
 * Asynchronous when a remote judge is present: process() keeps the
 * candidate (a "job") and submits one request per remote judge; the
 * original's scores are asked once per record and shared by its candidates
 * (an "orec", found by the record's sequence number, kept while candidates
 * use it and in a small LRU afterwards).  A job is decided when every judge
 * has answered for the candidate and for its original.  Each remote judge
 * has its own HTTP client (the engine's, pipeline/util/http.h: `concurrency` in flight,
 * retries with backoff, Retry-After, timeouts); a request that fails for
 * good rejects the candidate as judge_failed, never silently; an endpoint
 * that refuses us (401/403/404/400) stops the run with its message.  The
 * API key (`api_key_env`) is sent as a bearer token and never written.
 * Memory: jobs are bounded by the runner's window.
 *
 * Report: per judge, its accuracy on the originals it judged (top label =
 * the record's label; orig_accuracy over orig_n), and a warning once all is
 * decided when it is >= 0.98 over >= 20 originals: the model was likely
 * trained on these records (issue 13's leakage warning).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cfaug/sys/judge.h"
#include "cfaug/sys/stage.h"
#include "http.h"
#include "strlist.h"
#include "teacher_policy.h"

#define MAX_JUDGES  16
#define LRU_KEEP    64        /* finished originals kept for late candidates */
#define OREC_BUCKETS 1024
#define WHY_MAX     300

enum { R_NO_FLIP, R_BELOW_DELTA, R_BELOW_THRESHOLD, R_LABEL_CHANGED,
       R_OUT_OF_BAND, R_UNKNOWN_LABEL, R_JUDGE_FAILED, R_DRY_RUN, R_COUNT };
static const char *const reason_names[R_COUNT] = {
	"no_flip", "below_delta", "below_threshold", "label_changed",
	"out_of_band", "unknown_label", "judge_failed", "dry_run"
};

enum { SC_PENDING = 0, SC_OK, SC_FAILED };

typedef struct job job;
struct orec;

/* One judge's score of one text (an original or a candidate); a remote
 * judge's request carries it as its user pointer. */
typedef struct jscore {
	int state;
	const char *source;        /* llm: "logprobs" | "json" | "answer" */
	char *error;               /* SC_FAILED */
	double *p;                 /* K probabilities, stage label order */
	struct orec *o;            /* the original's score ... */
	job *jb;                   /* ... or a candidate's */
} jscore;

typedef struct orec {
	struct orec *hnext;        /* hash chain */
	struct orec *lprev, *lnext;/* LRU list (refs == 0) */
	uint64_t seq;
	const cf_record *rec;      /* valid while refs > 0 */
	cf_item orig;              /* the original, as the judges read it */
	int refs, pending;
	int counted;               /* in the judges' accuracy on originals */
	job *waiting;              /* jobs to decide once pending == 0 */
	jscore js[];
} orec;

struct job {
	job *prev, *next;          /* held jobs */
	job *onext;                /* orec's waiting list */
	cf_item *it;
	orec *o;
	int ti, pending, dry;
	jscore js[];
};

typedef struct accept_opts {
	const cf_node *at;         /* set by the loader */
	int policy;
	double min_delta, min_prob;
	cf_range band;
} accept_opts;

typedef struct teacher_state {
	/* options */
	char *model;
	cf_strlist fields;         /* model: shorthand, as in a builtin judge */
	cf_strmap labels;
	cf_nodelist judges;        /* each opened by its kind's table */
	accept_opts accept;
	int combine;
	/* from init */
	cf_stage *st;
	cf_judge *j[MAX_JUDGES];
	size_t nj, K;
	cf_strlist L;              /* the stage's labels (owned copy) */
	cf_accept acc;
	int remote, dry_run;
	uint64_t seed;
	orec *buckets[OREC_BUCKETS];
	orec *lru_head, *lru_tail;
	size_t nlru;
	job *jobs;
	long njobs;
	/* figures */
	uint64_t accepted, rejected[R_COUNT], scored;
	double sum_delta;
	/* per judge: originals with a label of the stage's, and how many of
	 * them the judge's top label matches (the leakage check) */
	uint64_t orig_n[MAX_JUDGES], orig_hit[MAX_JUDGES];
	int ended, leak_warned;
} teacher_state;

static const cf_option accept_table[] = {
	{ .key = "policy", .type = CF_OPT_ENUM,
	  .offset = offsetof(accept_opts, policy), .def = "flip",
	  .choices = cf_policy_names,
	  .help = "flip | delta | threshold | preserve" },
	{ .key = "min_delta", .type = CF_OPT_DOUBLE,
	  .offset = offsetof(accept_opts, min_delta), .def = "0.25", .min = -1,
	  .max = 1, .help = "delta: least rise of the target's probability" },
	{ .key = "min_prob", .type = CF_OPT_DOUBLE,
	  .offset = offsetof(accept_opts, min_prob), .def = "0.5", .max = 1,
	  .help = "threshold, preserve: least target probability" },
	{ .key = "band", .type = CF_OPT_RANGE,
	  .offset = offsetof(accept_opts, band), .min = 0, .max = 1,
	  .help = "[lo, hi]: the target's probability must lie within" },
	{ .key = NULL }
};

static const cf_option teacher_options[] = {
	{ .key = "model", .type = CF_OPT_STRING,
	  .offset = offsetof(teacher_state, model),
	  .help = "model file of one builtin judge (shorthand for judges:)" },
	{ .key = "fields", .type = CF_OPT_STRLIST,
	  .offset = offsetof(teacher_state, fields),
	  .help = "with model: text fields fed to the model's fields, in order "
	  "(as a builtin judge's fields:)" },
	{ .key = "labels", .type = CF_OPT_STRMAP,
	  .offset = offsetof(teacher_state, labels),
	  .help = "with model: {MODEL_LABEL: LABEL} (as a builtin judge's "
	  "labels:)" },
	{ .key = "judges", .type = CF_OPT_NODELIST,
	  .offset = offsetof(teacher_state, judges), .min = 1, .max = MAX_JUDGES,
	  .help = "sequence of {kind: builtin|tei|vllm|llm, ...} (README)" },
	{ .key = "combine", .type = CF_OPT_ENUM,
	  .offset = offsetof(teacher_state, combine), .def = "mean",
	  .choices = cf_combine_names,
	  .help = "mean | vote | all (several judges)" },
	{ .key = "accept", .type = CF_OPT_MAP,
	  .offset = offsetof(teacher_state, accept), .sub = accept_table,
	  .help = "{policy: flip|delta|threshold|preserve, min_delta, "
	  "min_prob, band: [lo, hi]}" },
	{ .key = NULL }
};

/* ---- init ----------------------------------------------------------------- */

static int list_add(cf_strlist *l, const char *v)
{
	char **nv;

	if (cf_strlist_index(l, v) >= 0)
		return 0;
	if (!(nv = realloc(l->v, (l->n + 1) * sizeof *nv)) ||
	    !(nv[l->n] = strdup(v))) {
		if (nv)
			l->v = nv;
		return CF_ENOMEM;
	}
	l->v = nv;
	l->n++;
	return 0;
}

/* The stage's labels: input.labels, else the first judge's own (a builtin
 * model's labels through its map, or a map's values). */
static int stage_labels(teacher_state *s, const cf_pipeline_info *info,
                        cf_error *err)
{
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < info->labels->n; i++)
		rc = list_add(&s->L, info->labels->v[i]);
	if (rc == 0 && !info->labels->n)
		rc = cf_judge_own_labels(s->j[0], &s->L);
	if (rc < 0)
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	if (s->L.n < 2)
		return cf_conf_error(err, info->conf_path, info->node, "the teacher "
		                     "needs the label set: set input.labels (or give "
		                     "the first judge a labels: map)");
	s->K = s->L.n;
	return 0;
}

static int parse_judges(teacher_state *s, const cf_pipeline_info *info,
                        cf_error *err)
{
	const cf_node *seq = s->judges.at;
	size_t i, k;
	int rc;

	if (s->model && seq)
		return cf_conf_error(err, info->conf_path, seq,
		                     "give either model: or judges:, not both");
	if (s->model) {
		s->nj = 1;
		if ((rc = cf_judge_open_model(&s->j[0], s->model, info->node,
		                              info->conf_path, err)) < 0)
			return rc;
		cf_judge_take_maps(s->j[0], &s->fields, &s->labels);
		return 0;
	}
	if (s->fields.n || s->labels.n)
		return cf_conf_error(err, info->conf_path, cf_node_get(info->node,
		                     s->fields.n ? "fields" : "labels"), "%s: goes "
		                     "with model:; with judges:, give it to the judge",
		                     s->fields.n ? "fields" : "labels");
	if (!seq)
		return cf_conf_error(err, info->conf_path, info->node,
		                     "teacher needs model: PATH or judges:");
	for (i = 0; i < s->judges.n; i++) {
		s->nj = i + 1;
		if ((rc = cf_judge_open(&s->j[i], s->judges.v[i], info->conf_path,
		                        err)) < 0)
			return rc;
		s->remote |= cf_judge_is_remote(s->j[i]);
	}
	for (i = 0; i < s->nj; i++)
		for (k = 0; k < i; k++)
			if (!strcmp(s->j[i]->c.name, s->j[k]->c.name))
				return cf_conf_error(err, info->conf_path, s->j[i]->node,
				                     "two judges are named '%s': give one a "
				                     "name:", s->j[i]->c.name);
	return 0;
}

/* Once the stage's labels are known: fields, label maps, clients. */
static int bind_judges(teacher_state *s, const cf_pipeline_info *info,
                       cf_error *err)
{
	cf_judge_env env = { info->conf_path, info->text_fields,
	                     "input.text_fields", "the stage's labels", s->seed,
	                     0, s->dry_run };
	size_t i;
	int rc;

	for (i = 0; i < s->nj; i++) {
		env.jitter_seed = s->seed + i;
		if ((rc = cf_judge_bind(s->j[i], &s->L, &env, err)) < 0)
			return rc;
	}
	return 0;
}

static void set_accept(teacher_state *s)
{
	s->acc.policy = (cf_policy)s->accept.policy;
	s->acc.min_delta = s->accept.min_delta;
	s->acc.min_prob = s->accept.min_prob;
	s->acc.has_band = s->accept.band.set;
	s->acc.band_lo = s->accept.band.lo;
	s->acc.band_hi = s->accept.band.hi;
}

/* A judge whose model also generates in an llm stage of this pipeline is
 * not independent of the generator ("Truth or Twist?"): say so. */
static void warn_independence(teacher_state *s, const cf_pipeline_info *info)
{
	const cf_stage_ref *r;
	size_t i, k;

	for (i = 0; i < info->nstages; i++) {
		r = &info->stages[i];
		if (i == info->index || !r->type || !r->model || strcmp(r->type, "llm"))
			continue;
		for (k = 0; k < s->nj; k++) {
			const cf_judge *jd = s->j[k];
			const cf_node *at = cf_node_get(jd->node, "model");
			if (!cf_judge_is_remote(jd) || !jd->c.model ||
			    strcmp(jd->c.model, r->model))
				continue;
			cf_stage_warn(s->st, "%s:%d:%d: judge '%s' uses the "
			        "model '%s', which also generates the candidates in stage "
			        "'%s' (line %d): generator and judge should be "
			        "independent", info->conf_path, at ? at->line : 0,
			        at ? at->col : 0, jd->c.name, jd->c.model,
			        r->name ? r->name : "llm", r->line);
		}
	}
}

static void teacher_destroy(cf_stage *st, void *state);

/* On failure init frees what it made itself: the runner does not call
 * destroy() for a stage whose init failed. */
static int teacher_init(cf_stage *st, void *state, const cf_pipeline_info *info,
                        cf_error *err)
{
	teacher_state *s = state;
	int rc;

	s->st = st;
	s->dry_run = info->dry_run;
	s->seed = info->seed;
	set_accept(s);
	if ((rc = parse_judges(s, info, err)) < 0 ||
	    (rc = stage_labels(s, info, err)) < 0 ||
	    (rc = bind_judges(s, info, err)) < 0)
		goto done;
	warn_independence(s, info);
done:
	if (rc < 0)
		teacher_destroy(st, s);
	return rc;
}

/* ---- scores ---------------------------------------------------------------- */

static void score_fail(jscore *sc, const char *why)
{
	sc->state = SC_FAILED;
	free(sc->error);
	sc->error = strdup(why);
}

static const char *item_text(void *ctx, const char *field, size_t *len)
{
	return cf_item_text(ctx, field, len);
}

/* Score item it with every judge into js[]: in-process ones now, remote
 * ones by requests (counted in the pending of js's owner, o or jb); it
 * stays valid until they are answered. */
static int score_all(teacher_state *s, const cf_item *it, jscore *js, orec *o,
                     job *jb, cf_error *err)
{
	size_t j;
	int rc;

	for (j = 0; j < s->nj; j++) {
		cf_judge *jd = s->j[j];
		jscore *sc = &js[j];

		sc->o = o;
		sc->jb = jb;
		if (!cf_judge_is_remote(jd)) {
			if (cf_judge_score(jd, item_text, (void *)it, sc->p) < 0)
				score_fail(sc, "the model could not score the text (out of "
				           "memory)");
			else
				sc->state = SC_OK;
		} else if (s->dry_run) {
			jd->st.dry_requests++;
		} else if ((rc = cf_judge_submit(jd, item_text, (void *)it, sc->p, sc,
		                                 err)) < 0) {
			return rc;
		} else if (rc == 1) {
			score_fail(sc, "cannot build the request (a text is not valid "
			           "UTF-8)");
		} else if (o) {
			o->pending++;
		} else {
			jb->pending++;
		}
	}
	return 0;
}

/* ---- originals --------------------------------------------------------- */

static size_t score_bytes(const teacher_state *s)
{
	return s->nj * (sizeof(jscore) + s->K * sizeof(double));
}

/* Point js[j].p into the doubles after the nj jscores. */
static void wire_scores(const teacher_state *s, jscore *js)
{
	double *p = (double *)(void *)(js + s->nj);
	size_t j;

	for (j = 0; j < s->nj; j++)
		js[j].p = p + j * s->K;
}

static void scores_clear(const teacher_state *s, jscore *js)
{
	size_t j;

	for (j = 0; j < s->nj; j++) {
		free(js[j].error);
		js[j].error = NULL;
	}
}

static void lru_unlink(teacher_state *s, orec *o)
{
	if (o->lprev)
		o->lprev->lnext = o->lnext;
	else if (s->lru_head == o)
		s->lru_head = o->lnext;
	if (o->lnext)
		o->lnext->lprev = o->lprev;
	else if (s->lru_tail == o)
		s->lru_tail = o->lprev;
	o->lprev = o->lnext = NULL;
}

static void orec_free(teacher_state *s, orec *o)
{
	orec **pp = &s->buckets[o->seq % OREC_BUCKETS];

	while (*pp && *pp != o)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = o->hnext;
	scores_clear(s, o->js);
	free(o);
}

/* A candidate no longer uses o: keep it a while for late candidates. */
static void orec_release(teacher_state *s, orec *o)
{
	if (--o->refs > 0)
		return;
	o->rec = NULL;
	o->lprev = s->lru_tail;
	if (s->lru_tail)
		s->lru_tail->lnext = o;
	else
		s->lru_head = o;
	s->lru_tail = o;
	if (++s->nlru > LRU_KEEP) {
		orec *old = s->lru_head;
		lru_unlink(s, old);
		s->nlru--;
		orec_free(s, old);
	}
}

/* The original's scores for it's record: found, or made and asked for. */
static int orec_get(teacher_state *s, cf_item *it, orec **out, cf_error *err)
{
	uint64_t seq = it->rec->seq;
	orec *o;

	for (o = s->buckets[seq % OREC_BUCKETS]; o && o->seq != seq; o = o->hnext)
		;
	if (o) {
		if (o->refs++ == 0) {
			lru_unlink(s, o);
			s->nlru--;
		}
		o->rec = o->orig.rec = it->rec;
		*out = o;
		return 0;
	}
	if (!(o = calloc(1, sizeof *o + score_bytes(s))))
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	wire_scores(s, o->js);
	o->seq = seq;
	o->rec = it->rec;
	o->refs = 1;
	o->hnext = s->buckets[seq % OREC_BUCKETS];
	s->buckets[seq % OREC_BUCKETS] = o;
	*out = o;
	o->orig.rec = it->rec;
	return score_all(s, &o->orig, o->js, o, NULL, err);
}

/* ---- deciding ------------------------------------------------------------ */

static json_t *probs_json(const teacher_state *s, const jscore *sc)
{
	json_t *o;
	size_t k;

	if (sc->state != SC_OK)
		return json_null();
	o = json_object();
	for (k = 0; o && k < s->K; k++)
		json_object_set_new(o, s->L.v[k], json_real(sc->p[k]));
	return o;
}

static json_t *judge_json(const teacher_state *s, size_t j, const jscore *po,
                          const jscore *pc)
{
	const cf_judge *jd = s->j[j];
	json_t *o = json_pack("{s:s, s:s}", "name", jd->c.name, "kind",
	                      jd->kind->name);

	if (!o)
		return NULL;
	if (jd->c.model)
		json_object_set_new(o, "model", json_string(jd->c.model));
	if (jd->endpoint) {   /* no userinfo, no query values in outputs */
		char url[512];
		cf_http_redact_url(jd->endpoint, url, sizeof url);
		json_object_set_new(o, "url", json_string(url));
	}
	json_object_set_new(o, "orig", probs_json(s, po));
	json_object_set_new(o, "cf", probs_json(s, pc));
	if (pc->source)
		json_object_set_new(o, "source", json_string(pc->source));
	return o;
}

static void count_reason(teacher_state *s, const char *why)
{
	size_t k;

	for (k = 0; k < R_COUNT; k++)
		if (!strcmp(reason_names[k], why))
			s->rejected[k]++;
}

/* Once per original: does each judge's top label match the record's? */
static void count_original(teacher_state *s, orec *o, const char *label)
{
	size_t j, k, top;

	if (o->counted)
		return;
	o->counted = 1;
	for (k = 0; label && k < s->K && strcmp(s->L.v[k], label); k++)
		;
	if (!label || k == s->K)
		return;
	for (j = 0; j < s->nj; j++) {
		if (o->js[j].state != SC_OK)
			continue;
		for (top = 0, k = 1; k < s->K; k++)
			if (o->js[j].p[k] > o->js[j].p[top])
				top = k;
		s->orig_n[j]++;
		s->orig_hit[j] += !strcmp(s->L.v[top], label);
	}
}

static void job_free(teacher_state *s, job *jb)
{
	if (!jb)
		return;
	scores_clear(s, jb->js);
	free(jb);
}

/* Everything answered: accept or reject jb's candidate, free jb. */
static void decide(teacher_state *s, job *jb)
{
	size_t K = s->K, j, k, nacc = 0;
	cf_item *it = jb->it;
	const jscore *po = jb->o->js, *pc = jb->js;
	const char *target = s->L.v[jb->ti], *why = NULL, *jwhy;
	double pm[CF_JUDGE_MAX_LABELS], qm[CF_JUDGE_MAX_LABELS], sc = 0, jsc;
	json_t *t = json_object(), *jl = json_array(), *detail = NULL;
	int ok = 0;

	for (j = 0; j < s->nj; j++) {
		if (jb->dry) {
			why = "dry_run";
			break;
		}
		if (po[j].state != SC_OK || pc[j].state != SC_OK) {
			int onorig = po[j].state != SC_OK;
			why = "judge_failed";
			detail = json_pack("{s:s, s:s, s:s, s:s?}", "target", target,
			                   "judge", s->j[j]->c.name, "text", onorig ?
			                   "original" : "counterfactual", "error",
			                   onorig ? po[j].error : pc[j].error);
			break;
		}
	}
	if (!why) {
		for (k = 0; k < K; k++) {
			pm[k] = qm[k] = 0;
			for (j = 0; j < s->nj; j++) {
				pm[k] += po[j].p[k] / (double)s->nj;
				qm[k] += pc[j].p[k] / (double)s->nj;
			}
		}
		if (s->combine == CF_COMBINE_MEAN) {
			ok = cf_accept_decide(&s->acc, pm, qm, K, (size_t)jb->ti, &sc, &why);
		} else {
			for (j = 0; j < s->nj; j++) {
				if (cf_accept_decide(&s->acc, po[j].p, pc[j].p, K,
				                     (size_t)jb->ti, &jsc, &jwhy))
					nacc++;
				else if (!why)
					why = jwhy;
				sc += jsc / (double)s->nj;
			}
			ok = s->combine == CF_COMBINE_ALL ? nacc == s->nj
			                                  : 2 * nacc > s->nj;
			if (ok)
				why = NULL;
		}
		count_original(s, jb->o, it->rec->label);
		s->scored++;
		s->sum_delta += qm[jb->ti] - pm[jb->ti];
		detail = json_pack("{s:s, s:f}", "target", target, "score", sc);
	}
	if (t && jl) {
		json_object_set_new(t, "judges", jl);
		jl = NULL;
		for (j = 0; j < s->nj; j++)
			json_array_append_new(json_object_get(t, "judges"),
			                      judge_json(s, j, &po[j], &pc[j]));
		json_object_set_new(t, "policy", json_string(cf_policy_names[s->acc.policy]));
		json_object_set_new(t, "combine", json_string(cf_combine_names[s->combine]));
		json_object_set_new(t, "target", json_string(target));
		if (!why || (strcmp(why, "judge_failed") && strcmp(why, "dry_run")))
			json_object_set_new(t, "score", json_real(sc));
		json_object_set_new(t, "accepted", json_boolean(ok));
		cf_item_annotate(it, "teacher", t);   /* steals t */
		t = NULL;
	}
	json_decref(t);
	json_decref(jl);
	orec_release(s, jb->o);
	job_free(s, jb);
	if (ok) {
		json_decref(detail);
		s->accepted++;
		cf_emit(s->st, it);
		return;
	}
	count_reason(s, why);
	cf_reject(s->st, it, why, detail);
}

static void job_unlink(teacher_state *s, job *jb)
{
	if (jb->prev)
		jb->prev->next = jb->next;
	else
		s->jobs = jb->next;
	if (jb->next)
		jb->next->prev = jb->prev;
	s->njobs--;
}

/* Decide jb if everything it needs has answered. */
static void try_decide(teacher_state *s, job *jb)
{
	if (jb->pending || jb->o->pending)
		return;
	job_unlink(s, jb);
	decide(s, jb);
}

/* ---- process ----------------------------------------------------------- */

static void poll_judges(teacher_state *s, int timeout_ms, cf_error *err);

static int teacher_process(cf_stage *st, void *state, cf_item *it,
                           cf_error *err)
{
	teacher_state *s = state;
	const char *target;
	int ti = -1, rc;
	size_t k;
	job *jb;

	if (!cf_item_is_candidate(it)) {
		cf_emit(st, it);
		return 0;
	}
	target = s->acc.policy == CF_POLICY_PRESERVE ? it->rec->label :
	         cf_item_label(it);
	for (k = 0; target && k < s->K; k++)
		if (!strcmp(s->L.v[k], target))
			ti = (int)k;
	if (ti < 0) {
		s->rejected[R_UNKNOWN_LABEL]++;
		cf_reject(st, it, "unknown_label", json_pack("{s:s?}", "target", target));
		return 0;
	}
	if (!(jb = calloc(1, sizeof *jb + score_bytes(s)))) {
		cf_fail_record(st, it, "teacher_failed");
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	}
	wire_scores(s, jb->js);
	jb->it = it;
	jb->ti = ti;
	jb->dry = s->dry_run && s->remote;
	jb->next = s->jobs;
	if (s->jobs)
		s->jobs->prev = jb;
	s->jobs = jb;
	s->njobs++;
	/* held from here on: a failure below leaves it to destroy() */
	if ((rc = orec_get(s, it, &jb->o, err)) < 0 ||
	    (rc = score_all(s, it, jb->js, NULL, jb, err)) < 0) {
		if (!jb->o) {
			job_unlink(s, jb);
			job_free(s, jb);
			cf_fail_record(st, it, "teacher_failed");
		}
		return rc;
	}
	if (!jb->pending && !jb->o->pending) {
		try_decide(s, jb);
	} else {
		jb->onext = jb->o->waiting;
		jb->o->waiting = jb;
		poll_judges(s, 0, err);
	}
	return 0;
}

/* ---- answers ------------------------------------------------------------ */

/* A remote judge's answer for the score sc (the request's user). */
static void on_answer(void *ctx, cf_judge *jd, void *user,
                      const cf_judge_answer *a)
{
	teacher_state *s = ctx;
	jscore *sc = user;
	orec *o = sc->o;
	job *jb = sc->jb, *w, *wn;
	char msg[CF_ERRMSG_MAX];

	if (a->outcome == CF_JUDGE_REFUSED) {
		int auth = a->status == 401 || a->status == 403;
		snprintf(msg, sizeof msg, "stage '%s', judge '%s': %s refused the "
		         "request: %s%s%s%s", cf_stage_name(s->st), jd->c.name,
		         jd->endpoint, a->why, !auth ? "" : jd->c.api_key_env ?
		         " (check the key in $" : " (the judge sends no key: set "
		         "api_key_env", auth && jd->c.api_key_env ? jd->c.api_key_env : "",
		         auth ? ")" : "");
		cf_stage_fail(s->st, CF_ENET, "%s", msg);
		score_fail(sc, a->why);
	} else if (a->outcome == CF_JUDGE_ERROR) {
		cf_stage_fail(s->st, CF_ENOMEM, "%s", a->why);
		score_fail(sc, a->why);
	} else if (a->outcome == CF_JUDGE_FAILED) {
		score_fail(sc, a->why);
	} else {
		sc->state = SC_OK;
		sc->source = a->source;
	}
	if (o) {
		if (--o->pending == 0) {
			w = o->waiting;
			o->waiting = NULL;
			for (; w; w = wn) {
				wn = w->onext;
				if (w->pending) {       /* still waits for its own scores */
					w->onext = o->waiting;
					o->waiting = w;
				} else {
					try_decide(s, w);
				}
			}
		}
	} else if (--jb->pending == 0 && !jb->o->pending) {
		/* off the orec's waiting list, then decide */
		job **pp = &jb->o->waiting;
		while (*pp && *pp != jb)
			pp = &(*pp)->onext;
		if (*pp)
			*pp = jb->onext;
		try_decide(s, jb);
	}
}

/* Poll every judge with requests pending; with several, each in turn for
 * a short slice, so none waits behind another's timeout. */
static void poll_judges(teacher_state *s, int timeout_ms, cf_error *err)
{
	size_t j, busy = 0;
	int rc, slice;

	for (j = 0; j < s->nj; j++)
		if (cf_judge_pending(s->j[j]))
			busy++;
	slice = busy > 1 && timeout_ms > 2 ? 2 : timeout_ms;
	for (j = 0; j < s->nj && !cf_stage_failed(s->st); j++) {
		if (!cf_judge_pending(s->j[j]))
			continue;
		if ((rc = cf_judge_poll(s->j[j], slice, on_answer, s, err)) < 0)
			cf_stage_fail(s->st, rc, "%s", err->msg);
	}
}

static int teacher_poll(cf_stage *st, void *state, int timeout_ms, cf_error *err)
{
	teacher_state *s = state;
	size_t j, pending = 0;

	if (!s->njobs || cf_stage_failed(st))
		return 0;
	poll_judges(s, timeout_ms, err);
	if (cf_stage_failed(st))
		return 0;
	for (j = 0; j < s->nj; j++)
		pending += cf_judge_pending(s->j[j]);
	if (s->njobs > 0 && pending == 0)
		return cf_error_set(err, CF_EINTERNAL, "stage '%s' holds %ld "
		                    "candidates and waits for nothing",
		                    cf_stage_name(st), s->njobs);
	return s->njobs > INT32_MAX ? INT32_MAX : (int)s->njobs;
}

/* ---- report, destroy ------------------------------------------------------ */

static int teacher_flush(cf_stage *st, void *state, cf_error *err)
{
	(void)st;
	(void)err;
	((teacher_state *)state)->ended = 1;
	return 0;
}

/* Once every candidate is decided (report() also runs for progress): a
 * judge that knows the originals this well has likely been trained on
 * them, and its verdicts on their counterfactuals mean little. */
static void warn_leakage(teacher_state *s)
{
	char note[160];
	size_t j;

	if (!s->ended || s->njobs || s->leak_warned)
		return;
	s->leak_warned = 1;
	for (j = 0; j < s->nj; j++)
		if (cf_overfit_note(note, sizeof note, s->orig_hit[j], s->orig_n[j],
		                    "originals it judged"))
			cf_stage_warn(s->st, "stage '%s': judge '%s' is %s, and filtering "
			        "with an over-fitted teacher keeps almost nothing (train "
			        "it on other data, or cross-fit)", cf_stage_name(s->st),
			        s->j[j]->c.name, note);
}

static int teacher_report(cf_stage *st, void *state, json_t *out)
{
	teacher_state *s = state;
	json_t *r = json_object(), *ja = json_array();
	size_t k, j;

	for (k = 0; k < R_COUNT; k++)
		json_object_set_new(r, reason_names[k], json_integer((json_int_t)s->rejected[k]));
	json_object_set_new(out, "accepted", json_integer((json_int_t)s->accepted));
	json_object_set_new(out, "rejected_by_reason", r);
	json_object_set_new(out, "mean_delta",
	                    json_real(s->scored ? s->sum_delta / (double)s->scored : 0.0));
	for (j = 0; j < s->nj; j++) {
		const cf_judge *jd = s->j[j];
		json_t *o = json_pack("{s:s, s:s}", "name", jd->c.name, "kind",
		                      jd->kind->name);
		json_object_set_new(o, "orig_n", json_integer((json_int_t)s->orig_n[j]));
		json_object_set_new(o, "orig_accuracy", s->orig_n[j] ?
		        json_real((double)s->orig_hit[j] / (double)s->orig_n[j]) :
		        json_null());
		if (cf_judge_is_remote(jd)) {
			const cf_http_stats *hs = cf_judge_http_stats(jd);
			json_object_set_new(o, "requests", json_integer((json_int_t)(hs ? hs->attempts : 0)));
			json_object_set_new(o, "retries", json_integer((json_int_t)(hs ? hs->retries : 0)));
			json_object_set_new(o, "max_in_flight", json_integer(hs ? hs->max_in_flight : 0));
			json_object_set_new(o, "failed", json_integer((json_int_t)jd->st.failed));
			if (s->dry_run)
				json_object_set_new(o, "dry_run_requests",
				                    json_integer((json_int_t)jd->st.dry_requests));
		}
		if (jd->kind->flags & CF_JUDGE_SOURCES)
			json_object_set_new(o, "answers", json_pack("{s:I, s:I, s:I}",
			        "logprobs", (json_int_t)jd->st.by_source[0], "json",
			        (json_int_t)jd->st.by_source[1], "answer",
			        (json_int_t)jd->st.by_source[2]));
		json_array_append_new(ja, o);
	}
	json_object_set_new(out, "judges", ja);
	warn_leakage(s);
	return 0;
}

static void teacher_destroy(cf_stage *st, void *state)
{
	teacher_state *s = state;
	size_t j, b;
	job *jb, *jn;
	orec *o, *on;

	for (j = 0; j < MAX_JUDGES; j++)
		cf_judge_free(&s->j[j]);   /* and its requests in flight */
	/* a run abandoned mid-way: the candidates still held are ours to free
	 * (cf_item_free leaves originals alone) */
	for (jb = s->jobs; jb; jb = jn) {
		jn = jb->next;
		cf_item_free(jb->it);
		job_free(s, jb);
	}
	s->jobs = NULL;
	for (b = 0; b < OREC_BUCKETS; b++)
		for (o = s->buckets[b]; o; o = on) {
			on = o->hnext;
			scores_clear(s, o->js);
			free(o);
		}
	memset(s->buckets, 0, sizeof s->buckets);
	cf_strlist_free(&s->L);
	(void)st;
}

const cf_stage_kind cf_stage_teacher = {
	.version = CF_STAGE_API_VERSION,
	.name = "teacher",
	.summary = "keep candidates that judges (built-in model, TEI, vLLM, LLM) "
	           "find to carry the target label",
	.state_size = sizeof(teacher_state),
	.options = teacher_options,
	.flags = CF_STAGE_CANDIDATES,
	.init = teacher_init,
	.process = teacher_process,
	.poll = teacher_poll,
	.flush = teacher_flush,
	.report = teacher_report,
	.destroy = teacher_destroy,
};
