/*
 * teacher.c - the teacher stage: judges score each candidate against its
 * original and an acceptance policy keeps it or rejects it.
 *
 * Consumes candidates, emits 0 or 1: the candidate with it->teacher =
 * {judges: [{name, kind, orig: {label: p}, cf: {label: q}}], policy,
 * target, score, accepted}, or a rejection with the policy's reason
 * ("no_flip", "below_delta", "below_threshold", "label_changed",
 * "out_of_band"; "unknown_label" when the target is not one of the
 * judges' labels).  Policies and combination: pipeline/teacher_policy.h.
 *
 * Judges: `model: PATH` is shorthand for one builtin judge; `judges:` is a
 * sequence of {kind: builtin, model: PATH, name: N}.  Remote kinds (tei,
 * llm) are refused at init until they exist.  Every judge must know the
 * labels of the first one; each reads its own text fields (those it was
 * trained on), which must be among input.text_fields.  Model paths are
 * taken as given (relative to the working directory).
 *
 * State: the loaded models, a direct-mapped cache of the originals'
 * probabilities (CACHE_SLOTS records; candidates of one record arrive
 * together, so one original is scored once), counters.  Synchronous.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cfaug/sys/stage.h"
#include "linear_model.h"
#include "teacher_policy.h"

#define CACHE_SLOTS 64
#define MAX_JUDGES  16

enum { R_NO_FLIP, R_BELOW_DELTA, R_BELOW_THRESHOLD, R_LABEL_CHANGED,
       R_OUT_OF_BAND, R_UNKNOWN_LABEL, R_COUNT };
static const char *const reason_names[R_COUNT] = {
	"no_flip", "below_delta", "below_threshold", "label_changed",
	"out_of_band", "unknown_label"
};

typedef struct judge {
	char *name, *model;        /* options (judge table) */
	cf_lm *lm;
	size_t *map;               /* first judge's label k -> this judge's */
} judge;

typedef struct accept_opts {
	int policy;
	double min_delta, min_prob;
	const cf_node *band;
} accept_opts;

typedef struct teacher_state {
	/* options */
	char *model;
	const cf_node *judges_node, *accept_node;
	int combine;
	/* from init */
	judge j[MAX_JUDGES];
	size_t nj, K;
	cf_accept acc;
	double *buf;               /* scratch: nj x K x 2 */
	struct slot { uint64_t key; double *p; } cache[CACHE_SLOTS];
	double *cache_mem;         /* CACHE_SLOTS x nj x K */
	/* figures */
	uint64_t accepted, rejected[R_COUNT], scored;
	double sum_delta;
} teacher_state;

static const cf_option teacher_options[] = {
	{ "model", CF_OPT_STRING, offsetof(teacher_state, model), NULL, 0, NULL,
	  0, 0, NULL, "model file of one builtin judge (shorthand for judges:)" },
	{ "judges", CF_OPT_NODE, offsetof(teacher_state, judges_node), NULL, 0,
	  NULL, 0, 0, NULL, "sequence of {kind: builtin, model: PATH, name: N}" },
	{ "combine", CF_OPT_ENUM, offsetof(teacher_state, combine), "mean", 0,
	  cf_combine_names, 0, 0, NULL, "mean | vote | all (several judges)" },
	{ "accept", CF_OPT_NODE, offsetof(teacher_state, accept_node), NULL, 0,
	  NULL, 0, 0, NULL, "{policy: flip|delta|threshold|preserve, min_delta, "
	  "min_prob, band: [lo, hi]}" },
	{ NULL }
};

static const cf_option accept_table[] = {
	{ "policy", CF_OPT_ENUM, offsetof(accept_opts, policy), "flip", 0,
	  cf_policy_names, 0, 0, NULL, "flip | delta | threshold | preserve" },
	{ "min_delta", CF_OPT_DOUBLE, offsetof(accept_opts, min_delta), "0.25", 0,
	  NULL, -1, 1, NULL, "delta: least rise of the target's probability" },
	{ "min_prob", CF_OPT_DOUBLE, offsetof(accept_opts, min_prob), "0.5", 0,
	  NULL, 0, 1, NULL, "threshold, preserve: least target probability" },
	{ "band", CF_OPT_NODE, offsetof(accept_opts, band), NULL, 0, NULL, 0, 0,
	  NULL, "[lo, hi]: the target's probability must lie within" },
	{ NULL }
};

