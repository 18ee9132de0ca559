/*
 * template.h - prompt templates: chat messages with {{variables}} (internal).
 *
 * File format (files prompts/NAME.txt).  A file whose first non-blank line is a
 * section header is split into sections; any other file is one user
 * message.  A header is a line "### NAME" with NAME one of:
 *   about      free text for people (what the prompt is for); not sent
 *   system     the system message; at most one, before any user section
 *   user       a user message
 *   assistant  an assistant message (a demonstration answer)
 * After the optional system part, user and assistant sections alternate,
 * starting and ending with user: the user/assistant pairs are few-shot
 * demonstrations, the last user section is the query.  Blank lines at the
 * start and end of a section are dropped.
 *
 * Variables: {{name}} (spaces inside the braces allowed), name made of
 * letters, digits, '_', '-' and '.'.  "\{{" is a literal "{{".  Every name
 * must be in the list of known variables given at load time, else the load
 * fails with "FILE:LINE:COL: unknown variable 'x' (known: ...)".  Values are
 * inserted as they are; JSON escaping happens when the messages are
 * written as JSON (cf_template_write_json escapes the literal text once,
 * at load, and only the values per record).
 *
 * The file must be valid UTF-8 without NUL bytes ("FILE:LINE:COL: invalid
 * UTF-8 in a template"); limits: a file of at most 1 MiB, at most 64
 * sections.
 */
#ifndef CF_TEMPLATE_H
#define CF_TEMPLATE_H

#include <jansson.h>
#include "cfaug/cfaug.h"
#include "json_write.h"

typedef struct cf_template cf_template;

/* Load and check a template file.  known: NULL-terminated variable names.
 * Returns 0; CF_EIO ("PATH: strerror"); CF_ECONFIG with "PATH:LINE:COL:
 * message"; CF_ENOMEM.  *out is a new template or NULL. */
int cf_template_load(cf_template **out, const char *path,
                     const char *const *known, cf_error *err);

/* Same from memory; name is used in messages and as the template's name. */
int cf_template_parse(cf_template **out, const char *name, const char *text,
                      size_t len, const char *const *known, cf_error *err);

/* The distinct variables the template uses, in order of first use. */
size_t cf_template_nvars(const cf_template *t);
const char *cf_template_var(const cf_template *t, size_t i);

/* The messages with vals[i] substituted for variable i (a NULL value
 * renders as ""): a new reference to [{"role": ..., "content": ...}, ...],
 * or NULL when out of memory or a value is not valid UTF-8. */
json_t *cf_template_render(const cf_template *t, const char *const *vals);

/* The same messages as JSON text, appended to b without building jansson
 * values (literal text is escaped once, at load): byte-equal to
 * json_dumps(cf_template_render(t, vals), JSON_COMPACT) when sorted is 0
 * ({"role":...,"content":...}), and to the same with JSON_SORT_KEYS when
 * sorted is 1 ({"content":...,"role":...}).  Returns 0; 1 when a value
 * (or the template) is not valid UTF-8 (render would return NULL); -1
 * when out of memory or over b's cap.  On failure b may hold a partial
 * message: the caller resets b->len. */
int cf_template_write_json(const cf_template *t, const char *const *vals,
                           int sorted, cf_jbuf *b);

/* Name (file name without directory and ".txt") and sha256 (hex) of the
 * file's bytes.  Borrowed. */
const char *cf_template_name(const cf_template *t);
const char *cf_template_sha256(const cf_template *t);

void cf_template_free(cf_template **t);

#endif
