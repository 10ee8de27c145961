/*
 * TCP socket options (Linux's do_tcp_setsockopt / do_tcp_getsockopt, and
 * IP_TOS/IP_TTL of ip_setsockopt): levels IPPROTO_TCP and IPPROTO_IP.
 * SOL_SOCKET options are net/core/sock.c's. Called by af_inet.c in process
 * context, unlocked; optval is a kernel copy or NULL (af_inet.h): a short
 * optlen is -EINVAL before a NULL optval is -EFAULT, as Linux.
 */
#include <net/ipv4/tcp.h>
#include <net/socket.h>
#include <kernel/errno.h>
#include <string.h>

#define TCP_NODELAY 1
#define TCP_MAXSEG 2
#define TCP_CORK 3
#define TCP_KEEPIDLE 4
#define TCP_KEEPINTVL 5
#define TCP_KEEPCNT 6
#define TCP_SYNCNT 7
#define TCP_LINGER2 8
#define TCP_DEFER_ACCEPT 9
#define TCP_WINDOW_CLAMP 10
#define TCP_INFO 11
#define TCP_QUICKACK 12
#define IP_TOS 1
#define IP_TTL 2

#define MAX_TCP_KEEPIDLE 32767
#define MAX_TCP_KEEPINTVL 32767
#define MAX_TCP_KEEPCNT 127
#define MAX_TCP_SYNCNT 127
#define MAX_TCP_WINDOW 32767
#define TCP_FIN_TIMEOUT_MAX_S 120
#define SOCK_MIN_RCVBUF 2304

#define TCPI_OPT_TIMESTAMPS 1
#define TCPI_OPT_SACK 2
#define TCPI_OPT_WSCALE 4

/* The leading part of Linux's struct tcp_info (through tcpi_total_retrans), same layout. */
struct tcp_info {
	uint8_t tcpi_state, tcpi_ca_state, tcpi_retransmits, tcpi_probes, tcpi_backoff, tcpi_options;
	uint8_t tcpi_wscale;			/* snd (low nibble), rcv (high nibble) */
	uint8_t tcpi_flags;
	uint32_t tcpi_rto, tcpi_ato, tcpi_snd_mss, tcpi_rcv_mss;
	uint32_t tcpi_unacked, tcpi_sacked, tcpi_lost, tcpi_retrans, tcpi_fackets;
	uint32_t tcpi_last_data_sent, tcpi_last_ack_sent, tcpi_last_data_recv, tcpi_last_ack_recv;
	uint32_t tcpi_pmtu, tcpi_rcv_ssthresh, tcpi_rtt, tcpi_rttvar, tcpi_snd_ssthresh, tcpi_snd_cwnd;
	uint32_t tcpi_advmss, tcpi_reordering, tcpi_rcv_rtt, tcpi_rcv_space, tcpi_total_retrans;
};

static int tcp_keepalive_active(const struct sock *sk)
{
	return !(TCPF(sk->sk_state) & (TCPF(TCP_CLOSE) | TCPF(TCP_LISTEN) | TCPF(TCP_SYN_SENT)));
}

/* Timer parameters changed: let the keepalive handler recompute its deadline now. */
static void tcp_keepalive_changed(struct sock *sk)
{
	if (tcp_keepalive_active(sk))
		inet_csk_reset_keepalive_timer(sk, 1);
}

static int ip_setsockopt_locked(struct sock *sk, int optname, int val)
{
	switch (optname) {
	case IP_TOS:
		inet_sk(sk)->tos = (uint8_t)(val & 0xfc);
		return 0;
	case IP_TTL:
		if (val == -1)
			val = 0;	/* back to the default */
		if (val < 0 || val > 255)
			return -EINVAL;
		inet_sk(sk)->ttl = (uint8_t)val;
		return 0;
	}
	return -ENOPROTOOPT;
}

static void tcp_set_nodelay(struct sock *sk, int on)
{
	struct tcp_sock *tp = tcp_sk(sk);

	if (on) {
		tp->nonagle |= TCP_NAGLE_OFF | TCP_NAGLE_PUSH;
		tcp_push_pending_frames(sk);
	} else {
		tp->nonagle &= (uint8_t)~(TCP_NAGLE_OFF | TCP_NAGLE_PUSH);
	}
}

static void tcp_set_cork(struct sock *sk, int on)
{
	struct tcp_sock *tp = tcp_sk(sk);

	if (on) {
		tp->nonagle |= TCP_NAGLE_CORK;
		return;
	}
	tp->nonagle &= (uint8_t)~TCP_NAGLE_CORK;
	if (tp->nonagle & TCP_NAGLE_OFF)
		tp->nonagle |= TCP_NAGLE_PUSH;
	tcp_write_xmit(sk, tp->nonagle | TCP_NAGLE_PUSH);	/* uncorking sends what waited */
	tcp_check_probe_timer(sk);
}

