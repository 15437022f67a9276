/* The reaper: a small process the supervisor forks at start that outlives it by a few
 * milliseconds and kills whatever its guests started, however the supervisor ended (an exit, a
 * signal, SIGKILL). See reaper.c for why this is reliable. */
#pragma once

#include <sys/types.h>

/* Forks the reaper. `bare_guest` is the program of a bare run (the supervisor's parent), whose
 * descendants are killed with it if the supervisor dies first; 0 under `zum run`. Returns 0 or
 * -errno (zum then runs without it). */
int host_reaper_start(pid_t bare_guest);

/* A guest the supervisor started leads a session of its own (spawn.c): everything in that
 * session dies when the supervisor does. */
void host_reaper_add_session(pid_t sid);

/* The supervisor is done: the reaper sweeps now and this waits until it has. */
void host_reaper_finish(void);
