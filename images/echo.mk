# Image 'echo': the kernel and apps/echo, TCP and UDP echo on port 7 (the
# TCP integration tests and any host tool talk to it; port 8 is closed).
APPS += echo
APP_OBJS_echo := $(call app_objs,apps/echo/echo.c)
$(eval $(call app_rules,echo,$(APP_OBJS_echo)))
echo_APP := echo
echo_CMDLINE :=
