# tools/storm: the host-side connection-storm tool (docs/storm.md).
# Included by the top Makefile, which provides BUILD, Q and quiet.
#
#   make storm-tool   $(BUILD)/tools/storm, and $(BUILD)/tools/storm-testd,
#                     the small server tests/integration/test_storm.py runs
#
# tools/storm holds only sources; run the tool as build/tools/storm.
# Host programs for glibc: normal gcc, pthreads, no kernel headers.

STORM_SRCS := $(sort $(wildcard tools/storm/*.c))
STORM_OBJS := $(patsubst tools/storm/%.c,$(BUILD)/tools/storm-obj/%.o,$(STORM_SRCS))
STORM_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -D_GNU_SOURCE -pthread \
	-fno-omit-frame-pointer -MMD -MP

$(BUILD)/tools/storm-obj/%.o: tools/storm/%.c
	@mkdir -p $(@D)
	$(quiet) HOSTCC $<
	$(Q)gcc $(STORM_CFLAGS) -c $< -o $@

$(BUILD)/tools/storm: $(STORM_OBJS)
	$(quiet) LD $@
	$(Q)gcc -pthread -o $@ $^

$(BUILD)/tools/storm-testd: tools/storm/testserver/testd.c
	@mkdir -p $(@D)
	$(quiet) HOSTCC $@
	$(Q)gcc $(STORM_CFLAGS) -o $@ $<

storm-tool: $(BUILD)/tools/storm $(BUILD)/tools/storm-testd

# Host unit tests and the option-parser fuzzer (the top Makefile's rules).
UNIT_TESTS += storm_hist storm_opts storm_rate
UNIT_SRCS_storm_hist := tools/storm/hist.c
UNIT_SRCS_storm_opts := tools/storm/opts.c
UNIT_SRCS_storm_rate := tools/storm/pace.c
FUZZ_TARGETS += storm_opts
FUZZ_SRCS_storm_opts := tools/storm/opts.c

.PHONY: storm-tool
