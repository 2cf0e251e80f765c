/*
 * paths.h - where hold's pieces meet, resolved the same way by libhold,
 * holdd and hold:
 *
 *   runtime dir  HOLD_RUNTIME_DIR, else $XDG_RUNTIME_DIR/hold, else
 *                /run/hold for root, else /tmp/hold-UID   (park records)
 *   socket       HOLD_SOCKET, else RUNTIME_DIR/holdd.sock  (+ ".events")
 *   state dir    HOLD_STATE_DIR, else $XDG_STATE_HOME/hold, else
 *                /var/lib/hold for root, else ~/.local/state/hold (journal)
 *
 * The policy (paths.c) is pure and async-signal-safe: libhold's constructor
 * applies it to the environment the image started with.  paths-env.c applies
 * it to this process's environment, for holdd and hold.
 */
#ifndef HOLD_PATHS_H
#define HOLD_PATHS_H

#include <stddef.h>

#include "buf.h"

#define HOLD_EVENTS_SUFFIX ".events"

/* The runtime dir, from HOLD_RUNTIME_DIR and XDG_RUNTIME_DIR (NULL: unset;
 * only absolute values count) and the effective uid. */
void hold_runtime_dir_of(struct buf *b, const char *hold_runtime_dir, const char *xdg_runtime_dir,
			 unsigned euid);
/* holdd's stream socket, from HOLD_SOCKET (NULL or "": unset). */
void hold_socket_of(struct buf *b, const char *hold_socket, const char *runtime_dir);

/* paths-env.c: the same, from getenv() and geteuid(), in static storage. */
const char *hold_runtime_dir(void);
const char *hold_socket_path(void);
const char *hold_state_dir(void);
/* mkdir -p with mode for the last component; 0 or -1 with errno. */
int hold_mkdirs(const char *dir, unsigned mode);

#endif
