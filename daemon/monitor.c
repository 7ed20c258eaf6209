/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The monitor filters on subsystem in the kernel (BPF) and checks the tag in userspace: a
 * kernel-side tag filter would drop the events of udev test beds, which carry no tag bloom. */
#include <libudev.h>

#include "log.h"
#include "monitor.h"

/* Events handled per wakeup: a huge burst must not starve signals and the timer. epoll is
 * level-triggered, so the rest comes at the next iteration. */
#define MONITOR_BATCH 256
#define MONITOR_RCVBUF (8u * 1024 * 1024)

struct Monitor {
	struct udev *udev;
	struct udev_monitor *mon;
	sd_event_source *source;
	MonitorKind kind;
	monitor_event_fn cb;
	void *userdata;
	bool warned_untagged;
};

int monitor_kind_from_string(const char *s)
{
	if (streq(s, "udev"))
		return MONITOR_UDEV;
	if (streq(s, "kernel"))
		return MONITOR_KERNEL;
	return -EINVAL;
}

const char *monitor_kind_to_string(MonitorKind k)
{
	return k == MONITOR_KERNEL ? "kernel" : "udev";
}

static bool relevant_action(const char *action)
{
	/* Memory blocks: add/remove at hot(un)plug, online/offline; CPUs the same. "change",
	 * "bind" and friends do not alter what the header describes. */
	return action && (streq(action, "add") || streq(action, "remove") || streq(action, "online") ||
			  streq(action, "offline"));
}

static void monitor_handle(Monitor *m, struct udev_device *dev)
{
	const char *action = udev_device_get_action(dev);
	const char *subsystem = udev_device_get_subsystem(dev);

	if (!subsystem || (!streq(subsystem, "cpu") && !streq(subsystem, "memory")))
		return;
	if (!relevant_action(action))
		return;
	if (m->kind == MONITOR_UDEV && !udev_device_has_tag(dev, MONITOR_TAG)) {
		if (!m->warned_untagged) {
			log_warning("ignoring untagged %s event for %s: is 90-crash-hotplugd.rules installed? "
				    "(or run with --monitor=kernel)",
				    subsystem, udev_device_get_sysname(dev));
			m->warned_untagged = true;
		}
		return;
	}
	m->cb(m->userdata, false, action, subsystem, udev_device_get_sysname(dev));
}

static int on_readable(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	Monitor *m = userdata;

	for (unsigned i = 0; i < MONITOR_BATCH; i++) {
		struct udev_device *dev;

		errno = 0;
		dev = udev_monitor_receive_device(m->mon);
		if (!dev) {
			if (errno == ENOBUFS) {
				/* The kernel dropped events: no delta is trustworthy, rescan. */
				log_warning("uevent socket overflowed, events were lost: rescanning everything");
				m->cb(m->userdata, true, NULL, NULL, NULL);
				continue;
			}
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == 0)
				break;
			/* A malformed or foreign message: skip it, keep listening. */
			log_debug("receiving uevent: %s", strerror(errno));
			continue;
		}
		monitor_handle(m, dev);
		udev_device_unref(dev);
	}
	return 0;
}

Monitor *monitor_free(Monitor *m)
{
	if (!m)
		return NULL;
	sd_event_source_disable_unref(m->source);
	udev_monitor_unref(m->mon);
	udev_unref(m->udev);
	free(m);
	return NULL;
}

int monitor_new(sd_event *e, MonitorKind kind, monitor_event_fn cb, void *userdata, Monitor **ret)
{
	_cleanup_(monitor_freep) Monitor *m = NULL;
	int r;

	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->kind = kind;
	m->cb = cb;
	m->userdata = userdata;
	m->udev = udev_new();
	if (!m->udev)
		return -ENOMEM;
	m->mon = udev_monitor_new_from_netlink(m->udev, monitor_kind_to_string(kind));
	if (!m->mon)
		return negative_errno();
	r = udev_monitor_filter_add_match_subsystem_devtype(m->mon, "cpu", NULL);
	if (r >= 0)
		r = udev_monitor_filter_add_match_subsystem_devtype(m->mon, "memory", NULL);
	if (r < 0)
		return r;
	/* A large burst (thousands of memory blocks) must not overflow the socket; without
	 * CAP_NET_ADMIN the kernel caps this at rmem_max, and an overflow means a rescan. */
	(void)udev_monitor_set_receive_buffer_size(m->mon, MONITOR_RCVBUF);
	r = udev_monitor_enable_receiving(m->mon);
	if (r < 0)
		return r;
	r = sd_event_add_io(e, &m->source, udev_monitor_get_fd(m->mon), EPOLLIN, on_readable, m);
	if (r < 0)
		return r;
	(void)sd_event_source_set_description(m->source, "uevent-monitor");
	*ret = TAKE_PTR(m);
	return 0;
}
