// SPDX-License-Identifier: GPL-2.0
/*
 * irqfwdctl: show irqfwd's forwarding contexts and lines, their counters
 * and events, through the irqfwd generic netlink family (libirqfwd).
 *
 *   irqfwdctl [--json] COMMAND [OPTIONS] [ARGS]
 *
 * See irqfwdctl(8); the exit codes are in ctl.h.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

static const struct ctl_cmd ctl_cmds[] = {
	{ "list", ctl_list, "[--json]",
	  "every line: context, process, trigger, mode, state, counters" },
	{ "show", ctl_show, "[--json] LINE",
	  "one line (CTX:ID, or ID if only one context has it), in full" },
	{ "stats", ctl_stats, "[--json] [--interval SECONDS] [LINE]",
	  "counters; with --interval, rates over that interval" },
	{ "monitor", ctl_monitor, "[--json] [--count N]",
	  "print events as lines come, change and go, until SIGINT" },
	{ "version", ctl_version, "[--json]",
	  "versions of irqfwdctl, the module and its API" },
};

static const char *ctl_prog = "irqfwdctl";

static void ctl_usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: %s [--json] COMMAND [OPTIONS] [ARGS]\n\ncommands:\n",
		ctl_prog);
	for (i = 0; i < ARRAY_SIZE(ctl_cmds); i++)
		fprintf(f, "  %s %s\n      %s\n", ctl_cmds[i].name,
			ctl_cmds[i].args, ctl_cmds[i].help);
	fprintf(f, "  help\n      this text\n");
	fprintf(f,
		"\nLINE is CTX:ID or ID.  Exit status: 0 ok, 1 failure, 2 usage error,\n"
		"3 not found, 4 permission denied.  See irqfwdctl(8).\n");
}

static const struct ctl_cmd *ctl_find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ctl_cmds); i++)
		if (!strcmp(ctl_cmds[i].name, name))
			return &ctl_cmds[i];
	return NULL;
}

void ctl_warn(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", ctl_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int ctl_fail(const struct irqfwd_nl *nl, int err, bool enoent_is_not_found,
	     const char *fmt, ...)
{
	const char *msg = irqfwd_nl_error(nl);
	va_list ap;

	fprintf(stderr, "%s: ", ctl_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s", strerror(-err));
	if (msg)
		fprintf(stderr, " (%s)", msg);
	fputc('\n', stderr);

	if (err == -EPERM || err == -EACCES)
		return CTL_EXIT_PERMISSION;
	if (err == -ENOENT && enoent_is_not_found)
		return CTL_EXIT_NOT_FOUND;
	return CTL_EXIT_FAILURE;
}

int ctl_usage_error(const char *cmd, const char *fmt, ...)
{
	const struct ctl_cmd *c = cmd ? ctl_find_cmd(cmd) : NULL;
	va_list ap;

	fprintf(stderr, "%s: ", ctl_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (c)
		fprintf(stderr, "usage: %s %s %s\n", ctl_prog, c->name,
			c->args);
	else
		fprintf(stderr, "Try '%s help'.\n", ctl_prog);
	return CTL_EXIT_USAGE;
}

static const char *ctl_long_name(const struct option *opts, int c)
{
	for (; opts->name; opts++)
		if (opts->val == c)
			return opts->name;
	return "?";
}

int ctl_getopt(struct ctl *ctl, int argc, char **argv, const char *shortopts,
	       const struct option *extra,
	       int (*opt)(int c, const char *arg, void *data), void *data)
{
	struct option longopts[16] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
	};
	char opts[32] = ":jh";
	size_t n = 2;
	int c;

	for (; extra && extra->name && n < 15; extra++)
		longopts[n++] = *extra;
	if (shortopts)
		strncat(opts, shortopts, sizeof(opts) - strlen(opts) - 1);

	optind = 0;	/* GNU: start over, argv[0] is the subcommand */
	opterr = 0;
	while ((c = getopt_long(argc, argv, opts, longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			ctl->json = true;
			break;
		case 'h': {
			const struct ctl_cmd *cmd = ctl_find_cmd(argv[0]);

			printf("usage: %s %s %s\n  %s\n", ctl_prog, cmd->name,
			       cmd->args, cmd->help);
			return -CTL_EXIT_OK;
		}
		case ':':
			return -ctl_usage_error(argv[0],
						"option '%s' needs an argument",
						argv[optind - 1]);
		case '?':
			if (optopt)
				return -ctl_usage_error(argv[0],
							"unknown option '-%c'",
							optopt);
			return -ctl_usage_error(argv[0], "unknown option '%s'",
						argv[optind - 1]);
		default:
			if (!opt || opt(c, optarg, data))
				return -ctl_usage_error(argv[0],
							"bad value '%s' for --%s",
							optarg ? optarg : "",
							ctl_long_name(longopts,
								      c));
		}
	}
	return optind;
}

bool ctl_parse_u32(const char *s, uint32_t *v)
{
	unsigned long long n;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno || *end || n > UINT32_MAX)
		return false;
	*v = (uint32_t)n;
	return true;
}

int ctl_nl_open(struct irqfwd_nl **nl)
{
	int ret = irqfwd_nl_open(nl);

	if (!ret)
		return CTL_EXIT_OK;
	if (ret == -ENOENT) {
		ctl_warn("the irqfwd netlink family is not registered: is the irqfwd module loaded?");
		return CTL_EXIT_FAILURE;
	}
	return ctl_fail(NULL, ret, false, "netlink");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctl ctl = { .prog = ctl_prog };
	const struct ctl_cmd *cmd;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+jhV", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			ctl.json = true;
			break;
		case 'h':
			ctl_usage(stdout);
			return CTL_EXIT_OK;
		case 'V':
			argc = 1;
			argv[0] = "version";
			return ctl_version(&ctl, argc, argv);
		default:
			return ctl_usage_error(NULL, "unknown option '%s'",
					       argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return ctl_usage_error(NULL, "no command given");
	if (!strcmp(argv[optind], "help")) {
		ctl_usage(stdout);
		return CTL_EXIT_OK;
	}
	cmd = ctl_find_cmd(argv[optind]);
	if (!cmd)
		return ctl_usage_error(NULL, "unknown command '%s'",
				       argv[optind]);
	return cmd->run(&ctl, argc - optind, argv + optind);
}
