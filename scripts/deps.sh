# scripts/deps.sh - sourced by ./run-tests and ./run-demo: install what a
# fresh Debian machine is missing, then configure and build into ./build.
set -eu
PKGS="gcc make autoconf automake libtool pkg-config libseccomp-dev libcap-dev libcmocka-dev zlib1g-dev gdb python3 python3-dbg python3-cotyledon"

missing=""
if command -v dpkg-query >/dev/null 2>&1; then
	for p in $PKGS; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
	done
else
	echo "hold: not a Debian system; install by hand: $PKGS" >&2
fi
if [ -n "$missing" ]; then
	echo "hold: installing:$missing" >&2
	sudo=""
	[ "$(id -u)" = 0 ] || sudo=sudo
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing >/dev/null
fi

[ -x configure ] || autoreconf -fi
mkdir -p build
[ -f build/Makefile ] || (cd build && ../configure -q)
make -s -C build -j"$(nproc)"
