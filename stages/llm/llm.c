/*
 * llm.c - counterfactuals from a remote model: an OpenAI-compatible Chat
 * Completions endpoint (OpenAI, vLLM, Ollama's /v1, llama.cpp, TGI).
 *
 * Consumes originals.  For each it renders the prompt template with the
 * record's fields, its label and the target label (`target` maps a label
 * to the label the edit should reach), asks for `samples` answers (one
 * request with `n`, or one request per sample when the server ignores n),
 * parses each answer (`parse`: the trimmed text, optionally between two
 * markers, or a JSON field), and emits one candidate per sample -- the
 * edited text fields, label = the target -- then the original.  An answer
 * that does not parse, is empty or equals the original is asked again
 * with a new seed up to `parse_retries` times, then rejected with its
 * reason; a request that fails for good (retries used up) is rejected as
 * request_failed.  One bad answer never stops the run; an endpoint that
 * refuses us (401, 403, 404, 400, insufficient_quota) does, with the
 * server's message.
 *
 * Asynchronous: process() keeps the record (a "job") and queues its
 * requests; they go to the shared HTTP client (pipeline/util/http.c:
 * concurrency window, token buckets, retries, Retry-After) as the window
 * has room, and only then is the body written (pipeline/util/llm_wire.c: the
 * template's literal text escaped once, the record's values spliced in),
 * so a queued request holds no body; poll() delivers answers as they
 * arrive.
 * Candidates of a record are made in sample order once all its samples are
 * final, so the output does not depend on arrival order.  The runner's
 * window bounds the records held; `concurrency` bounds requests in flight.
 *
 * Cache and resume: every completed response is stored in `cache` (see
 * pipeline/util/cache.h) under sha256(base_url, model, messages, parameters,
 * seed, sample index, retry round); a re-run asks nothing that completed
 * before.  The API key is read from the environment variable `api_key_env`
 * and is never part of a key, an entry, a message or the report.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cfaug/sys/stage.h"
#include "cache.h"
#include "datafile.h"
#include "endpoint_opts.h"
#include "http.h"
#include "json_parse.h"
#include "json_write.h"
#include "llm_parse.h"
#include "llm_wire.h"
#include "strlist.h"
#include "template.h"

#define HIST_N 320
#define HIST_BASE 1.05
#define ANSWER_KEEP 500   /* bytes of a bad answer kept in rejected.jsonl */

enum { S_PENDING = 0, S_OK, S_BAD };
enum { V_FIELD, V_TEXT, V_LABEL, V_TARGET, V_LABELS, V_ID, V_CONST };
enum { RF_NONE, RF_JSON_OBJECT, RF_JSON_SCHEMA };

typedef struct sample {
	int state, round, tries;
	long seed;               /* seed of the request that answered */
	json_t *edits;           /* S_OK: field -> new text */
	json_t *finish, *usage;  /* S_OK: finish_reason and usage (or NULL) */
	const char *reason;      /* S_BAD (static string) */
	json_t *detail;          /* S_BAD */
} sample;

typedef struct job {
	struct job *prev, *next;
	cf_item *it;
	char *target;            /* NULL: unlabelled, no target */
	int pending;             /* samples not final */
	int n;
	size_t rec_bytes;        /* the record as JSON, 0 until needed */
	sample s[];
} job;

typedef struct rq {
	struct rq *prev, *next;  /* every request of the stage (s->rqs) */
	struct rq *wnext;        /* the FIFO of requests not yet given to http */
	job *j;
	int round, count;
	int n;                   /* answers asked for: the job's samples (an n
	                            request, choice i answers sample i) or 1 */
	long seed;
	int idx[];
} rq;

typedef struct var_src { int kind; const char *name; } var_src;

/* parse: text | json | {mode, between, field} */
typedef struct parse_opts {
	const cf_node *at;        /* set by the loader; NULL: parse not given */
	int mode;                 /* 0 text, 1 json */
	cf_strlist between;       /* [START, END] markers, or none */
	char *field;              /* json: the key holding the answer */
} parse_opts;

static const char *const parse_mode_names[] = { "text", "json", NULL };

static const cf_option parse_options[] = {
	{ .key = "mode", .type = CF_OPT_ENUM,
	  .offset = offsetof(parse_opts, mode), .def = "text",
	  .choices = parse_mode_names, .help = "text | json" },
	{ .key = "between", .type = CF_OPT_STRLIST,
	  .offset = offsetof(parse_opts, between), .flags = CF_OPT_NONEMPTY,
	  .min = 2, .max = 2,
	  .help = "[START, END]: the answer is the text between two markers" },
	{ .key = "field", .type = CF_OPT_STRING,
	  .offset = offsetof(parse_opts, field), .flags = CF_OPT_NONEMPTY,
	  .help = "json: the key of the answer's object holding the new text" },
	{ .key = NULL }
};

typedef struct llm_state {
	/* options */
	char *base_url, *model, *api_key_env, *prompt, *cache_dir;
	cf_strmap target, vars, prices;
	cf_strlist fields, extra_fields, stop;
	long samples, concurrency, max_retries, parse_retries, max_response_kb;
	long max_prompt_kb, max_consecutive_failures;
	double rpm, tpm, timeout_s, max_retry_wait_s, request_deadline_s, max_failure_rate;
	parse_opts parse;
	cf_optnum temperature, top_p, seed_node, max_tokens, max_completion_tokens;
	int use_n, response_format, logprobs;

	/* set up by init */
	cf_stage *st;
	const cf_strlist *edit;   /* fields to edit */
	int json_mode;
	const char *between[2];
	const char *jfield;
	long seed, max_tok;
	json_t *params;           /* every body parameter but model/messages/seed/n */
	cf_llm_wire wire;         /* params, model, url pre-serialised */
	cf_jbuf buf, body, keybuf; /* reused: messages, request bodies, cache keys */
	const struct job *buf_job; /* buf holds this job's messages (unsorted):
	                              a request starting at once reuses them */
	rq *wait_head, *wait_tail; /* requests waiting for room in the window */
	json_t *model_js, *prompt_js; /* shared by every candidate's generator */
	char *url, *labels_joined;
	double price_in, price_out;
	cf_template *tpl;
	var_src *vsrc;
	cf_http *http;
	cf_cache *cache;
	int dry_run, no_n, flushed, warned_cache, key_set;
	uint64_t answered;        /* requests answered with a 2xx */
	size_t max_record_bytes;
	job *jobs;
	rq *rqs;
	long njobs;

	/* figures */
	uint64_t cache_hits, cache_writes, cache_errors, cache_foreign, no_target, ok_answers;
	json_t *fail_reasons;     /* request failures by cause, for the end */
	uint64_t prompt_tokens, completion_tokens, total_tokens;
	uint64_t dry_requests, dry_cached, dry_samples;
	double dry_prompt_tok, dry_completion_tok;
	json_t *bad_answers;
	uint64_t hist[HIST_N];
	uint64_t nlat;
	double lat_max;
} llm_state;

static const char *const rf_names[] = { "none", "json_object", "json_schema", NULL };

