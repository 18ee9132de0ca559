/*
 * case.c - a case perturbation: the text lower- or upper-cased.
 *
 * Consumes originals, emits the original and at most one candidate whose
 * configured text fields are case-mapped, label kept: the invariance test
 * of CheckList (a classifier should not change its mind over casing).
 * ASCII letters only; other characters pass unchanged, so UTF-8 stays
 * valid.  A record the mapping does not change yields no candidate
 * (counted as no_edit).  State: the options and two counters.
 */
#include <stdlib.h>
#include <string.h>
#include "cfaug/sys/stage.h"

typedef struct case_state {
	int upper;              /* 0 lower, 1 upper */
	cf_strlist fields;      /* empty: all text fields */
	const cf_strlist *edit; /* the fields to change */
	uint64_t edited, no_edit;
} case_state;

static const char *const case_names[] = { "lower", "upper", NULL };

static const cf_option case_options[] = {
	{ .key = "to", .type = CF_OPT_ENUM,
	  .offset = offsetof(case_state, upper), .def = "lower",
	  .choices = case_names, .help = "lower | upper" },
	{ .key = "fields", .type = CF_OPT_STRLIST,
	  .offset = offsetof(case_state, fields),
	  .help = "fields to change (default: all text fields)" },
	{ .key = NULL }
};

static int case_init(cf_stage *st, void *state, const cf_pipeline_info *info,
                     cf_error *err)
{
	case_state *s = state;

	return cf_stage_fields(info, &s->fields, &s->edit, err);
}

static int case_process(cf_stage *st, void *state, cf_item *it, cf_error *err)
{
	case_state *s = state;
	const cf_strlist *fl = s->edit;
	cf_item *c = NULL;
	size_t i, k, len;
	int changed = 0, rc = 0;
	char *buf;

	for (i = 0; i < fl->n; i++) {
		const char *t = cf_item_text(it, fl->v[i], &len);
		if (!t)
			continue;
		if (!(buf = malloc(len + 1)))
			goto nomem;
		for (k = 0; k < len; k++) {
			char ch = t[k];
			if (s->upper && ch >= 'a' && ch <= 'z')
				ch = (char)(ch - 'a' + 'A');
			else if (!s->upper && ch >= 'A' && ch <= 'Z')
				ch = (char)(ch - 'A' + 'a');
			buf[k] = ch;
		}
		if (memcmp(buf, t, len) != 0) {
			if (!c && !(c = cf_candidate_new(st, it))) {
				free(buf);
				goto nomem;
			}
			rc = cf_candidate_set_text(c, fl->v[i], buf, len);
			changed = 1;
		}
		free(buf);
		if (rc < 0)
			goto nomem;
	}
	if (changed) {
		s->edited++;
		json_object_set_new(c->generator, "op", json_string(s->upper ? "upper" : "lower"));
		cf_emit(st, c);
	} else {
		s->no_edit++;
	}
	cf_emit(st, it);
	return 0;
nomem:
	if (c)
		cf_reject(st, c, "out_of_memory", NULL);
	cf_fail_record(st, it, "out of memory");
	return cf_error_set(err, CF_ENOMEM, "out of memory");
}

static int case_report(cf_stage *st, void *state, json_t *out)
{
	case_state *s = state;

	json_object_set_new(out, "edited", json_integer((json_int_t)s->edited));
	json_object_set_new(out, "no_edit", json_integer((json_int_t)s->no_edit));
	return 0;
}

const cf_stage_kind cf_stage_case = {
	.name = "case",
	.summary = "candidate with the text lower- or upper-cased (label kept)",
	.state_size = sizeof(case_state),
	.options = case_options,
	.flags = CF_STAGE_ORIGINALS | CF_STAGE_GENERATES,
	.init = case_init,
	.process = case_process,
	.report = case_report,
};
