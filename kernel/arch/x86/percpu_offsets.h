/* Offsets into struct percpu that entry64.S uses; percpu.c checks them. */
#ifndef SQUALL_PERCPU_OFFSETS_H
#define SQUALL_PERCPU_OFFSETS_H

#define PERCPU_KSTACK_TOP 8
#define PERCPU_USER_RSP 16

#endif
