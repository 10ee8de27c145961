/*
 * Copying between kernel buffers and a message's user iovecs, for every
 * protocol's sendmsg/recvmsg (the role of Linux's iov_iter helpers). The
 * iovecs were checked with access_ok when net/socket.c imported them, and
 * the user arena is always mapped, so a plain memcpy is safe. Portable:
 * the hosted protocol tests use it as the kernel does.
 */
#include <net/socket.h>
#include <kernel/errno.h>
#include <stdint.h>
#include <string.h>

size_t msg_data_left(const struct msghdr *msg)
{
	size_t n = 0;

	for (size_t i = msg->iov_idx; i < msg->msg_iovlen; i++)
		n += msg->msg_iov[i].iov_len;
	return n - msg->iov_off;
}

/* Copy @len bytes between @kbuf and the iovecs at the current position, advancing it. */
static int msg_copy(struct msghdr *msg, void *kbuf, size_t len, int to_user)
{
	uint8_t *k = kbuf;

	while (len) {
		struct iovec *iov;
		size_t n;

		if (msg->iov_idx >= msg->msg_iovlen)
			return -EFAULT;	/* asked for more than the message holds */
		iov = &msg->msg_iov[msg->iov_idx];
		n = iov->iov_len - msg->iov_off;
		if (n > len)
			n = len;
		if (to_user)
			memcpy((uint8_t *)iov->iov_base + msg->iov_off, k, n);
		else
			memcpy(k, (uint8_t *)iov->iov_base + msg->iov_off, n);
		k += n;
		len -= n;
		msg->iov_off += n;
		if (msg->iov_off == iov->iov_len) {
			msg->iov_idx++;
			msg->iov_off = 0;
		}
	}
	return 0;
}

int memcpy_from_msg(void *dst, struct msghdr *msg, size_t len)
{
	return msg_copy(msg, dst, len, 0);
}

int memcpy_to_msg(struct msghdr *msg, const void *src, size_t len)
{
	return msg_copy(msg, (void *)src, len, 1);
}
