/*
 * judge_conf.c - a judge's options, requests and answers (judge_conf.h).
 * Moved out of stages/teacher.c so `cfaug eval` reads the same judge
 * mappings and talks to the same endpoints the same way.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "judge_conf.h"
#include "teacher_judge.h"

const char *const cf_judge_kind_names[CF_JUDGE_NKINDS] = {
	"builtin", "tei", "vllm", "llm"
};
static const char *const mode_names[] = { "auto", "logprobs", "json", NULL };
static const char *const format_names[] = { "none", "json_object", "json_schema", NULL };

#define O_NAME { "name", CF_OPT_STRING, offsetof(cf_judge_conf, name), NULL, 0, \
	NULL, 0, 0, NULL, "name in it->teacher (default: the model or url)", NULL }
#define O_LABELS { "labels", CF_OPT_STRMAP, offsetof(cf_judge_conf, labels), \
	NULL, 0, NULL, 0, 0, NULL, "the judge's label names -> the stage's " \
	"labels", NULL }
#define O_FIELDS { "fields", CF_OPT_STRLIST, offsetof(cf_judge_conf, fields), \
	NULL, 0, NULL, 0, 0, NULL, "text fields sent (default: " \
	"input.text_fields)", NULL }
#define O_KEY { "api_key_env", CF_OPT_STRING, offsetof(cf_judge_conf, \
	api_key_env), NULL, 0, NULL, 0, 0, NULL, "environment variable holding " \
	"a bearer key", NULL }
#define O_HTTP \
	{ "concurrency", CF_OPT_INT, offsetof(cf_judge_conf, concurrency), "8", \
	  0, NULL, 1, 4096, NULL, "requests in flight", NULL }, \
	{ "max_retries", CF_OPT_INT, offsetof(cf_judge_conf, max_retries), "4", \
	  0, NULL, 0, 100, NULL, "retries on 408/409/429/5xx/timeouts", NULL }, \
	{ "timeout_s", CF_OPT_DOUBLE, offsetof(cf_judge_conf, timeout_s), "30", \
	  0, NULL, 0.001, 86400, NULL, "per-attempt timeout in seconds", NULL }

static const cf_option builtin_table[] = {
	{ "model", CF_OPT_STRING, offsetof(cf_judge_conf, model), NULL,
	  CF_OPT_REQUIRED, NULL, 0, 0, NULL, "model file (cfaug teacher train)",
	  NULL },
	O_NAME, O_LABELS,
	{ "fields", CF_OPT_STRLIST, offsetof(cf_judge_conf, fields), NULL, 0, NULL,
	  0, 0, NULL, "text fields fed to the model's fields, in order (default: "
	  "the model's own field names)", NULL },
	{ NULL }
};
static const cf_option tei_table[] = {
	{ "url", CF_OPT_STRING, offsetof(cf_judge_conf, url), NULL,
	  CF_OPT_REQUIRED, NULL, 0, 0, NULL, "the predict URL, e.g. "
	  "http://127.0.0.1:8080/predict", NULL },
	O_NAME, O_LABELS, O_FIELDS, O_KEY, O_HTTP, { NULL }
};
static const cf_option vllm_table[] = {
	{ "url", CF_OPT_STRING, offsetof(cf_judge_conf, url), NULL,
	  CF_OPT_REQUIRED, NULL, 0, 0, NULL, "the classify URL, e.g. "
	  "http://127.0.0.1:8000/classify", NULL },
	{ "model", CF_OPT_STRING, offsetof(cf_judge_conf, model), NULL,
	  CF_OPT_REQUIRED, NULL, 0, 0, NULL, "served model name", NULL },
	{ "labels", CF_OPT_STRMAP, offsetof(cf_judge_conf, labels), NULL,
	  CF_OPT_REQUIRED, NULL, 0, 0, NULL, "class index (0, 1, ... or LABEL_0) "
	  "-> stage label", NULL },
	O_NAME, O_FIELDS, O_KEY, O_HTTP, { NULL }
};
static const cf_option llm_table[] = {
	{ "base_url", CF_OPT_STRING, offsetof(cf_judge_conf, base_url), NULL,
	  CF_OPT_REQUIRED, NULL, 0, 0, NULL, "endpoint root; /chat/completions is "
	  "added", NULL },
	{ "model", CF_OPT_STRING, offsetof(cf_judge_conf, model), NULL,
	  CF_OPT_REQUIRED, NULL, 0, 0, NULL, "model name", NULL },
	{ "prompt", CF_OPT_STRING, offsetof(cf_judge_conf, prompt), NULL,
	  CF_OPT_REQUIRED, NULL, 0, 0, NULL, "template (prompts/judge-*.txt)", NULL },
	{ "mode", CF_OPT_ENUM, offsetof(cf_judge_conf, mode), "auto", 0,
	  mode_names, 0, 0, NULL, "auto (logprobs, JSON when absent) | logprobs "
	  "| json", NULL },
	{ "response_format", CF_OPT_ENUM, offsetof(cf_judge_conf, json_format),
	  "json_schema", 0, format_names, 0, 0, NULL, "for JSON answers: none | "
	  "json_object | json_schema", NULL },
	{ "top_logprobs", CF_OPT_INT, offsetof(cf_judge_conf, top_logprobs), "10",
	  0, NULL, 1, 20, NULL, "alternatives asked for the first answer token",
	  NULL },
	{ "max_tokens", CF_OPT_INT, offsetof(cf_judge_conf, max_tokens), "32", 0,
	  NULL, 1, 4096, NULL, "answer length cap", NULL },
	{ "api_key_env", CF_OPT_STRING, offsetof(cf_judge_conf, api_key_env),
	  "OPENAI_API_KEY", 0, NULL, 0, 0, NULL, "environment variable holding "
	  "the API key (unset: none sent)", NULL },
	O_NAME, O_LABELS, O_FIELDS, O_HTTP, { NULL }
};
static const cf_option *const kind_tables[CF_JUDGE_NKINDS] = {
	builtin_table, tei_table, vllm_table, llm_table
};

static const char *const judge_skip[] = { "kind", NULL };

static int in_list(const cf_strlist *l, const char *v)
{
	size_t i;

	for (i = 0; l && i < l->n; i++)
		if (!strcmp(l->v[i], v))
			return 1;
	return 0;
}

int cf_judge_conf_load(cf_judge_conf *c, const cf_node *jn,
                       const char *conf_path, cf_error *err)
{
	const cf_node *kn = cf_node_get(jn, "kind");
	size_t k;
	int rc;

	if (jn->type != CF_NODE_MAP)
		return cf_conf_error(err, conf_path, jn,
		                     "a judge is a mapping with kind: and its options");
	if (!kn || kn->type != CF_NODE_SCALAR)
		return cf_conf_error(err, conf_path, jn, "judge without "
		                     "kind: (builtin, tei, vllm or llm)");
	for (k = 0; k < CF_JUDGE_NKINDS; k++)
		if (!strcmp(kn->str, cf_judge_kind_names[k]))
			break;
	if (!strcmp(kn->str, "classify"))
		k = CF_JUDGE_VLLM;
	if (k == CF_JUDGE_NKINDS)
		return cf_conf_error(err, conf_path, kn, "unknown judge "
		                     "kind '%s' (builtin, tei, vllm or llm)", kn->str);
	c->kind = (int)k;
	c->node = jn;
	if ((rc = cf_options_load(kind_tables[k], c, jn, conf_path, judge_skip,
	                          err)) < 0)
		return rc;
	if (!c->name && !(c->name = strdup(c->kind == CF_JUDGE_TEI ? c->url
	                                                         : c->model)))
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	return 0;
}

int cf_judge_conf_fields(cf_judge_conf *c, const cf_strlist *text_fields,
                         const char *what, const char *conf_path,
                         cf_error *err)
{
	size_t i;

	c->send = c->fields.n ? &c->fields : text_fields;
	for (i = 0; i < c->fields.n; i++)
		if (!in_list(text_fields, c->fields.v[i]))
			return cf_conf_error(err, conf_path, cf_node_get(c->node,
			                     "fields"), "'%s' is not in %s",
			                     c->fields.v[i], what);
	if (c->kind != CF_JUDGE_LLM && c->send->n > 2)
		return cf_conf_error(err, conf_path, c->node, "a classifier "
		                     "judge reads one text or a pair: set fields: to "
		                     "one or two of the %zu text fields", c->send->n);
	if (c->kind == CF_JUDGE_VLLM && c->send->n != 1)
		return cf_conf_error(err, conf_path, c->node, "a vllm judge "
		                     "reads one text field: set fields: [NAME]");
	return 0;
}

int cf_judge_conf_prompt(cf_judge_conf *c, const char *conf_path,
                         cf_error *err)
{
	const char **known = calloc(c->send->n + 4, sizeof *known);
	char alt[4096];
	cf_error e2 = { 0 };
	size_t i, k = 0;
	int rc;

	if (!known)
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	known[k++] = "text";
	known[k++] = "labels";
	for (i = 0; i < c->send->n; i++)
		known[k++] = c->send->v[i];
	rc = cf_template_load(&c->tpl, c->prompt, known, &e2);
	if (rc == CF_EIO && c->prompt[0] != '/') {
		const char *b = strncmp(c->prompt, "prompts/", 8) ? c->prompt
		                                                  : c->prompt + 8;
		snprintf(alt, sizeof alt, "%s/prompts/%s", CFAUG_DATADIR, b);
		memset(&e2, 0, sizeof e2);
		rc = cf_template_load(&c->tpl, alt, known, &e2);
		if (rc == CF_EIO) {
			free(known);
			return cf_conf_error(err, conf_path, cf_node_get(c->node,
			                     "prompt"), "cannot read prompt '%s' (nor %s)",
			                     c->prompt, alt);
		}
	}
	free(known);
	return rc < 0 ? cf_error_set(err, rc, "%s", e2.msg) : 0;
}

int cf_judge_conf_names(cf_judge_conf *c, const cf_strlist *L, cf_error *err)
{
	size_t i, k, n = 0;

	if (!(c->names = calloc(L->n, sizeof *c->names)))
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	for (k = 0; k < L->n; k++) {
		c->names[k] = L->v[k];
		for (i = 0; i < c->labels.n; i++)
			if (!strcmp(c->labels.vals[i], L->v[k]))
				c->names[k] = c->labels.keys[i];
		n += strlen(c->names[k]) + 2;
	}
	if (!(c->labels_joined = calloc(1, n + 1)))
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	for (k = 0; k < L->n; k++) {
		if (k)
			strcat(c->labels_joined, ", ");
		strcat(c->labels_joined, c->names[k]);
	}
	return 0;
}

int cf_judge_conf_http(cf_judge_conf *c, uint64_t seed, int dry_run,
                       cf_http **out, cf_error *err)
{
	cf_http_opts ho;
	size_t n;

	if (c->kind == CF_JUDGE_LLM) {
		n = strlen(c->base_url);
		while (n && c->base_url[n - 1] == '/')
			n--;
		if (!(c->endpoint = malloc(n + 32)))
			return cf_error_set(err, CF_ENOMEM, "out of memory");
		snprintf(c->endpoint, n + 32, "%.*s/chat/completions", (int)n,
		         c->base_url);
	} else if (!(c->endpoint = strdup(c->url))) {
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	}
	if (dry_run)
		return 0;
	memset(&ho, 0, sizeof ho);
	ho.concurrency = c->concurrency;
	ho.max_retries = c->max_retries;
	ho.timeout_s = c->timeout_s;
	ho.api_key = c->api_key_env && *c->api_key_env ? getenv(c->api_key_env)
	                                               : NULL;
	ho.jitter_seed = seed;
	return cf_http_new(out, &ho, err);
}

char *cf_judge_request_body(const cf_judge_conf *c, size_t K, uint64_t seed,
                            cf_judge_text_fn text, void *ctx, int json)
{
	const char *t0, *t1, *vals[2 + 16];
	size_t l, i;
	json_t *b = NULL, *msgs, *last;
	char *dump = NULL;

	t0 = text(ctx, c->send->v[0], &l);
	if (!t0)
		t0 = "";
	if (c->kind == CF_JUDGE_TEI) {
		if (c->send->n == 2) {
			t1 = text(ctx, c->send->v[1], &l);
			b = json_pack("{s:[[s,s]]}", "inputs", t0, t1 ? t1 : "");
		} else {
			b = json_pack("{s:s}", "inputs", t0);
		}
	} else if (c->kind == CF_JUDGE_VLLM) {
		b = json_pack("{s:s, s:[s]}", "model", c->model, "input", t0);
	} else {
		size_t nv = cf_template_nvars(c->tpl);
		const char **v = nv <= 18 ? vals : calloc(nv, sizeof *v);

		if (!v)
			return NULL;
		for (i = 0; i < nv; i++) {
			const char *name = cf_template_var(c->tpl, i);
			if (!strcmp(name, "labels"))
				v[i] = c->labels_joined;
			else if (!strcmp(name, "text") && !in_list(c->send, "text"))
				v[i] = t0;
			else
				v[i] = text(ctx, name, &l);
		}
		msgs = cf_template_render(c->tpl, v);
		if (v != vals)
			free((void *)v);
		if (!msgs)
			return NULL;
		b = json_pack("{s:s, s:o, s:i, s:I, s:i}", "model", c->model,
		              "messages", msgs, "temperature", 0, "seed",
		              (json_int_t)(seed & 0x7fffffff), "max_tokens",
		              (int)c->max_tokens);
		if (b && !json) {
			json_object_set_new(b, "logprobs", json_true());
			json_object_set_new(b, "top_logprobs", json_integer(c->top_logprobs));
		} else if (b) {
			/* ask for {"label": L} in the last user message, and constrain
			 * the answer where the server supports it */
			size_t k;
			json_t *en = json_array();
			char *hint;
			last = json_array_get(msgs, json_array_size(msgs) - 1);
			l = strlen(json_string_value(json_object_get(last, "content"))) +
			    strlen(c->labels_joined) + 96;
			if ((hint = malloc(l))) {
				snprintf(hint, l, "%s\n\nAnswer with JSON only: {\"label\": L} "
				         "where L is one of: %s.", json_string_value(
				         json_object_get(last, "content")), c->labels_joined);
				json_object_set_new(last, "content", json_string(hint));
				free(hint);
			}
			for (k = 0; k < K; k++)
				json_array_append_new(en, json_string(c->names[k]));
			if (c->json_format == CF_JFMT_JSON_OBJECT)
				json_object_set_new(b, "response_format",
				                    json_pack("{s:s}", "type", "json_object"));
			else if (c->json_format == CF_JFMT_JSON_SCHEMA)
				json_object_set_new(b, "response_format", json_pack(
				    "{s:s, s:{s:s, s:b, s:{s:s, s:{s:{s:s, s:O}}, s:[s], s:b}}}",
				    "type", "json_schema", "json_schema", "name", "judge",
				    "strict", 1, "schema", "type", "object", "properties",
				    "label", "type", "string", "enum", en, "required", "label",
				    "additionalProperties", 0));
			json_decref(en);
		}
	}
	if (b)
		dump = json_dumps(b, JSON_COMPACT);
	json_decref(b);
	return dump;
}

