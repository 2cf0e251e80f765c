# SPDX-License-Identifier: MIT
# Apache with mod_wsgi in daemon mode (Debian's apache2 and
# libapache2-mod-wsgi-py3), the way OpenStack's keystone runs: as root
# under plain hold run; Apache's children and the WSGI daemon process run
# as www-data.  A recv rule on the daemon's socket parks the daemon thread
# that receives the first request from Apache; it is visible to root.
# hold attach --pdb gives pdb in the WSGI application for that request;
# in a second Apache, gdb attaches to such a thread and stops in the
# interpreter it goes on to run.  Each time the client gets its answer.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || skip "needs root (Apache's parent, children as www-data)"
PATH=$PATH:/usr/sbin
command -v apache2 >/dev/null && [ -f /usr/lib/apache2/modules/mod_wsgi.so ] ||
	skip "apache2 and mod_wsgi are not installed (apt-get install apache2 libapache2-mod-wsgi-py3)"
command -v curl >/dev/null || skip "curl is not installed (apt-get install curl)"
id www-data >/dev/null 2>&1 || skip "no www-data user"
need_gdb
chmod 755 "$T"
port=$("${PYTHON3:-python3}" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
M=/usr/lib/apache2/modules
cat >"$T/app.wsgi" <<'EOF'
def application(environ, start_response):
    body = b"hello from wsgi\n"
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
EOF
cat >"$T/httpd.conf" <<EOF
ServerRoot $T
ServerName localhost
Listen 127.0.0.1:$port
PidFile $T/httpd.pid
ErrorLog $T/error.log
LogLevel info
User www-data
Group www-data
LoadModule mpm_event_module $M/mod_mpm_event.so
LoadModule authz_core_module $M/mod_authz_core.so
LoadModule wsgi_module $M/mod_wsgi.so
StartServers 1
WSGISocketPrefix $T/wsgi
WSGIDaemonProcess app user=www-data group=www-data processes=1 threads=2 display-name=%{GROUP}
WSGIProcessGroup app
WSGIScriptAlias / $T/app.wsgi
<Directory $T>
	Require all granted
</Directory>
EOF

# start_apache RULE: Apache under hold run with RULE; sets parent, daemon
start_apache() {
	"$HOLD" run -r "$1" -- "$(command -v apache2)" -f "$T/httpd.conf" -DFOREGROUND \
		>"$T/apache.out" 2>&1 &
	parent=$!
	PIDS="$PIDS $parent"
	until_true "pgrep -P $parent -u www-data -f '^.wsgi:' >/dev/null" 20 ||
		fail "no WSGI daemon process: $(ps -eo pid,ppid,user,args | grep -e apache2 -e wsgi) $(cat "$T/apache.out" "$T/error.log")"
	daemon=$(pgrep -P "$parent" -u www-data -f "^.wsgi:")
	PIDS="$PIDS $(pgrep -P $parent)" # whatever becomes of Apache, its children go too
}

stop_apache() {
	kill -TERM "$parent"
	wait "$parent"
}

# count=2: the daemon thread reads one request in two receives; hold attach
# --pdb passes over the second
start_apache 'recv:unix:*/wsgi.*.sock,count=2'
ok "Apache under hold run; the WSGI daemon process $daemon runs as www-data"

curl -s -m 60 "http://127.0.0.1:$port/first" >"$T/answer" 2>&1 &
client=$!
PIDS="$PIDS $client"
"$HOLD" wait --timeout 20 >"$T/parked" || fail "nothing parked: $(cat "$T/apache.out" "$T/error.log")"
who=$(cat "$T/parked")
[ "${who%/*}" = "$daemon" ] && [ "${who#*/}" != "$daemon" ] ||
	fail "parked $who, not a thread of the WSGI daemon $daemon"
"$HOLD" ls | grep -q "^$daemon  *${who#*/} .*recv .*unix:$T/wsgi\..*\.sock from [0-9]* apache2" ||
	fail "hold ls: $("$HOLD" ls)"
kill -0 "$client" 2>/dev/null || fail "the client finished while its request was parked"
ok "the daemon thread $who parked on the request from Apache's child (hold ls names the sender)"

# --pdb on that C thread: pdb in the WSGI application, at its first line,
# in mod_wsgi's sub-interpreter (made for this very request); c lets the
# request finish
printf 'w\np environ["PATH_INFO"]\nn\np len(body)\nc\n' | timeout 60 "$HOLD" attach --pdb "$who" >"$T/pdb" 2>&1 ||
	fail "attach --pdb: $(cat "$T/pdb")"
grep -q "^> $T/app.wsgi(2)application()" "$T/pdb" || fail "pdb did not stop in the application: $(cat "$T/pdb")"
grep -q "^(Pdb) '/first'$" "$T/pdb" || fail "p environ[PATH_INFO] is not this request's: $(cat "$T/pdb")"
grep -q "^(Pdb) 16$" "$T/pdb" || fail "p len(body) after a step: $(cat "$T/pdb")"
wait "$client" || fail "the client failed after c: $(cat "$T/answer")"
[ "$(cat "$T/answer")" = "hello from wsgi" ] || fail "the client got: $(cat "$T/answer")"
grep -q "met its rule again before it ran Python" "$T/pdb" || fail "no second receive was passed over: $(cat "$T/pdb")"
[ "$(nparked)" = 0 ] || fail "something is still parked: $("$HOLD" ls)"
ok "--pdb on the mod_wsgi daemon thread: pdb at the application's first line for /first (the request's second receive passed over); c, and the client got its answer"
stop_apache

# gdb at the C level, in a new Apache
start_apache 'recv:unix:*/wsgi.*.sock,count=1'
curl -s -m 60 "http://127.0.0.1:$port/second" >"$T/answer" 2>&1 &
client=$!
PIDS="$PIDS $client"
who=$("$HOLD" wait --timeout 20) || fail "the second request did not park"
"$HOLD" attach --batch -b PyObject_Call "$who" >"$T/gdb" 2>&1 || fail "attach: $(cat "$T/gdb")"
grep -q "Breakpoint 1[.0-9]*, .*PyObject_Call" "$T/gdb" && grep -q "from $M/mod_wsgi.so" "$T/gdb" ||
	fail "gdb did not stop in the interpreter under mod_wsgi: $(cat "$T/gdb")"
ok "hold attach --batch -b PyObject_Call stopped that thread as mod_wsgi called into Python"

wait "$client" || fail "the client failed: $(cat "$T/answer")"
[ "$(cat "$T/answer")" = "hello from wsgi" ] || fail "the client got: $(cat "$T/answer")"
[ "$(nparked)" = 0 ] || fail "something is still parked"
ok "released: the client got the application's answer"

stop_apache
ok "Apache stopped"