static const cf_option judge_table[] = {
	{ "model", CF_OPT_STRING, offsetof(judge, model), NULL, CF_OPT_REQUIRED,
	  NULL, 0, 0, NULL, "model file (cfaug teacher train)" },
	{ "name", CF_OPT_STRING, offsetof(judge, name), NULL, 0, NULL, 0, 0, NULL,
	  "name in it->teacher (default: the model path)" },
	{ NULL }
};

static const char *const judge_skip[] = { "kind", NULL };

static int load_judge(teacher_state *s, judge *jd, const cf_pipeline_info *info,
                      const cf_node *at, cf_error *err)
{
	size_t f, t, k;
	cf_error lerr = { 0 };
	int rc;

	if ((rc = cf_lm_load(&jd->lm, jd->model, &lerr)) < 0)
		return cf_conf_error(err, info->conf_path, at, "%s", lerr.msg);
	for (f = 0; f < cf_lm_nfields(jd->lm); f++) {
		for (t = 0; t < info->text_fields->n; t++)
			if (!strcmp(cf_lm_field(jd->lm, f), info->text_fields->v[t]))
				break;
		if (t == info->text_fields->n)
			return cf_conf_error(err, info->conf_path, at, "%s reads text "
			                     "field '%s', which is not in input.text_fields",
			                     jd->model, cf_lm_field(jd->lm, f));
	}
	if (jd == s->j) {
		s->K = cf_lm_nlabels(jd->lm);
		for (k = 0; k < info->labels->n; k++)
			if (cf_lm_label_index(jd->lm, info->labels->v[k]) < 0)
				return cf_conf_error(err, info->conf_path, at, "%s does not "
				                     "know the label '%s' of input.labels",
				                     jd->model, info->labels->v[k]);
	}
	if (cf_lm_nlabels(jd->lm) != s->K ||
	    !(jd->map = calloc(s->K, sizeof *jd->map)))
		goto mismatch;
	for (k = 0; k < s->K; k++) {
		int i = cf_lm_label_index(jd->lm, cf_lm_label(s->j[0].lm, k));

		if (i < 0)
			goto mismatch;
		jd->map[k] = (size_t)i;
	}
	return 0;
mismatch:
	return cf_conf_error(err, info->conf_path, at, "%s has other labels than "
	                     "the first judge %s", jd->model, s->j[0].model);
}

static int parse_judges(teacher_state *s, const cf_pipeline_info *info,
                        cf_error *err)
{
	const cf_node *seq = s->judges_node;
	size_t i;
	int rc;

	if (s->model && seq)
		return cf_conf_error(err, info->conf_path, seq,
		                     "give either model: or judges:, not both");
	if (s->model) {
		s->nj = 1;
		if (!(s->j[0].model = strdup(s->model)) ||
		    !(s->j[0].name = strdup(s->model)))
			return cf_error_set(err, CF_ENOMEM, "out of memory");
		return load_judge(s, &s->j[0], info, cf_node_get(info->node, "model"),
		                  err);
	}
	if (!seq)
		return cf_conf_error(err, info->conf_path, info->node,
		                     "teacher needs model: PATH or judges:");
	if (seq->type != CF_NODE_SEQ || seq->nkids == 0 || seq->nkids > MAX_JUDGES)
		return cf_conf_error(err, info->conf_path, seq, "judges: expected a "
		                     "sequence of 1 to %d judges", MAX_JUDGES);
	for (i = 0; i < seq->nkids; i++) {
		const cf_node *jn = seq->kids[i], *kn = cf_node_get(jn, "kind");
		judge *jd = &s->j[i];

		if (jn->type != CF_NODE_MAP)
			return cf_conf_error(err, info->conf_path, jn,
			                     "a judge is a mapping with kind: and model:");
		if (!kn || kn->type != CF_NODE_SCALAR)
			return cf_conf_error(err, info->conf_path, jn,
			                     "judge without kind: (builtin, tei or llm)");
		if (!strcmp(kn->str, "tei") || !strcmp(kn->str, "llm"))
			return cf_conf_error(err, info->conf_path, kn, "judge kind '%s' "
			                     "is not available in this build yet", kn->str);
		if (strcmp(kn->str, "builtin"))
			return cf_conf_error(err, info->conf_path, kn, "unknown judge "
			                     "kind '%s' (builtin, tei or llm)", kn->str);
		s->nj = i + 1;
		if ((rc = cf_options_load(judge_table, jd, jn, info->conf_path,
		                          judge_skip, err)) < 0)
			return rc;
		if (!jd->name && !(jd->name = strdup(jd->model)))
			return cf_error_set(err, CF_ENOMEM, "out of memory");
		if ((rc = load_judge(s, jd, info, cf_node_get(jn, "model"), err)) < 0)
			return rc;
	}
	return 0;
}

