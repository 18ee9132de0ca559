/*
 * judge_conf.h - one judge as configured in YAML (a `judges:` item of the
 * teacher stage, or a judge file of `cfaug eval --judge`): its options,
 * the request sent to a remote judge and the reading of its answer
 * (internal to cfaug; shared by stages/teacher.c and cli/cmd_eval.c).
 *
 * Kinds: builtin (a model of `cfaug teacher train`; this module loads only
 * its options), tei, vllm (alias classify) and llm -- see stages/teacher.c
 * and the README for the wire shapes.  The answer readers are in
 * teacher_judge.h.
 *
 * Life cycle: zero a cf_judge_conf, cf_judge_conf_load() it from a YAML
 * mapping, then for remote judges cf_judge_conf_fields(), for llm judges
 * cf_judge_conf_prompt() and (once the caller's label set L is known)
 * cf_judge_conf_names(); cf_judge_conf_http() makes its client.  Everything
 * the struct points to is its own, freed by cf_judge_conf_free() (which
 * accepts a struct whose load failed half-way).  The node pointer and L
 * are borrowed.
 */
#ifndef CF_JUDGE_CONF_H
#define CF_JUDGE_CONF_H

#include <stddef.h>
#include <stdint.h>
#include "cfaug/conf.h"
#include "http.h"
#include "template.h"

enum { CF_JUDGE_BUILTIN, CF_JUDGE_TEI, CF_JUDGE_VLLM, CF_JUDGE_LLM,
       CF_JUDGE_NKINDS };
enum { CF_JMODE_AUTO, CF_JMODE_LOGPROBS, CF_JMODE_JSON };
enum { CF_JFMT_NONE, CF_JFMT_JSON_OBJECT, CF_JFMT_JSON_SCHEMA };

extern const char *const cf_judge_kind_names[CF_JUDGE_NKINDS];

typedef struct cf_judge_conf {
	/* options (per-kind tables) */
	char *name, *model, *url, *base_url, *api_key_env, *prompt;
	cf_strmap labels;
	cf_strlist fields;
	long concurrency, max_retries, max_tokens, top_logprobs;
	double timeout_s;
	int mode, json_format;
	int kind;                  /* CF_JUDGE_* */
	const cf_node *node;       /* the judge's mapping (borrowed) */
	/* prepared */
	const cf_strlist *send;    /* remote: text fields sent */
	const char **names;        /* llm: judge-side label names, order of L */
	char *labels_joined;       /* llm: {{labels}} */
	char *endpoint;            /* remote: the URL posted to */
	cf_template *tpl;          /* llm: the prompt */
} cf_judge_conf;

/* Fill c from the mapping jn: kind and the kind's options; name defaults
 * to the url (tei) or the model.  CF_ECONFIG with file:line:col. */
int cf_judge_conf_load(cf_judge_conf *c, const cf_node *jn,
                       const char *conf_path, cf_error *err);

/* Remote judges: the fields sent (c->fields, checked to be among
 * text_fields, else all text_fields); a classifier reads one or two,
 * vLLM one.  `what` names text_fields in messages ("input.text_fields"). */
int cf_judge_conf_fields(cf_judge_conf *c, const cf_strlist *text_fields,
                         const char *what, const char *conf_path,
                         cf_error *err);

/* llm judges: load the prompt template (a path, else under
 * CFAUG_DATADIR/prompts). */
int cf_judge_conf_prompt(cf_judge_conf *c, const char *conf_path,
                         cf_error *err);

/* llm judges: the label names the judge is asked to say (its side of the
 * labels map) for each label of L, and {{labels}}. */
int cf_judge_conf_names(cf_judge_conf *c, const cf_strlist *L, cf_error *err);

/* Remote judges: set c->endpoint and, unless dry_run, make *out a client
 * with the judge's concurrency, retries, timeout and key. */
int cf_judge_conf_http(cf_judge_conf *c, uint64_t seed, int dry_run,
                       cf_http **out, cf_error *err);

/* The text of field `field` of the thing judged, NULL when absent. */
typedef const char *(*cf_judge_text_fn)(void *ctx, const char *field,
                                        size_t *len);

/* The JSON body for a remote judge c on the texts text(ctx, ...); json: an
 * llm judge asked for a JSON answer instead of logprobs.  A new string, or
 * NULL (out of memory, text not UTF-8). */
char *cf_judge_request_body(const cf_judge_conf *c, size_t K, uint64_t seed,
                            cf_judge_text_fn text, void *ctx, int json);

/* Read the answer body of remote judge c into p[0..L->n).  *source (llm)
 * gets "logprobs", "json" or "answer".  Returns 0, -1 with why set, or 1
 * when an llm judge in mode auto got no logprobs (ask again with json). */
int cf_judge_read_answer(const cf_judge_conf *c, const cf_strlist *L, int json,
                         const char *body, size_t len, double *p,
                         const char **source, char *why, size_t whysz);

void cf_judge_conf_free(cf_judge_conf *c);

#endif
