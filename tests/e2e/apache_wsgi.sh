# Apache with mod_wsgi in daemon mode (Debian's apache2 and
# libapache2-mod-wsgi-py3), the way OpenStack's keystone runs: as root
# under plain hold run; Apache's children and the WSGI daemon process run
# as www-data.  A recv rule on the daemon's socket parks the daemon thread
# that receives the first request from Apache; it is visible to root, gdb
# attaches to that thread and stops in the interpreter it goes on to run,
# and after release the client gets the application's answer.
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

"$HOLD" run -r 'recv:unix:*/wsgi.*.sock,count=1' -- "$(command -v apache2)" -f "$T/httpd.conf" -DFOREGROUND \
	>"$T/apache.out" 2>&1 &
parent=$!
PIDS="$PIDS $parent"
until_true "pgrep -P $parent -u www-data -f '^.wsgi:' >/dev/null" 20 ||
	fail "no WSGI daemon process: $(ps -eo pid,ppid,user,args | grep -e apache2 -e wsgi) $(cat "$T/apache.out" "$T/error.log")"
daemon=$(pgrep -P "$parent" -u www-data -f "^.wsgi:")
PIDS="$PIDS $(pgrep -P $parent)" # whatever becomes of Apache, its children go too
ok "Apache under hold run; the WSGI daemon process $daemon runs as www-data"

curl -s -m 60 "http://127.0.0.1:$port/" >"$T/answer" 2>&1 &
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

# --pdb cannot reach mod_wsgi's interpreter from this C thread: it says so,
# and the request stays parked
"$HOLD" attach --pdb "$who" </dev/null >"$T/pdb" 2>&1 && fail "--pdb on a mod_wsgi daemon thread succeeded"
grep -q "no Python code calls its recv .*mod_wsgi's daemon threads.*it stays parked" "$T/pdb" ||
	fail "--pdb said: $(cat "$T/pdb")"
"$HOLD" ls | grep -q "^$daemon  *${who#*/} " || fail "--pdb's refusal released the thread"
ok "--pdb on the mod_wsgi daemon thread: refused in words, still parked"

"$HOLD" attach --batch -b PyObject_Call "$who" >"$T/gdb" 2>&1 || fail "attach: $(cat "$T/gdb")"
grep -q "Breakpoint 1[.0-9]*, .*PyObject_Call" "$T/gdb" && grep -q "from $M/mod_wsgi.so" "$T/gdb" ||
	fail "gdb did not stop in the interpreter under mod_wsgi: $(cat "$T/gdb")"
ok "hold attach --batch -b PyObject_Call stopped that thread as mod_wsgi called into Python"

wait "$client" || fail "the client failed: $(cat "$T/answer")"
[ "$(cat "$T/answer")" = "hello from wsgi" ] || fail "the client got: $(cat "$T/answer")"
[ "$(nparked)" = 0 ] || fail "something is still parked"
ok "released: the client got the application's answer"

kill -TERM "$parent"
wait "$parent"
ok "Apache stopped"
