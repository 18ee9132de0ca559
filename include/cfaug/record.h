/*
 * record.h - the one data type that flows: an input record, and the items
 * (the original itself, or a counterfactual candidate of it) that stages
 * pass along.
 *
 * Ownership: a cf_record is made by the runner from one input record and
 * lives until everything derived from it has been written; stages only
 * borrow it.  An item is owned by whoever holds it: the runner hands it to a
 * stage's process(), and the stage gives it away again with exactly one of
 * cf_emit / cf_reject / cf_consume / cf_fail_record (see sys/stage.h).
 */
#ifndef CFAUG_RECORD_H
#define CFAUG_RECORD_H

#include <jansson.h>
#include "cfaug.h"

typedef struct cf_record {
	uint64_t seq;        /* 0-based position among good records of this run */
	uint64_t recno;      /* 1-based record number in the input (bad ones count) */
	long line;           /* 1-based line where the record starts */
	const char *id;      /* id_field's value as text, or recno in decimal */
	json_t *fields;      /* every input field, untouched; owned by the record */
	const char *label;   /* label_field's value, NULL for unlabelled input */
} cf_record;

struct cf_group;

typedef struct cf_item {
	const cf_record *rec;  /* the original record (borrowed) */
	json_t *cf;            /* NULL: the item is the original record itself.
	                          Else: the candidate's text fields and "label"
	                          (the target label), owned by the item */
	json_t *generator;     /* candidate provenance: {"stage","kind",...}; owned */
	json_t *notes;         /* stages' annotations {KEY: value} (owned, NULL
	                          before the first): cf_item_annotate */
	char *gen_edits;       /* provenance fast path: the JSON text written as
	                          generator's "edits", which then holds null
	                          (keeps the key's place); owned, NULL if unused */
	struct cf_edit_spans *edit_spans; /* where the candidate's text differs
	                          from the original's (sys/stage.h), set by the
	                          stage that made it (rules), read by edit_filter;
	                          owned, NULL if unknown; freed with the item */
	uint32_t gen_stage;    /* index of the stage that made the candidate */
	uint32_t gen_index;    /* 0-based n-th candidate of that stage and record */

	/* runner-private below */
	struct cf_group *group;
	struct cf_item *next;
	char *reason;          /* why rejected (owned) */
	json_t *detail;        /* rejection detail (owned), may be NULL */
	uint32_t reject_stage; /* index of the stage that rejected it */
} cf_item;

/* 1 if the item is a counterfactual candidate, 0 if it is the original. */
static inline int cf_item_is_candidate(const cf_item *it) { return it->cf != NULL; }

/* The text of field for this item: the candidate's edited text, or the
 * original's.  NULL if the field is absent or not a string.  Borrowed. */
const char *cf_item_text(const cf_item *it, const char *field, size_t *len);

/* The item's label: the target label of a candidate, the record's label of
 * an original; NULL when unlabelled.  Borrowed. */
const char *cf_item_label(const cf_item *it);

#endif
