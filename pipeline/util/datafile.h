/*
 * datafile.h - where cfaug finds the data files it ships (internal).
 *
 * One search order for prompts (the llm stage, llm judges) and lexicon
 * packs (the rules stage), which each kept their own (issue 10).  For a
 * NAME of KIND (prompts | lexicons):
 *   1. NAME as given (absolute, or relative to the working directory), if
 *      the caller takes a path there (prompts: yes; a pack is a bare name);
 *   2. $CFAUG_PROMPTS / $CFAUG_LEXICONS, if set: DIR/BASE;
 *   3. the source tree: CFAUG_SRCDIR/KIND/BASE (runs from a build);
 *   4. the installed copy: CFAUG_DATADIR/KIND/BASE (share/cfaug/KIND).
 * BASE is NAME without a leading "KIND/", so `prompts/x.txt` is found
 * installed too; steps 2-4 are skipped for an absolute NAME.  The first
 * readable regular file wins.
 */
#ifndef CF_DATAFILE_H
#define CF_DATAFILE_H

#include <stddef.h>
#include "cfaug/cfaug.h"

typedef enum { CF_DATA_PROMPTS, CF_DATA_LEXICONS } cf_datakind;

/* Steps of the search (see above). */
enum { CF_DATAFILE_AS_GIVEN = 1 };

/* Find NAME of kind; flags: CF_DATAFILE_AS_GIVEN to try step 1.  On success
 * the path is in out[0..outsz) and 0 is returned.  Not found: CF_ECONFIG
 * and err says "looked in A, B, C" naming every place tried (the caller
 * puts what was wanted and where it was asked for in front). */
int cf_datafile_find(cf_datakind kind, const char *name, int flags,
                     char *out, size_t outsz, cf_error *err);

#endif