static void tcp_set_quickack(struct sock *sk, int val)
{
	struct inet_connection_sock *icsk = inet_csk(sk);

	if (!val) {
		icsk->icsk_ack.pingpong = 1;
		return;
	}
	icsk->icsk_ack.pingpong = 0;
	if ((TCPF(sk->sk_state) & (TCPF(TCP_ESTABLISHED) | TCPF(TCP_CLOSE_WAIT))) &&
	    inet_csk_ack_scheduled(sk)) {
		icsk->icsk_ack.pending |= ICSK_ACK_PUSHED;
		tcp_cleanup_rbuf(sk, 1);
		if (!(val & 1))
			icsk->icsk_ack.pingpong = 1;
	}
}

/* Socket locked. */
static int do_tcp_setsockopt(struct sock *sk, int optname, int val)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct tcp_sock *tp = tcp_sk(sk);

	switch (optname) {
	case TCP_MAXSEG:
		if (val && (val < TCP_MIN_MSS || val > MAX_TCP_WINDOW))
			return -EINVAL;
		tp->rx_opt.user_mss = (uint16_t)val;
		return 0;
	case TCP_NODELAY:
		tcp_set_nodelay(sk, val != 0);
		return 0;
	case TCP_CORK:
		tcp_set_cork(sk, val != 0);
		return 0;
	case TCP_KEEPIDLE:
		if (val < 1 || val > MAX_TCP_KEEPIDLE)
			return -EINVAL;
		tp->keepalive_time = (uint32_t)val * HZ;
		tcp_keepalive_changed(sk);
		return 0;
	case TCP_KEEPINTVL:
		if (val < 1 || val > MAX_TCP_KEEPINTVL)
			return -EINVAL;
		tp->keepalive_intvl = (uint32_t)val * HZ;
		tcp_keepalive_changed(sk);
		return 0;
	case TCP_KEEPCNT:
		if (val < 1 || val > MAX_TCP_KEEPCNT)
			return -EINVAL;
		tp->keepalive_probes = (uint8_t)val;
		tcp_keepalive_changed(sk);
		return 0;
	case TCP_SYNCNT:
		if (val < 1 || val > MAX_TCP_SYNCNT)
			return -EINVAL;
		icsk->icsk_syn_retries = (uint8_t)val;
		return 0;
	case TCP_LINGER2:
		if (val < 0)
			tp->linger2 = -1;
		else if (val > TCP_FIN_TIMEOUT_MAX_S)
			tp->linger2 = TCP_FIN_TIMEOUT_MAX_S * (int)HZ;
		else
			tp->linger2 = val * (int)HZ;
		return 0;
	case TCP_DEFER_ACCEPT:
		icsk->icsk_accept_queue.defer_accept = (uint8_t)(val < 0 ? 0 : val > 255 ? 255 : val);
		return 0;
	case TCP_WINDOW_CLAMP:
		if (!val) {
			if (sk->sk_state != TCP_CLOSE)
				return -EINVAL;
			tp->window_clamp = 0;
		} else {
			tp->window_clamp = val < SOCK_MIN_RCVBUF / 2 ? SOCK_MIN_RCVBUF / 2 : (uint32_t)val;
		}
		return 0;
	case TCP_QUICKACK:
		tcp_set_quickack(sk, val);
		return 0;
	}
	return -ENOPROTOOPT;
}

int tcp_setsockopt(struct sock *sk, int level, int optname, const void *optval, unsigned int optlen)
{
	int val, err;

	if (level != IPPROTO_TCP && level != IPPROTO_IP)
		return -ENOPROTOOPT;
	if (optlen < sizeof(int))
		return -EINVAL;
	if (!optval)
		return -EFAULT;
	memcpy(&val, optval, sizeof(val));
	lock_sock(sk);
	if (level == IPPROTO_IP)
		err = ip_setsockopt_locked(sk, optname, val);
	else
		err = do_tcp_setsockopt(sk, optname, val);
	release_sock(sk);
	return err;
}

