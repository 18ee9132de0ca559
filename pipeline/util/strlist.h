/*
 * strlist.h - looking a string up in a cf_strlist (internal).
 *
 * One lookup for the stages, the judge engine and eval, which each kept
 * a copy of it (issue 10).
 */
#ifndef CF_STRLIST_H
#define CF_STRLIST_H

#include "cfaug/conf.h"

/* The index of the first entry of l equal to v, or -1 (also when l is
 * NULL). */
int cf_strlist_index(const cf_strlist *l, const char *v);

#endif
