/*
 * record.h - the park records libhold writes in the runtime directory
 * (report.c: RUNTIME_DIR/park-PID-TID, key=value lines).  The CLI lists
 * them when no holdd answers; holdd reads them at start-up to find stopped
 * processes, which cannot reconnect by themselves.
 */
#ifndef HOLD_RECORD_H
#define HOLD_RECORD_H

#include <limits.h>
#include <stdint.h>

struct spool_rec {
	int pid, tid, ppid;
	uint64_t start;                /* field 22 of /proc/PID/stat */
	uint64_t since_ns, timeout_ns; /* CLOCK_REALTIME; 0 = none */
	char event[16], mode[8], comm[16];
	char rule[512], exe[PATH_MAX], argv[1024];
	/* recv/accept: the fd, its address and who sent (peer 0: not known) */
	int fd, peer;
	uint64_t bytes;
	char addr[128], peercomm[16];
};

/* Live records (the process exists with the recorded start time), sorted by
 * pid and tid; *out is malloc'd.  -1 if dir cannot be read. */
int spool_read(const char *dir, struct spool_rec **out);
/* Field 22 of /proc/PID/stat, or 0 if the process is gone. */
uint64_t proc_starttime(int pid);

#endif
