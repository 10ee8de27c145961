# SMP bring-up sources (owned by the SMP bring-up work).
