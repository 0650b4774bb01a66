/* SPDX-License-Identifier: GPL-2.0 */
/*
 * QEMU's edu PCI device (1234:11e8) through vfio-pci: a real interrupt
 * source for the selftests.  Writing BAR0 + 0x60 raises an interrupt (an
 * MSI when MSI is enabled, INTx otherwise), writing 0x64 acknowledges it
 * (de-asserts INTx).
 */
#ifndef VFIO_EDU_H
#define VFIO_EDU_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "irqfwd_util.h"

#define EDU_VENDOR		0x1234
#define EDU_DEVICE		0x11e8
#define EDU_REG_ID		0x00
#define EDU_REG_IRQ_STATUS	0x24
#define EDU_REG_IRQ_RAISE	0x60
#define EDU_REG_IRQ_ACK		0x64

struct edu {
	int container;
	int group;
	int device;
	volatile uint32_t *bar0;
	size_t bar0_size;
	uint64_t config_offset;
	char bdf[32];
};

static inline int sysfs_read_hex(const char *path, unsigned long *val)
{
	char buf[32];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	*val = strtoul(buf, NULL, 16);
	return 0;
}

/* Find the edu device; returns 0 and its address in @bdf, or -ENODEV. */
static inline int edu_find(char *bdf, size_t len)
{
	unsigned long vendor = 0, device = 0;
	struct dirent *de;
	char path[PATH_MAX];
	int ret = -ENODEV;
	DIR *dir;

	dir = opendir("/sys/bus/pci/devices");
	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vendor",
			 de->d_name);
		if (sysfs_read_hex(path, &vendor) || vendor != EDU_VENDOR)
			continue;
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/device",
			 de->d_name);
		if (sysfs_read_hex(path, &device) || device != EDU_DEVICE)
			continue;
		if (strlen(de->d_name) >= len)
			continue;
		memcpy(bdf, de->d_name, strlen(de->d_name) + 1);
		ret = 0;
		break;
	}
	closedir(dir);
	return ret;
}

static inline int edu_config_write16(struct edu *edu, unsigned int off,
				     uint16_t val)
{
	if (pwrite(edu->device, &val, sizeof(val),
		   edu->config_offset + off) != sizeof(val))
		return -errno;
	return 0;
}

static inline int edu_config_read16(struct edu *edu, unsigned int off,
				    uint16_t *val)
{
	if (pread(edu->device, val, sizeof(*val),
		  edu->config_offset + off) != sizeof(*val))
		return -errno;
	return 0;
}

static inline void edu_close(struct edu *edu)
{
	if (edu->bar0)
		munmap((void *)edu->bar0, edu->bar0_size);
	if (edu->device >= 0)
		close(edu->device);
	if (edu->group >= 0)
		close(edu->group);
	if (edu->container >= 0)
		close(edu->container);
	memset(edu, 0, sizeof(*edu));
	edu->container = edu->group = edu->device = -1;
}

/*
 * Open the edu device through VFIO (type1 IOMMU), map BAR0 and enable bus
 * mastering, which MSI needs.  Returns 0 or -errno; on error, edu_close()
 * has been done.
 */
