/* SPDX-License-Identifier: MIT */
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
/* root's runtime dir: where holdd.socket (the system holdd) listens */
#define HOLD_SYSTEM_RUNTIME_DIR "/run/hold"

/* hold attach --pdb's channel to pdb in the target: DIR/pdb.sock in a fresh
 * directory made from this template.  libhold never parks a receive on it
 * (pdb reading the user's commands is not the program's hand-off). */
#define HOLD_PDB_DIR_TEMPLATE "/tmp/hold-pdb.XXXXXX"
#define HOLD_PDB_SOCK_NAME    "pdb.sock"

/* Is a unix socket name (a path) hold attach --pdb's channel? */
static inline int hold_is_pdb_channel(const char *name)
{
	const char *dir = HOLD_PDB_DIR_TEMPLATE, *sock = "/" HOLD_PDB_SOCK_NAME;
	size_t prefix = sizeof(HOLD_PDB_DIR_TEMPLATE) - sizeof("XXXXXX"), n = 0;

	while (name[n])
		n++;
	for (size_t i = 0; i < prefix; i++)
		if (name[i] != dir[i])
			return 0;
	if (n != prefix + 6 + sizeof("/" HOLD_PDB_SOCK_NAME) - 1)
		return 0;
	for (size_t i = 0; sock[i]; i++)
		if (name[prefix + 6 + i] != sock[i])
			return 0;
	return 1;
}

/* The runtime dir, from HOLD_RUNTIME_DIR and XDG_RUNTIME_DIR (NULL: unset;
 * only absolute values count) and the effective uid. */
void hold_runtime_dir_of(struct buf *b, const char *hold_runtime_dir, const char *xdg_runtime_dir,
			 unsigned euid);
/* holdd's stream socket, from HOLD_SOCKET (NULL or "": unset). */
void hold_socket_of(struct buf *b, const char *hold_socket, const char *runtime_dir);

/* May hold's files for euid live in a directory that lstat describes by
 * this mode and owner?  NULL, or why not ("is a symbolic link", ...): it
 * must be a real directory of euid's or root's that nobody else can write
 * to, or another user could plant records, sockets or symbolic links. */
const char *hold_dir_unsafe(unsigned mode, unsigned owner, unsigned euid);
/* The uid the kernel shows for a uid that is not mapped into the viewer's
 * user namespace (/proc/sys/kernel/overflowuid, 65534 unless changed). */
#define HOLD_OVERFLOW_UID 65534u

/* May euid talk to a holdd run by `owner` (its socket's owner, or the
 * kernel's SO_PEERCRED)?  Only one of its own, or root's.  In a user
 * namespace (a container with --uidmap: userns true), the host's root is
 * not mapped and shows as the overflow uid: the container's maker bound
 * that socket in, so it is trusted too. */
static inline int hold_daemon_trusted(unsigned owner, unsigned euid, int userns)
{
	return owner == euid || owner == 0 || (userns && owner == HOLD_OVERFLOW_UID);
}
/* Is a process whose /proc/self/uid_map reads `map` in a user namespace
 * other than the first (whose map is the identity, "0 0 4294967295")? */
int hold_in_userns(const char *map, size_t n);
/* mkdir -p: each parent 0755 (as mkdir -p makes them), the last `mode`,
 * through mk (libhold passes a raw system call).  0, or mk's result for
 * the last (an existing directory is not an error). */
int hold_mkdirs_with(const char *dir, unsigned mode, int (*mk)(const char *path, unsigned mode));

/* paths-env.c: the same, from getenv() and geteuid(), in static storage. */
const char *hold_runtime_dir(void);
const char *hold_socket_path(void);
const char *hold_state_dir(void);
/* mkdir -p with mode for the last component; 0 or -1 with errno. */
int hold_mkdirs(const char *dir, unsigned mode);
/* dir made if missing (mode 0700) and safe (hold_dir_unsafe): 0, or -1
 * with why in err ("/tmp/hold-1000 belongs to uid 1001; ..."). */
int hold_dir_ready(const char *dir, char *err, size_t errlen);

/* Let other users search dir (o+x, g+x), never list or write it: root's
 * tree may switch to other users, who reach the socket and the count=
 * files (secret names) through it.  0, or -1 (not ours, or not a dir). */
int hold_dir_let_through(const char *dir);

#endif
