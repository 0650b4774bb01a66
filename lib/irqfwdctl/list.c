// SPDX-License-Identifier: GPL-2.0
/* irqfwdctl list: every line the caller may see, one per row. */
#include "ctl.h"

static void ctl_list_text(const struct ctl_ctxs *ctxs,
			  const struct ctl_lines *lines)
{
	char mode[64], state[64], t[16];
	size_t i;

	if (!lines->n) {
		printf("no lines\n");
		return;
	}
	printf("%-5s %-5s %-7s %-16s %-7s %-34s %-20s %10s %10s\n", "CTX",
	       "LINE", "PID", "COMM", "TRIGGER", "MODE", "STATE", "FIRED",
	       "DELIVERED");
	for (i = 0; i < lines->n; i++) {
		const struct irqfwd_nl_line *l = &lines->v[i];
		const struct irqfwd_nl_ctx *ctx = ctl_find_ctx(ctxs, l->ctx_id);
		char pid[16];

		ctl_mode_text(l, mode, sizeof(mode));
		irqfwd_state_names(l->state, ",", state, sizeof(state));
		snprintf(pid, sizeof(pid), "%u", ctx ? ctx->pid : 0);
		printf("%-5u %-5u %-7s %-16s %-7s %-34s %-20s %10llu %10llu\n",
		       l->ctx_id, l->id, ctx ? pid : "?",
		       ctx ? ctx->comm : "?",
		       ctl_name(irqfwd_trigger_name(l->trigger), l->trigger,
				t, sizeof(t)),
		       mode, state[0] ? state : "-",
		       (unsigned long long)l->stats.fired,
		       (unsigned long long)l->stats.delivered);
	}
}

static void ctl_list_json(const struct ctl_ctxs *ctxs,
			  const struct ctl_lines *lines)
{
	struct json j;
	size_t i;

	json_init(&j, stdout);
	json_object_begin(&j, NULL);
	json_array_begin(&j, "contexts");
	for (i = 0; i < ctxs->n; i++) {
		json_object_begin(&j, NULL);
		json_u64(&j, "id", ctxs->v[i].id);
		json_u64(&j, "pid", ctxs->v[i].pid);
		json_string(&j, "comm", ctxs->v[i].comm);
		json_u64(&j, "nr_lines", ctxs->v[i].nr_lines);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_array_begin(&j, "lines");
	for (i = 0; i < lines->n; i++) {
		json_object_begin(&j, NULL);
		json_line_members(&j, &lines->v[i],
				  ctl_find_ctx(ctxs, lines->v[i].ctx_id));
		json_object_end(&j);
	}
	json_array_end(&j);
	json_object_end(&j);
	json_end(&j);
}

int ctl_list(struct ctl *ctl, int argc, char **argv)
{
	struct ctl_ctxs ctxs = { 0 };
	struct ctl_lines lines = { 0 };
	struct irqfwd_nl *nl;
	int ret;

	ret = ctl_getopt(ctl, argc, argv, NULL, NULL, NULL, NULL);
	if (ret <= 0)
		return -ret;
	if (ret < argc)
		return ctl_usage_error(argv[0], "unexpected argument '%s'",
				       argv[ret]);

	ret = ctl_nl_open(&nl);
	if (ret)
		return ret;
	/* Contexts first: a line's context is then known, unless it is new. */
	ret = ctl_dump_ctxs(nl, &ctxs);
	if (ret) {
		ret = ctl_fail(nl, ret, false, "dumping contexts");
		goto out;
	}
	ret = ctl_dump_lines(nl, 0, &lines);
	if (ret) {
		ret = ctl_fail(nl, ret, false, "dumping lines");
		goto out;
	}
	if (ctl->json)
		ctl_list_json(&ctxs, &lines);
	else
		ctl_list_text(&ctxs, &lines);
	ret = CTL_EXIT_OK;
out:
	ctl_lines_free(&lines);
	ctl_ctxs_free(&ctxs);
	irqfwd_nl_close(nl);
	return ret;
}