static inline int edu_open(struct edu *edu)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	struct vfio_region_info reg = { .argsz = sizeof(reg) };
	char path[PATH_MAX], link[PATH_MAX];
	uint16_t cmd;
	ssize_t n;
	void *map;
	int ret;

	memset(edu, 0, sizeof(*edu));
	edu->container = edu->group = edu->device = -1;

	ret = edu_find(edu->bdf, sizeof(edu->bdf));
	if (ret)
		return ret;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group",
		 edu->bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = '\0';
	snprintf(path, sizeof(path), "/dev/vfio/%s", basename(link));

	edu->container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (edu->container < 0)
		goto err_errno;
	edu->group = open(path, O_RDWR | O_CLOEXEC);
	if (edu->group < 0)
		goto err_errno;
	if (ioctl(edu->group, VFIO_GROUP_GET_STATUS, &status))
		goto err_errno;
	ret = -EBUSY;
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE))
		goto err;
	if (ioctl(edu->group, VFIO_GROUP_SET_CONTAINER, &edu->container) ||
	    ioctl(edu->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		goto err_errno;
	edu->device = ioctl(edu->group, VFIO_GROUP_GET_DEVICE_FD, edu->bdf);
	if (edu->device < 0)
		goto err_errno;

	reg.index = VFIO_PCI_CONFIG_REGION_INDEX;
	if (ioctl(edu->device, VFIO_DEVICE_GET_REGION_INFO, &reg))
		goto err_errno;
	edu->config_offset = reg.offset;

	memset(&reg, 0, sizeof(reg));
	reg.argsz = sizeof(reg);
	reg.index = VFIO_PCI_BAR0_REGION_INDEX;
	if (ioctl(edu->device, VFIO_DEVICE_GET_REGION_INFO, &reg))
		goto err_errno;
	map = mmap(NULL, reg.size, PROT_READ | PROT_WRITE, MAP_SHARED,
		   edu->device, reg.offset);
	if (map == MAP_FAILED)
		goto err_errno;
	edu->bar0 = map;
	edu->bar0_size = reg.size;

	ret = edu_config_read16(edu, PCI_COMMAND, &cmd);
	if (ret)
		goto err;
	cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	ret = edu_config_write16(edu, PCI_COMMAND, cmd);
	if (ret)
		goto err;

	ret = -ENODEV;
	if ((edu->bar0[EDU_REG_ID / 4] & 0xff) != 0xed)
		goto err;
	return 0;

err_errno:
	ret = -errno;
err:
	edu_close(edu);
	return ret;
}

static inline void edu_raise(struct edu *edu)
{
	edu->bar0[EDU_REG_IRQ_RAISE / 4] = 1;
}

static inline void edu_ack(struct edu *edu)
{
	edu->bar0[EDU_REG_IRQ_ACK / 4] = 1;
}

static inline uint32_t edu_irq_status(struct edu *edu)
{
	return edu->bar0[EDU_REG_IRQ_STATUS / 4];
}

/*
 * How many times the host took the interrupt /proc/interrupts names @name
 * (summed over the CPUs), or -1 if it has no such line.
 */
static inline long long proc_irq_count(const char *name)
{
	char line[4096], *p, *end;
	long long sum = -1;
	FILE *f;

	f = fopen("/proc/interrupts", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		p = strchr(line, ':');
		if (!p || !strstr(p, name))
			continue;
		sum = 0;
		for (p++;; p = end) {
			unsigned long long v = strtoull(p, &end, 10);

			if (end == p)
				break;
			sum += v;
		}
		break;
	}
	fclose(f);
	return sum;
}

/* The host's count of the edu device's MSI (VFIO's vfio-msi[0]). */
static inline long long edu_msi_host_count(struct edu *edu)
{
	char name[64];

	snprintf(name, sizeof(name), "vfio-msi[0](%s)", edu->bdf);
	return proc_irq_count(name);
}

/* VFIO_DEVICE_SET_IRQS with one eventfd, or none (fd < 0) to disable. */
static inline int edu_set_irq(struct edu *edu, unsigned int index,
			      unsigned int action, int fd)
{
	char buf[sizeof(struct vfio_irq_set) + sizeof(int32_t)];
	struct vfio_irq_set *set = (struct vfio_irq_set *)buf;

	memset(buf, 0, sizeof(buf));
	set->argsz = sizeof(buf);
	set->index = index;
	set->start = 0;
	if (fd >= 0) {
		set->flags = VFIO_IRQ_SET_DATA_EVENTFD | action;
		set->count = 1;
		memcpy(set->data, &fd, sizeof(int32_t));
	} else {
		set->flags = VFIO_IRQ_SET_DATA_NONE | action;
		set->count = 0;
	}
	return ioctl(edu->device, VFIO_DEVICE_SET_IRQS, set) ? -errno : 0;
}

/*
 * A known state for a test case, whatever the case before left behind:
 * the device reset by VFIO if it can be (edu, a conventional PCI device on
 * the root bus, has no reset method VFIO could use), no interrupt set up
 * in VFIO, nothing asserted.  Returns 0 or -errno.
 */
static inline int edu_reset(struct edu *edu)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	uint16_t cmd;
	int ret;

	if (ioctl(edu->device, VFIO_DEVICE_GET_INFO, &info))
		return -errno;
	if (info.flags & VFIO_DEVICE_FLAGS_RESET) {
		if (ioctl(edu->device, VFIO_DEVICE_RESET))
			return -errno;
		ret = edu_config_read16(edu, PCI_COMMAND, &cmd);
		if (ret)
			return ret;
		cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
		ret = edu_config_write16(edu, PCI_COMMAND, cmd);
		if (ret)
			return ret;
	}
	/* Disabling what is not enabled fails (EINVAL): nothing to undo. */
	edu_set_irq(edu, VFIO_PCI_INTX_IRQ_INDEX, VFIO_IRQ_SET_ACTION_TRIGGER,
		    -1);
	edu_set_irq(edu, VFIO_PCI_MSI_IRQ_INDEX, VFIO_IRQ_SET_ACTION_TRIGGER,
		    -1);
	edu_ack(edu);
	return edu_irq_status(edu) ? -EBUSY : 0;
}

