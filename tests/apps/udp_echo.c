/*
 * UDP echo on port 7 (app=PORT to change it), for the network
 * integration tests: every datagram goes back to its sender unchanged.
 * Prints READY once bound. Uses only the POSIX socket API, so it builds
 * and behaves the same against glibc on Linux.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int port = argc > 1 ? atoi(argv[1]) : 7;
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	static char buf[65536];
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0 || port <= 0 || port > 65535) {
		perror("udp_echo: socket");
		return 1;
	}
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		perror("udp_echo: bind");
		return 1;
	}
	printf("READY udp echo on port %d\n", port);
	fflush(stdout);
	for (;;) {
		struct sockaddr_in peer;
		socklen_t plen = sizeof(peer);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&peer, &plen);

		if (n < 0) {
			perror("udp_echo: recvfrom");
			continue;
		}
		if (sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&peer, plen) != n)
			perror("udp_echo: sendto");
	}
}
