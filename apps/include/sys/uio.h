/*
 * Scatter/gather I/O, as glibc's <sys/uio.h>: struct iovec (Linux's
 * layout) and readv/writev (apps/lib/socket.c). newlib has neither.
 */
#ifndef SQUALL_SYS_UIO_H
#define SQUALL_SYS_UIO_H

#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef __iovec_defined
#define __iovec_defined 1
struct iovec {
	void *iov_base;
	size_t iov_len;
};
#endif

#define UIO_MAXIOV 1024
#define IOV_MAX 1024

ssize_t readv(int fd, const struct iovec *iov, int iovcnt);
ssize_t writev(int fd, const struct iovec *iov, int iovcnt);

#ifdef __cplusplus
}
#endif

#endif /* SQUALL_SYS_UIO_H */
