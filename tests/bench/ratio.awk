# SPDX-License-Identifier: MIT
# ratio.awk: of the data lines "WORKLOAD ROUND VARIANT WALL_NS CPU_NS ...",
# the rounds' ratios X/Y of workload wl (wall and CPU, each taken inside
# one round), printed as their median [25th..75th percentile] with label,
# and "goal <= GOAL" when goal is set.  -v wl= x= y= label= [goal=]
function q(a, n, p) { return a[int(p * (n - 1) + 0.5) + 1] }
function srt(a, n,  i, j, t) {
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
}
$1 == wl { wall[$3, $2] = $4; cpu[$3, $2] = $5; if ($2 > R) R = $2 }
END {
	for (r = 1; r <= R; r++)
		if (((x, r) in wall) && ((y, r) in wall)) {
			n++; w[n] = wall[x, r] / wall[y, r]; c[n] = cpu[x, r] / cpu[y, r]
		}
	srt(w, n); srt(c, n)
	printf "  %-44s wall %.3f [%.3f..%.3f]   CPU %.3f [%.3f..%.3f]%s\n", label,
		q(w, n, .5), q(w, n, .25), q(w, n, .75), q(c, n, .5), q(c, n, .25), q(c, n, .75),
		goal == "" ? "" : "   goal <= " goal
}
