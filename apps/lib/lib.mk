# apps/lib/lib.mk: the Squall app runtime, apps, and the runtime's tests.
# Included by the top Makefile, which defines BUILD, Q, quiet, NEWLIB,
# NEWLIB_STAMP, GCCINC and LIBGCC.
#
#   $(BUILD)/apps/libsquall.a    the runtime: apps/lib/*.c *.S except crt0.S
#   $(BUILD)/apps/crt0.o         _start; linked first into every app
#   $(BUILD)/apps/NAME.elf       an app, from $(call app_rules,NAME,OBJS)
#   $(BUILD)/apps/test_X.elf     tests/apps/test_X.c linked as an app; they
#                                run on the host Linux as they are
#   make apps                    hello and every other registered app
#   make apps-hosttest           every test_X.elf (paths: APP_HOSTTESTS)
#
# Apps compile against apps/include first, then newlib's headers, never
# glibc's (-nostdinc). Ring 3 may use the red zone and SSE freely.

APP_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -fno-pic -fno-pie \
	-fno-stack-protector -fno-omit-frame-pointer \
	-fno-asynchronous-unwind-tables -D__DYNAMIC_REENT__ -D_GNU_SOURCE \
	-nostdinc -isystem apps/include -isystem $(NEWLIB)/include \
	-isystem $(GCCINC) -MMD -MP
APP_ASFLAGS := -g -D__ASSEMBLER__ -MMD -MP
APP_LDFLAGS := -static -nostdlib -z noexecstack -z max-page-size=0x1000 \
	-T apps/lib/app.ld
# The whole runtime goes in, not just the members something asks for:
# libc.a has do-nothing defaults of __getreent and of every
# __retarget_lock_* (misc/lock.c), and whichever definition the linker
# meets first wins. Pulled from an archive, ours would lose to libc's as
# soon as a libc member referenced them. The group lets libc, libm and
# libgcc resolve each other in any order.
APP_LDLIBS = --whole-archive $(APP_LIB) --no-whole-archive \
	--start-group -L$(NEWLIB)/lib -lc -lm $(LIBGCC) --end-group

APP_LIB := $(BUILD)/apps/libsquall.a
APP_CRT0 := $(BUILD)/apps/crt0.o
APP_LIB_SRCS := $(wildcard apps/lib/*.c) \
	$(filter-out apps/lib/crt0.S,$(wildcard apps/lib/*.S))

# Objects of user-mode sources live under $(BUILD)/u/, mirroring the tree.
app_objs = $(patsubst %,$(BUILD)/u/%.o,$(1))

$(BUILD)/u/%.c.o: %.c | $(NEWLIB_STAMP)
	@mkdir -p $(@D)
	$(quiet) CC $<
	$(Q)gcc $(APP_CFLAGS) -c $< -o $@

$(BUILD)/u/%.S.o: %.S
	@mkdir -p $(@D)
	$(quiet) AS $<
	$(Q)gcc $(APP_ASFLAGS) -c $< -o $@

$(APP_CRT0): apps/lib/crt0.S
	@mkdir -p $(@D)
	$(quiet) AS $<
	$(Q)gcc $(APP_ASFLAGS) -c $< -o $@

$(APP_LIB): $(call app_objs,$(APP_LIB_SRCS))
	@mkdir -p $(@D)
	$(quiet) AR $@
	$(Q)rm -f $@ && ar rcs $@ $^

# $(call app_rules,NAME,OBJS): link $(BUILD)/apps/NAME.elf from crt0, the
# app's objects, the runtime and newlib. Example:
#   $(eval $(call app_rules,hello,$(call app_objs,apps/hello/hello.c)))
define app_rules
$(BUILD)/apps/$(1).elf: $(APP_CRT0) $(2) $(APP_LIB) apps/lib/app.ld apps/lib/lib.mk
	@mkdir -p $$(@D)
	$(quiet) LD $$@
	$(Q)ld $(APP_LDFLAGS) -o $$@ $(APP_CRT0) $(2) $(APP_LDLIBS)
endef

APPS += hello
APP_OBJS_hello := $(call app_objs,apps/hello/hello.c)
$(eval $(call app_rules,hello,$(APP_OBJS_hello)))

APP_TESTS := $(basename $(notdir $(wildcard tests/apps/test_*.c)))
APP_HOSTTESTS := $(patsubst %,$(BUILD)/apps/%.elf,$(APP_TESTS))
$(foreach t,$(APP_TESTS),\
	$(eval $(call app_rules,$(t),$(call app_objs,tests/apps/$(t).c))))

apps: $(patsubst %,$(BUILD)/apps/%.elf,$(APPS))
apps-hosttest: $(APP_HOSTTESTS)

.PHONY: apps apps-hosttest
