/*
 * shell_word.h - a path or name written as one POSIX shell word (internal).
 *
 * For the command lines cfaug prints for the user to paste (`cfaug init`'s
 * next step, the `cfaug teacher train` that makes a missing model): a name
 * with a space, a quote or a '$' must survive the paste.
 */
#ifndef CF_SHELL_WORD_H
#define CF_SHELL_WORD_H

#include <stdio.h>

/* Writes s to f as one shell word: as is when it holds only characters no
 * shell treats specially, else in single quotes (a ' inside as '\'');
 * "./" before a leading '-' so it is not read as an option. */
void cf_shell_word(FILE *f, const char *s);

/* The same as a new string (caller frees), or NULL when out of memory. */
char *cf_shell_word_dup(const char *s);

#endif
