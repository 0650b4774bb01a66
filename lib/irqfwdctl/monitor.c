// SPDX-License-Identifier: GPL-2.0
/*
 * irqfwdctl monitor [--count N]: print the events of the irqfwd family's
 * "events" group as they come, until SIGINT or SIGTERM (or N events).
 * Once it listens, it says so on stderr: what happens after that line is
 * seen.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <string.h>

#include "ctl.h"

struct ctl_monitor {
	struct ctl *ctl;
	uint32_t count;		/* 0: no limit */
	uint32_t seen;
};

static volatile sig_atomic_t ctl_stop;

static void ctl_on_signal(int sig)
{
	(void)sig;
	ctl_stop = 1;
}

static int ctl_monitor_opt(int c, const char *arg, void *data)
{
	struct ctl_monitor *m = data;

	if (c != 'c' || !ctl_parse_u32(arg, &m->count) || !m->count)
		return -EINVAL;
	return 0;
}

static void ctl_event_text(enum irqfwd_nl_event event,
			   const struct irqfwd_nl_line *l)
{
	char mode[64], state[64], t[16], c[16];

	ctl_mode_text(l, mode, sizeof(mode));
	irqfwd_state_names(l->state, ",", state, sizeof(state));
	printf("%-6s %u:%u %s %s", irqfwd_event_name(event), l->ctx_id, l->id,
	       ctl_name(irqfwd_trigger_name(l->trigger), l->trigger, t,
			sizeof(t)),
	       mode);
	if (event == IRQFWD_NL_EVENT_DEL)
		printf(" cause %s fired %llu delivered %llu",
		       ctl_name(irqfwd_cause_name(l->cause), l->cause, c,
				sizeof(c)),
		       (unsigned long long)l->stats.fired,
		       (unsigned long long)l->stats.delivered);
	else
		printf(" state %s", state[0] ? state : "-");
	printf("\n");
	fflush(stdout);
}

static void ctl_event_json(enum irqfwd_nl_event event,
			   const struct irqfwd_nl_line *l)
{
	struct json j;

	json_init(&j, stdout);
	json_object_begin(&j, NULL);
	json_string(&j, "event", irqfwd_event_name(event));
	json_line_members(&j, l, NULL);
	if (event == IRQFWD_NL_EVENT_DEL)
		json_enum(&j, "cause", irqfwd_cause_name(l->cause), l->cause);
	json_object_end(&j);
	json_end(&j);
}

static int ctl_on_event(enum irqfwd_nl_event event,
			const struct irqfwd_nl_line *line, void *arg)
{
	struct ctl_monitor *m = arg;

	if (m->ctl->json)
		ctl_event_json(event, line);
	else
		ctl_event_text(event, line);
	if (m->count && ++m->seen >= m->count)
		return -ECANCELED;	/* enough: stop here */
	return 0;
}

int ctl_monitor(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctl_monitor m = { .ctl = ctl };
	struct sigaction sa;
	struct irqfwd_nl *nl;
	int ret;

	ret = ctl_getopt(ctl, argc, argv, "c:", opts, ctl_monitor_opt, &m);
	if (ret <= 0)
		return -ret;
	if (ret < argc)
		return ctl_usage_error(argv[0], "unexpected argument '%s'",
				       argv[ret]);

	/* No SA_RESTART: the signal ends the wait for events. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = ctl_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	ret = ctl_nl_open(&nl);
	if (ret)
		return ret;
	ret = irqfwd_nl_subscribe(nl, ctl_on_event, &m);
	if (ret == -EPERM) {
		ctl_warn("joining the events group: %s (needs CAP_NET_ADMIN)",
			 strerror(-ret));
		ret = CTL_EXIT_PERMISSION;
		goto out;
	}
	if (ret) {
		ret = ctl_fail(nl, ret, false, "joining the events group");
		goto out;
	}
	fprintf(stderr, "%s: listening for irqfwd events\n", ctl->prog);

	while (!ctl_stop) {
		ret = irqfwd_nl_dispatch(nl, -1);
		if (ret >= 0 || ret == -EINTR)
			continue;
		if (ret == -ECANCELED)
			break;
		if (ret == -ENOBUFS) {
			ctl_warn("events were lost (receive buffer overrun)");
			continue;
		}
		ret = ctl_fail(nl, ret, false, "receiving events");
		goto out;
	}
	ret = CTL_EXIT_OK;
out:
	irqfwd_nl_close(nl);
	return ret;
}
