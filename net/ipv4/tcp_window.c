/*
 * MSS and the receive window we advertise (Linux's tcp_current_mss,
 * tcp_select_initial_window, __tcp_select_window and tcp_select_window
 * from net/ipv4/tcp_output.c): RFC 9293 §3.7.1 (MSS, 536 without the
 * option), §3.8.6.2.2 (receiver SWS avoidance; never move the right edge
 * left), RFC 7323 §2 (window scale; a SYN's window is never scaled).
 *  - tcp_advmss / tcp_current_mss: the MSS we announce / may send now;
 *  - tcp_select_initial_window: a SYN's window, the clamp, our shift;
 *  - tcp_select_window: the window field of every other segment, which
 *    records rcv_wnd/rcv_wup; __tcp_select_window: what could be offered.
 * Half of the free receive buffer is offered (Linux's tcp_adv_win_scale 1),
 * so in-window data always fits the socket's rcvbuf. Socket locked.
 */
#include <net/ipv4/tcp.h>
#include <net/ipv4/ipv4.h>
#include <net/core/netdevice.h>

#define TCPOLEN_TSTAMP_ALIGNED 12
#define TCP_MIN_SND_MSS 48		/* Linux's floor for the peer's MSS */
#define TCP_MAX_WINDOW_FIELD 65535u

static unsigned int tcp_pmtu(void)
{
	const struct net_device *dev = netdev_get();

	return dev && dev->mtu ? dev->mtu : ETH_DATA_LEN;
}

uint16_t tcp_advmss(const struct sock *sk)
{
	unsigned int mss = tcp_pmtu() - sizeof(struct iphdr) - sizeof(struct tcphdr);
	uint16_t user = tcp_sk(sk)->rx_opt.user_mss;

	if (user && user < mss)
		mss = user;
	return (uint16_t)mss;
}

/*
 * The payload one segment may carry now (Linux's tcp_current_mss): path MTU,
 * the peer's MSS option (536 without one, RFC 9293 §3.7.1), TCP_MAXSEG,
 * less the timestamp option when it is on every segment.
 */
uint32_t tcp_current_mss(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);
	unsigned int mss = tcp_pmtu() - sizeof(struct iphdr) - sizeof(struct tcphdr);
	unsigned int clamp = tp->rx_opt.mss_clamp ? tp->rx_opt.mss_clamp : TCP_MSS_DEFAULT;

	if (mss > clamp)
		mss = clamp;
	if (tp->rx_opt.user_mss && mss > tp->rx_opt.user_mss)
		mss = tp->rx_opt.user_mss;
	if (mss < TCP_MIN_SND_MSS)
		mss = TCP_MIN_SND_MSS;
	if (tp->rx_opt.tstamp_ok)
		mss -= TCPOLEN_TSTAMP_ALIGNED;
	tp->mss_cache = mss;
	return mss;
}

/* Linux's tcp_win_from_space with tcp_adv_win_scale = 1: half is payload. */
static int tcp_space(const struct sock *sk)
{
	int used = __atomic_load_n(&sk->sk_rmem_alloc, __ATOMIC_RELAXED) + (int)sk->sk_backlog.len;
	int free_space = sk->sk_rcvbuf - used;

	return free_space > 0 ? free_space / 2 : 0;
}

static int tcp_full_space(const struct sock *sk)
{
	return sk->sk_rcvbuf / 2;
}

/*
 * Linux's tcp_select_initial_window: the SYN's window (≤ 65535, never
 * scaled), the clamp, and our shift, big enough for the largest rcvbuf
 * setsockopt can give (2 * 212992).
 */
