/* SPDX-License-Identifier: MIT */
/*
 * args.h - command-line options as data: each command (a hold verb, holdd)
 * describes its options in a table, and one parser reads every command
 * line and writes every --help from it, as tmux's .args and args_parse()
 * do.
 *
 * Accepted: --name, --name=VALUE, --name VALUE, -x, -xVALUE, -x VALUE,
 * clusters of short flags (-jh), "--" to end the options, and options
 * after operands unless the command stops at its first operand (hold run:
 * the rest is the program's).  Long names match exactly: no abbreviations,
 * which would make a new option change what an old command line means.
 * -h and --help are every command's.
 */
#ifndef HOLD_ARGS_H
#define HOLD_ARGS_H

#include <stdint.h>
#include <stdio.h>

#define ARGS_MANY  1u /* may be given more than once; every value is kept */
#define ARGS_DASH1 2u /* also spelled with one dash: -ex CMD, as gdb spells it */
#define ARGS_ALIAS                                                 \
	4u /* another spelling of the option its help names (gdb's \
	      --eval-command for -ex); --help does not list it */
#define ARGS_MAX 256

struct args_opt {
	char shrt;         /* 'r', or 0 */
	const char *lng;   /* "rule": what the command asks for */
	const char *value; /* NULL: a flag; else the value's name for --help */
	unsigned flags;
	const char *help;
};

struct args_spec {
	const struct args_opt *opts; /* ends with {0, NULL} */
	int min, max;                /* operands; max -1: any number */
	int stop;                    /* options end at the first operand */
};

struct args {
	const struct args_spec *spec;
	int n;
	struct {
		const struct args_opt *opt;
		const char *value;
	} seen[ARGS_MAX];
	int argc; /* operands */
	char **argv;
	int dashdash; /* operands before "--", or -1: none was given */
};

enum { ARGS_OK = 0, ARGS_HELP = 1, ARGS_BAD = -1 };

/* Parse argv[1..argc) (argv[0] is the command); ARGS_BAD with the problem
 * in err. */
int args_parse(const struct args_spec *spec, int argc, char **argv, struct args *a, char *err,
	       size_t errlen);

int args_has(const struct args *a, const char *lng);
/* The value given last, or NULL. */
const char *args_get(const struct args *a, const char *lng);
/* Every value of a repeatable option, in order: up to max into out; how many. */
int args_all(const struct args *a, const char *lng, const char **out, int max);
/* A whole number in [0, max], or a number of seconds >= 0 (fractions
 * allowed): 0, 1 if absent (*out untouched), ARGS_BAD with err. */
int args_uint(const struct args *a, const char *lng, uint64_t max, uint64_t *out, char *err,
	      size_t errlen);
int args_secs(const struct args *a, const char *lng, double *out, char *err, size_t errlen);

/* The option list for --help: one line or more per option. */
void args_print_options(FILE *f, const struct args_spec *spec);

#endif
