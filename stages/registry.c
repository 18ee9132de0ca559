/*
 * registry.c - every stage kind, in one table (git's command table).
 * Adding a stage kind = one file in stages/ + one row here.  The order here
 * is only the order of `cfaug help stages`; a pipeline's order comes from
 * its YAML alone.
 */
#include <string.h>
#include "cfaug/sys/stage.h"
#include "runner.h"

extern const cf_stage_kind cf_stage_passthrough;
extern const cf_stage_kind cf_stage_case;
extern const cf_stage_kind cf_stage_edit_filter;
extern const cf_stage_kind cf_stage_reorder;
extern const cf_stage_kind cf_stage_rules;
extern const cf_stage_kind cf_stage_teacher;
extern const cf_stage_kind cf_stage_llm;
extern const cf_stage_kind cf_stage_zfilter;

const cf_stage_kind *const cf_stage_kinds[] = {
	&cf_stage_passthrough,
	&cf_stage_case,
	&cf_stage_edit_filter,
	&cf_stage_reorder,
	&cf_stage_rules,
	&cf_stage_teacher,
	&cf_stage_llm,
	&cf_stage_zfilter,
	NULL
};

const cf_stage_kind *cf_stage_kind_find(const char *name)
{
	size_t i;

	for (i = 0; cf_stage_kinds[i]; i++)
		if (strcmp(cf_stage_kinds[i]->name, name) == 0)
			return cf_stage_kinds[i];
	return NULL;
}

int cf_pipeline_new(cf_pipeline **out, const cf_conf *conf, cf_error *err)
{
	cf_run_opts o = { .kinds = cf_stage_kinds };

	return cf_pipeline_new_opts(out, conf, &o, err);
}
