# IPv4 below TCP: ARP, IP in/out with reassembly, ICMP, UDP, routing and
# checksums (docs/ipv4.md). Included from the Makefile's source lists.
IPV4_SRCS := net/ipv4/checksum.c net/ipv4/route.c net/ipv4/protocol.c \
	net/ipv4/arp.c net/ipv4/ip_input.c net/ipv4/ip_fragment.c \
	net/ipv4/ip_output.c net/ipv4/icmp.c net/ipv4/udp.c
NET_SRCS += $(IPV4_SRCS)

# Host builds: the same sources on the hosted kernel (one CPU, a fake NIC
# that captures frames, jiffies under the test's control).
IPV4_HOST_SRCS := $(IPV4_SRCS) net/core/skbuff.c net/core/dev.c net/ethernet/eth.c \
	net/core/sock.c kernel/spinlock.c kernel/timer.c kernel/wait.c kernel/random.c \
	net/core/msg.c kernel/slab.c tests/unit/host/net_shim.c

UNIT_TESTS += checksum arp ip udp
UNIT_SRCS_checksum := net/ipv4/checksum.c
UNIT_SRCS_arp := $(IPV4_HOST_SRCS)
UNIT_SRCS_ip := $(IPV4_HOST_SRCS)
UNIT_SRCS_udp := $(IPV4_HOST_SRCS)

# Raw Ethernet frames into netif_receive_skb, checksums not checked.
FUZZ_TARGETS += ip_rcv
FUZZ_SRCS_ip_rcv := $(IPV4_HOST_SRCS)