void tcp_select_initial_window(const struct sock *sk, uint32_t mss, uint32_t *rcv_wnd,
			       uint32_t *window_clamp, int wscale_ok, uint8_t *rcv_wscale)
{
	uint32_t space = (uint32_t)tcp_full_space(sk), max_space = 2 * 212992;
	uint8_t ws = 0;

	if (*window_clamp == 0)
		*window_clamp = TCP_MAX_WINDOW_FIELD << TCP_MAX_WSCALE;
	if (space > *window_clamp)
		space = *window_clamp;
	if (mss && space > mss)
		space -= space % mss;
	*rcv_wnd = space < TCP_MAX_WINDOW_FIELD ? space : TCP_MAX_WINDOW_FIELD;
	if (wscale_ok) {
		if ((uint32_t)sk->sk_rcvbuf > max_space)
			max_space = (uint32_t)sk->sk_rcvbuf;
		while ((max_space >> ws) > TCP_MAX_WINDOW_FIELD && ws < TCP_MAX_WSCALE)
			ws++;
	}
	*rcv_wscale = ws;
	if (*window_clamp > (TCP_MAX_WINDOW_FIELD << ws))
		*window_clamp = TCP_MAX_WINDOW_FIELD << ws;
}

static uint32_t tcp_receive_window(const struct tcp_sock *tp)
{
	int32_t win = (int32_t)(tp->rcv_wup + tp->rcv_wnd - tp->rcv_nxt);

	return win < 0 ? 0 : (uint32_t)win;
}

/*
 * Linux's __tcp_select_window: what we could offer now, with receiver-side
 * SWS avoidance (RFC 9293 §3.8.6.2.2): nothing below min(mss, 1/16 of the
 * buffer) once the buffer is half full; unscaled windows move in whole MSS.
 */
uint32_t __tcp_select_window(struct sock *sk)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct tcp_sock *tp = tcp_sk(sk);
	int mss = icsk->icsk_ack.rcv_mss ? icsk->icsk_ack.rcv_mss : tp->advmss;
	int free_space = tcp_space(sk), allowed = tcp_full_space(sk);
	int scale = tp->rx_opt.rcv_wscale;
	long clamp = tp->window_clamp ? (long)tp->window_clamp : (long)TCP_MAX_WINDOW_FIELD << scale;
	int full_space = allowed, window;

	if (clamp > (long)TCP_MAX_WINDOW_FIELD << scale)
		clamp = (long)TCP_MAX_WINDOW_FIELD << scale;
	if (full_space > clamp)
		full_space = (int)clamp;
	if (mss <= 0)
		mss = TCP_MSS_DEFAULT;
	if (mss > full_space) {
		mss = full_space;
		if (mss <= 0)
			return 0;
	}
	if (free_space < (full_space >> 1)) {
		icsk->icsk_ack.quick = 0;
		free_space &= ~((1 << scale) - 1);
		if (free_space < (allowed >> 4) || free_space < mss)
			return 0;
	}
	if (free_space > full_space)
		free_space = full_space;
	window = (int)tp->rcv_wnd;
	if (scale) {
		window = free_space;
		if (window & ((1 << scale) - 1))
			window = ((window >> scale) + 1) << scale;
	} else if (window <= free_space - mss || window > free_space) {
		window = (free_space / mss) * mss;
	} else if (mss == full_space && free_space > window + (full_space >> 1)) {
		window = free_space;
	}
	return (uint32_t)window;
}

/* The window field of a non-SYN segment; records rcv_wnd/rcv_wup; never moves the edge left. */
uint16_t tcp_select_window(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);
	uint32_t cur_win = tcp_receive_window(tp), new_win = __tcp_select_window(sk);
	uint8_t scale = tp->rx_opt.rcv_wscale;

	if (new_win < cur_win) {
		uint32_t unit = 1u << scale;

		new_win = (cur_win + unit - 1) & ~(unit - 1);
	}
	if (new_win > TCP_MAX_WINDOW_FIELD << scale)
		new_win = TCP_MAX_WINDOW_FIELD << scale;
	tp->rcv_wnd = new_win;
	tp->rcv_wup = tp->rcv_nxt;
	return (uint16_t)(new_win >> scale);
}
