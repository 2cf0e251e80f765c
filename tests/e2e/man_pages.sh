# SPDX-License-Identifier: MIT
# What an installed hold carries: its manual -- hold(1), holdd(8),
# libhold(7), hold.h(3) -- which renders without a warning, names every
# verb hold has and every rule event and key libhold takes, and is
# installed by make install with the README and the bash completion;
# and the completion, which offers verbs, options, rule words, and the
# pids of what is parked now.
. "$(dirname "$0")/lib.sh"
S=$HOLD_TOP_SRCDIR
command -v groff >/dev/null 2>&1 || skip "groff is not installed (apt-get install groff-base)"

for page in hold/hold.1 holdd/holdd.8 libhold/libhold.7 libhold/hold.h.3; do
	groff -man -Tutf8 -ww "$S/$page" >"$T/out" 2>"$T/warn" || fail "$page does not render"
	[ ! -s "$T/warn" ] || fail "$page: $(cat "$T/warn")"
	[ "$(wc -l <"$T/out")" -gt 20 ] || fail "$page rendered to almost nothing"
done
ok "the four pages render with no warning"

groff -man -Tutf8 "$S/hold/hold.1" 2>/dev/null | sed 's/.\x08//g' >"$T/hold.txt"
verbs=$("$HOLD" --help | sed -n 's/^  hold \([a-z]*\) .*/\1/p')
[ -n "$verbs" ] || fail "hold --help lists no verbs"
for v in $verbs; do
	grep -Eq "^ {7}$v( |$)" "$T/hold.txt" || fail "hold(1) does not describe hold $v"
	# and every option the verb takes
	for o in $("$HOLD" "$v" --help | sed -n 's/^  \(-[a-z], \)\{0,1\}\(--[a-z][a-z-]*\).*/\2/p'); do
		grep -q -- "$o" "$T/hold.txt" || fail "hold(1) does not name $v's $o"
	done
done
# hold(1)'s exit statuses are each verb's --help ones
sed -n '/^EXIT STATUS/,/^ENVIRONMENT/p' "$T/hold.txt" | tr -s ' \n‐' ' ' | sed 's/‐ //g' >"$T/exits.txt"
for v in $verbs; do
	"$HOLD" "$v" --help | sed -n '/^Exit status:$/,$p' | sed 1d | tr -s ' \n' ' ' >"$T/vexit"
	for code in 0 1 2 127 0-255; do
		line=$(sed -n "s/.* $code \([^0-9][^0-9]*\).*/\1/p" "$T/vexit" | cut -c1-30)
		[ -z "$line" ] || grep -qF -- "$code $line" "$T/exits.txt" ||
			fail "hold(1)'s EXIT STATUS lacks hold $v's '$code $line'"
	done
	grep -q "hold $v " "$T/exits.txt" || fail "hold(1)'s EXIT STATUS does not name hold $v"
done
for section in "EXIT STATUS" ENVIRONMENT FILES EXAMPLES "JSON OUTPUT"; do
	grep -q "^$section" "$T/hold.txt" || fail "hold(1) has no $section"
done
groff -man -Tutf8 "$S/libhold/libhold.7" 2>/dev/null | sed 's/.\x08//g' >"$T/libhold.txt"
events=$(sed -n '/event_names\[HOLD_EV_COUNT_\] = {/,/};/s/.*= "\([a-z]*\)".*/\1/p' "$S/common/rules.c")
keys=$(sed -n 's/.*keys\[\] = {\(.*\)};/\1/p' "$S/common/rules.c" | tr -d '",' )
[ "$(echo $events | wc -w)" = 4 ] && [ "$(echo $keys | wc -w)" -ge 6 ] || fail "cannot read the events ($events) and keys ($keys)"
for w in $events; do
	grep -Eq "^ {7}$w" "$T/libhold.txt" || fail "libhold(7) does not describe the event $w"
	grep -q "$w" "$S/hold/hold.bash-completion" || fail "the completion does not offer the event $w"
done
for k in $keys; do
	grep -Eq "^ {7}$k=" "$T/libhold.txt" || fail "libhold(7) does not describe the key $k"
	grep -q "$k=" "$S/hold/hold.bash-completion" || fail "the completion does not offer the key $k="
done
for var in HOLD_RULES HOLD_RULES_FILE HOLD_SOCKET HOLD_RUNTIME_DIR; do
	grep -q "$var" "$T/libhold.txt" || fail "libhold(7) does not name $var"
done
ok "hold(1) describes every verb ($(echo $verbs)) and its options; libhold(7) every event and key"

make -s -C "$B" install DESTDIR="$T/inst" >"$T/install.log" 2>&1 || fail "make install: $(tail -n 5 "$T/install.log")"
PREFIX=$(sed -n 's/^prefix = //p' "$B/Makefile")
for f in share/man/man1/hold.1 share/man/man8/holdd.8 share/man/man7/libhold.7 share/man/man3/hold.h.3 \
	share/doc/hold/README.md share/bash-completion/completions/hold; do
	[ -s "$T/inst$PREFIX/$f" ] || fail "make install did not install $f: $(cd "$T/inst$PREFIX" && find . -type f | head -30)"
done
if command -v man >/dev/null 2>&1; then
	MANPATH=$T/inst$PREFIX/share/man man -P cat libhold 2>/dev/null | grep -q "count=" ||
		fail "man libhold does not find the installed page"
fi
ok "make install puts the pages, the README and the completion where man and bash look"

# the completion, as bash runs it
start_holdd --foreground
"$HOLD" run -r 'exec:*/target' -- "$H/target" >/dev/null 2>&1 &
PIDS="$PIDS $!"
until_true '[ "$(nparked)" = 1 ]' || fail "nothing parked"
pid=$("$HOLD" ls --json | sed -n 's/.*"pid": \([0-9]*\).*/\1/p' | head -n 1)
complete_() { # WORDS...: what the completion offers for the last word
	PATH=$(dirname "$HOLD"):$PATH bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _hold; printf "%s\n" "${COMPREPLY[@]}"' \
		sh "$S/hold/hold.bash-completion" "$@"
}
[ "$(complete_ hold at)" = attach ] || fail "hold at<TAB>: $(complete_ hold at)"
complete_ hold attach '' | grep -qx "$pid" || fail "hold attach <TAB> did not offer $pid: $(complete_ hold attach '')"
complete_ hold release '' | grep -qx "$pid" || fail "hold release <TAB>: $(complete_ hold release '')"
complete_ hold attach --b | grep -qx -- --batch || fail "hold attach --b<TAB>: $(complete_ hold attach --b)"
complete_ hold run -r 'exec:*/x,cou' | grep -qx 'exec:\*/x,count=' || fail "rule key: $(complete_ hold run -r 'exec:*/x,cou')"
[ -z "$(complete_ hold attach -b '')" ] || fail "hold attach -b <TAB> offered: $(complete_ hold attach -b '')"
complete_ hold attach -p '' | grep -qx "$pid" || fail "hold attach -p <TAB>: $(complete_ hold attach -p '')"
complete_ hold run -- whil | grep -qx while && fail "hold run -- whil<TAB> offered a shell keyword"
complete_ hold run -- sle | grep -qx sleep || fail "hold run -- sle<TAB>: $(complete_ hold run -- sle)"
"$HOLD" release --all >/dev/null
ok "completion: hold at -> attach; hold attach -> the parked pid $pid; options; rule keys; nothing after -b; no shell keywords after run --"