static void tcp_get_info(struct sock *sk, struct tcp_info *info)
{
	const struct inet_connection_sock *icsk = inet_csk(sk);
	const struct tcp_sock *tp = tcp_sk(sk);
	uint64_t usec_per_jiffy = 1000000 / HZ;

	memset(info, 0, sizeof(*info));
	info->tcpi_state = sk->sk_state;
	info->tcpi_ca_state = icsk->icsk_ca_state;
	info->tcpi_retransmits = icsk->icsk_retransmits;
	info->tcpi_probes = icsk->icsk_probes_out;
	info->tcpi_backoff = icsk->icsk_backoff;
	if (tp->rx_opt.tstamp_ok)
		info->tcpi_options |= TCPI_OPT_TIMESTAMPS;
	if (tp->rx_opt.sack_ok)
		info->tcpi_options |= TCPI_OPT_SACK;
	if (tp->rx_opt.wscale_ok) {
		info->tcpi_options |= TCPI_OPT_WSCALE;
		info->tcpi_wscale = (uint8_t)((tp->rx_opt.snd_wscale & 0xf) | (tp->rx_opt.rcv_wscale << 4));
	}
	info->tcpi_rto = (uint32_t)(icsk->icsk_rto * usec_per_jiffy);
	info->tcpi_ato = (uint32_t)(icsk->icsk_ack.ato * usec_per_jiffy);
	info->tcpi_snd_mss = tp->mss_cache;
	info->tcpi_rcv_mss = icsk->icsk_ack.rcv_mss;
	info->tcpi_unacked = tp->packets_out;
	info->tcpi_sacked = tp->sacked_out;
	info->tcpi_lost = tp->lost_out;
	info->tcpi_retrans = tp->retrans_out;
	info->tcpi_last_data_sent = (uint32_t)((jiffies - tp->lsndtime) * 1000 / HZ);
	info->tcpi_last_data_recv = (uint32_t)((jiffies - icsk->icsk_ack.lrcvtime) * 1000 / HZ);
	info->tcpi_last_ack_recv = (uint32_t)((jiffies - tp->rcv_tstamp) * 1000 / HZ);
	info->tcpi_pmtu = tp->advmss + 40u;
	info->tcpi_rcv_ssthresh = tp->rcv_ssthresh;
	info->tcpi_rtt = tp->srtt_us >> 3;
	info->tcpi_rttvar = tp->mdev_us >> 2;
	info->tcpi_snd_ssthresh = tp->snd_ssthresh;
	info->tcpi_snd_cwnd = tp->snd_cwnd;
	info->tcpi_advmss = tp->advmss;
	info->tcpi_reordering = 3;
	info->tcpi_rcv_space = tp->rcv_wnd;
	info->tcpi_total_retrans = tp->total_retrans;
}

/* Socket locked; the value of an int option, or -ENOPROTOOPT. */
static int do_tcp_getsockopt(struct sock *sk, int optname, int *val)
{
	const struct inet_connection_sock *icsk = inet_csk(sk);
	const struct tcp_sock *tp = tcp_sk(sk);

	switch (optname) {
	case TCP_MAXSEG:
		*val = (int)tp->mss_cache;
		if (tp->rx_opt.user_mss && (TCPF(sk->sk_state) & (TCPF(TCP_CLOSE) | TCPF(TCP_LISTEN))))
			*val = tp->rx_opt.user_mss;
		return 0;
	case TCP_NODELAY:
		*val = !!(tp->nonagle & TCP_NAGLE_OFF);
		return 0;
	case TCP_CORK:
		*val = !!(tp->nonagle & TCP_NAGLE_CORK);
		return 0;
	case TCP_KEEPIDLE:
		*val = (int)((tp->keepalive_time ? tp->keepalive_time : 7200u * HZ) / HZ);
		return 0;
	case TCP_KEEPINTVL:
		*val = (int)((tp->keepalive_intvl ? tp->keepalive_intvl : 75u * HZ) / HZ);
		return 0;
	case TCP_KEEPCNT:
		*val = tp->keepalive_probes ? tp->keepalive_probes : 9;
		return 0;
	case TCP_SYNCNT:
		*val = icsk->icsk_syn_retries ? icsk->icsk_syn_retries : TCP_SYN_RETRIES;
		return 0;
	case TCP_LINGER2:
		*val = tp->linger2 < 0 ? -1 : (tp->linger2 ? tp->linger2 / (int)HZ : TCP_FIN_TIMEOUT_MS / 1000);
		return 0;
	case TCP_DEFER_ACCEPT:
		*val = icsk->icsk_accept_queue.defer_accept;
		return 0;
	case TCP_WINDOW_CLAMP:
		*val = (int)tp->window_clamp;
		return 0;
	case TCP_QUICKACK:
		*val = !icsk->icsk_ack.pingpong;
		return 0;
	}
	return -ENOPROTOOPT;
}

/* *optlen in: room at optval; out: bytes written (Linux truncates). */
int tcp_getsockopt(struct sock *sk, int level, int optname, void *optval, int *optlen)
{
	int len = *optlen, val = 0, err = 0;

	if (level != IPPROTO_TCP && level != IPPROTO_IP)
		return -ENOPROTOOPT;
	if (len < 0)
		return -EINVAL;
	lock_sock(sk);
	if (level == IPPROTO_TCP && optname == TCP_INFO) {
		struct tcp_info info;

		tcp_get_info(sk, &info);
		release_sock(sk);
		if (len > (int)sizeof(info))
			len = (int)sizeof(info);
		memcpy(optval, &info, (size_t)len);
		*optlen = len;
		return 0;
	}
	if (level == IPPROTO_IP) {
		if (optname == IP_TOS)
			val = inet_sk(sk)->tos;
		else if (optname == IP_TTL)
			val = inet_sk(sk)->ttl ? inet_sk(sk)->ttl : 64;
		else
			err = -ENOPROTOOPT;
	} else {
		err = do_tcp_getsockopt(sk, optname, &val);
	}
	release_sock(sk);
	if (err)
		return err;
	if (len > (int)sizeof(int))
		len = (int)sizeof(int);
	memcpy(optval, &val, (size_t)len);
	*optlen = len;
	return 0;
}
