/*
 * classifier.c - what the classifier judge kinds (tei.c, vllm.c) share: a
 * request of one text or a pair, an answer read into p by the kind's
 * reader (teacher_judge.h).  A kind is a cf_judge_classifier: its
 * cf_judge_kind first (made by CF_JUDGE_CLASSIFIER), then what differs.
 */
#include <jansson.h>
#include <stdlib.h>
#include "judge_kind.h"

/* j->kind is the first member of a cf_judge_classifier (judge_kind.h). */
static const cf_judge_classifier *shape_of(const cf_judge *j)
{
	return (const cf_judge_classifier *)(const void *)j->kind;
}

int cf_judge_classifier_bind(cf_judge *j, void *state, const cf_judge_env *env,
                             cf_error *err)
{
	int rc;

	(void)state;
	if ((rc = cf_judge_remote_fields(j, env, 1, err)) < 0)
		return rc;
	if (shape_of(j)->one_field && j->send->n != 1)
		return cf_conf_error(err, env->conf_path, j->node, "a %s judge "
		                     "reads one text field: set fields: [NAME]",
		                     j->kind->name);
	return 0;
}

char *cf_judge_classifier_body(const cf_judge *j, void *state,
                               cf_judge_text_fn text, void *ctx, int json)
{
	const char *t0, *t1 = NULL;
	size_t l;
	json_t *b;
	char *dump = NULL;

	(void)state;
	(void)json;
	if (!(t0 = text(ctx, j->send->v[0], &l)))
		t0 = "";
	if (j->send->n == 2 && !(t1 = text(ctx, j->send->v[1], &l)))
		t1 = "";
	if ((b = shape_of(j)->request(j, t0, t1)))
		dump = json_dumps(b, JSON_COMPACT);
	json_decref(b);
	return dump;
}

int cf_judge_classifier_read(const cf_judge *j, void *state, int json,
                             const char *body, size_t len, double *p,
                             const char **source, char *why, size_t whysz)
{
	cf_judge_labels jl = { j->L, &j->c.labels };

	(void)state;
	(void)json;
	*source = NULL;
	return shape_of(j)->read(&jl, body, len, p, why, whysz);
}
