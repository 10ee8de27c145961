# TCP input side (docs/tcp-input.md): tcp_v4_rcv and the lookups' callers,
# the state machine and ACK processing, options, request and TIME_WAIT
# mini-sockets, SYN cookies. Included from the Makefile's source lists.
TCP_IN_SRCS := net/ipv4/tcp_ipv4.c net/ipv4/tcp_input.c net/ipv4/tcp_input_ack.c \
	net/ipv4/tcp_input_data.c net/ipv4/tcp_options.c net/ipv4/tcp_minisocks.c \
	net/ipv4/syncookies.c

# Host builds: the whole TCP (both sides) over the hosted IPv4 stack, with
# the packet-trace harness (tests/unit/tcp_harness.c). Recursive (=)
# because tcp_out.mk is included after this file.
TCP_HOST_SRCS = $(TCP_IN_SRCS) $(TCP_OUT_SRCS) net/ipv4/inet_hashtables.c net/core/sock_reuseport.c \
	net/ipv4/inet_connection_sock.c net/ipv4/af_inet.c $(IPV4_HOST_SRCS)

UNIT_TESTS += tcp_input
UNIT_SRCS_tcp_input = $(TCP_HOST_SRCS) tests/unit/tcp_harness.c
NET_SRCS += $(TCP_IN_SRCS)
UNIT_TESTS += tcp_handshake
UNIT_SRCS_tcp_handshake = $(TCP_HOST_SRCS) tests/unit/tcp_harness.c
UNIT_TESTS += tcp_established
UNIT_SRCS_tcp_established = $(TCP_HOST_SRCS) tests/unit/tcp_harness.c
UNIT_TESTS += tcp_validate
UNIT_SRCS_tcp_validate = $(TCP_HOST_SRCS) tests/unit/tcp_harness.c
UNIT_TESTS += tcp_close
UNIT_SRCS_tcp_close = $(TCP_HOST_SRCS) tests/unit/tcp_harness.c
# SO_REUSEPORT groups (net/core/sock_reuseport.c) and the net experiment switches.
UNIT_TESTS += reuseport net_params
UNIT_SRCS_reuseport = $(TCP_HOST_SRCS) tests/unit/tcp_harness.c
UNIT_SRCS_net_params = $(TCP_HOST_SRCS) tests/unit/tcp_harness.c

# Segments into ip_rcv with a listener and a connection present (tests/fuzz/fuzz_tcp_rcv.c
# includes the harness itself).
FUZZ_TARGETS += tcp_rcv
FUZZ_SRCS_tcp_rcv = $(TCP_HOST_SRCS)
