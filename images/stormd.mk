# Image 'stormd': the kernel and apps/stormd, the storm target (issue 6):
# one worker pinned per CPU, SO_REUSEPORT listeners on port 8080, crr.
# The main image: scripts/run and `make run` boot it by default, and
# `make storm` fires at it. Options go in app= words, e.g.
#   scripts/run --net tap -- app="--mode shared --proto rr"
APPS += stormd
APP_OBJS_stormd := $(call app_objs,apps/stormd/stormd.c apps/stormd/opts.c)
$(eval $(call app_rules,stormd,$(APP_OBJS_stormd)))
stormd_APP := stormd
stormd_CMDLINE :=