static const cf_option llm_options[] = {
	CF_OPT_ENDPOINT_BASE_URL(llm_state),
	{ .key = "model", .type = CF_OPT_STRING,
	  .offset = offsetof(llm_state, model), .flags = CF_OPT_REQUIRED,
	  .help = "model name the endpoint knows" },
	CF_OPT_ENDPOINT_KEY(llm_state),
	{ .key = "prompt", .type = CF_OPT_STRING,
	  .offset = offsetof(llm_state, prompt), .flags = CF_OPT_REQUIRED,
	  .help = "prompt template file (prompts/*.txt)" },
	{ .key = "target", .type = CF_OPT_STRMAP,
	  .offset = offsetof(llm_state, target),
	  .help = "label -> target label; records whose label is not listed "
	  "pass unedited" },
	{ .key = "samples", .type = CF_OPT_INT,
	  .offset = offsetof(llm_state, samples), .def = "1", .min = 1,
	  .max = 64, .help = "answers (candidates) per record" },
	{ .key = "n", .type = CF_OPT_BOOL,
	  .offset = offsetof(llm_state, use_n), .def = "true",
	  .help = "ask for the samples in one request with n (falls back when "
	  "ignored)" },
	{ .key = "parse", .type = CF_OPT_MAP,
	  .offset = offsetof(llm_state, parse), .sub = parse_options,
	  .shorthand = "mode",
	  .help = "text | json | {mode: text|json, between: [A, B], field: F}" },
	{ .key = "parse_retries", .type = CF_OPT_INT,
	  .offset = offsetof(llm_state, parse_retries), .def = "2", .max = 20,
	  .help = "re-asks for an unusable answer before it is rejected" },
	{ .key = "fields", .type = CF_OPT_STRLIST,
	  .offset = offsetof(llm_state, fields),
	  .help = "text fields to edit (default: all text fields)" },
	{ .key = "extra_fields", .type = CF_OPT_STRLIST,
	  .offset = offsetof(llm_state, extra_fields),
	  .help = "other input fields the template may name" },
	{ .key = "vars", .type = CF_OPT_STRMAP,
	  .offset = offsetof(llm_state, vars),
	  .help = "extra template variables: name -> value" },
	{ .key = "temperature", .type = CF_OPT_OPTNUM,
	  .offset = offsetof(llm_state, temperature), .max = 2,
	  .help = "sampling temperature, 0..2 (default: the server's)" },
	{ .key = "top_p", .type = CF_OPT_OPTNUM,
	  .offset = offsetof(llm_state, top_p), .max = 1,
	  .help = "nucleus sampling, 0..1 (default: the server's)" },
	{ .key = "seed", .type = CF_OPT_OPTNUM,
	  .offset = offsetof(llm_state, seed_node), .flags = CF_OPT_INTEGER,
	  .max = 2147483647.0,
	  .help = "request seed (default: the pipeline's seed)" },
	{ .key = "max_tokens", .type = CF_OPT_OPTNUM,
	  .offset = offsetof(llm_state, max_tokens), .flags = CF_OPT_INTEGER,
	  .min = 1, .max = 1000000,
	  .help = "answer length cap, sent as max_tokens (older servers)" },
	{ .key = "max_completion_tokens", .type = CF_OPT_OPTNUM,
	  .offset = offsetof(llm_state, max_completion_tokens),
	  .flags = CF_OPT_INTEGER, .min = 1, .max = 1000000,
	  .help = "answer length cap, sent as max_completion_tokens" },
	{ .key = "stop", .type = CF_OPT_STRLIST,
	  .offset = offsetof(llm_state, stop), .help = "stop sequences" },
	{ .key = "response_format", .type = CF_OPT_ENUM,
	  .offset = offsetof(llm_state, response_format), .def = "none",
	  .choices = rf_names,
	  .help = "none | json_object | json_schema (with parse: json)" },
	{ .key = "logprobs", .type = CF_OPT_BOOL,
	  .offset = offsetof(llm_state, logprobs), .def = "false",
	  .help = "ask for token log-probabilities" },
	CF_OPT_ENDPOINT_CONCURRENCY(llm_state),
	{ .key = "requests_per_minute", .type = CF_OPT_DOUBLE,
	  .offset = offsetof(llm_state, rpm), .def = "0", .max = 1e9,
	  .help = "request rate limit (0: none)" },
	{ .key = "tokens_per_minute", .type = CF_OPT_DOUBLE,
	  .offset = offsetof(llm_state, tpm), .def = "0", .max = 1e12,
	  .help = "estimated token rate limit (0: none)" },
	CF_OPT_ENDPOINT_RETRIES(llm_state), CF_OPT_ENDPOINT_TIMEOUT(llm_state),
	{ .key = "max_retry_wait_s", .type = CF_OPT_DOUBLE,
	  .offset = offsetof(llm_state, max_retry_wait_s), .def = "180",
	  .max = 86400,
	  .help = "longest Retry-After honoured; a longer one fails the "
	  "request" },
	{ .key = "request_deadline_s", .type = CF_OPT_DOUBLE,
	  .offset = offsetof(llm_state, request_deadline_s), .def = "600",
	  .min = 0.001, .max = 604800,
	  .help = "a request's attempts and waits, all together" },
	{ .key = "max_consecutive_failures", .type = CF_OPT_INT,
	  .offset = offsetof(llm_state, max_consecutive_failures), .def = "10",
	  .min = 1, .max = 1000000,
	  .help = "attempts in a row with no answer or a 5xx that stop the run "
	  "(circuit breaker)" },
	{ .key = "max_failure_rate", .type = CF_OPT_DOUBLE,
	  .offset = offsetof(llm_state, max_failure_rate), .def = "0.5",
	  .min = 0.01, .max = 1,
	  .help = "share of the last 50 attempts failing that way that stops "
	  "the run (1: off)" },
	{ .key = "max_response_kb", .type = CF_OPT_INT,
	  .offset = offsetof(llm_state, max_response_kb), .def = "8192",
	  .min = 1, .max = 1048576,
	  .help = "larger responses fail their request" },
	{ .key = "max_prompt_kb", .type = CF_OPT_INT,
	  .offset = offsetof(llm_state, max_prompt_kb), .def = "2048",
	  .min = 1, .max = 1048576,
	  .help = "a record whose rendered prompt is larger fails, unsent" },
	{ .key = "cache", .type = CF_OPT_STRING,
	  .offset = offsetof(llm_state, cache_dir), .def = ".cfaug-cache",
	  .help = "response cache directory, shareable (--no-cache: off)" },
	{ .key = "prices", .type = CF_OPT_STRMAP,
	  .offset = offsetof(llm_state, prices),
	  .help = "{input: USD, output: USD} per million tokens, for "
	  "--dry-run" },
	{ .key = NULL }
};

/* ---- helpers -------------------------------------------------------------- */

/* The parse options, loaded by parse_options, as the answer reader wants
 * them. */
static int parse_conf(llm_state *s, const cf_pipeline_info *info, cf_error *err)
{
	s->json_mode = s->parse.mode == 1;
	if (s->parse.between.n) {
		s->between[0] = s->parse.between.v[0];
		s->between[1] = s->parse.between.v[1];
	}
	if (s->parse.field && !s->json_mode)
		return cf_conf_error(err, info->conf_path,
		                     cf_node_get(s->parse.at, "field"),
		                     "'field' needs mode: json");
	s->jfield = s->parse.field;
	return 0;
}

/* Names a template may use, NULL-terminated; *n the count. */
static const char **known_vars(llm_state *s, const cf_pipeline_info *info)
{
	static const char *const builtin[] = { "text", "label", "target_label", "labels",
	                                      "id", NULL };
	size_t n = 5 + info->text_fields->n + 1 + s->extra_fields.n + s->vars.n + 1, k = 0, i;
	const char **v = calloc(n, sizeof *v);

	if (!v)
		return NULL;
	for (i = 0; builtin[i]; i++)
		v[k++] = builtin[i];
	for (i = 0; i < info->text_fields->n; i++)
		v[k++] = info->text_fields->v[i];
	if (info->label_field)
		v[k++] = info->label_field;
	for (i = 0; i < s->extra_fields.n; i++)
		v[k++] = s->extra_fields.v[i];
	for (i = 0; i < s->vars.n; i++)
		v[k++] = s->vars.keys[i];
	return v;
}

