/*
 * rules_spans.c - hands the rules stage's edits to later stages as byte
 * spans on the candidate (cf_item.edit_spans, sys/stage.h), so edit_filter
 * measures a rules candidate without a full edit-distance table.  Owned by
 * the edit_filter side of the pipeline (quick2, issue 15); rules.c calls
 * it once per edited field.
 */
#include <stdint.h>
#include <stdlib.h>
#include "rules.h"
#include "cfaug/sys/stage.h"

int cf_rules_note_spans(cf_item *c, const char *field, const cf_rules_out *out)
{
	cf_edit_spans *sp = c->edit_spans;
	size_t have = sp ? sp->n : 0, i;

	if (out->len > UINT32_MAX || (out->nedits &&   /* not in 32 bits: no hint */
	    out->edits[out->nedits - 1].src_off + out->edits[out->nedits - 1].src_len > UINT32_MAX)) {
		free(c->edit_spans);
		c->edit_spans = NULL;
		return 0;
	}
	if (!out->nedits)
		return 0;
	sp = realloc(sp, sizeof *sp + (have + out->nedits) * sizeof sp->v[0]);
	if (!sp)
		return CF_ENOMEM;   /* the old block stays with the item */
	for (i = 0; i < out->nedits; i++) {
		const cf_rules_edit *e = &out->edits[i];
		sp->v[have + i] = (cf_edit_span){ .field = field,
			.src_off = (uint32_t)e->src_off, .src_len = (uint32_t)e->src_len,
			.dst_off = (uint32_t)e->dst_off, .dst_len = (uint32_t)e->dst_len };
	}
	sp->n = have + out->nedits;
	c->edit_spans = sp;
	return 0;
}
