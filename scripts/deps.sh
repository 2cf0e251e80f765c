# SPDX-License-Identifier: MIT
# scripts/deps.sh - sourced by ./run-tests and ./run-demo: install what a
# fresh Debian machine is missing, then configure and build into ./build.
set -eu
# libbpf-dev, clang and bpftool: the kernel follower (bpf/), built where they are
PKGS="gcc make autoconf automake libtool pkg-config libseccomp-dev libcap-dev libcmocka-dev zlib1g-dev gdb strace python3 python3-dbg python3-cotyledon libbpf-dev clang bpftool"

# HOLD_EXTRA_PKGS (./run-tests real): installed without their recommends,
# which for libvirt would pull in and start system services; if they cannot
# be installed, the tests that need them skip, each saying why.
sudo=""
[ "$(id -u)" = 0 ] || sudo=sudo
updated=""
pkg_install() { # [apt-get option] PACKAGE...
	opt=$1
	shift
	missing=""
	if ! command -v dpkg-query >/dev/null 2>&1; then
		echo "hold: not a Debian system; install by hand: $*" >&2
		return 0
	fi
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
	done
	[ -n "$missing" ] || return 0
	echo "hold: installing:$missing" >&2
	[ -n "$updated" ] || $sudo apt-get update -qq
	updated=1
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $opt $missing >/dev/null
}
pkg_install "" $PKGS
# shellcheck disable=SC2086
[ -z "${HOLD_EXTRA_PKGS:-}" ] || pkg_install --no-install-recommends $HOLD_EXTRA_PKGS ||
	echo "hold: could not install $HOLD_EXTRA_PKGS; the tests that need them will say so and skip" >&2

# HOLD_BUILD (default build) and HOLD_CONFIGURE: where, and with what, to
# configure.  CI (CI=true) builds with warnings as errors; a user's build
# does not, for a newer compiler's new warning must not stop it.
HOLD_BUILD=${HOLD_BUILD:-build}
[ "${CI:-}" != true ] || HOLD_CONFIGURE="${HOLD_CONFIGURE:-} --enable-werror"
[ -x configure ] || autoreconf -fi
mkdir -p "$HOLD_BUILD"
# shellcheck disable=SC2086
[ -f "$HOLD_BUILD/Makefile" ] || (cd "$HOLD_BUILD" && ../configure -q ${HOLD_CONFIGURE:-})
make -s -C "$HOLD_BUILD" -j"$(nproc)"
