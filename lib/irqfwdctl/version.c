// SPDX-License-Identifier: GPL-2.0
/*
 * irqfwdctl version: this tool's version, the loaded module's
 * (/sys/module/irqfwd/version), and its API version and capabilities
 * (IRQFWD_GET_INFO, if /dev/irqfwd can be opened).  It succeeds whatever
 * it finds: what is missing is said.
 */
#include <errno.h>
#include <string.h>

#include "ctl.h"

#ifndef IRQFWD_TOOL_VERSION
#define IRQFWD_TOOL_VERSION IRQFWD_LIB_VERSION
#endif

/* The module's version, "" if it is not loaded. */
static void ctl_module_version(char *buf, size_t size)
{
	FILE *f = fopen(IRQFWD_MODULE_VERSION_PATH, "re");

	buf[0] = '\0';
	if (!f)
		return;
	if (!fgets(buf, (int)size, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
}

int ctl_version(struct ctl *ctl, int argc, char **argv)
{
	struct irqfwd_dev_info info;
	char module[64], caps[128];
	int ret, fd, info_ret;
	struct json j;

	ret = ctl_getopt(ctl, argc, argv, NULL, NULL, NULL, NULL);
	if (ret <= 0)
		return -ret;
	if (ret < argc)
		return ctl_usage_error(argv[0], "unexpected argument '%s'",
				       argv[ret]);

	ctl_module_version(module, sizeof(module));
	info_ret = irqfwd_open(&fd);
	if (!info_ret) {
		info_ret = irqfwd_get_info(fd, &info);
		irqfwd_close(fd);
	}
	if (!info_ret)
		irqfwd_caps_names(info.caps, " ", caps, sizeof(caps));

	if (ctl->json) {
		json_init(&j, stdout);
		json_object_begin(&j, NULL);
		json_string(&j, "irqfwdctl", IRQFWD_TOOL_VERSION);
		json_string(&j, "module", module[0] ? module : NULL);
		if (info_ret) {
			json_null(&j, "api_version");
		} else {
			json_u64(&j, "api_version", info.api_version);
			json_words(&j, "caps", caps);
			json_u64(&j, "max_lines", info.max_lines);
		}
		json_object_end(&j);
		json_end(&j);
		return CTL_EXIT_OK;
	}

	printf("irqfwdctl %s\n", IRQFWD_TOOL_VERSION);
	printf("module    %s\n", module[0] ? module : "not loaded");
	if (!info_ret)
		printf("api       %u (caps %s; %u lines per context)\n",
		       info.api_version, caps, info.max_lines);
	else
		printf("api       unknown (%s: %s)\n", IRQFWD_DEVICE,
		       strerror(-info_ret));
	return CTL_EXIT_OK;
}
