#!/bin/sh
# SPDX-License-Identifier: MIT
# hardening.sh: holdd and hold as built (and installed: make install copies
# them unchanged) carry a stack protector, _FORTIFY_SOURCE, full RELRO and
# PIE, as checksec would report them, read with readelf and nm; libhold
# carries the stack protector, FORTIFY and RELRO.
set -u
B=${HOLD_TOP_BUILDDIR:?run through make check}
case "${HOLD_HARDEN_CFLAGS:-}" in
*stack-protector*) ;;
*) echo "SKIP: configured with --disable-hardening"; exit 77 ;;
esac
fortify=1
case "${HOLD_HARDEN_CFLAGS}" in *FORTIFY*) ;; *) fortify=0 ;; esac # off under ASan
bad=""
for f in "$B/holdd/holdd" "$B/hold/hold" "$HOLD_LIB"; do
	name=${f##*/}
	h=$(readelf -hW "$f") && d=$(readelf -dW "$f") && l=$(readelf -lW "$f") && s=$(nm -D "$f") ||
		{ echo "FAIL: cannot read $f"; exit 1; }
	printf '%s\n' "$s" | grep -q ' U __stack_chk_fail' || bad="$bad; $name: no stack protector"
	[ $fortify = 0 ] || printf '%s\n' "$s" | grep -Eq ' U __[a-z0-9_]+_chk(@|$)' ||
		bad="$bad; $name: no FORTIFY (__*_chk) import"
	printf '%s\n' "$l" | grep -q GNU_RELRO || bad="$bad; $name: no RELRO"
	[ "$name" = libhold.so ] && continue
	printf '%s\n' "$d" | grep -q 'BIND_NOW\|Flags:.* NOW' || bad="$bad; $name: RELRO is not full (no BIND_NOW)"
	printf '%s\n' "$h" | grep -q 'Type:.*DYN' && printf '%s\n' "$d" | grep -q 'Flags:.*PIE' ||
		bad="$bad; $name: not PIE"
done
[ -z "$bad" ] || { echo "FAIL:${bad#;}"; exit 1; }
echo "ok - holdd and hold: canary,$([ $fortify = 1 ] && echo ' FORTIFY,') full RELRO, PIE; libhold: canary,$([ $fortify = 1 ] && echo ' FORTIFY,') RELRO"
