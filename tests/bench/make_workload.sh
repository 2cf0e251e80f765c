# SPDX-License-Identifier: MIT
# make_workload.sh DIR: write a small C project (24 files) into DIR.
set -eu
d=$1
mkdir -p "$d"
: >"$d/objs"
for i in $(seq 1 24); do
	cat >"$d/f$i.c" <<C
#include <stdio.h>
#include <string.h>
struct s$i { int a[64]; char name[32]; };
int f$i(int x) { struct s$i s; memset(&s, 0, sizeof s);
  for (int k = 0; k < 64; k++) s.a[k] = x * k + $i;
  snprintf(s.name, sizeof s.name, "f%d", x); return s.a[x & 63] + (int)strlen(s.name); }
C
	printf ' f%s.o' "$i" >>"$d/objs"
done
printf 'int main(void) { return 0; }\n' >"$d/main.c"
{
	printf 'OBJS =%s main.o\n' "$(cat "$d/objs")"
	printf 'prog: $(OBJS)\n\t$(CC) -o $@ $(OBJS)\n'
	printf '%%.o: %%.c\n\t$(CC) -O2 -c -o $@ $<\n'
	printf 'clean:\n\trm -f prog $(OBJS)\n'
} >"$d/Makefile"