/*
 * The CPU that takes the device's interrupt VFIO requested (@what: "intx"
 * or "msi[0]"), from /proc/interrupts and the IRQ's effective affinity;
 * or -errno.
 */
static inline int edu_irq_cpu(struct edu *edu, const char *what)
{
	char line[512], name[64], path[64];
	unsigned int cpu;
	int irq = -1;
	FILE *f;

	snprintf(name, sizeof(name), "vfio-%s(%s)", what, edu->bdf);
	f = fopen("/proc/interrupts", "r");
	if (!f)
		return -errno;
	while (irq < 0 && fgets(line, sizeof(line), f))
		if (strstr(line, name))
			irq = atoi(line);
	fclose(f);
	if (irq < 0)
		return -ENOENT;
	snprintf(path, sizeof(path), "/proc/irq/%d/effective_affinity_list",
		 irq);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	if (fscanf(f, "%u", &cpu) != 1)
		cpu = ~0u;
	fclose(f);
	return cpu == ~0u ? -EIO : (int)cpu;
}

/* Unmask INTx from userspace: VFIO_IRQ_SET_ACTION_UNMASK, no eventfd. */
static inline int edu_intx_unmask(struct edu *edu)
{
	struct vfio_irq_set set = {
		.argsz = sizeof(set),
		.flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_UNMASK,
		.index = VFIO_PCI_INTX_IRQ_INDEX,
		.start = 0,
		.count = 1,
	};

	return ioctl(edu->device, VFIO_DEVICE_SET_IRQS, &set) ? -errno : 0;
}

/* MSI: VFIO signals @trigger for every MSI the device sends. */
static inline int edu_set_msi(struct edu *edu, int trigger)
{
	return edu_set_irq(edu, VFIO_PCI_MSI_IRQ_INDEX,
			   VFIO_IRQ_SET_ACTION_TRIGGER, trigger);
}

/*
 * INTx: VFIO masks the line and signals @trigger when the device asserts
 * it; signalling @unmask unmasks it in the kernel.
 */
static inline int edu_set_intx(struct edu *edu, int trigger, int unmask)
{
	int ret;

	ret = edu_set_irq(edu, VFIO_PCI_INTX_IRQ_INDEX,
			  VFIO_IRQ_SET_ACTION_TRIGGER, trigger);
	if (ret || trigger < 0 || unmask < 0)
		return ret;
	return edu_set_irq(edu, VFIO_PCI_INTX_IRQ_INDEX,
			   VFIO_IRQ_SET_ACTION_UNMASK, unmask);
}

/*
 * Raise @n interrupts one after the other, each delivered by line @id
 * before the next, for sinks that something else consumes (KVM): irqfwd's
 * counter is what can be watched.  Returns 0, or the raise (1..n) whose
 * delivery did not come; @info holds the last query.
 */
static inline int edu_raise_delivered(struct edu *edu, int dev, __u32 id,
				      int n, struct irqfwd_line_info *info)
{
	__u64 base;
	int i;

	if (line_query(dev, id, info))
		return 1;
	base = info->stats.delivered;
	for (i = 1; i <= n; i++) {
		edu_raise(edu);
		if (line_wait_stat(dev, id, delivered, base + i, 2000, info) ||
		    info->stats.delivered != base + i)
			return i;
		edu_ack(edu);
	}
	return 0;
}

#endif /* VFIO_EDU_H */