static int load_template(llm_state *s, const cf_pipeline_info *info, cf_error *err)
{
	const char **known = known_vars(s, info);
	char path[4096];
	size_t i, n;
	int rc;
	cf_error e2 = { 0 };

	if (!known)
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	/* as given, else the shipped prompts (pipeline/util/datafile.h) */
	if (cf_datafile_find(CF_DATA_PROMPTS, s->prompt, CF_DATAFILE_AS_GIVEN,
	                     path, sizeof path, &e2) < 0) {
		free(known);
		return cf_conf_error(err, info->conf_path, cf_node_get(info->node, "prompt"),
		                     "cannot read prompt '%s' (%s)", s->prompt, e2.msg);
	}
	rc = cf_template_load(&s->tpl, path, known, &e2);
	free(known);
	if (rc < 0)
		return cf_error_set(err, rc, "%s", e2.msg);
	n = cf_template_nvars(s->tpl);
	if (!(s->vsrc = calloc(n ? n : 1, sizeof *s->vsrc)))
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		const char *v = cf_template_var(s->tpl, i);
		var_src *vs = &s->vsrc[i];
		vs->name = v;
		if (cf_strmap_get(&s->vars, v)) {
			vs->kind = V_CONST;
			vs->name = cf_strmap_get(&s->vars, v);
		} else if (strcmp(v, "text") == 0 && cf_strlist_index(info->text_fields, "text") < 0) {
			vs->kind = V_TEXT;
		} else if (strcmp(v, "label") == 0 ||
		           (info->label_field && strcmp(v, info->label_field) == 0)) {
			vs->kind = V_LABEL;
		} else if (strcmp(v, "target_label") == 0) {
			vs->kind = V_TARGET;
		} else if (strcmp(v, "labels") == 0) {
			vs->kind = V_LABELS;
		} else if (strcmp(v, "id") == 0) {
			vs->kind = V_ID;
		} else {
			vs->kind = V_FIELD;
		}
	}
	return 0;
}

static int build_params(llm_state *s, const cf_pipeline_info *info, cf_error *err)
{
	size_t i;

	if (!(s->params = json_object()))
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	/* optional numbers (CF_OPT_OPTNUM): sent only when given */
	if (s->temperature.set)
		json_object_set_new(s->params, "temperature", json_real(s->temperature.v));
	if (s->top_p.set)
		json_object_set_new(s->params, "top_p", json_real(s->top_p.v));
	s->seed = s->seed_node.set ? (long)s->seed_node.v
	                           : (long)(info->seed & 0x7fffffff);
	if (s->max_tokens.set && s->max_completion_tokens.set)
		return cf_conf_error(err, info->conf_path, s->max_tokens.at, "give "
		                     "'max_tokens' or 'max_completion_tokens', not both");
	if (s->max_tokens.set) {
		s->max_tok = (long)s->max_tokens.v;
		json_object_set_new(s->params, "max_tokens", json_integer(s->max_tok));
	}
	if (s->max_completion_tokens.set) {
		s->max_tok = (long)s->max_completion_tokens.v;
		json_object_set_new(s->params, "max_completion_tokens",
		                    json_integer(s->max_tok));
	}
	if (s->stop.n) {
		json_t *a = json_array();
		for (i = 0; i < s->stop.n; i++)
			json_array_append_new(a, json_string(s->stop.v[i]));
		json_object_set_new(s->params, "stop", a);
	}
	if (s->logprobs)
		json_object_set_new(s->params, "logprobs", json_true());
	if (s->response_format == RF_JSON_OBJECT) {
		json_object_set_new(s->params, "response_format",
		                    json_pack("{s:s}", "type", "json_object"));
	} else if (s->response_format == RF_JSON_SCHEMA) {
		json_t *props = json_object(), *req = json_array();
		if (!s->json_mode)
			return cf_conf_error(err, info->conf_path,
			                     cf_node_get(info->node, "response_format"),
			                     "response_format: json_schema needs parse: json");
		if (s->jfield) {
			json_object_set_new(props, s->jfield, json_pack("{s:s}", "type", "string"));
			json_array_append_new(req, json_string(s->jfield));
		} else {
			for (i = 0; i < s->edit->n; i++) {
				json_object_set_new(props, s->edit->v[i], json_pack("{s:s}", "type", "string"));
				json_array_append_new(req, json_string(s->edit->v[i]));
			}
		}
		json_object_set_new(s->params, "response_format", json_pack(
		    "{s:s, s:{s:s, s:b, s:{s:s, s:o, s:o, s:b}}}", "type", "json_schema",
		    "json_schema", "name", "counterfactual", "strict", 1, "schema", "type",
		    "object", "properties", props, "required", req,
		    "additionalProperties", 0));
	}
	return 0;
}

/* The request URL: base_url (http or https, with a host) + the path
 * /chat/completions, its query string kept after the path.  A base_url
 * already ending in /chat/completions is corrected, with a warning.  The
 * URL is never echoed: it may come from ${VAR} and hold a secret. */
static int make_url(llm_state *s, const cf_pipeline_info *info, cf_error *err)
{
	const cf_node *node = cf_node_get(info->node, "base_url");
	const char *why = cf_http_check_url(s->base_url), *q;
	static const char tail[] = "/chat/completions";
	size_t n, tl = sizeof tail - 1;

	if (why)
		return cf_conf_error(err, info->conf_path, node, "base_url %s", why);
	q = s->base_url + strcspn(s->base_url, "?");
	n = (size_t)(q - s->base_url);
	while (n && s->base_url[n - 1] == '/')
		n--;
	if (n >= tl && memcmp(s->base_url + n - tl, tail, tl) == 0) {
		n -= tl;
		fprintf(stderr, "%s:%d:%d: warning: base_url is the endpoint root (e.g. "
		        ".../v1): /chat/completions is added to it, so it is taken off here\n",
		        info->conf_path, node ? node->line : 0, node ? node->col : 0);
	}
	if (!(s->url = malloc(n + tl + strlen(q) + 1)))
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	snprintf(s->url, n + tl + strlen(q) + 1, "%.*s%s%s", (int)n, s->base_url, tail, q);
	return 0;
}

/* api_key_env names a variable (a pasted key would end up in messages);
 * a key with CR/LF is refused.  An unset variable is fine for a local
 * server; a 401/403 then says plainly that it is not set. */
static int check_key(llm_state *s, const cf_pipeline_info *info, cf_error *err)
{
	const cf_node *node = cf_node_get(info->node, "api_key_env");
	const char *v = s->api_key_env, *key;
	size_t i;

	if (!v || !*v)
		return 0;
	for (i = 0; v[i]; i++)
		if (!(v[i] == '_' || (v[i] >= 'A' && v[i] <= 'Z') || (v[i] >= 'a' && v[i] <= 'z') ||
		      (i && v[i] >= '0' && v[i] <= '9')) || i >= 128)
			return cf_conf_error(err, info->conf_path, node, "api_key_env must name an "
			        "environment variable (letters, digits, _), not hold the key: put "
			        "the key in a variable, e.g. export OPENAI_API_KEY=..., and name it "
			        "here");
	key = getenv(v);
	s->key_set = key && *key;
	for (i = 0; key && key[i]; i++)
		if ((unsigned char)key[i] < 0x20 || key[i] == 0x7f)
			return cf_conf_error(err, info->conf_path, node, "the key in $%s holds a "
			        "control character (a CR or LF?): refused", v);
	return 0;
}

/* A prompt that asks for <new>...</new> while parse is not set would have
 * its markers kept in the candidates: read between them, and say so. */
static void infer_markers(llm_state *s, const cf_pipeline_info *info)
{
	size_t nv = cf_template_nvars(s->tpl), i;
	const char **vals;
	json_t *msgs;
	char *text = NULL;

	if (s->parse.at || s->json_mode ||
	    !(vals = calloc(nv ? nv : 1, sizeof *vals)))
		return;
	for (i = 0; i < nv; i++)
		vals[i] = "";
	if ((msgs = cf_template_render(s->tpl, vals)))
		text = json_dumps(msgs, JSON_COMPACT);
	if (text && strstr(text, "<new>") && strstr(text, "</new>")) {
		s->between[0] = "<new>";
		s->between[1] = "</new>";
		fprintf(stderr, "%s:%d:%d: warning: the prompt asks for <new>...</new> and "
		        "'parse' is not set: answers are read between those markers (set "
		        "parse: {between: [\"<new>\", \"</new>\"]} to say so)\n",
		        info->conf_path, info->node ? info->node->line : 0,
		        info->node ? info->node->col : 0);
	}
	free(text);
	json_decref(msgs);
	free(vals);
}

static void llm_destroy(cf_stage *st, void *state);

