/* SPDX-License-Identifier: MIT */
/*
 * glob-step.h - the one glob matcher, as a machine that takes one step at a
 * time, so that the kernel follower (bpf/follow.bpf.c) and common/rules.c
 * compile the same source: fnmatch(3) without flags, `*` crosses '/', a
 * '[' with no closing ']' is a literal, backtracking only to the last '*'.
 *
 * Why steps: the BPF verifier takes a loop only with a bound it can see,
 * and a matcher that backtracks has none short of |pattern| x |string|.
 * The kernel runs hold_glob_step under bpf_loop(), which the verifier
 * checks once; rules.c runs it in a plain loop until it decides.
 *
 * Every index is masked with its buffer's size - 1 (a power of two): a
 * no-op on the NUL-terminated strings the callers pass (the NUL stops the
 * walk first), and the bound the verifier needs.  No includes, no libc:
 * it compiles for the BPF target as it is.
 */
#ifndef HOLD_GLOB_STEP_H
#define HOLD_GLOB_STEP_H

/* Where a match stands: pattern and string offsets, the last '*', and
 * inside a bracket expression, how far it has been read. */
struct hold_glob_run {
	unsigned p, s;
	unsigned star;   /* just past the last '*' */
	unsigned resume; /* where the string resumes when we backtrack to it */
	int starred;     /* a '*' was seen */
	unsigned q;      /* in the bracket expression at p: the next member; 0: not in one */
	int neg, hit;    /* ... whether it is negated ("[!...]"), whether a member took c */
};

/* One step of matching pattern pat (buffer mask pm) against s (mask sm):
 * 0 while undecided; else decided, with 1 for a match and -1 for none.
 * A step reads one pattern element, or one member of a bracket expression,
 * so that no step loops: a '[' with no closing ']' is then read again as a
 * literal. */
static inline __attribute__((always_inline)) int
hold_glob_step(struct hold_glob_run *g, const char *pat, unsigned pm, const char *s, unsigned sm)
{
	char c = s[g->s & sm], pc = pat[g->p & pm];
	unsigned next = g->p + 1, q = g->q;
	int ok;

	if (q) { /* the member at q of the bracket expression at p */
		char lo = pat[q & pm], hi = lo;

		if (!lo) { /* no closing ']': the '[' was a literal */
			g->q = 0;
			ok = c == '[';
		} else {
			if (pat[(q + 1) & pm] == '-' && pat[(q + 2) & pm] &&
			    pat[(q + 2) & pm] != ']') {
				hi = pat[(q + 2) & pm];
				q += 2;
			}
			g->hit |= lo <= c && c <= hi;
			if (pat[++q & pm] != ']') {
				g->q = q;
				return 0;
			}
			g->q = 0;
			ok = g->hit != g->neg;
			next = q + 1;
		}
	} else if (!c) { /* the string is done: only '*'s may be left */
		if (pc == '*') {
			g->p++;
			return 0;
		}
		return pc ? -1 : 1;
	} else if (pc == '*') {
		g->star = ++g->p;
		g->resume = g->s;
		g->starred = 1;
		return 0;
	} else if (pc == '[') { /* its first member may be ']' */
		q = g->p + 1;
		g->neg = pat[q & pm] == '!' || pat[q & pm] == '^';
		g->q = q + (unsigned)g->neg;
		g->hit = 0;
		return 0;
	} else if (pc == '\\' && pat[next & pm]) {
		ok = pat[next & pm] == c;
		next++;
	} else {
		ok = pc == '?' || pc == c;
	}
	if (ok) {
		g->p = next;
		g->s++;
	} else if (g->starred) {
		g->p = g->star;
		g->s = ++g->resume;
	} else {
		return -1;
	}
	return 0;
}

#endif
