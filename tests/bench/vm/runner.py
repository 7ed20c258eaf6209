#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The peer benchmark's VM runner (README.md here): boots the kdump-tools guest of tests/vm
once per peer, runs the hotplug bursts one after another in that boot, traces the kexec
system calls with chp-kexec-trace, and writes OUT/peer-bench/results.json (schema
chp-peer-bench/1, peer_report.py) and the report beside it.

    tests/bench/vm/run [--quick | --ci] [--peer P]... [--burst B]... [--out DIR]
                       [--build DIR] [--deb FILE] [--readme README.md] [--timeout-scale X]

The QEMU, QMP, console and kdump-tools guest code is tests/vm/vmtest.py's (imported): one
BenchRun per peer is a vmtest.Run whose _run() does the bursts instead of a scenario's steps.

One boot per peer, not one per (peer, burst): the bursts run in that boot one after another,
between "chp-burst-begin ID" and "chp-burst-end ID" trace markers, each started only once
the guest has been quiet for 5 s (chp-bench-quiet) and ended the same way. A burst thus
starts from the state the previous one left (more memory online, more CPUs): the outputs say
so. Every QEMU start must be serialized with the other users of the machine by the caller
(flock around the whole command: one boot per peer, a few minutes each).
"""

import argparse
import base64
import contextlib
import fcntl
import json
import os
import re
import shlex
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.join(TOP, "tests", "vm"))
sys.path.insert(0, HERE)

import kexec_trace  # noqa: E402
import peer_report  # noqa: E402
import vmtest  # noqa: E402

GIB = 1 << 30
LIB = "/usr/lib/chp-bench"
QUIET_S = 5
# The peers this runner boots in the kdump-tools guest (6.1). "target": the peer the 1/10
# target compares crash-hotplugd with. Debian's kdump-tools as packaged never reloads (its
# kexec calls are refused by udevd's seccomp filter, EPERM): its row is what users run, and
# kdump-tools-unfiltered (a drop-in lifting the filter, NOT what Debian ships) is the
# per-event reload cost it would have.
PEERS = {
    "kdump-tools": {"label": "Debian kdump-tools 1:1.8.1 as packaged: its udev rule's kexec is refused (EPERM) "
                             "by udevd's SystemCallFilter, the boot-time crash kernel stays",
                    "target": False},
    "kdump-tools-unfiltered": {"label": "kdump-tools with a udevd drop-in lifting SystemCallFilter (NOT what "
                                        "Debian ships): kdump-config try-reload per event", "target": True},
    "fedora": {"label": "REPRODUCTION of kdump-utils' 98-kexec rule and throttler (fedora/): kexec -p -u + "
                        "kexec -s -p", "target": True},
    "chpd-segments": {"label": "crash-hotplugd Loader=segments", "daemon": True, "loader": "segments"},
    "chpd-file": {"label": "crash-hotplugd Loader=file", "daemon": True, "loader": "file"},
    # 6.12 is not on the kdump-tools disk: these two boot tests/vm's busybox guest on the
    # bookworm-backports kernel (its image, its capture initrd), with the same bursts.
    "kernel": {"label": "the kernel alone: 6.12 (CONFIG_CRASH_HOTPLUG), kexec -s -p once, no daemon "
                        "[busybox guest on 6.12]", "guest": "busybox", "kernel": "6.12", "loader": "file"},
    "chpd-auto": {"label": "crash-hotplugd Loader=auto over a kexec -s -p load [busybox guest on 6.12]",
                  "daemon": True, "loader": "auto", "guest": "busybox", "kernel": "6.12", "expect_reloads": [0, 1]},
}
NOT_RUN = {}
# crash-hotplugd's MaxDelaySec= in every boot: the RFC-shaped burst takes 10-11 s under TCG
# (256 blocks onlined at about 40 ms each), longer than the default 10 s, which would reload in
# its middle as designed (a stream that never goes quiet still gets reloads) and so make
# "one reload per burst" a measure of the emulator's speed.
BENCH_MAX_DELAY_S = 30

# kind, size (bytes), count, the uevents the reloaders see. virtio-mem's requested-size
# grows by "size" per burst: the device is as large as all its bursts together.
BURSTS = {
    "dimm1": {"label": "one 1 GiB pc-dimm", "kind": "dimm", "size": GIB, "count": 1, "events": 8},
    "cpu2": {"label": "2 CPUs added and onlined", "kind": "cpu", "count": 2, "events": 4},
    "dimm8": {"label": "8 pc-dimms of 512 MiB, one per second", "kind": "dimm", "size": GIB // 2, "count": 8,
              "interval": 1.0, "events": 32, "quiet_period_s": 2.0},
    "vmem1g": {"label": "virtio-mem +1 GiB", "kind": "vmem", "size": GIB, "events": 8},
    "vmem4g": {"label": "virtio-mem +4 GiB", "kind": "vmem", "size": 4 * GIB, "events": 32},
    "vmem16g": {"label": "virtio-mem +16 GiB", "kind": "vmem", "size": 16 * GIB, "events": 128},
    "scale": {"label": "RFC-shaped: virtio-mem +32 GiB in one step, memory_hotplug.memmap_on_memory=1",
              "kind": "vmem", "size": 32 * GIB, "events": 256, "host_free_min": 4 * GIB},
}
ORDER = ("dimm1", "cpu2", "dimm8", "vmem1g", "vmem4g", "vmem16g", "scale")
QUICK = ("dimm1", "cpu2", "dimm8", "vmem4g")
CI_BURSTS = ("dimm1",)
CI_PEERS = ("fedora", "chpd-segments")
DEFAULT_PEERS = ("kdump-tools", "kdump-tools-unfiltered", "fedora", "chpd-segments", "chpd-file")
# Seconds a burst may take before the runner stops waiting for the guest to be quiet; the
# result is then marked incomplete (its figures are lower bounds).
BURST_MAX_S = 180


def host_mem_available():
    with open("/proc/meminfo") as f:
        for ln in f:
            if ln.startswith("MemAvailable:"):
                return int(ln.split()[1]) * 1024
    return 0


def qemu_rss(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for ln in f:
                if ln.startswith("VmRSS:"):
                    return int(ln.split()[1]) * 1024
    except OSError:
        pass
    return None


def busy_seconds(a, b, hz):
    """Busy CPU seconds between two /proc/stat "cpu" lines (user, nice, system, irq, softirq)."""
    x = [int(v) for v in a.split()[1:8]]
    y = [int(v) for v in b.split()[1:8]]
    return sum(y[i] - x[i] for i in (0, 1, 2, 5, 6)) / hz


def spawned_outside(trace, t0, t1, exclude_pid):
    """Tasks created in [t0, t1] by anything but the harness's console shell and its
    children (the marks, the quiet poller, the harness's own commands)."""
    parent = {}
    for e in trace.events:
        if e.kind == "fork":
            parent[e.child_pid] = e.pid

    def harness(pid):
        seen = 0
        while pid is not None and seen < 10000:
            if pid == exclude_pid:
                return True
            pid = parent.get(pid)
            seen += 1
        return False
    return sum(1 for e in trace.events if e.kind == "fork" and t0 <= e.ts <= t1 and not harness(e.pid))


def refused_calls(trace, t0, t1):
    """kexec calls that returned an error in [t0, t1] with no entry event: a seccomp filter
    (udevd's SystemCallFilter, SystemCallErrorNumber=EPERM) fails the call before the
    sys_enter tracepoint, so only its exit is traced. Nothing was touched by them."""
    return sum(1 for c in trace.calls if c.start is None and c.end is not None and t0 <= c.end <= t1
               and c.ret is not None and c.ret < 0)


def daemon_figures(before, after):
    """crash-hotplugd's own figures of a burst from its status.json read before and after it:
    last_event_to_reload_usec (the last event as udevd handed it over -> the load returned)
    in seconds when the daemon reloaded in the burst (else the figure is of an earlier
    reload: null), the reloads it counted and its state at the end."""
    if not before or not after:
        return {"daemon_event_to_reload_s": None, "daemon_reloads": None,
                "daemon_state": (after or {}).get("state")}
    n = after.get("reloads", 0) - before.get("reloads", 0)
    usec = after.get("last_event_to_reload_usec") or 0
    return {"daemon_event_to_reload_s": round(usec / 1e6, 3) if n > 0 and usec > 0 else None,
            "daemon_reloads": n, "daemon_state": after.get("state")}


class BenchRun(vmtest.Run):
    """One boot of the kdump-tools guest for one peer, all its bursts in a row."""

    def __init__(self, peer, bursts, opts, env, accel, reason, memory_gib=3):
        self.peer = peer
        self.p = PEERS[peer]
        self.bursts = bursts
        daemon = bool(self.p.get("daemon"))
        guest = self.p.get("guest", "kdump-tools")
        kernel = self.p.get("kernel", "6.1")
        vmem = sum(BURSTS[b]["size"] for b in bursts if BURSTS[b]["kind"] == "vmem")
        dimms = sum(BURSTS[b]["size"] * BURSTS[b]["count"] for b in bursts if BURSTS[b]["kind"] == "dimm")
        ndimm = sum(BURSTS[b]["count"] for b in bursts if BURSTS[b]["kind"] == "dimm")
        boot = memory_gib * GIB
        scn = {
            "name": "peer-bench-" + peer, "file": os.path.join(HERE, "runner.py"),
            "description": "peer benchmark: %s, bursts %s in one boot" % (peer, ", ".join(bursts)),
            "guest": guest, "reload": "daemon" if daemon else "none",
            "loaders": [self.p.get("loader", "kexec-tools")], "type": "bench", "kernel_pin": None,
            # 3 GiB: the struct pages of up to 53 GiB hot-added memory (about 850 MiB) fit
            # even where memmap_on_memory does not apply (virtio-mem on 6.1).
            "machine": {"memory": "%dG" % memory_gib, "slots": max(ndimm, 1) + 1,
                        "maxmem": "%dG" % ((boot + dimms + vmem) // GIB + 2), "cpus": 2, "maxcpus": 4,
                        "virtio_mem": ("%dG" % (vmem // GIB)) if vmem else None, "crashkernel": "256M",
                        "append": "memory_hotplug.memmap_on_memory=1",
                        # 6.12 under TCG allows hot-pluggable CPUs only under a hypervisor it
                        # knows (tests/vm/README.md, Kernels).
                        "vmware_pose": kernel == "6.12" and any(BURSTS[b]["kind"] == "cpu" for b in bursts)},
            "daemon_config": {"QuietPeriodSec": 1, "MaxDelaySec": BENCH_MAX_DELAY_S},
            "steps": [{"do": "deb-install"}] if daemon and guest == "kdump-tools" else [],
            "expect": {"vmcore": "none", "checks": [], "state": "protected"},
        }
        super().__init__(scn, scn["loaders"][0], kernel, opts, env, vmtest.image_dir(opts.out, kernel),
                         scn["reload"], accel, reason)
        self.name = "peer-bench@%s" % peer
        self.bench = {"peer": peer, "bursts": {}, "boot": {}}
        self.result["bench"] = self.bench

    def run(self):
        res = super().run()
        if not res.get("passed"):
            for name in (self.name + ".qemu.log", self.name + ".serial.log"):
                try:
                    with open(os.path.join(self.opts.out, name), errors="replace") as f:
                        hit = [ln.strip() for ln in f if "assertion failed" in ln or "Bail out" in ln]
                except OSError:
                    hit = []
                if hit:
                    res["qemu_abort"] = hit[-1][-200:]
                    break
        return res

    def share_files(self):
        return [os.path.join(HERE, f) for f in ("chp-kexec-trace", "chp-bench-quiet", "chp-bench-panic")] + \
            [os.path.join(HERE, "fedora", f) for f in ("98-kexec-repro.rules", "kdump-udev-throttler-repro",
                                                       "kdumpctl-reload-repro")]

    def qemu_cmd(self):
        cmd = super().qemu_cmd()
        # No reservation for virtio-mem's backend (the host commits only what the guest
        # touches; without it a 53 GiB mapping is refused on a 24 GiB host).
        return [a + ",reserve=off" if a.startswith("memory-backend-ram,id=vmem0,") else a for a in cmd]

    def install_helpers(self):
        g = self.guest
        if self.kdt:
            g.sh("mkdir -p %s && for f in chp-kexec-trace chp-bench-quiet chp-bench-panic kdump-udev-throttler-repro "
                 "kdumpctl-reload-repro; do install -m 0755 /mnt/chp-share/$f %s/; done" % (LIB, LIB))
            return
        # The busybox guest has no share disk: the two sh helpers go over the console, base64.
        g.sh("mkdir -p %s" % LIB)
        for name in ("chp-kexec-trace", "chp-bench-quiet"):
            with open(os.path.join(HERE, name), "rb") as f:
                b64 = base64.b64encode(f.read()).decode()
            g.sh(": > /tmp/%s.b64" % name)
            for i in range(0, len(b64), 768):
                g.sh("printf %%s '%s' >> /tmp/%s.b64" % (b64[i:i + 768], name))
            g.sh("base64 -d /tmp/%s.b64 > %s/%s && chmod 0755 %s/%s" % (name, LIB, name, LIB, name))

    # -- the peer's set-up, before the trace starts
    def setup_peer(self):
        g = self.guest
        if not self.kdt:
            # kernel: the harness's kexec -s -p (kexec_file_load: the kernel keeps its header);
            # chpd-auto: the same load first, then the daemon, which leaves it to the kernel.
            self.step_protect({"preload": "kexec -s -p"} if self.p.get("daemon") else {})
            self.bench["boot"]["crash_hotplug"] = g.out(
                "cat /sys/devices/system/memory/crash_hotplug /sys/devices/system/cpu/crash_hotplug").split()
            self.bench["boot"]["memmap_on_memory"] = g.out(
                "cat /sys/module/memory_hotplug/parameters/memmap_on_memory 2>&1").strip()
            return
        _, show = g.sh("kdump-config show 2>&1", check=False)
        self.bench["boot"]["kdump_config_show"] = show
        if self.peer == "kdump-tools-unfiltered":
            # NOT what Debian ships: lifts systemd-udevd's SystemCallFilter (an empty
            # assignment resets the list) so that the rule's kexec calls are not refused.
            g.sh("mkdir -p /etc/systemd/system/systemd-udevd.service.d && printf '%s\\n' '[Service]' "
                 "'SystemCallFilter=' > /etc/systemd/system/systemd-udevd.service.d/chp-bench-unfiltered.conf && "
                 "systemctl daemon-reload && systemctl restart systemd-udevd")
            flt = g.out("systemctl show -P SystemCallFilter systemd-udevd").strip()
            self.bench["boot"]["udevd_syscall_filter"] = flt
            self.say("udevd restarted without its SystemCallFilter (%s)" % (flt or "empty"))
        elif self.peer == "fedora":
            # The same kernel, initrd and capture command line as kdump-config loaded at boot;
            # kdumpctl-reload-repro appends acpi_no_memhotplug to it, as kdump-utils' x86_64
            # default does (and crash-hotplugd): its kexec_file_load header lists the DIMMs
            # online at the load, which a capture kernel without it adds as its own RAM.
            cmdl = next((ln.split("--command-line=", 1)[1] for ln in show if "--command-line=" in ln), None)
            if cmdl is None:
                raise vmtest.Failure("kdump-config show gave no kexec command line: %s" % " | ".join(show))
            cmdl = cmdl.split(" --initrd")[0].strip().strip('"')
            self.bench["boot"]["capture_cmdline"] = cmdl
            g.sh("printf '%%s\\n' %s > /etc/default/chp-fedora-repro" % " ".join(shlex.quote(x) for x in (
                "CHP_REPRO_KERNEL=/var/lib/kdump/vmlinuz", "CHP_REPRO_INITRD=/var/lib/kdump/initrd.img",
                "CHP_REPRO_CMDLINE=" + shlex.quote(cmdl))))
            g.sh("ln -sf /dev/null /etc/udev/rules.d/50-kdump-tools.rules && "
                 "cp /mnt/chp-share/98-kexec-repro.rules /etc/udev/rules.d/ && udevadm control --reload")
            g.sh("%s/kdumpctl-reload-repro" % LIB, timeout=120)
            self.bench["boot"]["capture_cmdline_append"] = "acpi_no_memhotplug (kdumpctl-reload-repro)"
            self.say("fedora reproduction installed; first load by kdumpctl-reload-repro (kexec -s -p, the "
                     "command line + acpi_no_memhotplug)")
        elif self.p.get("daemon"):
            self.step_deb_install({})
        if g.out("cat /sys/kernel/kexec_crash_loaded").strip() != "1":
            raise vmtest.Failure("no crash kernel loaded after the peer's set-up")
        self.bench["boot"]["memmap_on_memory"] = g.out(
            "cat /sys/module/memory_hotplug/parameters/memmap_on_memory 2>&1").strip()

    def set_quiet_period(self, secs):
        if not self.p.get("daemon"):
            return
        if not self.kdt:
            pid = (self.read_status() or {}).get("pid")
            self.guest.sh("sed -i 's/^QuietPeriodSec=.*/QuietPeriodSec=%g/' /etc/crash-hotplugd.conf && kill -HUP %d"
                          % (secs, pid))
            self.say("daemon: QuietPeriodSec=%g (SIGHUP)" % secs)
            return
        self.guest.sh("printf '%%s\\n' '[Daemon]' 'Loader=%s' 'QuietPeriodSec=%g' 'MaxDelaySec=%d' > "
                      "/etc/crash-hotplugd.conf.d/40-vmtest.conf && systemctl reload crash-hotplugd" %
                      (self.p["loader"], secs, BENCH_MAX_DELAY_S))
        self.say("daemon: QuietPeriodSec=%g (SIGHUP)" % secs)

    def quiet(self, limit):
        rc, out = self.guest.sh("%s/chp-bench-quiet %d %d" % (LIB, QUIET_S, limit), timeout=limit + 60,
                                check=False)
        return rc == 0, (out[-1] if out else "")

    # -- one burst
    def do_burst(self, bid):
        b = BURSTS[bid]
        g = self.guest
        rec = {"burst": bid}
        if b.get("host_free_min") and host_mem_available() < b["host_free_min"]:
            rec["skipped"] = "host has %.1f GiB available, the burst needs %.1f" % (
                host_mem_available() / GIB, b["host_free_min"] / GIB)
            self.say("SKIPPED burst %s: %s" % (bid, rec["skipped"]))
            return rec
        q = b.get("quiet_period_s", 1.0)
        if q != 1.0:
            self.set_quiet_period(q)
        ok, _ = self.quiet(120)
        if not ok:
            self.say("the guest was not quiet before burst %s (120 s): going on" % bid)
        # The daemon's own event -> reload figure (status.json), beside the trace's, which
        # starts at the kernel's uevent: udevd's delivery is between the two.
        st0 = self.read_status() if self.p.get("daemon") else None
        stat0, seq0 = g.out("%s/chp-kexec-trace mark chp-burst-begin %s && sed -n 1p /proc/stat && "
                            "cat /sys/kernel/uevent_seqnum" % (LIB, bid)).split("\n")[-2:]
        t0 = self.now()
        self.say("burst %s: %s" % (bid, b["label"]))
        if b["kind"] == "dimm":
            for i in range(b["count"]):
                did = "%s-%d" % (bid, i)
                if i:
                    time.sleep(b.get("interval", 0))
                self.qmp.cmd("object-add", **{"qom-type": "memory-backend-ram", "id": "mem-" + did,
                                              "size": b["size"]})
                self.qmp.cmd("device_add", driver="pc-dimm", id=did, memdev="mem-" + did)
        elif b["kind"] == "vmem":
            want = self.vmem_size + b["size"]
            self.qmp.cmd("qom-set", path="/machine/peripheral/vm0", property="requested-size", value=want)
            deadline = time.monotonic() + BURST_MAX_S
            while self.qmp.cmd("qom-get", path="/machine/peripheral/vm0", property="size") != want:
                if time.monotonic() > deadline:
                    rec["note"] = "virtio-mem had not plugged %s after %d s" % (vmtest.fmt_size(want), BURST_MAX_S)
                    break
                time.sleep(0.5)
            self.vmem_size = want
        elif b["kind"] == "cpu":
            for _ in range(b["count"]):
                self.step_cpu_add({})
        ok, said = self.quiet(BURST_MAX_S)
        stat1, seq1 = g.out("sed -n 1p /proc/stat && cat /sys/kernel/uevent_seqnum && "
                            "%s/chp-kexec-trace mark chp-burst-end %s" % (LIB, bid)).split("\n")[:2]
        rec.update({"wall_s": round(self.now() - t0, 2), "complete": ok, "quiet": said,
                    "cpu_s": round(busy_seconds(stat0, stat1, self.clk_tck), 2),
                    "uevents_kernel": int(seq1) - int(seq0),
                    "qemu_rss_mib": round((qemu_rss(self.proc.pid) or 0) / (1 << 20))})
        if not ok:
            rec["note"] = "still busy %d s into the burst: the runner stopped waiting (figures are lower bounds)" \
                % BURST_MAX_S
        if self.p.get("daemon"):
            rec.update(daemon_figures(st0, self.read_status()))
        if q != 1.0:
            self.set_quiet_period(1.0)
        self.say("burst %s over: %.1f s, %s" % (bid, rec["wall_s"], said))
        return rec

    def _run(self):
        self.boot()
        if self.kdt:
            self.kdt_protect({})
        g = self.guest
        self.install_helpers()
        self.setup_peer()
        self.vmem_size = 0
        rc, out = g.sh("getconf CLK_TCK", check=False)
        self.clk_tck = int(out[-1]) if rc == 0 and out and out[-1].strip().isdigit() else 100
        console_pid = int(g.out("echo $$").strip())
        if self.kdt:
            self.start_udev_monitor()
        g.sh("%s/chp-kexec-trace start 16384" % LIB)
        recs = [self.do_burst(b) for b in self.bursts]
        udev = []
        if self.kdt:
            g.sh("kill $(cat /run/chp-udev.pid)", check=False)
            _, udev = g.sh("cat /run/chp-udev.log", timeout=120)
        _, trace = g.sh("%s/chp-kexec-trace stop" % LIB, timeout=600)
        self.analyse(recs, trace, udev, console_pid)
        self.poweroff(60)

    def start_udev_monitor(self):
        """The uevents' CLOCK_MONOTONIC times (the clock of the trace), for last event -> protected."""
        self.guest.sh("udevadm monitor --kernel --subsystem-match=memory --subsystem-match=cpu > /run/chp-udev.log "
                      "2>&1 & echo $! > /run/chp-udev.pid")

    def analyse(self, recs, trace, udev, console_pid):
        base = os.path.join(self.opts.out, self.name)
        for suffix, lines in ((".trace", trace), (".udev", udev)):
            with open(base + suffix, "w", encoding="utf-8") as f:
                f.write("\n".join(lines) + "\n")
        tr = kexec_trace.Trace("\n".join(trace))
        uev = kexec_trace.parse_udev_monitor("\n".join(udev))
        marks = {b["name"]: b for b in tr.bursts()}
        self.bench["trace_warnings"] = tr.warnings
        self.bench["trace_events"] = len(tr.events)
        for rec in recs:
            bid = rec["burst"]
            m = marks.get(bid)
            if rec.get("skipped"):
                self.bench["bursts"][bid] = rec
                continue
            if m is None:
                raise vmtest.Failure("burst %s: no chp-burst-begin/end markers in the trace" % bid)
            t0, t1 = m["start"], m["end"]
            evs = [(ts, a, sub) for ts, a, _, sub in uev if t0 <= ts <= t1]
            seen = [ts for ts, a, sub in evs if (sub == "memory" and a in ("online", "offline"))
                    or (sub == "cpu" and a in ("add", "remove", "online", "offline"))]
            last = max((ts for ts, _, _ in evs), default=None)
            s = tr.summary(t0, t1, last)
            rec.update({k: s[k] for k in ("reloads", "loads_failed", "unloads", "unprotected_s", "longest_window_s",
                                          "last_event_to_protected_s", "protected_at_end", "windows")})
            # The busybox guest has no udevadm: its uevents are counted, not timed.
            rec["uevents_seen"] = len(seen) if self.kdt else None
            rec["uevents_all"] = len(evs)
            rec["interval"] = [t0, t1]
            rec["spawned"] = spawned_outside(tr, t0, t1, console_pid)
            rec["refused"] = refused_calls(tr, t0, t1)
            if rec["refused"] and not s["reloads"]:
                rec["note"] = ("%d kexec calls refused (EPERM, udevd's seccomp filter) before they began: the "
                               "boot-time crash kernel and header stayed" % rec["refused"])
            rec["kexec_calls"] = len(s["calls"]) + rec["refused"]
            self.bench["bursts"][bid] = rec
            self.say("%s %s: reloads %d, failed %d, no crash kernel %.3f s (longest %.3f), last event -> "
                     "protected %s s (the daemon's own: %s s), cpu %.1f s, spawned %d, %s uevents seen (%d in all)" %
                     (self.peer, bid, s["reloads"], s["loads_failed"], s["unprotected_s"], s["longest_window_s"],
                      s["last_event_to_protected_s"], rec.get("daemon_event_to_reload_s", "-"), rec["cpu_s"],
                      rec["spawned"], rec["uevents_seen"], rec["uevents_kernel"]))


# -- panics at fixed offsets into a burst (--panic-at): one boot per (peer, burst, offset)

# A guest of modest size for the panic boots: the dump holds every page (kdump-tools'
# MAKEDUMP_ARGS on the disk, -F -E -d 0) and is written under TCG at about 35 MB/s, so each
# GiB of boot memory costs about 30 s per sample; 1 GiB is what scenario 16 boots with.
PANIC_MEMORY_GIB = 1
# Marker pages stamped into boot memory before the burst (memmark: a few seconds): the dump
# must hold each at its own physical address.
PANIC_MARK_MIB = 64
PANIC_CHECKS = ("markers", "cpus", "ranges")
# Seconds (times the timeout scale) for the capture kernel to save the dump and reboot: a
# 3.5 GiB dump (1 GiB and 5 DIMMs) takes about 100 s under TCG, its boot 20-30 s.
PANIC_CAPTURE_S = 150
PANIC_OFFSET_MAX_S = 60
PANIC_BURSTS = ("dimm8",)
# The CPU burst's spacing in a panic boot: the trace runs add the second CPU once the first
# is online (step_cpu_add waits on the console: 0.5 s apart under TCG); the console is the
# panic helper's here, so the host spaces the two device_add by this much instead.
PANIC_CPU_INTERVAL_S = 0.5
PANIC_METHOD = (
    "panic samples: one boot per (peer, burst, offset) in the kdump-tools guest of %d GiB, the peer set up and "
    "protected as in the trace runs, %d MiB of marker pages in boot memory, then the burst; the guest panics "
    "(sysrq-c) the offset after the burst's first uevent, reading /proc/iomem, the online CPUs and "
    "kexec_crash_loaded in the same command right before; the host adds nothing after the panic; the crash "
    "kernel loaded at that instant saves the dump with kdump-tools (every page, ELF); vmcore-check on the "
    "host: every System RAM range online at the panic, one NT_PRSTATUS per online CPU, every marker. pass: a "
    "right dump; fail: a dump with a check failed (or a capture that saved none); none: no capture kernel" %
    (PANIC_MEMORY_GIB, PANIC_MARK_MIB))
# What the console shows once a capture kernel boots (its initramfs, kdump-tools' service);
# nothing follows the panic when no crash kernel took it (panic=-1 resets at once).
CAPTURE_STARTED = re.compile(r"Loading, please wait|kdump-tools\[|Linux version")
# The capture's makedumpfile reporting that it could not read the dump (kdump-tools still
# says "saved vmcore": the file is cut short).
CAPTURE_ERROR = re.compile(r"Can't read the dump memory|makedumpfile Failed")


def parse_offsets(text):
    """--panic-at's S[,S...]: seconds after the burst's first uevent, each in (0, 60], in
    the order given, without repeats."""
    out = []
    for part in text.split(","):
        part = part.strip()
        try:
            v = float(part)
        except ValueError:
            raise argparse.ArgumentTypeError("%r is not a number of seconds" % part) from None
        if not 0 < v <= PANIC_OFFSET_MAX_S:
            raise argparse.ArgumentTypeError("%s s: an offset is > 0 and at most %d s" % (part, PANIC_OFFSET_MAX_S))
        if v not in out:
            out.append(v)
    return out


def panic_refusals(peers, bursts):
    """What --panic-at cannot sample: the busybox guest's peers (no kdump-tools to save a
    dump) and bursts of a kind PanicRun cannot drive."""
    bad = [p for p in peers if PEERS[p].get("guest", "kdump-tools") != "kdump-tools"]
    return bad + [b for b in bursts if BURSTS[b]["kind"] not in ("dimm", "vmem", "cpu")]


def parse_panic_line(text):
    """chp-bench-panic's kmsg line as the console shows it: {"uptime", "cpus" (a count),
    "cpulist", "loaded" ("0"/"1"), "busy" [comm...], "chpd" (the daemon's state or "-"),
    "ram" and "crash" [(start, end exclusive)]}, or None when text is not that line."""
    m = re.search(r"chp-panic: (.*)$", text)
    if not m:
        return None
    kv = dict(w.split("=", 1) for w in m.group(1).split() if "=" in w)

    def ranges(v):
        if not v or v == "-":
            return []
        return vmtest.ranges_merge([(int(a, 16), int(b, 16) + 1) for a, b in (r.split("-") for r in v.split(","))])
    try:
        return {"uptime": float(kv["uptime"]), "cpulist": kv["cpus"], "cpus": vmtest.parse_cpulist(kv["cpus"]),
                "loaded": kv["loaded"], "busy": [] if kv.get("busy", "-") == "-" else kv["busy"].split(","),
                "chpd": kv.get("chpd", "-"),
                "ram": ranges(kv["ram"]), "crash": ranges(kv.get("crash"))}
    except (KeyError, ValueError):
        return None


def panic_sample(offset, info, dump, check=None):
    """One entry of a result's "vmcore" list. info: parse_panic_line's dict; dump: "saved",
    "none" (no capture kernel started, /var/crash empty) or "unsaved" (a capture kernel
    started but left no complete dump); check: vmcore-check's ("PASS"|"FAIL", the failed
    CHECK lines) for a saved dump."""
    state = "kexec_crash_loaded=%s at the panic%s%s" % (
        info["loaded"], ", running: " + ",".join(info["busy"]) if info["busy"] else "",
        ", crash-hotplugd " + info["chpd"] if info.get("chpd", "-") != "-" else "")
    entry = {"offset_s": offset, "captured": dump != "none", "crash_loaded": info["loaded"] == "1",
             "busy": info["busy"], "chpd": info.get("chpd", "-")}
    if dump == "none":
        entry.update(result="none", why="no capture kernel started (%s)" % state)
    elif dump == "unsaved":
        entry.update(result="fail", why="a capture kernel started but saved no complete dump (%s)" % state)
    elif dump == "broken":
        entry.update(result="fail", why="the capture's makedumpfile failed, the saved dump cannot be read: %s (%s)" %
                     ("; ".join(ln[-160:] for ln in check or []), state))
    elif check is None:
        raise ValueError("a saved dump needs vmcore-check's verdict")
    elif check[0] == "PASS":
        entry.update(result="pass", why="")
    else:
        entry.update(result="fail", why="%s (%s)" % ("; ".join(ln[:200] for ln in check[1]) or "vmcore-check said FAIL",
                                                      state))
    return entry


class PanicRun(BenchRun):
    """One boot, one panic sample: the peer set up and protected as BenchRun does it, marker
    pages in boot memory, then the burst from the host while chp-bench-panic waits in the
    guest for its first uevent, sleeps the offset, reads /proc/iomem, the online CPUs and the
    crash kernel state, and panics (sysrq-c). The host adds no DIMM after the panic. The
    peer's own capture kernel (kdump-tools-dump.service in the crash kernel that is loaded
    at that instant) saves the dump; the harness reads it back (debugfs) and checks it with
    vmcore-check against what the guest read right before the panic."""

    def __init__(self, peer, burst, offset, opts, env, accel, reason):
        super().__init__(peer, [burst], opts, env, accel, reason, memory_gib=PANIC_MEMORY_GIB)
        if not self.kdt:
            raise vmtest.Failure("panic samples run in the kdump-tools guest only (%s boots busybox)" % peer)
        self.burst, self.offset = burst, offset
        self.name = "peer-bench@%s@panic-%s-%gs" % (peer, burst, offset)
        # The checks of the saved dump (the expectation comes from the guest at the panic).
        self.scn["expect"].update(vmcore="pass", checks=list(PANIC_CHECKS))
        self.sample = None
        self.bench["panic"] = {"burst": burst, "offset_s": offset}

    def panic_check_args(self, info):
        """vmcore-check's arguments from the panic line: the System RAM online at the panic,
        and one NT_PRSTATUS for each CPU online then (4 after cpu2: a header of the boot's 2
        CPUs fails), the markers."""
        return self.vmcore_check_args(PANIC_CHECKS, info["ram"], info["crash"], info["cpus"])

    def burst_until_panic(self, b, mark):
        """The burst's QMP commands, stopped at the panic; returns how many went out."""
        def panicked(wait):
            try:
                self.console.wait(r"chp-panic: ", mark, wait)
                return True
            except vmtest.Failure:
                return self.console.eof
        sent = 0
        try:
            if b["kind"] == "dimm":
                for i in range(b["count"]):
                    if i and panicked(b.get("interval", 0)):
                        break
                    did = "%s-%d" % (self.burst, i)
                    self.qmp.cmd("object-add", **{"qom-type": "memory-backend-ram", "id": "mem-" + did,
                                                  "size": b["size"]})
                    self.qmp.cmd("device_add", driver="pc-dimm", id=did, memdev="mem-" + did)
                    sent += 1
            elif b["kind"] == "cpu":
                # QMP only: the guest's side (onlining each new CPU) is chp-bench-panic's
                # "cpus" loop, as the console is the helper's until the panic.
                free = [x for x in self.qmp.cmd("query-hotpluggable-cpus") if "qom-path" not in x]
                free.sort(key=lambda x: tuple(x["props"].get(k, 0) for k in ("socket-id", "die-id", "core-id",
                                                                            "thread-id")))
                if len(free) < b["count"]:
                    raise vmtest.Failure("%d free CPU slots, the burst adds %d" % (len(free), b["count"]))
                for i, slot in enumerate(free[:b["count"]]):
                    if i and panicked(PANIC_CPU_INTERVAL_S):
                        break
                    self.qmp.cmd("device_add", driver=slot["type"], id="%s-%d" % (self.burst, i), **slot["props"])
                    sent += 1
            else:
                self.qmp.cmd("qom-set", path="/machine/peripheral/vm0", property="requested-size", value=b["size"])
                sent = 1
        except vmtest.Failure as e:
            # A command that met the panic (QEMU gone): the burst is over either way.
            if not panicked(0):
                raise
            self.say("burst: a QMP command met the panic (%s)" % e)
        return sent

    def _run(self):
        self.boot()
        self.kdt_protect({})
        g = self.guest
        self.install_helpers()
        self.setup_peer()
        self.step_memmark({"mib": PANIC_MARK_MIB})
        self.check("markers-stamped", self.marks["moved"] == 0 and self.marks["pages"] > 0,
                   "%d pages, %d moved" % (self.marks["pages"], self.marks["moved"]))
        b = BURSTS[self.burst]
        if b.get("quiet_period_s", 1.0) != 1.0:
            self.set_quiet_period(b["quiet_period_s"])
        ok, said = self.quiet(120)
        if not ok:
            self.say("the guest was not quiet before the burst (120 s): going on (%s)" % said)
        mark = self.console.mark()
        g.console.send("%s/chp-bench-panic %g%s\n" % (LIB, self.offset, " cpus" if b["kind"] == "cpu" else ""))
        self.console.wait(r"^CHP-PANIC-ARMED seq=\d+", mark, 30 * self.scale)
        t_first_cmd = self.now()
        self.say("burst %s: %s; panic %g s after its first uevent" % (self.burst, b["label"], self.offset))
        sent = self.burst_until_panic(b, mark)
        _, _, t_first = self.console.wait(r"^CHP-PANIC-FIRST seq=\d+", mark, 60 * self.scale)
        idx, _, t_panic = self.console.wait(r"chp-panic: ", mark, (self.offset + 60) * self.scale)
        info = parse_panic_line(self.console.lines[idx][1])
        if info is None:
            raise vmtest.Failure("unreadable panic line: %s" % self.console.lines[idx][1])
        if t_first < t_first_cmd:
            raise vmtest.Failure("a uevent came before the burst (%.2f s before its first QMP command): the "
                                 "offset has no anchor" % (t_first_cmd - t_first))
        self.bench["panic"].update(
            {"qmp_sent": sent, "host_first_cmd_to_panic_s": round(t_panic - t_first_cmd, 2),
             "cpus": info["cpulist"], "crash_loaded": info["loaded"], "busy": info["busy"], "chpd": info["chpd"],
             "ram": vmtest.fmt_ranges(info["ram"])})
        self.say("panic %.2f s after the burst's first QMP command (%d of %d sent): %d CPUs, System RAM %s, "
                 "kexec_crash_loaded=%s, running %s" %
                 (t_panic - t_first_cmd, sent, b.get("count", 1), info["cpus"], vmtest.fmt_size(
                     vmtest.ranges_total(info["ram"])), info["loaded"], ",".join(info["busy"]) or "-"))
        self.kdt_wait_exit(idx, t_panic, PANIC_CAPTURE_S)
        with self.console.cond:
            started = any(CAPTURE_STARTED.search(x) for _, x in self.console.lines[idx + 1:])
        with self.console.cond:
            errs = [x.strip() for _, x in self.console.lines[idx + 1:] if CAPTURE_ERROR.search(x)]
        try:
            elf = self.kdt_extract()
        except vmtest.Failure as e:
            if errs and self.result.get("var_crash"):
                self.say("the saved dump cannot be read (%s); the capture said: %s" % (e, errs[0][-200:]))
                self.sample = panic_sample(self.offset, info, "broken", [m.group(0) for m in
                                                                          (CAPTURE_ERROR.search(x) for x in errs)][:1])
                self.sample["panic_to_exit_s"] = self.fig.get("panic_to_exit_s")
                self.bench["panic"]["sample"] = self.sample
                return
            if self.result.get("vmcore_check") != "no-dump" or not isinstance(self.result.get("var_crash"), list):
                raise
            dump = "unsaved" if started or self.result["var_crash"] else "none"
            self.say("no dump: %s (%s)" % (e, "a capture kernel started" if started else "no capture kernel"))
            self.sample = panic_sample(self.offset, info, dump)
        else:
            args = self.panic_check_args(info)
            self.sample = panic_sample(self.offset, info, "saved", self.vmcore_read(*self.kdt_vmcore_check(elf, args)))
            self.sample["dump_mib"] = self.fig.get("dump_mib")
        self.sample["panic_to_exit_s"] = self.fig.get("panic_to_exit_s")
        self.bench["panic"]["sample"] = self.sample
        self.say("sample %s @ %g s: %s %s" % (self.burst, self.offset, self.sample["result"].upper(),
                                              self.sample["why"]))


def short_warnings(ws, keep=5):
    """The parser's warnings, the first few and how many (a refused call each for kdump-tools
    as packaged: hundreds; the whole list is in the boot's JSON)."""
    if not isinstance(ws, list) or len(ws) <= keep:
        return ws
    return ws[:keep] + ["... %d warnings in all (the boot's JSON has them)" % len(ws)]


def add_sample(results, peer, burst, sample):
    """A panic sample into the (peer, burst) row of results, made (figures null: a panic boot
    traces nothing) when there is none; the samples in offset order."""
    row = next((r for r in results if r["peer"] == peer and r["burst"] == burst), None)
    if row is None:
        row = {"peer": peer, "burst": burst, "vmcore": [], "panic_only": True}
        row.update({k: None for k in peer_report.FIGURES})
        results.append(row)
    row["vmcore"] = sorted(row.get("vmcore", []) + [sample], key=lambda v: v["offset_s"])
    return row


def merge_results(results, more):
    """more's rows into results: a row of a (peer, burst) already there gets its panic
    samples (and, if it had only samples, the figures of the trace run); others are added.
    more is the later file: its trace figures replace a row's earlier ones (the burst run
    again, e.g. after a change of the daemon), and a sample of an offset the row has already
    replaces that one (taken again, e.g. after a fix of the set-up): one offset is one sample."""
    for r in more:
        row = next((x for x in results if x["peer"] == r["peer"] and x["burst"] == r["burst"]), None)
        if row is None:
            results.append(r)
            continue
        by_offset = {v["offset_s"]: v for v in row.get("vmcore", [])}
        by_offset.update({v["offset_s"]: v for v in r.get("vmcore", [])})
        if not r.get("panic_only"):
            row.clear()
            row.update(r)
        row["vmcore"] = sorted(by_offset.values(), key=lambda v: v["offset_s"])
    return results


def mark_superseded(boots):
    """Marks the panic boots whose sample a later boot of the same (peer, burst, offset)
    replaced ("superseded": true): they stay in the list (and in cost_s: they were run)."""
    last = {}
    for i, b in enumerate(boots):
        p = b.get("panic")
        if p:
            last[(b.get("peer"), p.get("burst"), p.get("offset_s"))] = i
    for i, b in enumerate(boots):
        p = b.get("panic")
        if p and last[(b.get("peer"), p.get("burst"), p.get("offset_s"))] != i:
            b["superseded"] = True
        else:
            b.pop("superseded", None)
    return boots


def panics_note(results):
    """not_measured's "panics": what was not sampled, given what was."""
    got = [(r["peer"], r["burst"], sorted(v["offset_s"] for v in r["vmcore"])) for r in results if r.get("vmcore")]
    if not got:
        return "panics at fixed offsets into a burst: none sampled (tests/bench/vm/run --panic-at S[,S...])"
    return ("panics at fixed offsets into a burst: sampled only for %s; no other peer, burst or offset" %
            "; ".join("%s in %s at %s s" % (p, b, ", ".join("%g" % o for o in offs)) for p, b, offs in got))


def results_json(runs, bursts, command, accel, reason, env, deb):
    peers, results, boots = [], [], []
    for peer, res in runs:
        p = PEERS[peer]
        entry = {"id": peer, "label": p["label"], "target": bool(p.get("target"))}
        if p.get("daemon"):
            entry["daemon"] = True
        if p.get("expect_reloads"):
            entry["expect_reloads"] = p["expect_reloads"]
        if all(x["id"] != peer for x in peers):
            peers.append(entry)
        bench = res.get("bench") or {}
        boot = {"peer": peer, "passed": res.get("passed"), "failures": res.get("failures"),
                "boot_s": res["figures"].get("boot_s"), "total_s": res["figures"].get("total_s"),
                "memmap_on_memory": (bench.get("boot") or {}).get("memmap_on_memory"),
                "trace_warnings": short_warnings(bench.get("trace_warnings"))}
        pan = bench.get("panic")
        if pan:
            boot["panic"] = {k: pan.get(k) for k in ("burst", "offset_s", "qmp_sent", "host_first_cmd_to_panic_s")}
            boot["panic"]["dump_mib"] = res["figures"].get("dump_mib")
            boot["panic"]["panic_to_exit_s"] = res["figures"].get("panic_to_exit_s")
        boots.append(boot)
        if pan:
            if pan.get("sample"):
                sample = dict(pan["sample"], boot_s=res["figures"].get("total_s"))
                add_sample(results, peer, pan["burst"], sample)
            continue
        for bid in bursts:
            r = (bench.get("bursts") or {}).get(bid)
            if not r or r.get("skipped") or "reloads" not in r:
                continue
            out = {"peer": peer, "burst": bid, "vmcore": []}
            for k in ("reloads", "unprotected_s", "longest_window_s", "last_event_to_protected_s", "cpu_s",
                      "spawned", "loads_failed", "unloads", "uevents_seen", "uevents_kernel", "wall_s", "complete",
                      "qemu_rss_mib", "kexec_calls", "refused", "protected_at_end", "daemon_event_to_reload_s",
                      "daemon_reloads", "daemon_state"):
                out[k] = r.get(k)
            if r.get("note"):
                out["note"] = r["note"]
            results.append(out)
    return {
        "schema": peer_report.SCHEMA, "synthetic": False, "command": command,
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "method": ("one boot per peer, its bursts one after another in that boot (trace markers between them, "
                   "each started after 5 s of quiet): a burst starts from the memory and CPUs the previous left; "
                   "crash-hotplugd with MaxDelaySec=%d (the RFC-shaped burst outlasts the default 10 s under TCG)"
                   % BENCH_MAX_DELAY_S),
        "machine": {"accel": accel, "accel_reason": reason, "host_cores": os.cpu_count(),
                    "guest": "kdump-tools disk (Debian 12, systemd, kdump-tools 1:1.8.1), 3 GiB, 2 CPUs (max 4); "
                             "the 6.12 peers: tests/vm's busybox guest, same size",
                    "kernel": env.get("CHP_VM_KERNEL_VERSION"), "kernel_6.12": env.get("CHP_VM_BP_KERNEL_VERSION"),
                    "deb": deb},
        "quiet_period_s": 1.0,
        "peers": peers,
        "bursts": [{"id": b, "label": BURSTS[b]["label"], "events": BURSTS[b]["events"],
                    **({"quiet_period_s": BURSTS[b]["quiet_period_s"]} if "quiet_period_s" in BURSTS[b] else {})}
                   for b in bursts],
        "results": results,
        "boots": boots,
        "not_measured": dict({k: v for k, v in NOT_RUN.items()}, panics=panics_note(results)),
    }


def qemu_crashed(res):
    """The QEMU abort line of a failed boot's log (.qemu.log, or the console: TCG prints its
    assertion on stderr or stdout), or None."""
    if res.get("passed") or (res.get("bench") or {}).get("bursts"):
        return None
    if not any("QMP closed" in f or "QEMU exited" in f for f in res.get("failures", [])):
        return None
    return res.get("qemu_abort") or "QMP closed, QEMU gone"


def ci_verdict(report_path):
    """The CI point's targets: one reload per burst and at most 1/10 of the peer's time without
    a crash kernel. The protected-again target is printed, not enforced here (under TCG the
    time from the kernel's uevent to the daemon's load adds 0.05-0.2 s to QuietPeriodSec plus
    the load's window; the report checks the daemon's own figure where it has it, README.md
    here)."""
    with open(report_path, encoding="utf-8") as f:
        rep = json.load(f)
    hard = [c for c in rep["targets"] if " reloads " in c["what"] or "no-kernel" in c["what"]]
    print("bench --ci: %d hard target(s): %s" % (len(hard), ", ".join(
        "%s %s" % ("PASS" if c["ok"] else "FAIL", c["what"]) for c in hard)))
    return 0 if hard and all(c["ok"] for c in hard) and any("no-kernel" in c["what"] for c in hard) else 1


@contextlib.contextmanager
def boot_lock(path):
    """An exclusive flock on path (when given) for one boot."""
    if not path:
        yield
        return
    with open(path, "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def combine(opts, out):
    """Merges results files of the same bursts (one per peer or per set of peers) into one."""
    merged = None
    for path in opts.combine:
        with open(path, encoding="utf-8") as f:
            d = json.load(f)
        if merged is None:
            merged = d
            merged["command"] = [d.get("command")]
            dates = [d.get("date")]
            continue
        known = {p["id"] for p in merged["peers"]}
        merged["peers"] += [p for p in d["peers"] if p["id"] not in known]
        have = {b["id"] for b in merged["bursts"]}
        merged["bursts"] += [b for b in d["bursts"] if b["id"] not in have]
        merge_results(merged["results"], d["results"])
        merged["boots"] += d.get("boots", [])
        merged["command"].append(d.get("command"))
        # A file of panic samples brings the description of how they were taken.
        if d.get("panic_method"):
            merged["panic_method"] = d["panic_method"]
            merged.setdefault("machine", {}).update(
                {k: v for k, v in (d.get("machine") or {}).items() if k == "guest_panic_boots"})
        dates.append(d.get("date"))
        merged["cost_s"] = round(merged.get("cost_s", 0) + d.get("cost_s", 0), 1)
    merged.pop("wall_s", None)      # of the first file only
    mark_superseded(merged["boots"])
    for b in merged["boots"]:
        b["trace_warnings"] = short_warnings(b.get("trace_warnings"))
    # A file's date may be a range itself (a combined file): "DAY HH:MM UTC to [DAY ]HH:MM UTC".
    starts, ends = [], []
    for x in (x for x in dates if x):
        a, _, b = x.partition(" to ")
        starts.append(a)
        ends.append(b if len(b) > len("HH:MM UTC") else a[:11] + b if b else a)
    if starts and min(starts) != max(ends):
        a, b = min(starts), max(ends)
        merged["date"] = "%s to %s" % (a, b[-9:] if a[:10] == b[:10] else b)
    # What a later file measured is no longer "not measured".
    for p in merged["peers"]:
        merged.get("not_measured", {}).pop(p["id"], None)
    merged.setdefault("not_measured", {})["panics"] = panics_note(merged["results"])
    order = {b: i for i, b in enumerate(ORDER)}
    merged["bursts"].sort(key=lambda b: order.get(b["id"], 99))
    if not opts.command:
        merged["commands"] = merged["command"]
    merged["command"] = opts.command or " ; ".join(c for c in merged["command"] if c) + \
        " (then --combine)"
    path = os.path.join(out, "results.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(merged, f, indent=1)
        f.write("\n")
    return peer_report.main([path] + (["--readme", opts.readme] if opts.readme else []))


def main(argv=None):
    ap = argparse.ArgumentParser(description="The peer benchmark in QEMU: kdump-tools, the Fedora reproduction "
                                             "and crash-hotplugd on the same bursts.")
    ap.add_argument("--quick", action="store_true", help="bursts %s only" % ", ".join(QUICK))
    ap.add_argument("--ci", action="store_true",
                    help="the CI point: burst dimm1, peers %s; exit 1 when a target is missed or the trace is "
                         "empty" % " and ".join(CI_PEERS))
    ap.add_argument("--peer", action="append", choices=tuple(PEERS), help="peers to run (repeatable)")
    ap.add_argument("--burst", action="append", choices=ORDER, help="bursts to run (repeatable)")
    ap.add_argument("--out", default=os.path.join(TOP, "tests", "bench", "vm", "out"))
    ap.add_argument("--build", default="build")
    ap.add_argument("--deb", default=None)
    ap.add_argument("--readme", default=None, help="README whose peer-bench section is rewritten")
    ap.add_argument("--timeout-scale", type=float, default=None)
    ap.add_argument("--accel", choices=("auto", "tcg", "kvm"), default="auto")
    ap.add_argument("--narrate", action="store_true")
    ap.add_argument("--lock", metavar="FILE",
                    help="hold an exclusive flock on FILE for each boot (one boot per hold), to share the "
                         "machine with other QEMU users")
    ap.add_argument("--combine", nargs="+", metavar="RESULTS",
                    help="boot nothing: merge these results.json files (runs of one peer each, e.g. one per "
                         "lock hold) into OUT/peer-bench/results.json and report it")
    ap.add_argument("--command", help="with --combine: the command line to report (e.g. without local paths)")
    ap.add_argument("--panic-at", metavar="S[,S...]", type=parse_offsets,
                    help="panic samples instead of the trace: for each peer, burst (default dimm8) and offset one "
                         "boot that panics S seconds after the burst's first uevent and checks the dump that the "
                         "peer's capture kernel saves")
    ap.add_argument("--cache", default=os.environ.get("CHP_VM_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "crash-hotplugd-vm"))
    opts = ap.parse_args(argv)
    bursts = list(CI_BURSTS if opts.ci else opts.burst or (QUICK if opts.quick else ORDER))
    if opts.panic_at and not opts.burst:
        bursts = list(PANIC_BURSTS)
    bursts = [b for b in ORDER if b in bursts]
    peers = list(CI_PEERS if opts.ci else opts.peer or DEFAULT_PEERS)
    if opts.panic_at:
        if opts.ci or opts.combine:
            ap.error("--panic-at goes with neither --ci nor --combine")
        bad = panic_refusals(peers, bursts)
        if bad:
            ap.error("--panic-at: the kdump-tools guest's peers and the dimm, vmem or cpu bursts only, not %s" %
                     ", ".join(bad))
    out = os.path.abspath(os.path.join(opts.out, "peer-bench"))
    os.makedirs(out, exist_ok=True)
    opts.out = out
    if opts.combine:
        return combine(opts, out)
    opts.first_kernel = "bzimage"
    env = vmtest.read_env(opts.cache)
    if not env.get("CHP_VM_KDT_DIR"):
        print("bench: building the kdump-tools guest's disk (tests/vm/setup --kdump-tools)", file=sys.stderr)
        if subprocess.run([os.path.join(TOP, "tests", "vm", "setup"), "--kdump-tools"]).returncode:
            return 2
        env = vmtest.read_env(opts.cache)
    build = os.path.abspath(opts.build)
    opts.build = build
    # The .deb is for the daemon in the kdump-tools guest (the busybox image has the build's).
    needs_deb = any(PEERS[p].get("daemon") and PEERS[p].get("guest", "kdump-tools") == "kdump-tools" for p in peers)
    deb = vmtest.find_deb(opts.deb, build) if needs_deb else None
    if needs_deb and not deb:
        print("bench: no crash-hotplugd_*.deb (tests/deb/build build-deb, or --deb)", file=sys.stderr)
        return 2
    opts.deb = deb
    for kern in sorted({PEERS[p]["kernel"] for p in peers if PEERS[p].get("guest") == "busybox"}):
        if not env.get(vmtest.KERNELS[kern] + "BZIMAGE"):
            if subprocess.run([os.path.join(TOP, "tests", "vm", "setup"), vmtest.SETUP_KERNEL_FLAG[kern]]).returncode:
                return 2
            env = vmtest.read_env(opts.cache)
        # tests/vm's busybox image for that kernel (as vmtest.py builds it).
        if subprocess.run([os.path.join(TOP, "tests", "vm", "mkimage"), "--build", build, "--out",
                           vmtest.image_dir(out, kern), "--cache", opts.cache, "--kernel",
                           vmtest.MKIMAGE_KERNEL[kern]]).returncode:
            print("bench: building the guest image for kernel %s failed" % kern, file=sys.stderr)
            return 2
    accel, reason = vmtest.choose_accel(opts.accel)
    if opts.timeout_scale is None:
        opts.timeout_scale = 1.0 if accel == "kvm" else 3.0
    print("ACCELERATOR: %s -- %s" % (accel.upper(), reason), file=sys.stderr)
    command = "tests/bench/vm/run " + " ".join(shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:]))
    t_all = time.monotonic()
    runs = []
    retried = []
    boots_s = 0.0
    if opts.panic_at:
        plan = [(p, b, o) for p in peers for b in bursts for o in opts.panic_at]
        print("bench: PANIC SAMPLES, one boot each (%d): %s" %
              (len(plan), ", ".join("%s %s @%g s" % x for x in plan)), flush=True)
    else:
        plan = [(p, None, None) for p in peers]
        print("bench: ONE BOOT PER PEER, its bursts one after another (%s); peers %s" %
              (", ".join(bursts), ", ".join(peers)), flush=True)

    def new_run(peer, burst, offset):
        if offset is None:
            return BenchRun(peer, bursts, opts, env, accel, reason)
        return PanicRun(peer, burst, offset, opts, env, accel, reason)
    for peer, burst, offset in plan:
        run = new_run(peer, burst, offset)
        with boot_lock(opts.lock):
            t = time.monotonic()
            res = run.run()
            boots_s += time.monotonic() - t
        if qemu_crashed(res) and (offset is None or res.get("qemu_abort")):
            # Once, loudly: QEMU 7.2's TCG aborts now and then when a CPU is hot-added
            # ("tcg_region_initial_alloc__locked: assertion failed", no free code region for
            # the new vCPU thread): a crash of the emulator, not a figure of the peer.
            print("RETRY %s: QEMU itself crashed (%s); one more boot" %
                  (peer, qemu_crashed(res)), flush=True)
            retried.append(peer)
            run = new_run(peer, burst, offset)
            with boot_lock(opts.lock):
                t = time.monotonic()
                res = run.run()
                boots_s += time.monotonic() - t
            res["retried_after_qemu_crash"] = True
        sample = ((res.get("bench") or {}).get("panic") or {}).get("sample")
        print("bench: %s%s %s, its boot took %.0f s%s%s" % (
            peer, "" if offset is None else " %s @%g s" % (burst, offset), "done" if res["passed"] else "FAILED",
            res["figures"].get("total_s", 0),
            ": vmcore %s %s" % (sample["result"], sample["why"]) if sample else "",
            "".join("\n     - " + f for f in res["failures"])), flush=True)
        runs.append((peer, res))
    data = results_json(runs, bursts, command.strip(), accel, reason, env, os.path.basename(deb) if deb else None)
    # The boots' own time (lock waits left out), and the wall time with them.
    data["cost_s"] = round(boots_s, 1)
    data["wall_s"] = round(time.monotonic() - t_all, 1)
    data["retried_after_qemu_crash"] = retried
    if opts.panic_at:
        data["panic_method"] = PANIC_METHOD
        data["machine"]["guest_panic_boots"] = "the kdump-tools disk, %d GiB, 2 CPUs (max 4)" % PANIC_MEMORY_GIB
    path = os.path.join(out, "results.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=1)
        f.write("\n")
    args = [path] + (["--readme", opts.readme] if opts.readme else [])
    rc = peer_report.main(args)
    if opts.ci:
        rc = max(rc, ci_verdict(os.path.join(out, "peer-bench.json")))
    failed = [p for p, r in runs if not r["passed"]]
    if failed:
        print("bench: FAILED boots: %s" % ", ".join(failed))
        rc = rc or 1
    if opts.ci:
        got = {(r["peer"], r["burst"]): r for r in data["results"]}
        for peer in peers:
            r = got.get((peer, "dimm1"))
            if r is None or not r.get("kexec_calls"):
                print("bench --ci: FAIL: %s made no kexec call in dimm1 (an empty trace measures nothing)" % peer)
                rc = 1
    print("bench: cost %.0f s in %d boot(s) (%.0f s of wall time with lock waits); results %s" %
          (data["cost_s"], len(runs) + len(retried), data["wall_s"], path))
    return rc


if __name__ == "__main__":
    sys.exit(main())
