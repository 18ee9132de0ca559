/*
 * llm_wire.h - request bodies and cache keys of the llm stage, written as
 * text without building jansson values per request (internal).
 *
 * What does not change between requests of a stage (model, parameters, the
 * URL) is serialised once by cf_llm_wire_init, with jansson, so numbers
 * come out exactly as json_dumps writes them; per request only the messages
 * (cf_template_write_json), the seed and n are added.  Both outputs are
 * byte-equal to what the stage used to build with jansson:
 *   body: json_dumps({"model", "messages", "seed", PARAMS..., ["n"]}, JSON_COMPACT)
 *   key:  sha256 of json_dumps({"v": 2, "base_url", "model", "messages",
 *         "params", "seed", "n", "req_seed", "sample"},
 *         JSON_COMPACT | JSON_SORT_KEYS)
 * (tests/unit/test_llm_wire.c checks both against jansson).  A key names
 * one choice of one request: the request's seed and n, and the choice's
 * index ("sample"), so an answer is found again only for the very request
 * that produced it, however the samples were asked for (v 1 keyed by
 * sample and retry round, and gave a choice of an n request to a sample
 * asked alone).
 */
#ifndef CF_LLM_WIRE_H
#define CF_LLM_WIRE_H

#include <jansson.h>
#include "json_write.h"

typedef struct cf_llm_wire {
	char *body_head;       /* {"model":M,"messages": */
	char *params;          /* ,"k":v,... of PARAMS in insertion order, or "" */
	char *key_head;        /* {"base_url":U,"messages": */
	char *key_tail;        /* ,"model":M,"n": */
	char *key_params;      /* ,"params":SORTED,"req_seed": */
	long long key_seed;    /* the stage seed, part of every key */
} cf_llm_wire;

/* Serialise the constant parts.  params is borrowed.  Returns 0 or -1 when
 * out of memory (w is then cleared; cf_llm_wire_free is safe either way). */
int cf_llm_wire_init(cf_llm_wire *w, const char *url, const char *model,
                     const json_t *params, long long stage_seed);

/* Append a request body to b: messages is the JSON text of the messages
 * (cf_template_write_json, sorted = 0); n > 1 adds "n".  0 or -1. */
int cf_llm_wire_body(const cf_llm_wire *w, const char *messages, size_t len,
                     long long seed, int n, cf_jbuf *b);

/* The cache key (64 hex digits and a NUL into hex) of choice `choice` of
 * the request with seed req_seed asking for n answers; sorted_messages
 * from cf_template_write_json with sorted = 1.  scratch is a reusable
 * buffer.  0 or -1. */
int cf_llm_wire_key(const cf_llm_wire *w, const char *sorted_messages, size_t len,
                    long long req_seed, int n, int choice, cf_jbuf *scratch,
                    char hex[65]);

void cf_llm_wire_free(cf_llm_wire *w);

#endif