static int init_state(cf_stage *st, void *state, const cf_pipeline_info *info,
                      cf_error *err)
{
	llm_state *s = state;
	const char *file = info->conf_path, *key;
	cf_http_opts ho;
	size_t i, n;
	char *end;
	int rc;

	s->st = st;
	s->dry_run = info->dry_run;
	if (!(s->bad_answers = json_object()) || !(s->fail_reasons = json_object()))
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	if ((rc = cf_stage_fields(info, &s->fields, &s->edit, err)) < 0)
		return rc;
	if ((rc = parse_conf(s, info, err)) < 0)
		return rc;
	if (!s->json_mode && s->edit->n > 1)
		return cf_conf_error(err, file, s->fields.n ? cf_node_get(info->node, "fields")
		                                            : info->node,
		        "parse mode text edits one field, and %zu are to be edited: set "
		        "'fields' to one of them or use parse: {mode: json}", s->edit->n);
	if (s->json_mode && s->jfield && s->edit->n > 1)
		return cf_conf_error(err, file, cf_node_get(s->parse.at, "field"),
		        "'field' names the answer for one edited field; with %zu fields the "
		        "JSON answer holds one key per field name", s->edit->n);
	for (i = 0; i < s->target.n; i++) {
		if (info->labels->n && (cf_strlist_index(info->labels, s->target.keys[i]) < 0 ||
		                        cf_strlist_index(info->labels, s->target.vals[i]) < 0))
			return cf_conf_error(err, file, cf_node_get(info->node, "target"),
			        "target '%s: %s' names a label not in input.labels",
			        s->target.keys[i], s->target.vals[i]);
	}
	if (s->target.n && !info->label_field)
		return cf_conf_error(err, file, cf_node_get(info->node, "target"),
		                     "'target' needs labelled input (input.label_field)");
	for (i = 0; i < s->prices.n; i++) {
		double v = strtod(s->prices.vals[i], &end);
		if (*end || end == s->prices.vals[i] || v < 0 ||
		    (strcmp(s->prices.keys[i], "input") && strcmp(s->prices.keys[i], "output")))
			return cf_conf_error(err, file, cf_node_get(info->node, "prices"),
			        "prices wants {input: USD, output: USD} per million tokens");
		if (strcmp(s->prices.keys[i], "input") == 0)
			s->price_in = v;
		else
			s->price_out = v;
	}
	if ((rc = build_params(s, info, err)) < 0)
		return rc;
	/* labels, joined for {{labels}} */
	for (i = 0, n = 1; i < info->labels->n; i++)
		n += strlen(info->labels->v[i]) + 2;
	if (!(s->labels_joined = calloc(1, n)))
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	for (i = 0; i < info->labels->n; i++) {
		if (i)
			strcat(s->labels_joined, ", ");
		strcat(s->labels_joined, info->labels->v[i]);
	}
	if ((rc = make_url(s, info, err)) < 0 || (rc = check_key(s, info, err)) < 0)
		return rc;
	if ((rc = load_template(s, info, err)) < 0)
		return rc;
	infer_markers(s, info);
	s->max_record_bytes = info->max_record_bytes;
	if (cf_llm_wire_init(&s->wire, s->url, s->model, s->params, s->seed) < 0 ||
	    !(s->model_js = json_string(s->model)) ||
	    !(s->prompt_js = json_pack("{s:s, s:s}", "name", cf_template_name(s->tpl),
	                               "sha256", cf_template_sha256(s->tpl))))
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	s->buf.max = s->body.max = s->keybuf.max = (size_t)1 << 30;
	if (!info->no_cache && s->cache_dir && *s->cache_dir &&
	    (rc = cf_cache_open(&s->cache, s->cache_dir, err)) < 0)
		return rc;
	if (s->dry_run)
		return 0;
	memset(&ho, 0, sizeof ho);
	ho.concurrency = s->concurrency;
	ho.requests_per_minute = s->rpm;
	ho.tokens_per_minute = s->tpm;
	ho.max_retries = s->max_retries;
	ho.timeout_s = s->timeout_s;
	ho.max_response_bytes = (size_t)s->max_response_kb * 1024;
	ho.retry_after_max_s = s->max_retry_wait_s > 0 ? s->max_retry_wait_s : 1e-9;
	ho.deadline_s = s->request_deadline_s;
	ho.max_consecutive_failures = s->max_consecutive_failures;
	ho.max_failure_rate = s->max_failure_rate;
	key = s->api_key_env && *s->api_key_env ? getenv(s->api_key_env) : NULL;
	ho.api_key = key;
	ho.jitter_seed = (uint64_t)s->seed;
	return cf_http_new(&s->http, &ho, err);
}

/* destroy() only follows a successful init(): undo a failed one here */
static int llm_init(cf_stage *st, void *state, const cf_pipeline_info *info,
                    cf_error *err)
{
	int rc = init_state(st, state, info, err);

	if (rc < 0)
		llm_destroy(st, state);
	return rc;
}

/* ---- jobs ----------------------------------------------------------------- */

static void job_free(job *j)
{
	int i;

	if (!j)
		return;
	for (i = 0; i < j->n; i++) {
		json_decref(j->s[i].edits);
		json_decref(j->s[i].finish);
		json_decref(j->s[i].usage);
		json_decref(j->s[i].detail);
	}
	free(j->target);
	free(j);
}

static void job_unlink(llm_state *s, job *j)
{
	if (s->buf_job == j)
		s->buf_job = NULL;
	if (j->prev)
		j->prev->next = j->next;
	else
		s->jobs = j->next;
	if (j->next)
		j->next->prev = j->prev;
	s->njobs--;
}

static void rq_unlink(llm_state *s, rq *q)
{
	if (q->prev)
		q->prev->next = q->next;
	else
		s->rqs = q->next;
	if (q->next)
		q->next->prev = q->prev;
}

/* How sample i is asked for at a round.  Every sample has one request
 * that answers it, whatever was cached or how the server treats n, so a
 * resumed run asks exactly what an uninterrupted one asked:
 *   round 0 with n (samples > 1): choice i of the request (seed, n =
 *     samples); when the server ignores n, samples i >= 1 fall back to
 *     their own request (seed + i, n = 1) -- sample 0 keeps choice 0 of
 *     the n request, which such a server answers alone;
 *   otherwise (no n, or a retry round r): the request (seed + i + 7919 r,
 *     n = 1), its choice 0. */
static int n_mode(const llm_state *s, const job *j, int i, int round)
{
	return round == 0 && s->use_n && j->n > 1 && (i == 0 || !s->no_n);
}

static long request_seed(llm_state *s, int sample_i, int round)
{
	return (s->seed + sample_i + 7919L * round) % 2147483647L;
}

/* The cache key of choice `choice` of the request (seed, n) of job j into
 * hex (see llm_wire.h).  0, or -1 when out of memory. */
static int render(llm_state *s, const job *j, int sorted, cf_jbuf *b);

static int cache_key(llm_state *s, const job *j, long seed, int n, int choice,
                     char hex[65])
{
	if (render(s, j, 1, &s->buf) != 0)
		return -1;
	return cf_llm_wire_key(&s->wire, s->buf.p, s->buf.len, seed, n, choice,
	                       &s->keybuf, hex);
}

/* One entry, verified: it must be an object that names the key it was
 * looked up by, with a string (or null) content.  Anything else -- another
 * record's answer copied in, a truncated or foreign file -- is a miss,
 * counted as cache_foreign, never an answer. */
static int cache_try(llm_state *s, const job *j, long seed, int n, int choice,
                     json_t **entry)
{
	char key[65], *data = NULL;
	size_t len;
	int r;
	json_t *e = NULL, *c;

	*entry = NULL;
	if (cache_key(s, j, seed, n, choice, key) < 0)
		return 0;
	r = cf_cache_get(s->cache, key, &data, &len);
	if (r < 0)
		s->cache_errors++;
	if (r == 1) {
		e = cf_json_parse(data, len, NULL);
		c = json_object_get(e, "content");
		if (!json_is_object(e) || !json_is_string(json_object_get(e, "key")) ||
		    strcmp(json_string_value(json_object_get(e, "key")), key) ||
		    !(json_is_string(c) || json_is_null(c))) {
			s->cache_foreign++;
			json_decref(e);
			e = NULL;
		}
	}
	free(data);
	*entry = e;
	return e != NULL;
}

