/*
 * endpoint_opts.h - the option rows of an HTTP endpoint, with one set of
 * defaults for every user (the llm stage, the teacher's remote judges,
 * `cfaug eval --judge` and `--fluency`).  A state that uses them names its
 * fields base_url, api_key_env (char *), concurrency, max_retries (long)
 * and timeout_s (double); the client is pipeline/util/http.h.
 */
#ifndef CF_ENDPOINT_OPTS_H
#define CF_ENDPOINT_OPTS_H

#include <stddef.h>
#include "cfaug/conf.h"

#define CF_ENDPOINT_CONCURRENCY "16"
#define CF_ENDPOINT_MAX_RETRIES "6"
#define CF_ENDPOINT_TIMEOUT_S   "60"
#define CF_ENDPOINT_KEY_ENV     "OPENAI_API_KEY"

/* An OpenAI-compatible endpoint root (required). */
#define CF_OPT_ENDPOINT_BASE_URL(T) \
	{ .key = "base_url", .type = CF_OPT_STRING, \
	  .offset = offsetof(T, base_url), .flags = CF_OPT_REQUIRED, \
	  .help = "endpoint root, e.g. https://api.openai.com/v1" }
/* The key of an OpenAI-compatible endpoint (default OPENAI_API_KEY). */
#define CF_OPT_ENDPOINT_KEY(T) \
	{ .key = "api_key_env", .type = CF_OPT_STRING, \
	  .offset = offsetof(T, api_key_env), .def = CF_ENDPOINT_KEY_ENV, \
	  .help = "environment variable holding the API key (unset: none sent)" }
#define CF_OPT_ENDPOINT_CONCURRENCY(T) \
	{ .key = "concurrency", .type = CF_OPT_INT, \
	  .offset = offsetof(T, concurrency), .def = CF_ENDPOINT_CONCURRENCY, \
	  .min = 1, .max = 4096, .help = "most requests in flight" }
#define CF_OPT_ENDPOINT_RETRIES(T) \
	{ .key = "max_retries", .type = CF_OPT_INT, \
	  .offset = offsetof(T, max_retries), .def = CF_ENDPOINT_MAX_RETRIES, \
	  .min = 0, .max = 100, \
	  .help = "retries of a request on 408/409/429/5xx/timeouts" }
#define CF_OPT_ENDPOINT_TIMEOUT(T) \
	{ .key = "timeout_s", .type = CF_OPT_DOUBLE, \
	  .offset = offsetof(T, timeout_s), .def = CF_ENDPOINT_TIMEOUT_S, \
	  .min = 0.001, .max = 86400, .help = "per-attempt timeout in seconds" }
/* The client's three */
#define CF_OPT_ENDPOINT_CLIENT(T) CF_OPT_ENDPOINT_CONCURRENCY(T), \
	CF_OPT_ENDPOINT_RETRIES(T), CF_OPT_ENDPOINT_TIMEOUT(T)

#endif
