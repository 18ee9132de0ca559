/*
 * cli.h - the command table shared by the files of cli/.
 */
#ifndef CF_CLI_H
#define CF_CLI_H

#include <stdio.h>
#include "cfaug/sys/stage.h"

typedef struct cf_command {
	const char *name;
	int (*fn)(int argc, char **argv);   /* argv[0] is the command name */
	const char *summary;
	const char *usage;
} cf_command;

int cf_cmd_run(int argc, char **argv);
int cf_cmd_validate(int argc, char **argv);
int cf_cmd_teacher(int argc, char **argv);
int cf_cmd_eval(int argc, char **argv);
int cf_cmd_merge(int argc, char **argv);
void cf_cli_usage(const char *name, FILE *f);

/* Option helpers (args.c).  cf_cli_opt matches argv[*i] against --long or
 * -s; a value comes from "--long=V" or the next argument.  Returns 1 when
 * matched (*val set when has_val), 0 when not this option, <0 on a usage
 * error.  The others return 0 or CF_EUSAGE with err set. */
int cf_cli_usage_error(cf_error *err, const char *fmt, const char *what);
int cf_cli_opt(int argc, char **argv, int *i, const char *lng, const char *shrt,
               int has_val, const char **val, cf_error *err);
int cf_cli_long(const char *s, long lo, long hi, const char *name, long *out,
                cf_error *err);
int cf_cli_double(const char *s, const char *name, double *out, cf_error *err);

#endif