/* Sample i's answer at a round from the cache: 1 and *entry (new
 * reference), or 0. */
static int cache_load(llm_state *s, const job *j, int i, int round, json_t **entry)
{
	*entry = NULL;
	if (!s->cache)
		return 0;
	if (round == 0 && s->use_n && j->n > 1) {
		if (cache_try(s, j, s->seed, j->n, i, entry)) {
			/* the n request was answered with fewer choices than asked:
			 * the server ignores n, as a resumed run need not learn again
			 * (one wasted request per record in flight) */
			json_t *nc = json_object_get(*entry, "choices");
			if (json_is_integer(nc) && json_integer_value(nc) < j->n)
				s->no_n = 1;
			return 1;
		}
		if (i == 0)
			return 0;
	}
	return cache_try(s, j, request_seed(s, i, round), 1, 0, entry);
}

/* Parse one answer (llm_parse.c).  NULL if usable, else the reason. */
static const char *parse_answer(llm_state *s, job *j, const char *content,
                                json_t **edits)
{
	cf_llm_parse p = { { s->between[0], s->between[1] }, s->json_mode,
	                   s->jfield, s->edit };

	return cf_llm_parse_answer(&p, j->it, content, edits);
}

static int submit(llm_state *s, job *j, const int *idx, int count, int round,
                  cf_error *err);

static void count_bad(llm_state *s, const char *reason)
{
	json_t *v = json_object_get(s->bad_answers, reason);

	json_object_set_new(s->bad_answers, reason, json_integer(v ? json_integer_value(v) + 1 : 1));
}

static void sample_fail(job *j, int i, const char *reason, json_t *detail)
{
	sample *sm = &j->s[i];

	if (sm->state != S_PENDING) {
		json_decref(detail);
		return;
	}
	sm->state = S_BAD;
	sm->reason = reason;
	sm->detail = detail;
	j->pending--;
}

static int advance(llm_state *s, job *j, int i, cf_error *err);

/* An upper bound of the record's compact JSON length with these edits:
 * every byte of a key or string escaped (\u00XX, 6 bytes), numbers and
 * literals at most 40.  SIZE_MAX for nested values (dump those). */
static size_t record_bound(const json_t *fields, const json_t *edits)
{
	size_t total = 2;
	const char *k;
	json_t *v, *e;

	json_object_foreach((json_t *)fields, k, v) {
		total += 6 * strlen(k) + 4;
		if ((e = json_object_get(edits, k)))
			v = e;
		if (json_is_string(v))
			total += 6 * json_string_length(v) + 2;
		else if (json_is_object(v) || json_is_array(v))
			return SIZE_MAX;
		else
			total += 40;
	}
	json_object_foreach((json_t *)edits, k, v)
		if (!json_object_get(fields, k))
			total += 6 * (strlen(k) + json_string_length(v)) + 6;
	return total;
}

/* Would the candidate with these edits be longer than max_record_bytes
 * (cfaug could not read its own output back)?  The record's other fields
 * count as they are in the input. */
static int too_long(llm_state *s, job *j, const json_t *edits)
{
	size_t total, ol, grow = 0;
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)edits, k, v)
		if (json_string_length(v) > (cf_item_text(j->it, k, &ol) ? ol : 0))
			grow = 1;
	if (!grow)      /* no longer than the record that was read */
		return 0;
	if (!j->rec_bytes && record_bound(j->it->rec->fields, edits) <= s->max_record_bytes)
		return 0;  /* even written with every byte escaped it would fit */
	if (!j->rec_bytes)
		j->rec_bytes = json_dumpb(j->it->rec->fields, NULL, 0, JSON_COMPACT);
	total = j->rec_bytes;
	json_object_foreach((json_t *)edits, k, v) {
		if (cf_item_text(j->it, k, &ol))
			total = total > ol ? total - ol : 0;
		total += json_string_length(v);
	}
	return total > s->max_record_bytes;
}

/* One answer, from the network or a cache entry (borrowed fields). */
typedef struct ans {
	const char *content;     /* NULL: none */
	json_t *finish, *usage;  /* NULL: none */
	long seed;
} ans;

static ans entry_ans(const json_t *entry)
{
	ans a;

	a.content = json_string_value(json_object_get(entry, "content"));
	a.finish = json_object_get(entry, "finish_reason");
	a.usage = json_object_get(entry, "usage");
	a.seed = (long)json_integer_value(json_object_get(entry, "seed"));
	return a;
}

/* One answer (from the network or the cache) for sample i at its round. */
static int answer(llm_state *s, job *j, int i, const ans *a, cf_error *err)
{
	sample *sm = &j->s[i];
	const char *content = a->content;
	const char *reason;
	json_t *edits;

	sm->seed = a->seed;
	reason = parse_answer(s, j, content, &edits);
	if (!reason && too_long(s, j, edits)) {
		json_decref(edits);
		reason = "too_long";
	}
	if (!reason) {
		sm->state = S_OK;
		sm->edits = edits;
		sm->finish = json_incref(a->finish);
		sm->usage = json_incref(a->usage);
		j->pending--;
		s->ok_answers++;
		return 0;
	}
	count_bad(s, reason);
	if (++sm->tries > s->parse_retries) {
		json_t *d = json_pack("{s:i, s:i}", "sample", i, "tries", sm->tries);
		if (content)
			json_object_set_new(d, "answer", cf_llm_cut_string(content, strlen(content), ANSWER_KEEP));
		sample_fail(j, i, reason, d);
		return 0;
	}
	sm->round++;
	return advance(s, j, i, err);
}

/* Find sample i's answer at its current round in the cache, or ask for it. */
static int advance(llm_state *s, job *j, int i, cf_error *err)
{
	json_t *entry;
	int rc;

	if (cache_load(s, j, i, j->s[i].round, &entry)) {
		ans a = entry_ans(entry);
		s->cache_hits++;
		rc = answer(s, j, i, &a, err);
		json_decref(entry);
		return rc;
	}
	return submit(s, j, &i, 1, j->s[i].round, err);
}

/* A failed try of sample i (a response with no usable choice for it):
 * asked again the same way within parse_retries, then rejected. */
static int failed_try(llm_state *s, job *j, int i, const char *reason,
                      const cf_http_result *r, cf_error *err)
{
	sample *sm = &j->s[i];

	count_bad(s, reason);
	if (++sm->tries > s->parse_retries) {
		sample_fail(j, i, reason, json_pack("{s:i, s:i, s:o}", "sample", i, "tries",
		            sm->tries, "answer", cf_llm_cut_string(r->body, r->body_len,
		                                                   ANSWER_KEEP)));
		return 0;
	}
	return submit(s, j, &i, 1, sm->round, err);
}

/* Queue one request for the samples idx[0..count) at a round: an n
 * request (n_mode) may carry several, a single one carries one. */
static int submit(llm_state *s, job *j, const int *idx, int count, int round,
                  cf_error *err)
{
	rq *q = calloc(1, sizeof *q + (size_t)count * sizeof q->idx[0]);

	(void)err;
	if (!q)
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	q->j = j;
	q->round = round;
	q->count = count;
	memcpy(q->idx, idx, (size_t)count * sizeof *idx);
	if (n_mode(s, j, idx[0], round)) {
		q->n = j->n;
		q->seed = s->seed;
	} else {
		q->n = 1;
		q->seed = request_seed(s, idx[0], round);
	}
	q->next = s->rqs;
	if (s->rqs)
		s->rqs->prev = q;
	s->rqs = q;
	if (s->wait_tail)
		s->wait_tail->wnext = q;
	else
		s->wait_head = q;
	s->wait_tail = q;
	return 0;
}

/* Give waiting requests to the HTTP client while its window has room; the
 * body is built only now, so a request waiting behind the window holds no
 * body (a record's messages are rendered again from its fields). */
