/*
 * error.c - the error struct and code names (see include/cfaug/cfaug.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include "cfaug/cfaug.h"

int cf_error_vset(cf_error *err, int code, const char *fmt, va_list ap)
{
	if (!err || err->code)
		return code;     /* the first error wins: lower errors propagate */
	err->code = code;
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	return code;
}

int cf_error_set(cf_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cf_error_vset(err, code, fmt, ap);
	va_end(ap);
	return code;
}

int cf_error_pass(cf_error *err, const cf_error *e)
{
	if (!e || !e->code)
		return 0;
	return cf_error_set(err, e->code, "%s", e->msg);
}

const char *cf_strerror(int code)
{
	switch (code) {
	case CF_OK:        return "ok";
	case CF_ENOMEM:    return "out of memory";
	case CF_EIO:       return "input/output error";
	case CF_ECONFIG:   return "configuration error";
	case CF_EDATA:     return "data error";
	case CF_EUSAGE:    return "usage error";
	case CF_EINTERNAL: return "internal error";
	case CF_ENET:      return "network error";
	case CF_EINTR:     return "interrupted";
	case CF_ELIMIT:    return "limit exceeded";
	case CF_EUNABLE:   return "the run could not do its job";
	}
	return "unknown error";
}

int cf_exit_code(int code)
{
	switch (code) {
	case CF_OK:      return CF_EXIT_OK;
	case CF_EUSAGE:  return CF_EXIT_USAGE;
	case CF_ECONFIG: return CF_EXIT_CONFIG;
	case CF_EDATA:   return CF_EXIT_DATA;
	case CF_EINTR:   return CF_EXIT_INTERRUPTED;
	}
	return CF_EXIT_RUNTIME;
}
