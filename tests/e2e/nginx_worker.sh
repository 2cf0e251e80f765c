# SPDX-License-Identifier: MIT
# nginx, the real thing (Debian's nginx-light), as root under plain
# hold run: the master stays root, its workers switch to www-data.  An
# accept rule parks the worker that takes the first request; the park is
# visible to root (hold wait, ls), the other worker keeps serving, gdb
# attaches to the parked worker and stops in its recv of the request,
# and after release the first client gets its answer.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || skip "needs root (nginx's master, workers as www-data)"
PATH=$PATH:/usr/sbin
command -v nginx >/dev/null || skip "nginx is not installed (apt-get install nginx-light)"
command -v curl >/dev/null || skip "curl is not installed (apt-get install curl)"
id www-data >/dev/null 2>&1 || skip "no www-data user"
need_gdb
chmod 755 "$T"
port=$("${PYTHON3:-python3}" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$T/nginx.conf" <<EOF
user www-data;
worker_processes 2;
daemon off;
pid $T/nginx.pid;
error_log $T/error.log;
events { worker_connections 64; }
http {
	access_log off;
	server {
		listen 127.0.0.1:$port;
		location / { return 200 "hello from nginx\n"; }
	}
}
EOF

"$HOLD" run -r "accept:tcp:$port,count=1" -- nginx -e "$T/error.log" -c "$T/nginx.conf" \
	>"$T/nginx.out" 2>&1 &
master=$!
PIDS="$PIDS $master"
until_true "[ \$(pgrep -P $master -u www-data | wc -l) = 2 ]" 20 ||
	fail "nginx did not start two workers: $(cat "$T/nginx.out" "$T/error.log")"
PIDS="$PIDS $(pgrep -P $master)" # nginx rewrites its environment: cleanup cannot find them
ok "nginx under hold run: master root, two workers www-data"

curl -s -m 60 "http://127.0.0.1:$port/" >"$T/first" 2>&1 &
first=$!
PIDS="$PIDS $first"
w=$("$HOLD" wait --timeout 20 nginx) || fail "no worker parked: $(cat "$T/nginx.out")"
[ "$(stat -c %U "/proc/$w")" = www-data ] || fail "the parked process $w is not a www-data worker"
"$HOLD" ls | grep -q "^$w .*accept .*tcp" || fail "hold ls: $("$HOLD" ls)"
ok "the worker that took the request ($w, www-data) parked at accept, listed by hold ls"

[ "$(curl -s -m 10 "http://127.0.0.1:$port/")" = "hello from nginx" ] ||
	fail "the other worker did not serve while $w was parked"
kill -0 "$first" 2>/dev/null || fail "the first client finished while its worker was parked"
ok "the other worker keeps serving; the first client waits"

"$HOLD" attach --batch -b recv "$w" >"$T/gdb" 2>&1 || fail "attach: $(cat "$T/gdb")"
grep -q "Breakpoint 1[.0-9]*, recv" "$T/gdb" && grep -q "^#1 .* in ngx_unix_recv" "$T/gdb" ||
	fail "gdb did not stop in nginx's recv: $(cat "$T/gdb")"
ok "hold attach --batch -b recv stopped the worker in its recv of the request"

wait "$first" || fail "the first client failed: $(cat "$T/first")"
[ "$(cat "$T/first")" = "hello from nginx" ] || fail "the first client got: $(cat "$T/first")"
[ "$(nparked)" = 0 ] || fail "something is still parked"
ok "released: the first client got its answer"

kill -QUIT "$master"
wait "$master"
ok "nginx stopped"

# nginx as it runs by default, daemonized: hold run returns at once (the
# master forks away), and the run goes on with the tree -- its worker's
# park is listed, waited for, attached and released, and the summary is
# true: nothing called unmatched, and at the end nothing left
sed 's/^daemon off;/daemon on;/' "$T/nginx.conf" >"$T/nginx-d.conf"
until_true '! answers' || fail "the first run's private holdd did not stop"
"$HOLD" run -r "accept:tcp:$port,count=1" -- nginx -e "$T/error.log" -c "$T/nginx-d.conf" \
	>"$T/nginx-d.out" 2>"$T/nginx-d.err" || fail "hold run nginx: $(cat "$T/nginx-d.err")"
until_true "[ -s '$T/nginx.pid' ]" 20 || fail "the daemon did not start: $(cat "$T/error.log")"
master=$(cat "$T/nginx.pid")
PIDS="$PIDS $master $(pgrep -P "$master")"
until_true "grep -q 'its tree still runs: nginx (' '$T/nginx-d.err'" ||
	fail "hold run said nothing of the daemon's tree: $(cat "$T/nginx-d.err")"
grep -q "rule 'accept:tcp:$port,count=1' has not fired yet" "$T/nginx-d.err" || fail "not-yet: $(cat "$T/nginx-d.err")"
curl -s -m 60 "http://127.0.0.1:$port/" >"$T/first-d" 2>&1 &
first=$!
PIDS="$PIDS $first"
w=$("$HOLD" wait --timeout 20 nginx) || fail "no worker of the daemon parked (is its holdd gone?): $(cat "$T/nginx-d.err")"
"$HOLD" attach --batch -b recv "$w" >"$T/gdb-d" 2>&1 || fail "attach: $(cat "$T/gdb-d")"
grep -q "Breakpoint 1[.0-9]*, recv" "$T/gdb-d" || fail "gdb did not stop in recv: $(cat "$T/gdb-d")"
wait "$first" && [ "$(cat "$T/first-d")" = "hello from nginx" ] || fail "the client got: $(cat "$T/first-d")"
kill -QUIT "$master"
until_true '! answers' 20 || fail "the private holdd outlived the daemon's tree"
grep -q "matched nothing" "$T/nginx-d.err" && fail "the summary called the rule that fired unmatched: $(cat "$T/nginx-d.err")"
ok "daemonized nginx: hold run returned at once, the run followed the tree; its worker parked, was attached and released; the summary was true, and the private holdd stopped with the tree"