static int parse_accept(teacher_state *s, const cf_pipeline_info *info,
                        cf_error *err)
{
	accept_opts a;
	const cf_node *b;
	int rc;

	memset(&a, 0, sizeof a);
	if ((rc = cf_options_load(accept_table, &a, s->accept_node,
	                          info->conf_path, NULL, err)) < 0)
		return rc;
	s->acc.policy = (cf_policy)a.policy;
	s->acc.min_delta = a.min_delta;
	s->acc.min_prob = a.min_prob;
	if ((b = a.band)) {
		if (b->type != CF_NODE_SEQ || b->nkids != 2 ||
		    cf_node_to_double(b->kids[0], &s->acc.band_lo) < 0 ||
		    cf_node_to_double(b->kids[1], &s->acc.band_hi) < 0 ||
		    !(s->acc.band_lo >= 0 && s->acc.band_lo <= s->acc.band_hi &&
		      s->acc.band_hi <= 1))
			rc = cf_conf_error(err, info->conf_path, b, "band: expected "
			                   "[lo, hi] with 0 <= lo <= hi <= 1");
		s->acc.has_band = 1;
	}
	cf_options_free(accept_table, &a);
	return rc;
}

static void teacher_destroy(cf_stage *st, void *state);

/* On failure init frees what it made itself: the runner does not call
 * destroy() for a stage whose init failed. */
static int teacher_init(cf_stage *st, void *state, const cf_pipeline_info *info,
                        cf_error *err)
{
	teacher_state *s = state;
	size_t i;
	int rc;

	if ((rc = parse_accept(s, info, err)) < 0 ||
	    (rc = parse_judges(s, info, err)) < 0)
		goto done;
	if (!(s->buf = malloc(2 * s->nj * s->K * sizeof *s->buf)) ||
	    !(s->cache_mem = malloc(CACHE_SLOTS * s->nj * s->K * sizeof(double)))) {
		rc = cf_error_set(err, CF_ENOMEM, "out of memory");
		goto done;
	}
	for (i = 0; i < CACHE_SLOTS; i++) {
		s->cache[i].key = UINT64_MAX;
		s->cache[i].p = s->cache_mem + i * s->nj * s->K;
	}
done:
	if (rc < 0)
		teacher_destroy(st, s);
	return rc;
}

/* Every judge's probabilities for item it into out[j * K + k], in the first
 * judge's label order. */
static int score(teacher_state *s, const cf_item *it, double *out)
{
	const char *texts[CF_LM_MAX_FIELDS];
	size_t lens[CF_LM_MAX_FIELDS], j, f, k;
	double tmp[CF_LM_MAX_LABELS];
	int rc;

	for (j = 0; j < s->nj; j++) {
		const cf_lm *m = s->j[j].lm;

		for (f = 0; f < cf_lm_nfields(m); f++) {
			texts[f] = cf_item_text(it, cf_lm_field(m, f), &lens[f]);
			if (!texts[f])
				lens[f] = 0;
		}
		if ((rc = cf_lm_predict_len(m, texts, lens, cf_lm_nfields(m), tmp)) < 0)
			return rc;
		for (k = 0; k < s->K; k++)
			out[j * s->K + k] = tmp[s->j[j].map[k]];
	}
	return 0;
}

static json_t *probs_json(const teacher_state *s, const double *p)
{
	json_t *o = json_object();
	size_t k;

	for (k = 0; o && k < s->K; k++)
		json_object_set_new(o, cf_lm_label(s->j[0].lm, k), json_real(p[k]));
	return o;
}

