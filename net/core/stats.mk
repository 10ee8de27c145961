# The stats endpoint (TCP port 7070): the HTTP request parser (portable,
# so it also builds on the host for a unit test and the fuzzer).
STATS_HOST_SRCS := net/core/stats_http.c
NET_SRCS += $(STATS_HOST_SRCS)

UNIT_TESTS += stats_http
UNIT_SRCS_stats_http := net/core/stats_http.c

FUZZ_TARGETS += stats_http
FUZZ_SRCS_stats_http := net/core/stats_http.c