static int pump(llm_state *s, cf_error *err)
{
	cf_http_request hr;
	rq *q;
	int rc;

	while (!cf_stage_failed(s->st) && (q = s->wait_head) &&
	       cf_http_pending(s->http) < (size_t)s->concurrency) {
		s->wait_head = q->wnext;
		if (!s->wait_head)
			s->wait_tail = NULL;
		q->wnext = NULL;
		s->body.len = 0;
		if ((s->buf_job != q->j && render(s, q->j, 0, &s->buf) != 0) ||
		    cf_llm_wire_body(&s->wire, s->buf.p, s->buf.len, q->seed, q->n,
		                     &s->body) < 0)
			return cf_error_set(err, CF_ENOMEM, "out of memory");
		memset(&hr, 0, sizeof hr);
		hr.url = s->url;
		hr.body = s->body.p;
		hr.body_len = s->body.len;
		hr.user = q;
		hr.est_tokens = (double)hr.body_len / 4 +
		                (double)(s->max_tok ? s->max_tok : 256) * q->n;
		if ((rc = cf_http_submit(s->http, &hr, err)) < 0)
			return rc;
	}
	return 0;
}

/* All samples final: candidates in sample order, then the original. */
static void finish_job(llm_state *s, job *j)
{
	cf_stage *st = s->st;
	int i;
	cf_item *c;
	const char *k;
	json_t *v, *g;

	if (j->pending)
		return;
	job_unlink(s, j);
	for (i = 0; i < j->n; i++) {
		sample *sm = &j->s[i];
		if (!(c = cf_candidate_new(st, j->it))) {
			cf_stage_fail(st, CF_ENOMEM, "out of memory");
			break;
		}
		if (j->target)
			cf_candidate_set_label(c, j->target);
		g = c->generator;
		json_object_set(g, "model", s->model_js);
		json_object_set(g, "prompt", s->prompt_js);
		json_object_set_new(g, "sample", json_integer(i));
		json_object_set_new(g, "seed", json_integer(sm->seed));
		json_object_set_new(g, "round", json_integer(sm->round));
		if (sm->state == S_OK) {
			json_object_foreach(sm->edits, k, v)
				cf_candidate_set_text(c, k, json_string_value(v), json_string_length(v));
			json_object_set_new(g, "finish_reason", sm->finish ? json_incref(sm->finish)
			                                                   : json_null());
			json_object_set_new(g, "usage", sm->usage ? json_incref(sm->usage) : json_null());
			cf_emit(st, c);
		} else {
			cf_reject(st, c, sm->reason, sm->detail);
			sm->detail = NULL;
		}
	}
	cf_emit(st, j->it);
	job_free(j);
}

/* The value of template variable i for item it. */
static const char *var_value(llm_state *s, size_t i, const cf_item *it,
                             const char *target, char **tofree)
{
	const var_src *vs = &s->vsrc[i];
	size_t len;
	json_t *v;

	switch (vs->kind) {
	case V_CONST:  return vs->name;
	case V_TEXT:   return cf_item_text(it, s->edit->v[0], &len);
	case V_LABEL:  return cf_item_label(it);
	case V_TARGET: return target;
	case V_LABELS: return s->labels_joined;
	case V_ID:     return it->rec->id;
	}
	v = json_object_get(it->cf && json_object_get(it->cf, vs->name) ? it->cf
	                    : it->rec->fields, vs->name);
	if (!v || json_is_null(v))
		return "";
	if (json_is_string(v))
		return json_string_value(v);
	return (*tofree = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY));
}

/* The messages of job j as JSON text into b (sorted: the cache key's key
 * order).  0; 1 when a value is not valid UTF-8; -1 when out of memory. */
static int render(llm_state *s, const job *j, int sorted, cf_jbuf *b)
{
	size_t nv = cf_template_nvars(s->tpl), i;
	const char *vbuf[16], **vals = vbuf;
	char *fbuf[16], **frees = fbuf;
	int rc = -1;

	if (nv > 16 && (!(vals = calloc(nv, sizeof *vals)) ||
	                !(frees = calloc(nv, sizeof *frees))))
		goto done;
	for (i = 0; i < nv; i++) {
		frees[i] = NULL;
		vals[i] = var_value(s, i, j->it, j->target, &frees[i]);
	}
	b->len = 0;
	if (b == &s->buf)
		s->buf_job = NULL;
	rc = cf_template_write_json(s->tpl, vals, sorted, b);
	for (i = 0; i < nv; i++)
		free(frees[i]);
done:
	if (vals != vbuf)
		free(vals);
	if (frees != fbuf)
		free(frees);
	return rc;
}

static void on_done(void *ctx, const cf_http_result *r);

static void dry_count(llm_state *s, job *j)
{
	double ptok = (double)s->buf.len / 4, ctok;  /* rendered by the caller */
	size_t len, i;
	int missing = 0, k;

	s->dry_samples += (uint64_t)j->n;   /* candidates it would make, at most */
	for (k = 0; k < j->n; k++) {
		json_t *entry;
		if (cache_load(s, j, k, 0, &entry)) {
			json_decref(entry);
			s->dry_cached++;
			continue;
		}
		missing++;
	}
	if (!missing)
		return;
	s->dry_requests += (s->use_n && !s->no_n) ? 1 : (uint64_t)missing;
	s->dry_prompt_tok += ptok * ((s->use_n && !s->no_n) ? 1 : missing);
	ctok = 32;
	for (i = 0; i < s->edit->n; i++) {
		const char *t = cf_item_text(j->it, s->edit->v[i], &len);
		ctok += t ? (double)len / 4 : 0;
	}
	if (s->max_tok && ctok > (double)s->max_tok)
		ctok = (double)s->max_tok;
	s->dry_completion_tok += ctok * missing;
}

static int llm_process(cf_stage *st, void *state, cf_item *it, cf_error *err)
{
	llm_state *s = state;
	const char *label = cf_item_label(it), *target = label;
	char why[160];
	int missing[64], m = 0, k, rc = 0;
	job *j = NULL;

	if (cf_stage_failed(st))
		return 0;
	if (s->target.n && !(target = label ? cf_strmap_get(&s->target, label) : NULL)) {
		s->no_target++;
		cf_emit(st, it);
		return 0;
	}
	j = calloc(1, sizeof *j + (size_t)s->samples * sizeof j->s[0]);
	if (!j || (target && !(j->target = strdup(target)))) {
		job_free(j);
		cf_fail_record(st, it, "out of memory");
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	}
	j->it = it;
	j->n = (int)s->samples;
	j->pending = j->n;
	/* check once that the prompt renders (its length is the dry run's
	 * estimate); requests render it again when they start */
	if ((rc = render(s, j, 0, &s->buf)) < 0) {
		job_free(j);
		cf_fail_record(st, it, "out of memory");
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	}
	if (rc == 0 && s->buf.len > (size_t)s->max_prompt_kb * 1024) {
		/* never send (nor pay for) what no model's context holds */
		snprintf(why, sizeof why, "prompt of %zu bytes is larger than max_prompt_kb "
		         "(%ld): not sent", s->buf.len, s->max_prompt_kb);
		cf_fail_record(st, it, why);
		job_free(j);
		return 0;
	}
	if (rc > 0 || s->dry_run) {
		if (rc > 0)
			cf_fail_record(st, it, "cannot render the prompt (a value is not valid UTF-8)");
		else {
			dry_count(s, j);
			cf_emit(st, it);
		}
		job_free(j);
		return 0;
	}
	j->next = s->jobs;
	if (s->jobs)
		s->jobs->prev = j;
	s->jobs = j;
	s->njobs++;
	s->buf_job = j;     /* until buf is written again (or j unlinked) */
	/* cached samples first; the others in one request with n, or one each */
	for (k = 0; k < j->n && rc == 0; k++) {
		json_t *entry;
		if (cache_load(s, j, k, 0, &entry)) {
			ans a = entry_ans(entry);
			s->cache_hits++;
			rc = answer(s, j, k, &a, err);
			json_decref(entry);
			continue;
		}
		missing[m++] = k;
	}
	/* the missing samples asked for as n_mode says: those of the n request
	 * together (its other choices are not used), the others one each */
	{
		int nm[64], ns = 0;
		for (k = 0; k < m; k++)
			if (n_mode(s, j, missing[k], 0))
				nm[ns++] = missing[k];
		if (ns)
			rc = submit(s, j, nm, ns, 0, err);
		for (k = 0; k < m && rc == 0; k++)
			if (!n_mode(s, j, missing[k], 0))
				rc = submit(s, j, &missing[k], 1, 0, err);
	}
	if (rc < 0) {     /* the job stays held: destroy() frees it */
		cf_stage_fail(st, rc, "%s", err->msg);
		return rc;
	}
	finish_job(s, j);   /* done now when everything came from the cache */
	/* start the requests at once if the window has room */
	if ((rc = pump(s, err)) < 0) {
		cf_stage_fail(st, rc, "%s", err->msg);
		return rc;
	}
	if (cf_http_pending(s->http) <= (size_t)s->concurrency &&
	    (rc = cf_http_poll(s->http, 0, on_done, s, err)) < 0)
		return rc;
	return 0;
}

