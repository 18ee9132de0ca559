/*
 * fault_rename.c - LD_PRELOAD shim for the output-commit tests: the
 * CFAUG_FAULT_RENAME-th call of rename() (1-based, counted over the whole
 * process) fails with EIO, or, with CFAUG_FAULT_MODE=kill, the process
 * kills itself with SIGKILL just before it.  Every other call goes to the
 * real rename().  Used only by tests/cli/test_output_safety.sh.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int rename(const char *from, const char *to)
{
	static int (*real)(const char *, const char *);
	static long calls;
	const char *at = getenv("CFAUG_FAULT_RENAME"), *mode = getenv("CFAUG_FAULT_MODE");

	if (!real)
		real = (int (*)(const char *, const char *))dlsym(RTLD_NEXT, "rename");
	if (at && ++calls == atol(at)) {
		if (mode && strcmp(mode, "kill") == 0)
			kill(getpid(), SIGKILL);
		errno = EIO;
		return -1;
	}
	return real(from, to);
}
