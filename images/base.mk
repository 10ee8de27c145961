# Image 'base': the kernel with its selftests and no app. Booting it with no
# arguments runs every selftest (what `make run` shows until the storm
# target exists).
base_APP :=
base_CMDLINE := selftest=all
