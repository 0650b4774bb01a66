// SPDX-License-Identifier: GPL-2.0
/* irqfwdctl show LINE: one line, every field and counter. */
#include <errno.h>

#include "ctl.h"

static void ctl_show_text(const struct irqfwd_nl_line *l,
			  const struct irqfwd_nl_ctx *ctx)
{
	char buf[128], t[16];

	printf("line %u:%u\n", l->ctx_id, l->id);
	if (ctx)
		printf("  context:        %u (pid %u, %s, %u lines)\n",
		       ctx->id, ctx->pid, ctx->comm, ctx->nr_lines);
	else
		printf("  context:        %u\n", l->ctx_id);
	printf("  trigger:        %s\n",
	       ctl_name(irqfwd_trigger_name(l->trigger), l->trigger, t,
			sizeof(t)));
	irqfwd_flags_names(l->flags, ",", buf, sizeof(buf));
	printf("  flags:          %s\n", buf[0] ? buf : "-");
	printf("  mode:           %s\n",
	       ctl_name(irqfwd_mode_name(l->mode), l->mode, t, sizeof(t)));
	printf("  effective mode: %s\n",
	       ctl_name(irqfwd_mode_name(l->effective_mode), l->effective_mode,
			t, sizeof(t)));
	printf("  reason:         %s\n",
	       ctl_name(irqfwd_reason_name(l->reason), l->reason, t,
			sizeof(t)));
	irqfwd_state_names(l->state, ",", buf, sizeof(buf));
	printf("  state:          %s\n", buf[0] ? buf : "-");
	printf("  host irq:       %u\n", l->host_irq);
	irqfwd_bypass_names(l->bypass, ",", buf, sizeof(buf));
	printf("  bypass:         %s\n", buf[0] ? buf : "-");
	if (l->storm_rate)
		printf("  storm guard:    %u/s, back-off %u ms\n", l->storm_rate,
		       l->storm_backoff_ms);
	else
		printf("  storm guard:    off\n");
	printf("  counters:\n");
	printf("    fired:        %llu\n", (unsigned long long)l->stats.fired);
	printf("    delivered:    %llu\n",
	       (unsigned long long)l->stats.delivered);
	printf("    coalesced:    %llu\n",
	       (unsigned long long)l->stats.coalesced);
	printf("    completed:    %llu\n",
	       (unsigned long long)l->stats.completed);
	printf("    unmasked:     %llu\n",
	       (unsigned long long)l->stats.unmasked);
	printf("    spurious:     %llu\n",
	       (unsigned long long)l->stats.spurious);
	printf("    cleared:      %llu\n",
	       (unsigned long long)l->stats.cleared);
	printf("    storms:       %llu\n",
	       (unsigned long long)l->stats.storms);
}

int ctl_show(struct ctl *ctl, int argc, char **argv)
{
	struct irqfwd_nl_ctx ctx, *pctx = NULL;
	struct irqfwd_nl_line line;
	struct ctl_line_ref ref;
	struct irqfwd_nl *nl;
	struct json j;
	int ret;

	ret = ctl_getopt(ctl, argc, argv, NULL, NULL, NULL, NULL);
	if (ret <= 0)
		return -ret;
	if (ret >= argc)
		return ctl_usage_error(argv[0], "which line?");
	if (ret + 1 < argc)
		return ctl_usage_error(argv[0], "unexpected argument '%s'",
				       argv[ret + 1]);
	if (!ctl_parse_line_ref(argv[ret], &ref))
		return ctl_usage_error(argv[0],
				       "bad line '%s': expected CTX:ID or ID",
				       argv[ret]);

	ret = ctl_nl_open(&nl);
	if (ret)
		return ret;
	ret = ctl_resolve_line(nl, argv[argc - 1], &ref, &line);
	if (ret)
		goto out;
	/* The context may be gone by now: show the line anyway. */
	if (!irqfwd_nl_ctx_get(nl, line.ctx_id, &ctx))
		pctx = &ctx;

	if (ctl->json) {
		json_init(&j, stdout);
		json_object_begin(&j, NULL);
		json_line_members(&j, &line, pctx);
		json_object_end(&j);
		json_end(&j);
	} else {
		ctl_show_text(&line, pctx);
	}
	ret = CTL_EXIT_OK;
out:
	irqfwd_nl_close(nl);
	return ret;
}
