/*
 * args.c - small helpers for commands that parse their own options
 * (teacher, eval): long/short option matching and checked numbers.  Every
 * mistake is CF_EUSAGE with a one-line message.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

int cf_cli_usage_error(cf_error *err, const char *fmt, const char *what)
{
	char msg[300];

	snprintf(msg, sizeof msg, fmt, what);
	return cf_error_set(err, CF_EUSAGE, "%s", msg);
}

int cf_cli_opt(int argc, char **argv, int *i, const char *lng, const char *shrt,
               int has_val, const char **val, cf_error *err)
{
	const char *a = argv[*i];
	size_t n = strlen(lng);

	if (has_val && !strncmp(a, lng, n) && a[n] == '=') {
		*val = a + n + 1;
		return 1;
	}
	if (strcmp(a, lng) && (!shrt || strcmp(a, shrt)))
		return 0;
	if (!has_val)
		return 1;
	if (*i + 1 >= argc)
		return cf_cli_usage_error(err, "option %s needs a value", lng);
	*val = argv[++*i];
	return 1;
}

int cf_cli_long(const char *s, long lo, long hi, const char *name, long *out,
                cf_error *err)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (!*s || *end || v < lo || v > hi)
		return cf_error_set(err, CF_EUSAGE, "%s: '%s' is not an integer in "
		                    "[%ld, %ld]", name, s, lo, hi);
	*out = v;
	return 0;
}

int cf_cli_double(const char *s, const char *name, double *out, cf_error *err)
{
	char *end;
	double v = strtod(s, &end);

	if (!*s || *end || !isfinite(v))
		return cf_error_set(err, CF_EUSAGE, "%s: '%s' is not a number", name, s);
	*out = v;
	return 0;
}
