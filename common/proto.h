/* SPDX-License-Identifier: MIT */
/*
 * proto.h - the one protocol between libhold, holdd and the hold CLI.
 *
 * A message is a header and a list of fields, all little-endian:
 *
 *   u32 length (of the whole message, header included)
 *   u16 version (HOLD_PROTO_VERSION)
 *   u16 type (enum hold_msg_type)
 *   then fields:  u16 tag, u16 length, value
 *
 * Numbers are 8-byte fields; strings are bytes without a NUL.  Unknown tags
 * are skipped (new optional fields need no version bump); a new meaning for
 * an old tag does.  Nothing here says who sent a message: holdd takes the
 * peer's pid and uid from SO_PEERCRED/SCM_CREDENTIALS, never from a field.
 *
 * The encoder is async-signal-safe (a parked fork child uses it): caller's
 * buffer, no allocation.  The decoder never reads past the bytes it is
 * given and points into them instead of copying.
 */
#ifndef HOLD_PROTO_H
#define HOLD_PROTO_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define HOLD_PROTO_VERSION 1
#define HOLD_MSG_HDR       8
#define HOLD_MSG_MAX       8192 /* larger is malformed */
#define HOLD_MSG_ARGS      64   /* exec argv entries carried; the rest are cut */

enum hold_msg_type {
	/* any client, first on a stream connection */
	HOLD_MSG_HELLO = 1, /* VERSION */
	/* libhold -> holdd, datagrams: the kernel names the sender */
	HOLD_MSG_FORK, /* CHILD */
	HOLD_MSG_EXEC, /* PATH, ARG..., PPID [, FLAGS=FAILED, ERRNO: it failed] */
	/* a parked thread <-> holdd, on its own stream connection */
	HOLD_MSG_PARK,     /* TID, EVENT, RULE, MODE, START, SINCE_NS [, TIMEOUT_NS, PPID,
			      PATH, COMM, ARG..., and for recv/accept FD, ADDR, BYTES,
			      PEER, PEERCOMM] */
	HOLD_MSG_RELEASED, /* TID, BY */
	HOLD_MSG_RELEASE,  /* holdd -> thread: TID; CLI -> holdd: PID [, TID] or FLAGS=ALL */
	/* holdd -> any client */
	HOLD_MSG_ERROR, /* TEXT */
	/* the CLI's requests and holdd's answers */
	HOLD_MSG_LIST,   /* -> PARKED..., DONE */
	HOLD_MSG_PARKED, /* PID, TID, UID, ... as PARK */
	HOLD_MSG_TREE,   /* [PID] -> NODE..., DONE */
	HOLD_MSG_NODE,   /* PID, PARENT, UID, FLAGS, SINCE_NS [, EXIT_NS, PATH, COMM, ARG...] */
	HOLD_MSG_WAIT,   /* [TEXT = glob, SINCE_NS] -> PARKED when one parked since then matches */
	HOLD_MSG_STATS,  /* -> STATS: COUNT (events), NODES */
	HOLD_MSG_DONE,   /* COUNT */
	/* holdd's journal only */
	HOLD_MSG_EXIT, /* PID, SINCE_NS */
	/* holdd -> CLI in a TREE answer, and journal: data crossed from PEER
	   to PID/TID over ADDR, and a recv/accept rule parked the receiver */
	HOLD_MSG_HANDOFF, /* PID, TID, ADDR [, PEER, UID, SINCE_NS, EVENT, COMM, PEERCOMM] */
	/* hold run -> holdd: keep running while I (the sender, by SO_PEERCRED)
	   live -> DONE, COUNT 1 when this holdd would otherwise stop (a
	   private one); ERROR when it is already stopping */
	HOLD_MSG_OWNER,
	/* hold log -> holdd [FLAGS=FOLLOW] -> the journal's FORK, EXEC, EXIT,
	   HANDOFF, PARKED and RELEASED (each with PID, UID, SINCE_NS), DONE;
	   with FOLLOW, then each event as it happens */
	HOLD_MSG_LOG,
	/* hold watch, run, follow -> holdd: park by TEXT (fork and exec rules,
	   as HOLD_RULES) from the kernel [PID: PID's tree only; START: its
	   field 22, FLAGS=TREE: for as long as that tree lives, else for as
	   long as this connection] -> DONE, COUNT rules set; ERROR (why kernel
	   following is off, or what is wrong with a rule).  CGROUP_ID and
	   CGROUP_LEVEL: only in that cgroup or below.  Without TEXT:
	   DONE if the kernel follower is on, else ERROR why; without TEXT,
	   with PID and START: FIRED for each rule of the caller's watch on
	   that tree (live, or ended lately), in WATCH's order, then DONE */
	HOLD_MSG_WATCH,
	HOLD_MSG_FIRED, /* holdd -> CLI: COUNT, how often one kernel rule parked */
	HOLD_MSG_TYPE_END_
};

