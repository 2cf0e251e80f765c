/*
 * paths.c - the policy of where things are; see paths.h.
 */
#include "paths.h"

static int absolute(const char *v)
{
	return v && v[0] == '/';
}

__attribute__((hot)) void hold_runtime_dir_of(struct buf *b, const char *hold_runtime_dir,
					      const char *xdg_runtime_dir, unsigned euid)
{
	if (absolute(hold_runtime_dir)) {
		buf_str(b, hold_runtime_dir);
	} else if (absolute(xdg_runtime_dir)) {
		buf_str(b, xdg_runtime_dir);
		buf_str(b, "/hold");
	} else if (euid == 0) {
		buf_str(b, "/run/hold");
	} else {
		buf_str(b, "/tmp/hold-");
		buf_u64(b, euid);
	}
	buf_cstr(b);
}

__attribute__((hot)) void hold_socket_of(struct buf *b, const char *hold_socket,
					 const char *runtime_dir)
{
	if (hold_socket && hold_socket[0]) {
		buf_str(b, hold_socket);
	} else {
		buf_str(b, runtime_dir);
		buf_str(b, "/holdd.sock");
	}
	buf_cstr(b);
}
