/*
 * kinds.c - the table of judge kinds (include/cfaug/sys/judge.h), like
 * curl's available_backends[].  Adding a kind: one file in pipeline/judge/
 * defining a cf_judge_kind, and one row here.  builtin stays first: the
 * `model:` shorthand and a .cft given to `cfaug eval` open it.
 */
#include <stddef.h>
#include "judge_kind.h"

extern const cf_judge_kind cf_judge_builtin, cf_judge_llm;
extern const cf_judge_classifier cf_judge_tei, cf_judge_vllm;

const cf_judge_kind *const cf_judge_kinds[] = {
	&cf_judge_builtin,
	&cf_judge_tei.kind,
	&cf_judge_vllm.kind,
	&cf_judge_llm,
	NULL
};
