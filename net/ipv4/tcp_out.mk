# TCP output side and the socket calls (docs/tcp-output.md): segments and
# windows, timers, sendmsg/recvmsg/close, options, listen/accept, MIBs.
TCP_OUT_SRCS := net/ipv4/tcp_output.c net/ipv4/tcp_window.c net/ipv4/tcp_timer.c net/ipv4/tcp.c \
	net/ipv4/tcp_sockopt.c net/ipv4/tcp_mib.c net/ipv4/inet_connection_sock_accept.c

# Host tests of these files alone: the input side is stood in for
# (tests/unit/tcp_out_helper.c), the peer is the test.
TCP_OUT_HOST_SRCS := $(TCP_OUT_SRCS) tests/unit/tcp_out_helper.c \
	net/ipv4/inet_hashtables.c net/ipv4/inet_connection_sock.c net/core/sock_reuseport.c \
	$(IPV4_HOST_SRCS)

UNIT_TESTS += tcp_output tcp_timer
UNIT_SRCS_tcp_output := $(TCP_OUT_HOST_SRCS)
UNIT_SRCS_tcp_timer := $(TCP_OUT_HOST_SRCS)
NET_SRCS += $(TCP_OUT_SRCS)

# Both halves together through the input side's packet-trace harness
# (TCP_HOST_SRCS comes from tcp_in.mk).
UNIT_TESTS += tcp_xmit
UNIT_SRCS_tcp_xmit = $(TCP_HOST_SRCS) tests/unit/tcp_harness.c
