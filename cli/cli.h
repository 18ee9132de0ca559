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
	void (*help)(FILE *f);              /* prints the options; may be NULL */
} cf_command;

int cf_cmd_run(int argc, char **argv);
int cf_cmd_validate(int argc, char **argv);
int cf_cmd_teacher(int argc, char **argv);
int cf_cmd_eval(int argc, char **argv);
int cf_cmd_merge(int argc, char **argv);
int cf_cmd_init(int argc, char **argv);
int cf_cmd_schema(int argc, char **argv);
int cf_cmd_completion(int argc, char **argv);
void cf_cli_usage(const char *name, FILE *f);

/* An option of a command, as data (help.c): the parser and the help both
 * read it.  shrt is the short letter ('i') or, for long-only options, an
 * upper-case id that never appears on the command line. */
enum { CF_CLI_RUN = 1u, CF_CLI_VALIDATE = 2u };
typedef struct cf_cli_option {
	const char *lng;       /* "input" (without --) */
	char shrt;
	const char *arg;       /* "PATH", or NULL for a flag */
	unsigned cmds;         /* CF_CLI_RUN | CF_CLI_VALIDATE */
	const char *help;      /* one line (wrapped when printed) */
} cf_cli_option;

extern const cf_cli_option cf_run_options[];
/* Print the rows of t that belong to cmd, one wrapped line each. */
void cf_cli_print_options(FILE *f, const cf_cli_option *t, unsigned cmd);
/* The teacher's help: every option of each subcommand (sub NULL: all). */
void cf_cli_help_teacher(FILE *f, const char *sub);

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