enum hold_field {
	HOLD_F_VERSION = 1,
	HOLD_F_START, /* field 22 of /proc/PID/stat */
	HOLD_F_CHILD,
	HOLD_F_TID,
	HOLD_F_MODE, /* enum hold_mode */
	HOLD_F_TIMEOUT_NS,
	HOLD_F_SINCE_NS, /* CLOCK_REALTIME, as hold_now_ns() reads it */
	HOLD_F_BY,       /* enum hold_by */
	HOLD_F_PID,
	HOLD_F_PPID,
	HOLD_F_PARENT, /* NODE: the recorded parent's pid, which outlives re-parenting;
			  in a journal snapshot, the parent's position in it */
	HOLD_F_UID,
	HOLD_F_FLAGS,
	HOLD_F_COUNT,
	HOLD_F_EXIT_NS,
	HOLD_F_NODES,
	HOLD_F_FD,           /* PARK: the fd a recv/accept rule fired on */
	HOLD_F_PEER,         /* PARK, HANDOFF: the sender's pid (0: not known) */
	HOLD_F_BYTES,        /* PARK: how many bytes the recv returned */
	HOLD_F_NEWFD,        /* PARK: the connection an accept returned */
	HOLD_F_OWNER,        /* NODE, OWNER (journal): the uid a tree belongs to */
	HOLD_F_PIDNS,        /* HELLO, PARK: the sender's pid namespace (the inode of
				/proc/self/ns/pid); pids it sends and is sent are that
				namespace's (a process in a container) */
	HOLD_F_LOST,         /* DONE: fork/exec reports lost so far (holdd's ring full) */
	HOLD_F_NSPID,        /* PARKED: the pid in the process's own namespace, where it
				is not holdd's (a container) */
	HOLD_F_CGROUP_ID,    /* WATCH: only processes in this cgroup (v2: its directory's
				inode) or below it ... */
	HOLD_F_CGROUP_LEVEL, /* ... which is this deep (the root: 0) */
	HOLD_F_ERRNO,        /* EXEC with FLAGS=FAILED: why the exec failed */
	HOLD_F_NUM_END_,     /* tags below are numbers, from here strings */
	HOLD_F_PATH = 32,
	HOLD_F_ARG, /* repeatable */
	HOLD_F_EVENT,
	HOLD_F_RULE,
	HOLD_F_TEXT,
	HOLD_F_COMM,
	HOLD_F_ADDR,     /* "unix:/run/x.sock", "tcp:8080", "pipe:[123]" */
	HOLD_F_PEERCOMM, /* the sender's name */
	HOLD_F_CGROUP,   /* PARKED: the parked process's cgroup (v2), which names a
			    systemd unit or a container */
	HOLD_F_STR_END_
};

/* Who released a parked thread (HOLD_F_BY). */
enum hold_by {
	HOLD_BY_GDB,     /* its hold flag was cleared: gdb's `set var hold = 0` */
	HOLD_BY_TIMEOUT, /* the rule's timeout= ran out */
	HOLD_BY_SIGCONT, /* a stopped process was continued */
	HOLD_BY_DAEMON,  /* holdd, asked by `hold release` */
	HOLD_BY_END_
};

