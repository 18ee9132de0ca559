/*
 * error_lines.c - bad records told on stderr when there is no errors.jsonl
 * (-o -): one line per record, and a flood of one kind summarised.
 *
 * A kind is the reason with its digits removed ("invalid UTF-8 at byte 17"
 * and "... at byte 3" are one kind), so a file with a million bad lines of
 * one sort prints CF_ERROR_LINES_EACH of them and one count at the end.
 */
#include <ctype.h>
#include <string.h>
#include "output_writers.h"

static void kind_of(const char *stage, const char *reason, char *out, size_t n)
{
	size_t k = 0;

	if (stage)
		k = (size_t)snprintf(out, n, "stage %s: ", stage);
	for (; reason && *reason && k + 1 < n; reason++)
		if (!isdigit((unsigned char)*reason))
			out[k++] = *reason;
	out[k < n ? k : n - 1] = '\0';
}

void cf_error_line(cf_error_lines *el, FILE *f, const char *input, long line,
                   uint64_t recno, const char *stage, const char *reason)
{
	char kind[64];
	unsigned i;

	kind_of(stage, reason, kind, sizeof kind);
	for (i = 0; i < el->n && strcmp(el->kind[i], kind); i++)
		;
	if (i == el->n) {
		if (el->n == CF_ERROR_LINES_KINDS) {
			el->other++;
			return;
		}
		memcpy(el->kind[el->n++], kind, sizeof kind);
	}
	if (++el->count[i] > CF_ERROR_LINES_EACH)
		return;
	fprintf(f, "cfaug: %s:%ld: record %llu: %s%s%s%s\n", input, line,
	        (unsigned long long)recno, stage ? "stage " : "", stage ? stage : "",
	        stage ? ": " : "", reason);
}

void cf_error_lines_end(cf_error_lines *el, FILE *f)
{
	for (unsigned i = 0; i < el->n; i++)
		if (el->count[i] > CF_ERROR_LINES_EACH)
			fprintf(f, "cfaug: ... and %llu more records with \"%s\" (%llu in all)\n",
			        el->count[i] - CF_ERROR_LINES_EACH, el->kind[i], el->count[i]);
	if (el->other)
		fprintf(f, "cfaug: ... and %llu records with other kinds of errors\n", el->other);
	memset(el, 0, sizeof *el);
}
