# Image 'hello': the kernel and the demo app (apps/hello), which prints,
# allocates, and runs one thread pinned to each CPU.
hello_APP := hello
hello_CMDLINE :=
