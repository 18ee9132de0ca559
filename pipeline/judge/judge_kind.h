/*
 * judge_kind.h - helpers shared by the judge kinds of pipeline/judge/
 * (internal: the engine is include/cfaug/sys/judge.h).  Option rows every
 * kind may put in its table, by designated initializers.
 */
#ifndef CF_JUDGE_KIND_H
#define CF_JUDGE_KIND_H

#include <stddef.h>
#include "cfaug/sys/judge.h"
#include "endpoint_opts.h"
#include "teacher_judge.h"

#define CF_JOPT(k, t, field, ...) \
	{ .key = (k), .type = (t), .offset = offsetof(cf_judge_conf, field), \
	  __VA_ARGS__ }

#define CF_JOPT_NAME CF_JOPT("name", CF_OPT_STRING, name, \
	.help = "name in the teacher annotation (default: the model or url)")
#define CF_JOPT_LABELS CF_JOPT("labels", CF_OPT_STRMAP, labels, \
	.help = "the judge's label names -> the stage's labels")
#define CF_JOPT_FIELDS CF_JOPT("fields", CF_OPT_STRLIST, fields, \
	.help = "text fields sent (default: input.text_fields)")
#define CF_JOPT_KEY CF_JOPT("api_key_env", CF_OPT_STRING, api_key_env, \
	.help = "environment variable holding a bearer key")
/* the remote judges' client: the endpoint rows shared with the llm stage */
#define CF_JOPT_HTTP CF_OPT_ENDPOINT_CLIENT(cf_judge_conf)

/* Remote kinds: check fields: against env->text_fields and set j->send
 * (fields:, else all of them); a classifier reads one text or a pair. */
int cf_judge_remote_fields(cf_judge *j, const cf_judge_env *env,
                           int classifier, cf_error *err);

/* Remote kinds whose endpoint is the url: option. */
char *cf_judge_url_endpoint(const cf_judge *j, void *state);

/* A classifier kind (classifier.c): POST url a JSON request built from one
 * text or a pair, the answer read by one of teacher_judge.h's readers.
 * The kind comes first, so the engine's j->kind points at the whole. */
typedef struct cf_judge_classifier {
	cf_judge_kind kind;        /* CF_JUDGE_CLASSIFIER(...) */
	int one_field;             /* 1: a pair is a configuration error */
	/* The request for t0 (and t1, the second field's text, or NULL when
	 * one field is sent): a new reference, NULL when out of memory. */
	json_t *(*request)(const cf_judge *j, const char *t0, const char *t1);
	int (*read)(const cf_judge_labels *jl, const char *body, size_t len,
	            double *p, char *why, size_t whysz);
} cf_judge_classifier;

int cf_judge_classifier_bind(cf_judge *j, void *state, const cf_judge_env *env,
                             cf_error *err);
char *cf_judge_classifier_body(const cf_judge *j, void *state,
                               cf_judge_text_fn text, void *ctx, int json);
int cf_judge_classifier_read(const cf_judge *j, void *state, int json,
                             const char *body, size_t len, double *p,
                             const char **source, char *why, size_t whysz);

/* The cf_judge_kind of a classifier named nm (alias al or NULL) with the
 * option rows opts. */
#define CF_JUDGE_CLASSIFIER(nm, al, opts) { \
	.name = (nm), .alias = (al), .options = (opts), \
	.flags = CF_JUDGE_REMOTE, .bind = cf_judge_classifier_bind, \
	.endpoint = cf_judge_url_endpoint, \
	.request_body = cf_judge_classifier_body, \
	.read_answer = cf_judge_classifier_read }

#endif
