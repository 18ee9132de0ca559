/*
 * safe_file.h - creating and opening the files cfaug owns, without ever
 * following a symbolic link or blocking on a FIFO or device (internal).
 *
 * Every path cfaug creates (output .part files, the output lock, cache
 * temporaries and entries) goes through these: O_NOFOLLOW | O_NONBLOCK,
 * then fstat, and anything but a regular file is refused with an error
 * naming the path and what it is.  A planted symlink is never written
 * through, a FIFO never hangs the run.
 */
#ifndef CF_SAFE_FILE_H
#define CF_SAFE_FILE_H

#include <sys/types.h>
#include "cfaug/cfaug.h"

/* Create `path` as a new regular file (O_EXCL) open with `flags`
 * (O_WRONLY or O_RDWR), mode `mode`.  A regular file already there is
 * removed first (a stale temporary of a killed run); anything else there
 * (symlink, FIFO, device, directory) is refused.  Returns the fd (blocking
 * mode, O_CLOEXEC) or a negative CF_EIO with err naming the path. */
int cf_file_create(const char *path, int flags, mode_t mode, cf_error *err);

/* Open `path` (creating it when O_CREAT is in `flags`) only if it is a
 * regular file: never through a symlink, never blocking on a FIFO.
 * Returns the fd (blocking mode, O_CLOEXEC), or a negative code: CF_EIO
 * with err naming the path (ENOENT included: test errno == ENOENT). */
int cf_file_open(const char *path, int flags, mode_t mode, cf_error *err);

/* What the file at path is ("a symbolic link", "a FIFO", ...), for
 * messages; "a regular file" for one, NULL when there is nothing there. */
const char *cf_file_kind(const char *path);

#endif
