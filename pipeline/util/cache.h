/*
 * cache.h - an on-disk store of completed responses, for resume (internal).
 *
 * Entries are files DIR/ab/abcdef...  named by a 64-hex-digit key (the
 * caller's sha256 of what identifies the request; never a secret).  The
 * directory is created with mode 0700, entries with 0600.  An entry is
 * written to a temporary file and renamed into place, so a reader sees a
 * whole entry or none, even after kill -9; leftover temporaries are
 * ignored.  There is no fsync: a crash of the process loses nothing, a
 * crash of the machine may lose the last entries (they are then re-asked).
 * Several pipelines and processes may share one directory.
 */
#ifndef CF_CACHE_H
#define CF_CACHE_H

#include <stddef.h>
#include "cfaug/cfaug.h"

typedef struct cf_cache cf_cache;

#define CF_CACHE_MAX_ENTRY (16u << 20)

/* Open (creating) the cache directory.  CF_EIO with "DIR: strerror". */
int cf_cache_open(cf_cache **out, const char *dir, cf_error *err);

/* Look an entry up: 1 and *data (malloc'd, NUL-ended, the caller frees)
 * when present, 0 when absent, negative on a read failure. */
int cf_cache_get(cf_cache *c, const char *key, char **data, size_t *len);

/* Store an entry atomically (replacing one with the same key).  Returns 0
 * or CF_EIO with err set. */
int cf_cache_put(cf_cache *c, const char *key, const char *data, size_t len,
                 cf_error *err);

void cf_cache_close(cf_cache **c);

#endif
