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

#endif