static int teacher_process(cf_stage *st, void *state, cf_item *it,
                           cf_error *err)
{
	teacher_state *s = state;
	size_t K = s->K, j, k, nacc = 0;
	struct slot *sl = &s->cache[it->rec->seq % CACHE_SLOTS];
	const char *target, *why = NULL, *jwhy;
	double *p, *q = s->buf, pm[CF_LM_MAX_LABELS], qm[CF_LM_MAX_LABELS];
	double sc = 0, jsc;
	json_t *t = NULL, *jl;
	int ti, ok, rc;

	if (!cf_item_is_candidate(it)) {
		cf_emit(st, it);
		return 0;
	}
	target = s->acc.policy == CF_POLICY_PRESERVE ? it->rec->label :
	         cf_item_label(it);
	ti = target ? cf_lm_label_index(s->j[0].lm, target) : -1;
	if (ti < 0) {
		s->rejected[R_UNKNOWN_LABEL]++;
		cf_reject(st, it, "unknown_label", json_pack("{s:s?}", "target", target));
		return 0;
	}
	/* the original's scores, once per record */
	p = sl->p;
	if (sl->key != it->rec->seq) {
		cf_item orig;

		memset(&orig, 0, sizeof orig);
		orig.rec = it->rec;
		if ((rc = score(s, &orig, p)) < 0)
			goto fail;
		sl->key = it->rec->seq;
	}
	if ((rc = score(s, it, q)) < 0)
		goto fail;

	/* decide: once on the mean, or per judge */
	for (k = 0; k < K; k++) {
		pm[k] = qm[k] = 0;
		for (j = 0; j < s->nj; j++) {
			pm[k] += p[j * K + k] / (double)s->nj;
			qm[k] += q[j * K + k] / (double)s->nj;
		}
	}
	if (s->combine == CF_COMBINE_MEAN) {
		ok = cf_accept_decide(&s->acc, pm, qm, K, (size_t)ti, &sc, &why);
	} else {
		for (j = 0; j < s->nj; j++) {
			if (cf_accept_decide(&s->acc, p + j * K, q + j * K, K, (size_t)ti,
			                     &jsc, &jwhy))
				nacc++;
			else if (!why)
				why = jwhy;
			sc += jsc / (double)s->nj;
		}
		ok = s->combine == CF_COMBINE_ALL ? nacc == s->nj : 2 * nacc > s->nj;
		if (ok)
			why = NULL;
	}
	s->scored++;
	s->sum_delta += qm[ti] - pm[ti];

	/* it->teacher */
	rc = CF_ENOMEM;
	if (!(t = json_object()) || !(jl = json_array()))
		goto fail;
	json_object_set_new(t, "judges", jl);
	for (j = 0; j < s->nj; j++)
		if (json_array_append_new(jl, json_pack("{s:s,s:s,s:o,s:o}", "name",
		        s->j[j].name, "kind", "builtin", "orig", probs_json(s, p + j * K),
		        "cf", probs_json(s, q + j * K))) < 0)
			goto fail;
	if (json_object_set_new(t, "policy", json_string(cf_policy_names[s->acc.policy])) < 0 ||
	    json_object_set_new(t, "target", json_string(target)) < 0 ||
	    json_object_set_new(t, "score", json_real(sc)) < 0 ||
	    json_object_set_new(t, "accepted", json_boolean(ok)) < 0)
		goto fail;
	json_decref(it->teacher);
	it->teacher = t;
	if (ok) {
		s->accepted++;
		cf_emit(st, it);
		return 0;
	}
	for (k = 0; k < R_COUNT; k++)
		if (!strcmp(reason_names[k], why))
			s->rejected[k]++;
	cf_reject(st, it, why, json_pack("{s:s,s:f}", "target", target, "score", sc));
	return 0;
fail:
	json_decref(t);
	cf_fail_record(st, it, "teacher_failed");
	return cf_error_set(err, rc, "teacher %s: %s", cf_stage_name(st),
	                    cf_strerror(rc));
}

static int teacher_report(cf_stage *st, void *state, json_t *out)
{
	teacher_state *s = state;
	json_t *r = json_object();
	size_t k;

	for (k = 0; k < R_COUNT; k++)
		json_object_set_new(r, reason_names[k], json_integer((json_int_t)s->rejected[k]));
	json_object_set_new(out, "accepted", json_integer((json_int_t)s->accepted));
	json_object_set_new(out, "rejected_by_reason", r);
	json_object_set_new(out, "mean_delta",
	                    json_real(s->scored ? s->sum_delta / (double)s->scored : 0.0));
	return 0;
}

static void teacher_destroy(cf_stage *st, void *state)
{
	teacher_state *s = state;
	size_t j;

	for (j = 0; j < MAX_JUDGES; j++) {
		cf_lm_free(&s->j[j].lm);
		free(s->j[j].map);
		s->j[j].map = NULL;
		cf_options_free(judge_table, &s->j[j]);   /* model, name */
	}
	free(s->buf);
	free(s->cache_mem);
	s->buf = s->cache_mem = NULL;
}

const cf_stage_kind cf_stage_teacher = {
	.name = "teacher",
	.summary = "keep candidates a classifier judges to have the target label",
	.state_size = sizeof(teacher_state),
	.options = teacher_options,
	.flags = CF_STAGE_CANDIDATES,
	.init = teacher_init,
	.process = teacher_process,
	.report = teacher_report,
	.destroy = teacher_destroy,
};
