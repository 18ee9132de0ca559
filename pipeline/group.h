/*
 * group.h - everything that becomes of one input record (internal).
 *
 * A group is born when the reader yields a record and dies when its lines
 * have been written.  `refs` counts the group's items still alive inside
 * stages plus one hold by the runner while it pushes the original; at zero
 * nothing more can happen to the record and, once every older group is
 * written too, it is written.  Groups wait in a FIFO, so output order is
 * input order whatever order stages finish in.
 */
#ifndef CF_GROUP_H
#define CF_GROUP_H

#include "cfaug/record.h"

typedef struct cf_group {
	cf_record rec;           /* rec.fields owned here */
	cf_item original;        /* the original item lives inside its group */
	int refs;
	unsigned consumed : 1;   /* a stage dropped the original on purpose */
	unsigned original_out : 1; /* the original reached the end */
	unsigned is_error : 1;   /* unreadable or invalid, or a stage failed it */
	char *error;             /* reason when is_error (owned) */
	const char *error_stage; /* stage that failed it (borrowed), NULL for input errors */
	char *raw;               /* raw text kept for errors/splicing: owned, or
	                            borrowed from the reader until the next read */
	unsigned raw_borrowed : 1;
	unsigned id_known : 1;   /* rec.id is the record's real id (not a stand-in
	                            for an unreadable record) */
	size_t raw_len;
	char idnum[24];          /* rec.id when it is a number (or the record
	                            number standing in); a string id is
	                            borrowed from rec.fields */
	char labnum[24];         /* rec.label when the label is an integer */
	cf_item *accepted;       /* candidates that came out of the last stage */
	cf_item *rejected;       /* candidates some stage rejected */
	struct cf_group *next;   /* FIFO */
	uint32_t gen_count[];    /* per stage: candidates made for this record */
} cf_group;

#endif