int cf_judge_read_answer(const cf_judge_conf *c, const cf_strlist *L, int json,
                         const char *body, size_t len, double *p,
                         const char **source, char *why, size_t whysz)
{
	cf_judge_labels jl = { L, &c->labels };
	json_t *resp, *ch;
	int rc;

	*source = NULL;
	if (c->kind == CF_JUDGE_TEI)
		return cf_judge_read_tei(&jl, body, len, p, why, whysz);
	if (c->kind == CF_JUDGE_VLLM)
		return cf_judge_read_vllm(&jl, body, len, p, why, whysz);
	resp = json_loadb(body, len, 0, NULL);
	ch = json_array_get(json_object_get(resp, "choices"), 0);
	if (!json_is_object(ch)) {
		rc = -1;
		snprintf(why, whysz, "not a chat completion (no choices)");
	} else if (!json) {
		rc = cf_judge_read_logprobs(c->names, L->n, ch, p, why, whysz);
		*source = "logprobs";
		if (rc == 1 && c->mode == CF_JMODE_AUTO) {
			/* no logprobs from this server: the caller asks for JSON */
			*source = NULL;
		} else if (rc != 0) {
			/* logprobs without a label token: take the answer's word */
			rc = cf_judge_read_label_answer(c->names, L->n, json_string_value(
			        json_object_get(json_object_get(ch, "message"), "content")),
			        p, why, whysz);
			*source = "answer";
		}
	} else {
		rc = cf_judge_read_label_answer(c->names, L->n, json_string_value(
		        json_object_get(json_object_get(ch, "message"), "content")),
		        p, why, whysz);
		*source = "json";
	}
	json_decref(resp);
	return rc;
}

void cf_judge_conf_free(cf_judge_conf *c)
{
	if (!c)
		return;
	cf_template_free(&c->tpl);
	free(c->names);
	free(c->labels_joined);
	free(c->endpoint);
	c->names = NULL;
	c->labels_joined = c->endpoint = NULL;
	cf_options_free(kind_tables[c->kind], c);
	c->send = NULL;
}
