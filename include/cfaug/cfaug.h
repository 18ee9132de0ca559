/*
 * cfaug.h - public basics: version, error codes, the error struct.
 *
 * Every function returns int: 0 ok, a negative CF_E* code on failure (never
 * renumbered), or a positive value carrying flow meaning documented at the
 * function.  The human message travels in a cf_error passed down the call;
 * the first error set wins, callers add nothing on top (lower errors are
 * propagated, not overwritten).
 */
#ifndef CFAUG_H
#define CFAUG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define CFAUG_VERSION "0.1.0"

enum {
	CF_OK        = 0,
	CF_ENOMEM    = -1,  /* allocation failed */
	CF_EIO       = -2,  /* read/write/open failed */
	CF_ECONFIG   = -3,  /* pipeline file or option is wrong */
	CF_EDATA     = -4,  /* a record is bad (fatal only under on_error: fail) */
	CF_EUSAGE    = -5,  /* command line is wrong */
	CF_EINTERNAL = -6,  /* a bug: an invariant did not hold */
	CF_ENET      = -7,  /* network or remote endpoint failure */
	CF_EINTR     = -8,  /* interrupted by a signal */
	CF_ELIMIT    = -9,  /* a hard size limit was reached */
	CF_EUNABLE   = -10  /* the run could not do its job (a stage, every candidate) */
};

/* Process exit codes (documented in the man page and README). */
enum {
	CF_EXIT_OK = 0, CF_EXIT_RUNTIME = 1, CF_EXIT_USAGE = 2,
	CF_EXIT_CONFIG = 3, CF_EXIT_DATA = 4, CF_EXIT_INTERRUPTED = 130
};

#define CF_ERRMSG_MAX 512

typedef struct cf_error {
	int code;                   /* CF_E*, 0 while unset */
	char msg[CF_ERRMSG_MAX];    /* one line, says what and where */
} cf_error;

/* Set err (if not set yet) and return code.  err may be NULL. */
int cf_error_set(cf_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

int cf_error_vset(cf_error *err, int code, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/* The one fatal path.  Whatever must fail later -- on its next call or
 * after a callback -- keeps one cf_error (zeroed: no failure yet): it
 * records with cf_error_set (the first failure wins), tests .code, and hands
 * the failure on with cf_error_pass.  The reader (pipeline/input/), eval's
 * judges (pipeline/eval/) and the runner for its stages (cf_stage_fail)
 * work this way.  cf_error_pass sets err from e if e is set (and err is not
 * yet) and returns e->code (0 if none). */
int cf_error_pass(cf_error *err, const cf_error *e);

/* Short name for a code, e.g. "out of memory". Never NULL. */
const char *cf_strerror(int code);

/* Map an error code to the process exit code. */
int cf_exit_code(int code);

#endif