/* ---- answers arriving --------------------------------------------------- */

static void hist_add(llm_state *s, double sec)
{
	double ms = sec * 1000;
	int b = ms <= 1 ? 0 : (int)(log(ms) / log(HIST_BASE)) + 1;

	if (b >= HIST_N)
		b = HIST_N - 1;
	s->hist[b]++;
	s->nlat++;
	if (sec > s->lat_max)
		s->lat_max = sec;
}

static double hist_pct(const llm_state *s, double q)
{
	uint64_t want = (uint64_t)ceil(q * (double)s->nlat), seen = 0;
	int b;

	for (b = 0; b < HIST_N; b++) {
		seen += s->hist[b];
		if (seen >= want && seen)
			return b == 0 ? 1.0 : pow(HIST_BASE, b);
	}
	return 0;
}

/* The choices of a completion asked for n answers, checked: NULL when each
 * entry is an object whose index (or position, without one) is in [0, n)
 * and given once, else why not. */
static const char *check_choices(const json_t *choices, int n)
{
	char seen[64] = { 0 };
	size_t ci;
	json_t *ch, *ix;
	json_int_t v;

	if (!json_array_size(choices))
		return "no_choice";
	json_array_foreach(choices, ci, ch) {
		if (!json_is_object(ch))
			return "malformed_response";
		ix = json_object_get(ch, "index");
		if (ix && !json_is_integer(ix))
			return "bad_choice_index";
		v = ix ? json_integer_value(ix) : (json_int_t)ci;
		if (v < 0 || v >= n || seen[v])
			return "bad_choice_index";
		seen[v] = 1;
	}
	return NULL;
}

/* Tally a request failure by its cause (the message without the attempt
 * count), for the end-of-run check. */
static void count_failure(llm_state *s, const char *error)
{
	char cause[160];
	const char *cut = strstr(error, " (after ");
	json_t *v;

	snprintf(cause, sizeof cause, "%.*s", cut ? (int)(cut - error) : 159, error);
	v = json_object_get(s->fail_reasons, cause);
	json_object_set_new(s->fail_reasons, cause, json_integer(v ? json_integer_value(v) + 1 : 1));
}

static void on_done(void *ctx, const cf_http_result *r)
{
	llm_state *s = ctx;
	rq *q = r->user;
	job *j = q->j;
	json_t *resp = NULL, *choices = NULL, *ch, *content, *usage;
	ans a;
	cf_error e = { 0 };
	char msg[CF_ERRMSG_MAX], key[65], url[256], *dump;
	const char *bad;
	int k, rc = 0, lost = 0;

	rq_unlink(s, q);
	hist_add(s, r->latency_s);
	if (r->outcome == CF_HTTP_FATAL) {
		cf_http_redact_url(s->url, url, sizeof url);
		if (r->unreachable)
			snprintf(msg, sizeof msg, "stage '%s': %s; what was answered is in the "
			         "cache, a re-run goes on from there", cf_stage_name(s->st), r->error);
		else
			snprintf(msg, sizeof msg, "stage '%s': %s refused the request: %s%s%s%s",
			         cf_stage_name(s->st), url, r->error,
			         r->status == 401 || r->status == 403 ? " (check the key in $" : "",
			         r->status == 401 || r->status == 403 ? s->api_key_env : "",
			         r->status != 401 && r->status != 403 ? "" :
			         !s->key_set ? ": it is not set)" : ")");
		cf_stage_fail(s->st, CF_ENET, "%s", msg);
		goto done;
	}
	if (r->outcome == CF_HTTP_FAILED) {
		count_failure(s, r->error);
		for (k = 0; k < q->count; k++)
			sample_fail(j, q->idx[k], "request_failed", json_pack("{s:i, s:s, s:i, s:i}",
			            "sample", q->idx[k], "error", r->error, "status", (int)r->status,
			            "attempts", r->attempts));
		goto finish;
	}
	s->answered++;
	usage = NULL;
	if (!(resp = cf_json_parse(r->body, r->body_len, NULL)) ||
	    !json_is_array(choices = json_object_get(resp, "choices")))
		bad = "malformed_response";
	else
		bad = check_choices(choices, q->n);
	if (bad) {
		/* a 200 that answers nothing usable: a failed try of each sample,
		 * never a free re-send (that loop had no end) */
		for (k = 0; k < q->count && rc == 0; k++)
			rc = failed_try(s, j, q->idx[k], bad, r, &e);
		goto finish;
	}
	usage = json_object_get(resp, "usage");
	s->prompt_tokens += (uint64_t)json_integer_value(json_object_get(usage, "prompt_tokens"));
	s->completion_tokens += (uint64_t)json_integer_value(json_object_get(usage, "completion_tokens"));
	s->total_tokens += (uint64_t)json_integer_value(json_object_get(usage, "total_tokens"));
	for (k = 0; k < q->count && rc == 0; k++) {
		int i = q->idx[k], c = q->n > 1 ? i : 0;
		if (!(ch = cf_llm_choice(choices, c))) {
			lost = 1;
			continue;
		}
		content = json_object_get(json_object_get(ch, "message"), "content");
		a.content = json_string_value(content);
		a.finish = json_object_get(ch, "finish_reason");
		a.usage = usage;
		a.seed = q->seed;
		if (s->cache && cache_key(s, j, q->seed, q->n, c, key) == 0) {
			/* the entry as json_pack("{s:O?, s:O?, s:O?, s:I}") built it:
			 * its bytes are the cache's format */
			json_t *entry = json_pack("{s:O?, s:O?, s:O?, s:I}", "content", content,
			                          "finish_reason", a.finish, "usage", usage,
			                          "seed", (json_int_t)q->seed);
			if (!entry) {
				rc = cf_error_set(&e, CF_ENOMEM, "out of memory");
				break;
			}
			/* the entry names its key: a read checks it (cache_try);
			 * and how many choices its n request got (n ignored?) */
			json_object_set_new(entry, "key", json_string(key));
			if (q->n > 1)
				json_object_set_new(entry, "choices",
				                    json_integer((json_int_t)json_array_size(choices)));
			dump = json_dumps(entry, JSON_COMPACT);
			json_object_del(entry, "key");
			json_object_del(entry, "choices");
			if (dump && cf_cache_put(s->cache, key, dump, strlen(dump), &e) == 0) {
				s->cache_writes++;
			} else {
				s->cache_errors++;
				if (!s->warned_cache++)
					fprintf(stderr, "cfaug: warning: stage '%s': cannot write the "
					        "response cache: %s (answers are not kept for a re-run)\n",
					        cf_stage_name(s->st), dump ? e.msg : "out of memory");
			}
			memset(&e, 0, sizeof e);
			free(dump);
			json_decref(entry);
		}
		rc = answer(s, j, i, &a, &e);
	}
	if (rc == 0 && lost) {
		/* the server ignored n: samples >= 1 get a request of their own
		 * from now on (n_mode); sample 0 is choice 0 of the n request */
		s->no_n = 1;
		for (k = 0; k < q->count && rc == 0; k++) {
			int i = q->idx[k];
			if (j->s[i].state != S_PENDING || cf_llm_choice(choices, i))
				continue;
			rc = i == 0 ? failed_try(s, j, i, "no_choice", r, &e) : advance(s, j, i, &e);
		}
	}
finish:
	if (rc < 0)
		cf_stage_fail(s->st, rc, "%s", e.msg);
	else
		finish_job(s, j);
done:
	json_decref(resp);
	free(q);
}