/* HOLD_F_FLAGS */
#define HOLD_FL_ALL        1u /* RELEASE: every park the caller may release */
#define HOLD_FL_EXITED     2u /* NODE */
#define HOLD_FL_REPARENTED 4u /* NODE: its parent exited first (double fork) */
#define HOLD_FL_EXECED     8u /* NODE: PATH is an exec'd image, not the parent's */
#define HOLD_FL_PARKED     16u
#define HOLD_FL_UNRECORDED 32u   /* PARK: no record written; holdd writes one */
#define HOLD_FL_UNSEEN     64u   /* WAIT: the oldest park no WAIT of this user was handed */
#define HOLD_FL_TRACED     128u  /* PARK: a tracer (hold follow) stopped PID and let it go */
#define HOLD_FL_RECORD     256u  /* RELEASE: holdd removes the park's record (park-dir.h) */
#define HOLD_FL_FOLLOW     1024u /* LOG: and then every event as it happens */
#define HOLD_FL_NOTREE     512u  /* OWNER: keep a private holdd up, but the sender starts
				    no tree (hold run's watcher) */
#define HOLD_FL_KERNEL     2048u /* PARK, record: the kernel follower stopped it; ERROR
				    to WATCH: it cannot do that here (off, or this kernel) */
#define HOLD_FL_TREE       4096u /* WATCH: the rules live as long as PID's tree */
#define HOLD_FL_FAILED     8192u /* EXEC: the exec failed (ERRNO); the image is unchanged */

#define HOLD_F_NUMS (HOLD_F_NUM_END_)
#define HOLD_F_STRS (HOLD_F_STR_END_ - HOLD_F_PATH)

enum hold_proto_err {
	HOLD_PROTO_OK = 0,
	HOLD_PROTO_SHORT,     /* fewer bytes than a header or than its length */
	HOLD_PROTO_TOO_LARGE, /* length over HOLD_MSG_MAX or the buffer */
	HOLD_PROTO_VERSION_MISMATCH,
	HOLD_PROTO_BAD_TYPE,
	HOLD_PROTO_BAD_FIELD, /* overruns the message, or a number not 8 bytes */
	HOLD_PROTO_DUPLICATE, /* a non-repeatable field twice */
	HOLD_PROTO_MISSING,   /* a field the type requires is absent */
	HOLD_PROTO_ERR_END_
};

struct hold_str {
	const char *p; /* into the decoded buffer; not NUL-terminated */
	uint16_t len;
};

struct hold_msg {
	uint16_t type;
	uint64_t have; /* 1 << tag for each numeric or string field present */
	uint64_t num[HOLD_F_NUMS];
	struct hold_str str[HOLD_F_STRS];
	struct hold_str arg[HOLD_MSG_ARGS];
	unsigned nargs, args_cut; /* ARG fields kept, and dropped past the cap */
};

/* Encoding into the caller's buffer. */
struct hold_enc {
	char *p;
	size_t len, cap;
	int full;
};

void hold_enc_start(struct hold_enc *e, char *buf, size_t cap, enum hold_msg_type type);
void hold_enc_num(struct hold_enc *e, enum hold_field tag, uint64_t v);
void hold_enc_str(struct hold_enc *e, enum hold_field tag, const char *s);
void hold_enc_mem(struct hold_enc *e, enum hold_field tag, const void *p, size_t n);
/* The message's length, or 0 if it did not fit (nothing usable was made). */
size_t hold_enc_finish(struct hold_enc *e);

/* Stream framing: how long is the message at the start of buf[0..n)?
 * 0 = need more bytes; < 0 = -enum hold_proto_err (close the connection). */
long hold_msg_frame(const void *buf, size_t n);
/* Decode one whole message; 0 or an enum hold_proto_err. */
int hold_msg_decode(struct hold_msg *m, const void *buf, size_t n);
const char *hold_proto_strerror(int err);

static inline int hold_msg_has(const struct hold_msg *m, enum hold_field f)
{
	return (m->have >> f) & 1;
}

/* String field f (HOLD_F_PATH..): its bytes, or "" (length 0) if absent.
 * The one way to read one; hold_msg_copy() when a C string is wanted. */
static inline struct hold_str hold_msg_str(const struct hold_msg *m, enum hold_field f)
{
	static const struct hold_str none = {"", 0};

	return f >= HOLD_F_PATH && f < HOLD_F_STR_END_ && hold_msg_has(m, f)
		       ? m->str[f - HOLD_F_PATH]
		       : none;
}

/* String field f into dst as a C string, cut to cap - 1 bytes; its length. */
/* A decoded message encoded again (what decode kept: numbers, strings,
 * the ARGs it did not cut); its length, 0 if it did not fit. */
size_t hold_msg_encode(const struct hold_msg *m, char *buf, size_t cap);
size_t hold_msg_copy(const struct hold_msg *m, enum hold_field f, char *dst, size_t cap);

/* Names for messages and logs: "PARK", "hold release". */
const char *hold_msg_type_name(unsigned type);
const char *hold_by_name(unsigned by);

/* The protocol's clock: nanoseconds of CLOCK_REALTIME (SINCE_NS, EXIT_NS). */
static inline uint64_t hold_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

#endif
