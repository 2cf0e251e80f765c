/*
 * paths.h - where hold's pieces meet, resolved the same way by holdd, the
 * CLI and (in its own async-signal-safe code) libhold:
 *
 *   runtime dir  HOLD_RUNTIME_DIR, else $XDG_RUNTIME_DIR/hold, else
 *                /run/hold for root, else /tmp/hold-UID   (park records)
 *   socket       HOLD_SOCKET, else RUNTIME_DIR/holdd.sock  (+ ".events")
 *   state dir    HOLD_STATE_DIR, else $XDG_STATE_HOME/hold, else
 *                /var/lib/hold for root, else ~/.local/state/hold (journal)
 */
#ifndef HOLD_PATHS_H
#define HOLD_PATHS_H

#include <stddef.h>

#define HOLD_EVENTS_SUFFIX ".events"

const char *hold_runtime_dir(void);
const char *hold_socket_path(void);
const char *hold_state_dir(void);
/* mkdir -p with mode for the last component; 0 or -1 with errno. */
int hold_mkdirs(const char *dir, unsigned mode);

#endif
