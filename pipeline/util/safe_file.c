/*
 * safe_file.c - see safe_file.h.  Why every flag: O_NOFOLLOW so a planted
 * symlink is an error (ELOOP), not a write into its target; O_NONBLOCK so
 * opening a FIFO with no writer returns at once instead of hanging the
 * run (it is then refused by the fstat check); O_EXCL on creation so the
 * file is ours and new.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "safe_file.h"

static const char *mode_kind(mode_t m)
{
	if (S_ISREG(m)) return "a regular file";
	if (S_ISLNK(m)) return "a symbolic link";
	if (S_ISFIFO(m)) return "a FIFO";
	if (S_ISDIR(m)) return "a directory";
	if (S_ISCHR(m) || S_ISBLK(m)) return "a device";
	if (S_ISSOCK(m)) return "a socket";
	return "not a regular file";
}

const char *cf_file_kind(const char *path)
{
	struct stat sb;

	return lstat(path, &sb) == 0 ? mode_kind(sb.st_mode) : NULL;
}

static int refuse(const char *path, const char *kind, cf_error *err)
{
	return cf_error_set(err, CF_EIO, "%s: is %s, not a regular file: refusing to "
	                    "open it (remove it if it is not yours)", path, kind);
}

/* fstat the fd: regular files only; then back to blocking mode. */
static int check_fd(int fd, const char *path, cf_error *err)
{
	struct stat sb;
	int fl;

	if (fstat(fd, &sb) != 0)
		return cf_error_set(err, CF_EIO, "%s: %s", path, strerror(errno));
	if (!S_ISREG(sb.st_mode)) {
		errno = EINVAL;   /* never ENOENT: callers test for "absent" */
		return refuse(path, mode_kind(sb.st_mode), err);
	}
	if ((fl = fcntl(fd, F_GETFL)) < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0)
		return cf_error_set(err, CF_EIO, "%s: %s", path, strerror(errno));
	return 0;
}

static int open_error(const char *path, int e, cf_error *err)
{
	const char *kind = (e == ELOOP || e == EEXIST || e == ENXIO) ? cf_file_kind(path) : NULL;

	if (kind && strcmp(kind, "a regular file"))
		refuse(path, kind, err);
	else
		cf_error_set(err, CF_EIO, "%s: %s", path, strerror(e));
	errno = e;
	return CF_EIO;
}

int cf_file_open(const char *path, int flags, mode_t mode, cf_error *err)
{
	int fd = open(path, flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY, mode);
	int rc;

	if (fd < 0)
		return open_error(path, errno, err);
	if ((rc = check_fd(fd, path, err)) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return rc;
	}
	return fd;
}

int cf_file_create(const char *path, int flags, mode_t mode, cf_error *err)
{
	struct stat sb;

	if (lstat(path, &sb) == 0) {
		if (!S_ISREG(sb.st_mode)) {
			errno = EEXIST;
			return refuse(path, mode_kind(sb.st_mode), err);
		}
		if (unlink(path) != 0 && errno != ENOENT)
			return cf_error_set(err, CF_EIO, "%s: %s", path, strerror(errno));
	}
	return cf_file_open(path, flags | O_CREAT | O_EXCL, mode, err);
}
