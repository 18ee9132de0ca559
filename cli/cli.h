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
void cf_cli_usage(const char *name, FILE *f);

#endif
