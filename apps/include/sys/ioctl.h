/*
 * ioctl(), as glibc's <sys/ioctl.h>, with the Linux request numbers apps
 * use on sockets and terminals. Implemented in apps/lib/socket.c.
 */
#ifndef SQUALL_SYS_IOCTL_H
#define SQUALL_SYS_IOCTL_H

#ifdef __cplusplus
extern "C" {
#endif

#define TCGETS		0x5401
#define TIOCOUTQ	0x5411		/* = SIOCOUTQ on a socket: bytes not yet sent */
#define FIONREAD	0x541B		/* = SIOCINQ: bytes (stream) or next datagram (UDP) */
#define TIOCINQ		FIONREAD
#define FIONBIO		0x5421		/* int: set/clear O_NONBLOCK */
#define FIONCLEX	0x5450
#define FIOCLEX		0x5451
#define SIOCINQ		FIONREAD
#define SIOCOUTQ	TIOCOUTQ

int ioctl(int fd, unsigned long request, ...);

#ifdef __cplusplus
}
#endif

#endif /* SQUALL_SYS_IOCTL_H */
