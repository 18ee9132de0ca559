/*
 * passthrough.c - the trivial stage: every item goes on unchanged.
 *
 * Consumes originals and candidates, emits each as it came.  No state, no
 * options, cannot fail.  Useful to check a pipeline's input and output
 * plumbing (read -> write) and as the smallest example of a stage.
 */
#include "cfaug/sys/stage.h"

static int passthrough_process(cf_stage *st, void *state, cf_item *it, cf_error *err)
{
	cf_emit(st, it);
	return 0;
}

const cf_stage_kind cf_stage_passthrough = {
	.name = "passthrough",
	.summary = "pass every record and candidate on unchanged",
	.flags = CF_STAGE_ORIGINALS | CF_STAGE_CANDIDATES,
	.process = passthrough_process,
};
