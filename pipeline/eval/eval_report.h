/*
 * eval_report.h - the report of `cfaug eval`: report.json (every number)
 * and report.html (one self-contained page drawn from the same JSON, charts
 * as inline SVG, no scripts, no external assets).  Internal to cfaug.
 *
 * The HTML is a pure function of the JSON object that cli/cmd_eval.c
 * builds (keys documented there and in the README), so what the page shows
 * is what report.json says.
 */
#ifndef CF_EVAL_REPORT_H
#define CF_EVAL_REPORT_H

#include <jansson.h>
#include "cfaug/cfaug.h"

#define CF_REPORT_MAX_HTML (64u << 20)   /* cap on the page's size */

/* The page for report r (borrowed).  Returns a new NUL-terminated string
 * the caller free()s, or NULL with err set (CF_ENOMEM, CF_ELIMIT). */
char *cf_eval_report_html(const json_t *r, cf_error *err);

/* Write DIR/report.json and DIR/report.html (each to a .tmp name first,
 * then renamed).  DIR must exist.  0 or CF_EIO / CF_ENOMEM with err set. */
int cf_eval_report_write(const json_t *r, const char *dir, cf_error *err);

#endif
