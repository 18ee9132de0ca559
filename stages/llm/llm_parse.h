/*
 * llm_parse.h - reading the answers of the llm stage (internal).  Split
 * out of llm.c unchanged so that the fuzz target (tests/fuzz/
 * fuzz_llm_response.c) reaches the same code the stage runs.
 *
 * Ownership: cf_llm_choice() returns a borrowed reference; edits from
 * cf_llm_parse_answer() and strings from cf_llm_cut_string() are new
 * references.
 */
#ifndef CF_LLM_PARSE_H
#define CF_LLM_PARSE_H

#include <jansson.h>
#include "cfaug/conf.h"
#include "cfaug/record.h"

typedef struct cf_llm_parse {
	const char *between[2];   /* two markers, or NULL: the whole answer */
	int json_mode;            /* parse: json */
	const char *jfield;       /* json: the one field to read, or NULL: each
	                             edited field by its own name */
	const cf_strlist *edit;   /* the fields to edit: one, or (json mode
	                             without jfield) several; llm.c's init
	                             refuses other settings */
} cf_llm_parse;

/* The entry of a completion's "choices" answering sample k: the one whose
 * "index" is k, or, for entries without an index, the k-th.  NULL if none. */
json_t *cf_llm_choice(const json_t *choices, int k);

/* Parse one answer's content (NUL-terminated, may be NULL) into edits
 * (field -> trimmed new text).  Returns NULL with *edits a new object when
 * usable, else a static reason ("no_content", "no_marker", "empty",
 * "invalid_utf8", "bad_json", "missing_field", "unchanged",
 * "marker_in_answer": the edit still holds a marker, "refusal": it is an
 * apology or a refusal, "out_of_memory") with *edits NULL.  it is the original item, read for
 * the "unchanged" check. */
const char *cf_llm_parse_answer(const cf_llm_parse *p, const cf_item *it,
                                const char *content, json_t **edits);

/* 1 when answer[0..n) opens like a refusal or an apology ("I'm sorry",
 * "I cannot", "As an AI", ...), the original orig[0..on) does not, and
 * fewer than half of the answer's first words are in the original (an
 * edit such as "I can say" -> "I can't say" keeps most of them). */
int cf_llm_is_refusal(const char *answer, size_t n, const char *orig, size_t on);

/* A new string of str[0..len) cut to at most max bytes at a UTF-8
 * character boundary; NULL when the kept bytes are not valid UTF-8. */
json_t *cf_llm_cut_string(const char *str, size_t len, size_t max);

#endif
