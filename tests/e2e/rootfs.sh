# SPDX-License-Identifier: MIT
# rootfs.sh - sourced after lib.sh by the systemd and container tests: a
# Debian root to boot or import, with hold installed into it.
#
# The root is built once by debootstrap (minbase, systemd, dbus, gdb) and
# cached in $HOLD_ROOTFS_CACHE (default /var/cache/hold-tests); each test
# works on an overlay of it, so the cache stays clean.  Without debootstrap
# or a reachable mirror the test skips in one line.

HOLD_ROOTFS_CACHE=${HOLD_ROOTFS_CACHE:-/var/cache/hold-tests}
ROOTFS=$HOLD_ROOTFS_CACHE/bookworm

# The mirror apt uses here (deb822 or one-line sources), else Debian's.
mirror() {
	m=$(sed -n 's/^URIs: *\([^ ]*debian\)\/*$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1)
	[ -n "$m" ] || m=$(sed -n 's/^deb  *\(http[^ ]*\/debian\)\/* .*/\1/p' /etc/apt/sources.list 2>/dev/null | head -n 1)
	echo "${m:-http://deb.debian.org/debian}"
}

need_rootfs() {
	[ "$(id -u)" = 0 ] || skip "needs root (a booted or imported Debian root)"
	[ -x "$ROOTFS/usr/bin/gdb" ] && return 0
	command -v debootstrap >/dev/null || skip "debootstrap is not installed (apt-get install debootstrap)"
	echo "# building the Debian root in $ROOTFS (once; about a minute)"
	mkdir -p "$HOLD_ROOTFS_CACHE" && rm -rf "$ROOTFS.tmp" || fail "cannot make $HOLD_ROOTFS_CACHE"
	# gdb afterwards, by apt: debootstrap cannot resolve its virtual dependencies
	if ! debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus,libseccomp2,libcap2,zlib1g,procps \
		bookworm "$ROOTFS.tmp" "$(mirror)" >"$T/debootstrap.log" 2>&1 ||
		! chroot "$ROOTFS.tmp" apt-get install -y -qq --no-install-recommends gdb >>"$T/debootstrap.log" 2>&1; then
		rm -rf "$ROOTFS.tmp"
		skip "debootstrap of bookworm failed (no mirror?): $(tail -n 1 "$T/debootstrap.log")"
	fi
	chroot "$ROOTFS.tmp" apt-get clean
	mv "$ROOTFS.tmp" "$ROOTFS"
}

# An overlay of the root at $T/root, with hold installed (make install).
ROOT=$T/root
root_overlay() {
	mkdir -p "$T/upper" "$T/work" "$ROOT"
	mount -t overlay hold-test -o "lowerdir=$ROOTFS,upperdir=$T/upper,workdir=$T/work" "$ROOT" ||
		skip "cannot mount an overlay on the cached root"
	MOUNTED="$ROOT ${MOUNTED:-}"
	make -s -C "$B" install DESTDIR="$ROOT" >"$T/install.log" 2>&1 ||
		fail "make install DESTDIR=$ROOT: $(tail -n 5 "$T/install.log")"
	PREFIX=$(sed -n 's/^prefix = //p' "$B/Makefile")
}
