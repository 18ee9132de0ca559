/*
 * builtin.c - judge kind `builtin`: a model file of `cfaug teacher train`
 * (pipeline/judge/linear_model.h), scored in-process.  Its text fields are
 * the model's own (or fields:, fed to the model's fields in order); its
 * labels map onto the caller's through labels: (a model label the map does
 * not hold must be one of the caller's labels), and every caller label
 * must be reached.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <stdio.h>
#include "judge_kind.h"
#include "linear_model.h"
#include "strlist.h"
#include "teacher_judge.h"

typedef struct builtin {
	cf_lm *lm;
	int *bmap;                 /* model label -> caller label */
} builtin;

static const cf_option builtin_options[] = {
	CF_JOPT("model", CF_OPT_STRING, model, .flags = CF_OPT_REQUIRED,
	        .help = "model file (cfaug teacher train)"),
	CF_JOPT_NAME, CF_JOPT_LABELS,
	CF_JOPT("fields", CF_OPT_STRLIST, fields, .help = "text fields fed to "
	        "the model's fields, in order (default: the model's own field "
	        "names)"),
	{ .key = NULL }
};

static int builtin_open(cf_judge *j, void *state, cf_error *err)
{
	builtin *b = state;

	return cf_lm_load(&b->lm, j->c.model, err);
}

static int builtin_labels(cf_judge *j, void *state, cf_strlist *out)
{
	builtin *b = state;
	size_t i;
	const char *to, *name;
	char **nv;

	for (i = 0; i < cf_lm_nlabels(b->lm); i++) {
		to = cf_strmap_get(&j->c.labels, cf_lm_label(b->lm, i));
		name = to ? to : cf_lm_label(b->lm, i);
		if (cf_strlist_index(out, name) >= 0)
			continue;
		if (!(nv = realloc(out->v, (out->n + 1) * sizeof *nv)))
			return CF_ENOMEM;
		out->v = nv;
		if (!(nv[out->n] = strdup(name)))
			return CF_ENOMEM;
		out->n++;
	}
	return 0;
}

static size_t builtin_fields(const cf_judge *j, void *state, const char **out,
                             size_t max)
{
	const builtin *b = state;
	size_t f;

	for (f = 0; f < cf_lm_nfields(b->lm) && f < max; f++)
		out[f] = cf_lm_field(b->lm, f);
	return f;
}

static const char *builtin_label_field(const cf_judge *j, void *state)
{
	const builtin *b = state;

	(void)j;
	return cf_lm_label_field(b->lm);
}

/* The name in l equal to name but for case, or NULL: a model trained on
 * Text/Positive meets data with text/positive (issue 13). */
static const char *case_twin(const cf_strlist *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (!strcasecmp(l->v[i], name))
			return l->v[i];
	return NULL;
}

static int builtin_bind(cf_judge *j, void *state, const cf_judge_env *env,
                        cf_error *err)
{
	builtin *b = state;
	cf_judge_labels jl = { j->L, &j->c.labels };
	const cf_node *fn = cf_node_get(j->node, "fields");
	const cf_node *ln = cf_node_get(j->node, "labels");
	size_t f, i, k, nl = cf_lm_nlabels(b->lm);
	char *seen;

	if (j->c.fields.n && j->c.fields.n != cf_lm_nfields(b->lm))
		return cf_conf_error(err, env->conf_path, fn, "%s reads %zu text "
		                     "fields, and fields: names %zu", j->c.model,
		                     cf_lm_nfields(b->lm), j->c.fields.n);
	for (f = 0; f < cf_lm_nfields(b->lm); f++) {
		const char *name = j->c.fields.n ? j->c.fields.v[f]
		                                 : cf_lm_field(b->lm, f);
		const char *twin = case_twin(env->text_fields, name);
		char hint[300] = "";
		if (cf_strlist_index(env->text_fields, name) >= 0)
			continue;
		if (twin)
			snprintf(hint, sizeof hint, ": '%.60s' there differs only in "
			         "case%s%.60s%s", twin, j->c.fields.n || !j->node ? "" :
			         " (feed it with fields: [", j->c.fields.n || !j->node ?
			         "" : twin, j->c.fields.n || !j->node ? "" : "])");
		else if (!j->c.fields.n && j->node)
			snprintf(hint, sizeof hint, " (feed it another field with "
			         "fields: [NAME])");
		if (!j->node)   /* a model file given alone: only a YAML maps */
			snprintf(hint + strlen(hint), sizeof hint - strlen(hint),
			         " (feed it %s with a judge YAML: {kind: builtin, "
			         "model: %.60s, fields: [%.60s]})", twin ? "that field" :
			         "another field", j->c.model, twin ? twin : "NAME");
		return cf_conf_error(err, env->conf_path, j->c.fields.n ? fn : j->at,
		                     "%s reads text field '%s', which is not in %s%s",
		                     j->c.model, name, env->fields_what, hint);
	}
	if (!(b->bmap = calloc(nl, sizeof *b->bmap)) ||
	    !(seen = calloc(j->K + 1, 1)))
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	for (i = 0; i < nl; i++) {
		int x = cf_judge_label_index(&jl, cf_lm_label(b->lm, i));
		if (x < 0) {
			const char *twin = case_twin(j->L, cf_lm_label(b->lm, i));
			free(seen);
			return cf_conf_error(err, env->conf_path, ln ? ln : j->node,
			        "%s has the label '%s', which is not one of %s (map it "
			        "with labels: {%s: %s}%s)", j->c.model,
			        cf_lm_label(b->lm, i), env->labels_what,
			        cf_lm_label(b->lm, i), twin ? twin : "LABEL",
			        twin ? "; they differ only in case" : "");
		}
		b->bmap[i] = x;
		seen[x] = 1;
	}
	for (k = 0; k < j->K && seen[k]; k++)
		;
	free(seen);
	if (k < j->K)
		return cf_conf_error(err, env->conf_path, ln ? ln : j->node,
		        "%s does not know the label '%s' of %s (its labels map to "
		        "none of them)", j->c.model, j->L->v[k], env->labels_what);
	return 0;
}

static int builtin_score(cf_judge *j, void *state, cf_judge_text_fn text,
                         void *ctx, double *p)
{
	builtin *b = state;
	const char *texts[CF_LM_MAX_FIELDS];
	size_t lens[CF_LM_MAX_FIELDS], f, k, nf = cf_lm_nfields(b->lm);
	double tmp[CF_LM_MAX_LABELS];
	int rc;

	for (f = 0; f < nf; f++) {
		texts[f] = text(ctx, j->c.fields.n ? j->c.fields.v[f] :
		                cf_lm_field(b->lm, f), &lens[f]);
		if (!texts[f])
			lens[f] = 0;
	}
	if ((rc = cf_lm_predict_len(b->lm, texts, lens, nf, tmp)) < 0)
		return rc;
	for (k = 0; k < j->K; k++)
		p[k] = 0;
	for (k = 0; k < cf_lm_nlabels(b->lm); k++)
		p[b->bmap[k]] += tmp[k];
	return 0;
}

static void builtin_close(void *state)
{
	builtin *b = state;

	cf_lm_free(&b->lm);
	free(b->bmap);
	b->bmap = NULL;
}

const cf_judge_kind cf_judge_builtin = {
	.name = "builtin",
	.options = builtin_options,
	.state_size = sizeof(builtin),
	.open = builtin_open,
	.labels = builtin_labels,
	.fields = builtin_fields,
	.label_field = builtin_label_field,
	.bind = builtin_bind,
	.score = builtin_score,
	.close = builtin_close,
};