/* End of input: nothing to give away early (answers come through poll),
 * but from now on poll checks whether the stage did its job at all. */
static int llm_flush(cf_stage *st, void *state, cf_error *err)
{
	llm_state *s = state;

	(void)st;
	(void)err;
	s->flushed = 1;
	return 0;
}

/* After the last answer: a stage of which every request failed did
 * nothing; stop with the most frequent cause and its count. */
static int all_failed(llm_state *s, cf_error *err)
{
	const cf_http_stats *hs = cf_http_get_stats(s->http);
	const char *k, *top = NULL;
	json_t *v;
	json_int_t best = 0;

	if (!hs->failed || s->answered || s->cache_hits)
		return 0;
	json_object_foreach(s->fail_reasons, k, v)
		if (json_integer_value(v) > best) {
			best = json_integer_value(v);
			top = k;
		}
	return cf_error_set(err, CF_ENET, "stage '%s': all %llu requests failed, most "
	                    "often (%lld): %s", cf_stage_name(s->st),
	                    (unsigned long long)hs->failed, (long long)best, top ? top : "?");
}

static int llm_poll(cf_stage *st, void *state, int timeout_ms, cf_error *err)
{
	llm_state *s = state;
	int rc;

	if (!s->http)
		return 0;
	/* answers free room in the window, and may ask again: pump after */
	if (!cf_stage_failed(st) && ((rc = pump(s, err)) < 0 ||
	                  (rc = cf_http_poll(s->http, timeout_ms, on_done, s, err)) < 0 ||
	                  (rc = pump(s, err)) < 0))
		return rc;
	if (cf_stage_failed(st))
		return 0;
	if (s->njobs > 0 && cf_http_pending(s->http) == 0 && !s->wait_head)
		return cf_error_set(err, CF_EINTERNAL, "stage '%s' holds %ld records "
		                    "and waits for nothing", cf_stage_name(st), s->njobs);
	if (s->flushed && s->njobs == 0 && (rc = all_failed(s, err)) < 0)
		return rc;
	return s->njobs > INT32_MAX ? INT32_MAX : (int)s->njobs;
}

static int llm_report(cf_stage *st, void *state, json_t *out)
{
	llm_state *s = state;
	const cf_http_stats *hs = s->http ? cf_http_get_stats(s->http) : NULL;
	static const cf_http_stats zero;

	if (!hs)
		hs = &zero;
	json_object_set_new(out, "model", json_string(s->model));
	json_object_set_new(out, "prompt", json_pack("{s:s, s:s}", "name",
	                    cf_template_name(s->tpl), "sha256", cf_template_sha256(s->tpl)));
	json_object_set_new(out, "requests", json_integer((json_int_t)hs->attempts));
	json_object_set_new(out, "responses", json_integer((json_int_t)hs->completed));
	json_object_set_new(out, "retries", json_integer((json_int_t)hs->retries));
	json_object_set_new(out, "retry_after_honoured", json_integer((json_int_t)hs->retry_after_honoured));
	json_object_set_new(out, "requests_failed", json_integer((json_int_t)hs->failed));
	json_object_set_new(out, "max_in_flight", json_integer(hs->max_in_flight));
	json_object_set_new(out, "n_ignored", json_boolean(s->no_n));
	json_object_set_new(out, "cache", json_pack("{s:I, s:I, s:I, s:I}", "hits",
	                    (json_int_t)s->cache_hits, "writes", (json_int_t)s->cache_writes,
	                    "errors", (json_int_t)s->cache_errors, "foreign",
	                    (json_int_t)s->cache_foreign));
	json_object_set_new(out, "concurrency", json_integer(hs->concurrency ? hs->concurrency
	                                                                      : s->concurrency));
	json_object_set_new(out, "retry_after_refused", json_integer((json_int_t)hs->retry_after_refused));
	json_object_set_new(out, "deadline_expired", json_integer((json_int_t)hs->deadline_expired));
	json_object_set_new(out, "circuit_breaker_tripped", json_boolean(hs->tripped));
	json_object_set_new(out, "usage", json_pack("{s:I, s:I, s:I}", "prompt_tokens",
	                    (json_int_t)s->prompt_tokens, "completion_tokens",
	                    (json_int_t)s->completion_tokens, "total_tokens",
	                    (json_int_t)s->total_tokens));
	json_object_set_new(out, "latency_ms", json_pack("{s:f, s:f, s:f, s:f}",
	                    "p50", hist_pct(s, 0.5), "p90", hist_pct(s, 0.9),
	                    "p99", hist_pct(s, 0.99), "max", s->lat_max * 1000));
	json_object_set_new(out, "answers_ok", json_integer((json_int_t)s->ok_answers));
	json_object_set(out, "answers_bad", s->bad_answers);
	json_object_set_new(out, "no_target", json_integer((json_int_t)s->no_target));
	if (s->dry_run) {
		json_t *d = json_pack("{s:I, s:I, s:I, s:I}", "requests",
		        (json_int_t)s->dry_requests, "cached_samples", (json_int_t)s->dry_cached,
		        "prompt_tokens_est", (json_int_t)llround(s->dry_prompt_tok),
		        "completion_tokens_est", (json_int_t)llround(s->dry_completion_tok));
		if (s->prices.n)
			json_object_set_new(d, "cost_usd_est", json_real(
			        s->dry_prompt_tok / 1e6 * s->price_in +
			        s->dry_completion_tok / 1e6 * s->price_out));
		json_object_set_new(d, "samples", json_integer((json_int_t)s->dry_samples));
		json_object_set_new(out, "dry_run", d);
	}
	return 0;
}

static void llm_destroy(cf_stage *st, void *state)
{
	llm_state *s = state;
	job *j, *jn;
	rq *q, *qn;

	cf_http_free(&s->http);
	for (q = s->rqs; q; q = qn) {
		qn = q->next;
		free(q);
	}
	/* jobs hold only originals, which live in their groups and are freed
	 * by the runner (already, after a failed run): never touch j->it here */
	for (j = s->jobs; j; j = jn) {
		jn = j->next;
		job_free(j);
	}
	cf_cache_close(&s->cache);
	cf_template_free(&s->tpl);
	json_decref(s->params);
	json_decref(s->bad_answers);
	json_decref(s->fail_reasons);
	s->fail_reasons = NULL;
	json_decref(s->model_js);
	json_decref(s->prompt_js);
	s->model_js = s->prompt_js = NULL;
	cf_llm_wire_free(&s->wire);
	cf_jbuf_free(&s->buf);
	cf_jbuf_free(&s->body);
	cf_jbuf_free(&s->keybuf);
	s->wait_head = s->wait_tail = NULL;
	free(s->vsrc);
	free(s->url);
	free(s->labels_joined);
	s->params = s->bad_answers = NULL;
	s->vsrc = NULL;
	s->url = s->labels_joined = NULL;
	s->jobs = NULL;
	s->rqs = NULL;
}

const cf_stage_kind cf_stage_llm = {
	.name = "llm",
	.summary = "counterfactuals from an OpenAI-compatible chat endpoint (async)",
	.state_size = sizeof(llm_state),
	.options = llm_options,
	.flags = CF_STAGE_ORIGINALS | CF_STAGE_GENERATES,
	.init = llm_init,
	.process = llm_process,
	.poll = llm_poll,
	.flush = llm_flush,
	.report = llm_report,
	.destroy = llm_destroy,
};
