# scripts/deps.sh - sourced by ./run-tests and ./run-demo: install what a
# fresh Debian machine is missing, then configure and build into ./build.
set -eu
PKGS="gcc make autoconf automake libtool pkg-config libseccomp-dev libcap-dev libcmocka-dev zlib1g-dev gdb strace python3 python3-dbg python3-cotyledon"

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

[ -x configure ] || autoreconf -fi
mkdir -p build
[ -f build/Makefile ] || (cd build && ../configure -q)
make -s -C build -j"$(nproc)"
