"""Every non-trivial read of courses, with the joins done: a page costs a fixed number of
queries whatever the course size."""
