/*
 * llm.c - judge kind `llm`: an OpenAI-compatible chat endpoint asked for
 * the label with a prompt template ({{text}}, {{labels}}, the text fields).
 * Probabilities come from the first answer token's top_logprobs, or (mode
 * json, or a server without logprobs in mode auto: the engine asks again)
 * from a JSON answer {"label": L} read as one-hot (teacher_judge.h).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "datafile.h"
#include "judge_kind.h"
#include "strlist.h"
#include "teacher_judge.h"
#include "template.h"

typedef struct llm {
	const char **names;        /* judge-side label names, order of L */
	char *labels_joined;       /* {{labels}} */
	cf_template *tpl;
} llm;

static const char *const mode_names[] = { "auto", "logprobs", "json", NULL };
static const char *const format_names[] = { "none", "json_object",
                                            "json_schema", NULL };

static const cf_option llm_options[] = {
	CF_OPT_ENDPOINT_BASE_URL(cf_judge_conf),   /* + /chat/completions */
	CF_JOPT("model", CF_OPT_STRING, model, .flags = CF_OPT_REQUIRED,
	        .help = "model name"),
	CF_JOPT("prompt", CF_OPT_STRING, prompt, .flags = CF_OPT_REQUIRED,
	        .help = "template (prompts/judge-*.txt)"),
	CF_JOPT("mode", CF_OPT_ENUM, mode, .def = "auto", .choices = mode_names,
	        .help = "auto (logprobs, JSON when absent) | logprobs | json"),
	CF_JOPT("response_format", CF_OPT_ENUM, json_format, .def = "json_schema",
	        .choices = format_names, .help = "for JSON answers: none | "
	        "json_object | json_schema"),
	CF_JOPT("top_logprobs", CF_OPT_INT, top_logprobs, .def = "10", .min = 1,
	        .max = 20, .help = "alternatives asked for the first answer token"),
	CF_JOPT("max_tokens", CF_OPT_INT, max_tokens, .def = "32", .min = 1,
	        .max = 4096, .help = "answer length cap"),
	CF_OPT_ENDPOINT_KEY(cf_judge_conf),
	CF_JOPT_NAME, CF_JOPT_LABELS, CF_JOPT_FIELDS, CF_JOPT_HTTP,
	{ .key = NULL }
};

/* The prompt: as given, else the shipped prompts (util/datafile.h). */
static int load_prompt(cf_judge *j, llm *s, const char *conf_path,
                       cf_error *err)
{
	const char **known = calloc(j->send->n + 4, sizeof *known);
	char path[4096];
	cf_error e2 = { 0 };
	size_t i, k = 0;
	int rc;

	if (!known)
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	known[k++] = "text";
	known[k++] = "labels";
	for (i = 0; i < j->send->n; i++)
		known[k++] = j->send->v[i];
	if (cf_datafile_find(CF_DATA_PROMPTS, j->c.prompt, CF_DATAFILE_AS_GIVEN,
	                     path, sizeof path, &e2) < 0) {
		free(known);
		return cf_conf_error(err, conf_path, cf_node_get(j->node, "prompt"),
		                     "cannot read prompt '%s' (%s)", j->c.prompt,
		                     e2.msg);
	}
	rc = cf_template_load(&s->tpl, path, known, &e2);
	free(known);
	return rc < 0 ? cf_error_set(err, rc, "%s", e2.msg) : 0;
}

/* The label names the judge is asked to say (its side of the labels map)
 * for each label of L, and {{labels}}. */
static int label_names(cf_judge *j, llm *s, cf_error *err)
{
	const cf_strlist *L = j->L;
	size_t i, k, n = 0;

	if (!(s->names = calloc(L->n, sizeof *s->names)))
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	for (k = 0; k < L->n; k++) {
		s->names[k] = L->v[k];
		for (i = 0; i < j->c.labels.n; i++)
			if (!strcmp(j->c.labels.vals[i], L->v[k]))
				s->names[k] = j->c.labels.keys[i];
		n += strlen(s->names[k]) + 2;
	}
	if (!(s->labels_joined = calloc(1, n + 1)))
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	for (k = 0; k < L->n; k++) {
		if (k)
			strcat(s->labels_joined, ", ");
		strcat(s->labels_joined, s->names[k]);
	}
	return 0;
}

static int llm_bind(cf_judge *j, void *state, const cf_judge_env *env,
                    cf_error *err)
{
	int rc;

	if ((rc = cf_judge_remote_fields(j, env, 0, err)) < 0 ||
	    (rc = load_prompt(j, state, env->conf_path, err)) < 0)
		return rc;
	return label_names(j, state, err);
}

static char *llm_endpoint(const cf_judge *j, void *state)
{
	size_t n = strlen(j->c.base_url);
	char *e;

	(void)state;
	while (n && j->c.base_url[n - 1] == '/')
		n--;
	if ((e = malloc(n + 32)))
		snprintf(e, n + 32, "%.*s/chat/completions", (int)n, j->c.base_url);
	return e;
}

/* Ask for {"label": L} in the last user message of b, and constrain the
 * answer where the server supports it. */
