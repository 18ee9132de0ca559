/*
 * eval_json.c - report.json of `cfaug eval`: every figure as JSON (the HTML page is
 * drawn from it by eval_report.c), and the spurious-token tables.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include "eval_int.h"

static const char *const bd_names[BD_COUNT] = {
	"transition", "stage", "kind", "rule", "prompt", "model", "edited_field"
};

/* ---- the report ------------------------------------------------------- */

json_t *ev_jnum(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

json_t *ev_jprop(uint64_t k, uint64_t n)
{
	cf_prop p;

	cf_eval_wilson(k, n, CF_EVAL_Z95, &p);
	return json_pack("{s:I,s:I,s:o,s:o,s:o}", "k", (json_int_t)k, "n",
	                 (json_int_t)n, "rate", ev_jnum(p.rate), "lo", ev_jnum(p.lo),
	                 "hi", ev_jnum(p.hi));
}

static json_t *jsummary(const double *v, size_t n)
{
	cf_summary s;

	if (cf_eval_summary(v, n, &s) < 0)
		return NULL;
	return json_pack("{s:I,s:o,s:o,s:o,s:o,s:o}", "n", (json_int_t)s.n,
	                 "mean", ev_jnum(s.mean), "sd", ev_jnum(s.sd), "median",
	                 ev_jnum(s.median), "min", ev_jnum(s.min), "max", ev_jnum(s.max));
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

		char url[512];   /* no userinfo, no query values in reports */

		cf_http_redact_url(jd->jg->endpoint, url, sizeof url);
		json_object_set_new(o, "endpoint", json_string(url));
		json_object_set_new(o, "requests", json_pack("{s:I,s:I,s:I}",
		        "sent", (json_int_t)hs->attempts, "retries",
		        (json_int_t)hs->retries, "failed",
		        (json_int_t)jd->jg->st.failed));
	}
	json_object_set_new(o, "targeted_flip", ev_jprop(jd->tk, jd->tn));
	json_object_set_new(o, "untargeted_flip", ev_jprop(jd->uk, jd->un));
	json_object_set_new(o, "consistency", ev_jprop(jd->ck, jd->tn));
	json_object_set_new(o, "label_kept", ev_jprop(jd->lk, jd->ln));
	json_object_set_new(o, "original_accuracy", ev_jprop(jd->ok, jd->on));
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
				"targeted", ev_jprop(b->tk[j], d == BD_TRANSITION ? b->n : b->tn),
				"untargeted", ev_jprop(b->uk[j], b->n),
				"consistency", ev_jprop(b->ck[j], d == BD_TRANSITION ? b->n : b->tn),
				"mean_prob_change", ev_jnum(b->n ? b->dsum[j] / (double)b->n : NAN)));
		}
		if (d == BD_TRANSITION || json_array_size(rows))
			json_object_set_new(bd, bd_names[d], rows);
		else
			json_decref(rows);
	}
	json_object_set_new(o, "by", bd);
	cf_eval_two_prop(jd->uk, jd->un, jd->ctl_k, jd->ctl_n, &diff, &z, &p);
	json_object_set_new(o, "paraphrase_control", jd->ctl_n ?
		json_pack("{s:o,s:o,s:o,s:o,s:o,s:s}", "edits", ev_jprop(jd->uk, jd->un),
		          "paraphrases", ev_jprop(jd->ctl_k, jd->ctl_n), "difference",
		          ev_jnum(diff), "z", ev_jnum(z), "p_value", ev_jnum(p), "test",
		          "two-proportion z-test (pooled), two-sided; rates are "
		          "untargeted (the judge's label changed)") : json_null());
	{
		size_t used;
		double kap = cf_eval_kappa(jd->pred, e->gold, jd->npred, e->K, &used);

		json_object_set_new(o, "kappa_vs_labels",
		                    json_pack("{s:o,s:I}", "kappa", ev_jnum(kap), "items",
		                              (json_int_t)used));
	}
	return o;
}

json_t *ev_build_report(const eval *e)
{
	const args *a = e->a;
	json_t *r, *in, *fields = json_array(), *judges = json_array(),
	       *agree = json_array();
	size_t i, j;
	char flurl[512] = "";   /* the fluency endpoint, redacted */
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
		const char *lf = e->label_field;

		json_object_set_new(in, "label_field", json_string(lf));
		if (e->label_from)
			json_object_set_new(in, "label_field_from_judge",
			                    json_string(e->label_from));
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
		"distinct_1", ev_jnum(e->dn_groups ? e->dn_sum[0] / (double)e->dn_groups : NAN),
		"distinct_2", ev_jnum(e->dn_groups ? e->dn_sum[1] / (double)e->dn_groups : NAN)));
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
				"kappa", ev_jnum(k), "items", (json_int_t)used));
		}
	json_object_set_new(r, "judge_agreement", agree);
	if (e->fl.http)
		cf_http_redact_url(e->fl.endpoint, flurl, sizeof flurl);
	if (e->fl.http)
		json_object_set_new(r, "fluency", json_pack(
			"{s:s,s:s,s:s,s:o,s:o,s:o,s:I}", "endpoint", flurl,
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
	if (e->warnings)
		json_object_set(r, "warnings", e->warnings);
	if (e->ex)
		json_object_set_new(r, "examples", ev_examples_json(e));
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
	if ((rc = ev_open_reader(&rd, path, NULL, err)) < 0)
		goto done;
	while ((rc = ev_next_obj(e, rd, path, &obj, &line, err)) == CF_READ_OK) {
		const char *t[CF_EVAL_MAX_FIELDS];
		size_t l[CF_EVAL_MAX_FIELDS];
		char *label = ev_label_of(json_object_get(obj, lf));
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
			ev_tell_bad(e, path, line, why);
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
			"z", r[i].z, "z_other", ev_jnum(oz), "n_other", (json_int_t)on));
	}
	{
		size_t over = 0;

		for (i = 0; i < n; i++)
			over += isfinite(zc) && fabs(r[i].z) > zc;
		free(r);
		return json_pack("{s:I,s:o,s:I,s:o}", "tokens_tested", (json_int_t)n,
		                 "z_critical", ev_jnum(zc), "tokens_over", (json_int_t)over,
		                 "top", a);
	}
}

int ev_spurious(eval *e, json_t *r, cf_error *err)
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