static void ask_json(const cf_judge *j, const llm *s, json_t *b, json_t *msgs)
{
	json_t *last = json_array_get(msgs, json_array_size(msgs) - 1);
	json_t *en = json_array();
	const char *content = json_string_value(json_object_get(last, "content"));
	size_t k, l = strlen(content) + strlen(s->labels_joined) + 96;
	char *hint;

	if ((hint = malloc(l))) {
		snprintf(hint, l, "%s\n\nAnswer with JSON only: {\"label\": L} "
		         "where L is one of: %s.", content, s->labels_joined);
		json_object_set_new(last, "content", json_string(hint));
		free(hint);
	}
	for (k = 0; k < j->K; k++)
		json_array_append_new(en, json_string(s->names[k]));
	if (j->c.json_format == CF_JFMT_JSON_OBJECT)
		json_object_set_new(b, "response_format",
		                    json_pack("{s:s}", "type", "json_object"));
	else if (j->c.json_format == CF_JFMT_JSON_SCHEMA)
		json_object_set_new(b, "response_format", json_pack(
		    "{s:s, s:{s:s, s:b, s:{s:s, s:{s:{s:s, s:O}}, s:[s], s:b}}}",
		    "type", "json_schema", "json_schema", "name", "judge",
		    "strict", 1, "schema", "type", "object", "properties",
		    "label", "type", "string", "enum", en, "required", "label",
		    "additionalProperties", 0));
	json_decref(en);
}

static char *llm_body(const cf_judge *j, void *state, cf_judge_text_fn text,
                      void *ctx, int json)
{
	const llm *s = state;
	const char *t0, *vals[2 + 16];
	size_t l, i, nv = cf_template_nvars(s->tpl);
	const char **v = nv <= 18 ? vals : calloc(nv, sizeof *v);
	json_t *b, *msgs;
	char *dump = NULL;

	if (!v)
		return NULL;
	if (!(t0 = text(ctx, j->send->v[0], &l)))
		t0 = "";
	for (i = 0; i < nv; i++) {
		const char *name = cf_template_var(s->tpl, i);
		if (!strcmp(name, "labels"))
			v[i] = s->labels_joined;
		else if (!strcmp(name, "text") && cf_strlist_index(j->send, "text") < 0)
			v[i] = t0;
		else
			v[i] = text(ctx, name, &l);
	}
	msgs = cf_template_render(s->tpl, v);
	if (v != vals)
		free((void *)v);
	if (!msgs)
		return NULL;
	b = json_pack("{s:s, s:o, s:i, s:I, s:i}", "model", j->c.model,
	              "messages", msgs, "temperature", 0, "seed",
	              (json_int_t)(j->seed & 0x7fffffff), "max_tokens",
	              (int)j->c.max_tokens);
	if (b && !json) {
		json_object_set_new(b, "logprobs", json_true());
		json_object_set_new(b, "top_logprobs", json_integer(j->c.top_logprobs));
	} else if (b) {
		ask_json(j, s, b, msgs);
	}
	if (b)
		dump = json_dumps(b, JSON_COMPACT);
	json_decref(b);
	return dump;
}

static int llm_read(const cf_judge *j, void *state, int json, const char *body,
                    size_t len, double *p, const char **source, char *why,
                    size_t whysz)
{
	const llm *s = state;
	json_t *resp, *ch;
	const char *content;
	int rc;

	*source = NULL;
	resp = json_loadb(body, len, 0, NULL);
	ch = json_array_get(json_object_get(resp, "choices"), 0);
	content = json_string_value(json_object_get(json_object_get(ch,
	                            "message"), "content"));
	if (!json_is_object(ch)) {
		rc = -1;
		snprintf(why, whysz, "not a chat completion (no choices)");
	} else if (!json) {
		rc = cf_judge_read_logprobs(s->names, j->K, ch, p, why, whysz);
		*source = "logprobs";
		if (rc == 1 && j->c.mode == CF_JMODE_AUTO) {
			/* no logprobs from this server: the engine asks for JSON */
			*source = NULL;
		} else if (rc != 0) {
			/* logprobs without a label token: take the answer's word */
			rc = cf_judge_read_label_answer(s->names, j->K, content, p, why,
			                                whysz);
			*source = "answer";
		}
	} else {
		rc = cf_judge_read_label_answer(s->names, j->K, content, p, why,
		                                whysz);
		*source = "json";
	}
	json_decref(resp);
	return rc;
}

static void llm_close(void *state)
{
	llm *s = state;

	cf_template_free(&s->tpl);
	free(s->names);
	free(s->labels_joined);
	s->names = NULL;
	s->labels_joined = NULL;
}

const cf_judge_kind cf_judge_llm = {
	.name = "llm",
	.options = llm_options,
	.state_size = sizeof(llm),
	.flags = CF_JUDGE_REMOTE | CF_JUDGE_SOURCES,
	.bind = llm_bind,
	.endpoint = llm_endpoint,
	.request_body = llm_body,
	.read_answer = llm_read,
	.close = llm_close,
};
