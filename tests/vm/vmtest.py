#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Host-side driver of the QEMU end-to-end tests (python3 standard library only).

For each scenario file, each kernel (Debian's 6.1 and bookworm-backports' 6.12) and each
loader it names, it boots the kernel in QEMU (from its bzImage by default, so KASLR is on)
with the busybox guest image (tests/vm/mkimage), protects the guest with crash-hotplugd
(or with the harness's own kexec calls), hot-plugs memory and CPUs from the host over QMP,
stamps marker pages, panics the guest and runs vmcore-check in the capture kernel.

The serial console is a pipe; every line gets a host timestamp (<out>/<run>.serial.log).
QMP runs on a unix socket (<out>/<run>.qmp.log).  The guest shell reads one command per
line; the harness sends each command followed by a line `@@CHP@@ <n>`, which the guest
answers with `@@CHP@@ <n> <exit status>`, and reads the console up to that answer.

Results: <out>/<run>.json per run, <out>/summary.txt and <out>/summary.json.  Exit
status 0 only if every expectation of every run held.  See tests/vm/README.md.
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
MIB = 1 << 20
GIB = 1 << 30
LOADERS = ("file", "kexec-tools", "segments")
# Loader= values of the daemon that the harness cannot load with itself (reload "daemon" only).
DAEMON_LOADERS = ("auto", "kernel")
KDUMP_CMDLINE = "console=ttyS0 irqpoll nr_cpus=1 reset_devices panic=-1"
# The arm64 capture kernel: the PL011 of -M virt; maxcpus=1 brings up the crashing CPU only.
KDUMP_CMDLINE_AARCH64 = "console=ttyAMA0 maxcpus=1 reset_devices panic=-1"
DAEMON_LINE_PREFIX = "[chpd] "


class BootCrash(Exception):
    """The first kernel crashed while booting, before /init: nothing of the project ran yet
    (seen under TCG: a 6.12 guest's Oops int3 in sched_clock_cpu while patching a static
    key on another vCPU). The run is repeated once, and the summary says so."""


class Failure(Exception):
    """Something the run needed did not happen (not an expectation about the vmcore)."""


def parse_size(v):
    if isinstance(v, int):
        return v
    m = re.fullmatch(r"\s*(\d+)\s*([KMGT]?)(i?B)?\s*", str(v), re.I)
    if not m:
        raise ValueError("bad size: %r" % (v,))
    return int(m.group(1)) << {"": 0, "K": 10, "M": 20, "G": 30, "T": 40}[m.group(2).upper()]


def fmt_size(n):
    for unit, shift in (("G", 30), ("M", 20)):
        if n and n % (1 << shift) == 0:
            return "%d%s" % (n >> shift, unit)
    return "%.1fM" % (n / MIB)


def parse_cpulist(text):
    n = 0
    for part in text.strip().split(","):
        if not part:
            continue
        if "-" in part:
            a, b = part.split("-")
            n += int(b) - int(a) + 1
        else:
            n += 1
    return n


# ---------------------------------------------------------------- ranges (end exclusive)

def ranges_merge(rs):
    out = []
    for s, e in sorted(rs):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def ranges_subtract(rs, cut):
    out = []
    for s, e in ranges_merge(rs):
        pieces = [(s, e)]
        for cs, ce in ranges_merge(cut):
            nxt = []
            for ps, pe in pieces:
                if ce <= ps or pe <= cs:
                    nxt.append((ps, pe))
                    continue
                if ps < cs:
                    nxt.append((ps, cs))
                if ce < pe:
                    nxt.append((ce, pe))
            pieces = nxt
        out.extend(pieces)
    return ranges_merge(out)


def ranges_total(rs):
    return sum(e - s for s, e in rs)


def fmt_ranges(rs):
    return ",".join("%x-%x" % (s, e) for s, e in rs) or "-"


def parse_iomem(text):
    """System RAM ranges (any nesting level) and Crash kernel ranges of /proc/iomem."""
    ram, crash = [], []
    for line in text.splitlines():
        m = re.match(r"\s*([0-9a-f]+)-([0-9a-f]+) : (.*)$", line)
        if not m:
            continue
        s, e, name = int(m.group(1), 16), int(m.group(2), 16) + 1, m.group(3).strip()
        if name.startswith("System RAM"):
            ram.append((s, e))
        elif name == "Crash kernel":
            crash.append((s, e))
    return ranges_merge(ram), ranges_merge(crash)


# ---------------------------------------------------------------- console

class Console:
    """The guest's serial console on QEMU's stdout pipe, line by line with host times."""

    def __init__(self, proc, log_path, t0, on_line=None):
        self.proc = proc
        self.t0 = t0
        self.lines = []           # (host seconds since t0, text)
        self.cond = threading.Condition()
        self.eof = False
        self.log = open(log_path, "w", encoding="utf-8", errors="replace")
        self.on_line = on_line
        self.thread = threading.Thread(target=self._reader, daemon=True)
        self.thread.start()

    def _reader(self):
        buf = b""
        fd = self.proc.stdout.fileno()
        while True:
            try:
                data = os.read(fd, 65536)
            except OSError:
                data = b""
            if not data:
                break
            buf += data
            while b"\n" in buf:
                raw, buf = buf.split(b"\n", 1)
                self._add(raw)
        if buf:
            self._add(buf)
        with self.cond:
            self.eof = True
            self.cond.notify_all()
        self.log.flush()

    def _add(self, raw):
        text = raw.decode("utf-8", "replace").replace("\r", "")
        t = time.monotonic() - self.t0
        with self.cond:
            self.lines.append((t, text))
            self.cond.notify_all()
        self.log.write("[%9.3f] %s\n" % (t, text))
        self.log.flush()
        if self.on_line:
            self.on_line(t, text)

    def mark(self):
        with self.cond:
            return len(self.lines)

    def wait(self, regex, start, timeout):
        """Waits for a line matching regex at index >= start: (index, match, time)."""
        rx = re.compile(regex)
        deadline = time.monotonic() + timeout
        i = start
        with self.cond:
            while True:
                while i < len(self.lines):
                    m = rx.search(self.lines[i][1])
                    if m:
                        return i, m, self.lines[i][0]
                    i += 1
                if self.eof:
                    raise Failure("console closed (QEMU exited) while waiting for /%s/" % regex)
                left = deadline - time.monotonic()
                if left <= 0:
                    raise Failure("timeout (%.0f s) waiting for /%s/ on the console" % (timeout, regex))
                self.cond.wait(min(left, 1.0))

    def send(self, text):
        try:
            self.proc.stdin.write(text.encode())
            self.proc.stdin.flush()
        except (BrokenPipeError, ValueError) as e:
            raise Failure("cannot write to the console: %s" % e)

    def close(self):
        self.thread.join(timeout=5)
        self.log.close()


# ---------------------------------------------------------------- QMP

class QMP:
    def __init__(self, path, t0, log_path, timeout):
        self.t0 = t0
        self.log = open(log_path, "w", encoding="utf-8")
        self.lock = threading.Lock()
        self.cond = threading.Condition()
        self.events = []           # (host seconds, event dict)
        self.replies = {}
        self.next_id = 0
        self.closed = False
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise Failure("cannot connect to QMP at %s" % path)
                time.sleep(0.05)
        self.file = self.sock.makefile("rb")
        greeting = json.loads(self.file.readline())
        self._log("<", greeting)
        self.thread = threading.Thread(target=self._reader, daemon=True)
        self.thread.start()
        self.cmd("qmp_capabilities")

    def now(self):
        return time.monotonic() - self.t0

    def _log(self, d, obj):
        self.log.write("[%9.3f] %s %s\n" % (self.now(), d, json.dumps(obj)))
        self.log.flush()

    def _reader(self):
        while True:
            try:
                line = self.file.readline()
            except OSError:
                line = b""
            if not line:
                break
            try:
                msg = json.loads(line)
            except ValueError:
                continue
            self._log("<", msg)
            with self.cond:
                if "event" in msg:
                    self.events.append((self.now(), msg))
                elif "id" in msg:
                    self.replies[msg["id"]] = msg
                self.cond.notify_all()
        with self.cond:
            self.closed = True
            self.cond.notify_all()

    def cmd(self, execute, timeout=30, **arguments):
        with self.lock:
            self.next_id += 1
            rid = "chp-%d" % self.next_id
            msg = {"execute": execute, "id": rid}
            if arguments:
                msg["arguments"] = arguments
            self._log(">", msg)
            self.sock.sendall(json.dumps(msg).encode() + b"\n")
        deadline = time.monotonic() + timeout
        with self.cond:
            while rid not in self.replies:
                if self.closed:
                    raise Failure("QMP closed during %s" % execute)
                left = deadline - time.monotonic()
                if left <= 0:
                    raise Failure("QMP %s: no reply" % execute)
                self.cond.wait(min(left, 1.0))
            reply = self.replies.pop(rid)
        if "error" in reply:
            raise Failure("QMP %s: %s" % (execute, reply["error"].get("desc", reply["error"])))
        return reply.get("return")

    def event_mark(self):
        with self.cond:
            return len(self.events)

    def wait_event(self, name, start, timeout, pred=None):
        deadline = time.monotonic() + timeout
        i = start
        with self.cond:
            while True:
                while i < len(self.events):
                    t, ev = self.events[i]
                    if ev["event"] == name and (pred is None or pred(ev)):
                        return t, ev
                    i += 1
                if self.closed:
                    raise Failure("QMP closed while waiting for %s" % name)
                left = deadline - time.monotonic()
                if left <= 0:
                    raise Failure("timeout waiting for QMP event %s" % name)
                self.cond.wait(min(left, 1.0))

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass
        self.log.close()


# ---------------------------------------------------------------- guest shell

class Guest:
    def __init__(self, console, scale):
        self.console = console
        self.scale = scale
        self.n = 0

    def sh(self, cmd, timeout=30, check=True):
        """Runs one command line in the guest: (exit status, output lines)."""
        if "\n" in cmd:
            raise ValueError("one line per command")
        self.n += 1
        start = self.console.mark()
        self.console.send("%s\n@@CHP@@ %d\n" % (cmd, self.n))
        idx, m, _ = self.console.wait(r"@@CHP@@ %d (\d+)$" % self.n, start, timeout * self.scale)
        with self.console.cond:
            out = [text for _, text in self.console.lines[start:idx]
                   if not text.startswith(DAEMON_LINE_PREFIX)]
        rc = int(m.group(1))
        if check and rc != 0:
            raise Failure("guest command failed (%d): %s\n  %s" % (rc, cmd, "\n  ".join(out[-10:])))
        return rc, out

    def out(self, cmd, timeout=30):
        return "\n".join(self.sh(cmd, timeout)[1])


# ---------------------------------------------------------------- scenarios

STEP_KINDS = ("protect", "reload", "dimm-add", "dimm-del", "vmem-resize", "vmem-wait", "cpu-add", "cpu-del",
              "cpu-online", "guest", "qmp", "sleep", "memmark", "wait-state", "bench", "daemon-kill",
              "daemon-restarted", "daemon-signal", "agree")
# The kdump-tools guest's own steps (guest "kdump-tools").
STEP_KINDS += ("deb-install", "udev-settle")
GUESTS = ("busybox", "systemd", "kdump-tools")
CHECK_KINDS = ("markers", "cpus", "ranges", "removed", "makedumpfile", "kaslr")
VMCORE_EXPECT = ("pass", "fail", "no-capture", "none")
FIRMWARES = ("seabios", "ovmf")
MACHINE_TYPES = ("pc", "q35")
# The kernels (--kernel, machine.kernel): "6.1" is the Debian 6.1 kernel of tests/vm/setup,
# "6.12" the newest 6.x of bookworm-backports (setup --kernel-backports; CONFIG_CRASH_HOTPLUG),
# each with its own guest image. The env file's variables of each: CHP_VM_<X> and
# CHP_VM_BP_<X>; mkimage calls them default and backports (accepted here as aliases).
KERNELS = {"6.1": "CHP_VM_", "6.12": "CHP_VM_BP_", "arm64-6.1": "CHP_VM_ARM64_"}
KERNEL_ALIASES = {"default": "6.1", "backports": "6.12"}
MKIMAGE_KERNEL = {"6.1": "default", "6.12": "backports", "arm64-6.1": "default"}
SETUP_KERNEL_FLAG = {"6.12": "--kernel-backports", "arm64-6.1": "--arm64"}
# The guest architectures (machine.arch). An aarch64 scenario runs on Debian 12's arm64 kernel
# ("arm64-6.1", tests/vm/setup --arm64) only, with the helpers and the daemon of the cross
# build (--build-aarch64); --kernel all means the x86_64 kernels.
ARCHES = ("x86_64", "aarch64")
KERNEL_ARCH = {"6.1": "x86_64", "6.12": "x86_64", "arm64-6.1": "aarch64"}
X86_KERNELS = tuple(k for k in KERNELS if KERNEL_ARCH[k] == "x86_64")
# The kernels that update the header they were given at each hotplug (CONFIG_CRASH_HOTPLUG),
# holding the kexec lock meanwhile: only there can a load of the daemon's meet that lock.
SELF_UPDATING_KERNELS = ("6.12",)
# Without KASLR: x86-64's direct map at 0xffff888000000000 and text at 0xffffffff81000000;
# arm64 (VA_BITS 48, Linux 6.1) maps RAM from PAGE_OFFSET 0xffff000000000000 at PHYS_OFFSET,
# which is 0x40000000 on -M virt, and the image at KIMAGE_VADDR 0xffff800008000000
# (arch/arm64/include/asm/memory.h).
DIRECT_MAP_NOKASLR = {"x86_64": 0xffff888000000000, "aarch64": 0xffff000000000000 - 0x40000000}
TEXT_NOKASLR = {"x86_64": 0xffffffff81000000, "aarch64": 0xffff800008000000}
# Where each architecture's guest image keeps the kernel the crash kernel is loaded from.
GUEST_KERNEL = {"x86_64": "/boot/bzImage", "aarch64": "/boot/Image"}
STATES = ("protected", "kernel-managed")
# The daemon publishes "reloading" up to 50 ms before its quiet period ends (daemon/manager.c,
# ANNOUNCE_LEAD_MAX_USEC), reload_due still set: a step meant to act during the load waits
# this much longer after seeing it.
ANNOUNCE_AHEAD_S = 0.06
# A scenario may end unprotected (a fault the daemon cannot undo): then it must say so.
EXPECT_STATES = STATES + ("unprotected", "pending")
PRELOADS = ("kexec -s -p", "kexec -p")


def kernel_env(env, kernel):
    """The kernel's paths: version, bzImage, vmlinux, modules (None when not set up)."""
    pre = KERNELS[kernel]
    ke = {k: env.get(pre + k.upper()) for k in ("kernel_version", "bzimage", "vmlinux", "modules")}
    if KERNEL_ARCH[kernel] == "aarch64":
        # Debian's arm64 kernel is an Image, booted as it is (no vmlinux, no PVH).
        ke["bzimage"] = env.get(pre + "IMAGE") if env.get(pre + "USERLAND") else None
    return ke


def image_dir(out, kernel):
    return os.path.join(out, "image-" + kernel)
BENCH_METHODS = ("segments", "file", "kexec-s", "kexec")


def load_scenario(path):
    with open(path, encoding="utf-8") as f:
        scn = json.load(f)
    scn.setdefault("name", os.path.splitext(os.path.basename(path))[0])
    scn["file"] = path
    scn.setdefault("description", "")
    scn.setdefault("guest", "busybox")
    scn.setdefault("loaders", list(LOADERS))
    scn.setdefault("reload", "daemon")
    scn.setdefault("machine", {})
    scn.setdefault("steps", [])
    scn.setdefault("expect", {})
    scn.setdefault("daemon_config", {})
    scn.setdefault("type", "scenario")
    if scn["type"] not in ("scenario", "bench"):
        raise ValueError("%s: type must be scenario or bench" % path)
    if scn["type"] == "bench":
        # One run that compares the loaders itself: no Loader=, nobody reloads, no panic.
        scn["loaders"] = ["bench"]
        scn["reload"] = "none"
        scn["expect"].setdefault("vmcore", "none")
    fw = scn["machine"].get("firmware", "seabios")
    if fw not in FIRMWARES:
        raise ValueError("%s: machine.firmware must be one of %s" % (path, ", ".join(FIRMWARES)))
    if scn["machine"].get("type", "pc") not in MACHINE_TYPES:
        raise ValueError("%s: machine.type must be one of %s" % (path, ", ".join(MACHINE_TYPES)))
    if scn["guest"] not in GUESTS:
        raise ValueError("%s: guest must be one of %s" % (path, ", ".join(GUESTS)))
    # machine.kernel pins the scenario to one kernel; without it, it runs on those of --kernel.
    kern = scn["machine"].pop("kernel", None)
    arch = scn["machine"].setdefault("arch", "x86_64")
    if arch not in ARCHES:
        raise ValueError("%s: machine.arch must be one of %s" % (path, ", ".join(ARCHES)))
    if arch == "aarch64":
        # One arm64 kernel, the busybox guest, -M virt (no pc-dimm, firmware or machine type).
        if kern not in (None, "6.1", "arm64-6.1"):
            raise ValueError("%s: an aarch64 scenario runs on Debian 12's arm64 6.1 kernel only" % path)
        kern = "arm64-6.1"
        if scn["guest"] != "busybox" or any(k in scn["machine"] for k in ("firmware", "type")):
            raise ValueError("%s: an aarch64 scenario is a busybox guest on -M virt (no firmware, type)" % path)
        if any(st["do"] in ("dimm-add", "dimm-del") for st in scn["steps"]):
            raise ValueError("%s: no pc-dimm on aarch64: hot-plug memory with virtio-mem" % path)
    if kern is not None:
        kern = KERNEL_ALIASES.get(kern, kern)
        if kern not in KERNELS or KERNEL_ARCH[kern] != arch:
            raise ValueError("%s: machine.kernel must be one of %s" % (path, ", ".join(X86_KERNELS)))
    scn["kernel_pin"] = kern
    for ld in scn["loaders"]:
        if ld in DAEMON_LOADERS and scn["reload"] != "daemon":
            raise ValueError("%s: loader %r needs reload daemon" % (path, ld))
        if ld not in LOADERS + DAEMON_LOADERS and scn["type"] != "bench":
            raise ValueError("%s: unknown loader %r" % (path, ld))
    if scn["reload"] not in ("daemon", "none"):
        raise ValueError("%s: reload must be daemon or none" % path)
    for st in scn["steps"]:
        if st.get("do") not in STEP_KINDS:
            raise ValueError("%s: unknown step %r (known: %s)" % (path, st.get("do"), ", ".join(STEP_KINDS)))
        if "\n" in st.get("cmd", ""):
            raise ValueError("%s: a guest command is one line" % path)
        if st.get("preload") is not None and (st["do"] != "protect" or st["preload"] not in PRELOADS):
            raise ValueError("%s: preload is an argument of protect, one of: %s" % (path, ", ".join(PRELOADS)))
    exp = scn["expect"]
    exp.setdefault("vmcore", "pass")
    exp.setdefault("checks", ["cpus", "ranges"])
    exp.setdefault("state", "protected")
    if exp["state"] not in EXPECT_STATES:
        raise ValueError("%s: expect.state must be one of %s" % (path, ", ".join(EXPECT_STATES)))
    if exp["vmcore"] not in VMCORE_EXPECT:
        raise ValueError("%s: expect.vmcore must be one of %s" % (path, ", ".join(VMCORE_EXPECT)))
    if exp["vmcore"] == "no-capture" and not exp.get("serial"):
        raise ValueError("%s: expect.vmcore no-capture needs expect.serial (what the console must show)" % path)
    if exp.get("serial"):
        re.compile(exp["serial"])
    if exp.get("failing") is not None and (exp["vmcore"] != "fail" or
                                           any(not re.fullmatch(r"[a-z-]+", c) for c in exp["failing"])):
        raise ValueError("%s: expect.failing (vmcore-check's CHECK names that must fail, no others) needs "
                         "vmcore fail" % path)
    if exp.get("makedumpfile", "pass") not in ("pass", "fail"):
        raise ValueError("%s: expect.makedumpfile must be pass or fail" % path)
    if exp["vmcore"] == "none" and scn["type"] != "bench":
        raise ValueError("%s: expect.vmcore none is for bench scenarios" % path)
    for c in exp["checks"]:
        if c not in CHECK_KINDS:
            raise ValueError("%s: unknown check %r" % (path, c))
    # KASLR: the dump's direct-map offset and kernel text against the first kernel's
    # /proc/kcore, on for every scenario that checks a vmcore ("kaslr": false turns it off).
    if exp["vmcore"] in ("pass", "fail") and exp.get("kaslr", True) and "kaslr" not in exp["checks"]:
        exp["checks"] = exp["checks"] + ["kaslr"]
    return scn


# ---------------------------------------------------------------- accelerator

def choose_accel(want):
    """(accel, reason)."""
    kvm_ok, why = False, ""
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        why = "/dev/kvm is not usable"
    elif os.path.isdir("/sys/module/kvm_pvm"):
        why = "/dev/kvm is kvm_pvm (a host that is itself a VM), which cannot boot a stock kernel"
    else:
        try:
            flags = open("/proc/cpuinfo").read()
        except OSError:
            flags = ""
        if re.search(r"^flags\s*:.*\b(vmx|svm)\b", flags, re.M):
            kvm_ok, why = True, "/dev/kvm works and the CPU has vmx/svm"
        else:
            why = "the CPU has neither vmx nor svm"
    if want == "kvm":
        if not kvm_ok:
            return "kvm", "forced with --accel kvm, although " + why
        return "kvm", "forced with --accel kvm; " + why
    if want == "tcg":
        return "tcg", "forced with --accel tcg"
    return ("kvm", "auto: " + why) if kvm_ok else ("tcg", "auto: " + why + "; using TCG (software emulation)")


# ---------------------------------------------------------------- one run

def scenario_uses_cpu_hotplug(scn):
    return any(st["do"] in ("cpu-add", "cpu-del", "cpu-online") for st in scn["steps"])


class Run:
    def __init__(self, scn, loader, kernel, opts, env, image_dir, reload_mode, accel, accel_reason):
        self.scn = scn
        self.loader = loader
        self.kernel = kernel
        self.opts = opts
        self.env = env
        self.image = image_dir
        self.reload_mode = reload_mode      # daemon | harness-kexec | none
        self.accel = accel
        self.accel_reason = accel_reason
        self.name = "%s@%s@%s" % (scn["name"], loader, kernel)
        self.systemd = scn["guest"] == "systemd"
        self.kdt = scn["guest"] == "kdump-tools"
        self.arch = KERNEL_ARCH[kernel]
        self.scale = opts.timeout_scale
        if self.arch == "aarch64" and accel == "kvm":
            # An arm64 guest on this x86_64 host is emulated whatever /dev/kvm can do.
            accel, accel_reason = "tcg", "aarch64 guest on an x86_64 host: TCG (software emulation)"
            self.accel, self.accel_reason = accel, accel_reason
            self.scale = opts.timeout_scale_tcg
        self.guest_kernel = GUEST_KERNEL[self.arch]
        self.m = dict(memory="1G", slots=4, maxmem="8G", cpus=2, maxcpus=4, virtio_mem=None,
                      crashkernel="256M", qemu="default", firmware="seabios", type="pc")
        self.m.update(scn["machine"])
        self.m["kernel"] = kernel
        # See qemu_cmd: under TCG, 6.12 sees QEMU as VMware, in scenarios that hot-plug CPUs.
        self.m.setdefault("vmware_pose", kernel == "6.12" and scenario_uses_cpu_hotplug(scn))
        self.vmware_pose = bool(self.m["vmware_pose"]) and accel != "kvm"
        # The capture kernel's command line. The daemon gets KDUMP_CMDLINE as CommandLine= and
        # adds what a capture kernel needs itself. When the harness loads (reload "none",
        # harness-kexec, preload, bench), 6.12 gets acpi_no_memhotplug: Debian builds it with
        # CONFIG_MEMORY_HOTPLUG_DEFAULT_ONLINE, so its capture kernel would add and online the
        # pc-dimms that ACPI still lists, and allocate from them, over the dumped memory.
        self.kdump_cmdline = KDUMP_CMDLINE_AARCH64 if self.arch == "aarch64" else KDUMP_CMDLINE
        # arm64: no ACPI memory hotplug on -M virt's device tree boot, but the daemon appends it
        # to every capture command line, so the harness's loads get it as well.
        self.harness_cmdline = self.kdump_cmdline + (" acpi_no_memhotplug" if kernel in ("6.12", "arm64-6.1")
                                                     else "")
        self.kern = kernel_env(env, kernel)
        # QEMU's PVH entry is SeaBIOS's (linuxboot); OVMF starts the bzImage's EFI stub.
        self.first_kernel = ("image" if self.arch == "aarch64" else
                             "bzimage" if self.m["firmware"] == "ovmf" else opts.first_kernel)
        self.result = {
            "scenario": scn["name"], "file": os.path.relpath(scn["file"]), "loader": loader,
            "description": scn["description"], "guest": scn["guest"], "reload_mode": reload_mode,
            "accel": accel, "accel_reason": accel_reason, "first_kernel": self.first_kernel,
            "firmware": self.m["firmware"], "machine_type": self.m["type"],
            "kernel": kernel, "kernel_version": self.kern["kernel_version"], "arch": self.arch,
            "kernel_pinned": scn["kernel_pin"] is not None, "expect": scn["expect"],
            "kaslr": None,
            "steps": [], "checks": [], "failures": [], "figures": {}, "daemon_log": [],
        }
        self.fig = self.result["figures"]
        self.status_base = None
        self.killed_pid = None
        self.status = {}
        self.reloads_harness = 0
        self.reloads_before_hotplug = None
        self.ram_seen = []
        self.marks = None
        self.last_hotplug_t = None
        self.cpu_ids = []
        self.proc = None
        self.panic_kernel_offset = None
        self.qmp = None
        self.console = None

    # -- output
    def say(self, msg, t=None):
        t = self.now() if t is None else t
        line = "[%s %7.2fs] %s" % (self.name, t, msg)
        self.events_log.write(line + "\n")
        self.events_log.flush()
        if self.opts.narrate:
            print(line, flush=True)

    def now(self):
        return time.monotonic() - self.t0

    def check(self, name, ok, detail=""):
        self.result["checks"].append({"name": name, "ok": bool(ok), "detail": detail})
        if not ok:
            self.result["failures"].append("%s: %s" % (name, detail))
        self.say("%s %s %s" % ("ok  " if ok else "FAIL", name, detail))

    def on_console_line(self, t, text):
        if text.startswith(DAEMON_LINE_PREFIX):
            self.result["daemon_log"].append("[%9.3f] %s" % (t, text[len(DAEMON_LINE_PREFIX):]))
            if "reloaded" in text or "error" in text.lower() or "fail" in text.lower():
                self.say("daemon: " + text[len(DAEMON_LINE_PREFIX):], t)
        elif "Kernel panic" in text or "Kernel Offset" in text:
            self.say("console: " + text.strip(), t)
            m = re.search(r"Kernel Offset: (disabled|0x[0-9a-f]+)", text)
            if m:
                self.panic_kernel_offset = m.group(1)

    # -- QEMU
    def qemu_cmd_aarch64(self):
        """-M virt under TCG: Debian's arm64 Image booted directly (device tree, no firmware;
        KASLR from the tree's kaslr-seed and the CPU's RNDR), the console on the PL011,
        virtio-mem as the hot-pluggable memory (no pc-dimm)."""
        if not self.kern["bzimage"]:
            raise Failure("the arm64 kernel or its userland is not set up: run tests/vm/setup --arm64")
        append = ["console=ttyAMA0", "crashkernel=%s" % self.m["crashkernel"],
                  "memhp_default_state=online_movable", "panic=-1", "chp.auto=1"]
        if self.m["virtio_mem"]:
            append.append("chp.virtio=1")
        append += self.m.get("append", "").split()
        cmd = ["qemu-system-aarch64",
               "-name", "chp-vmtest,debug-threads=on", "-nodefaults", "-no-user-config",
               "-machine", "virt", "-cpu", "max", "-accel", "tcg",
               "-display", "none", "-serial", "stdio", "-no-reboot",
               "-m", "%s,slots=%d,maxmem=%s" % (self.m["memory"], self.m["slots"], self.m["maxmem"]),
               "-smp", "%d,maxcpus=%d" % (self.m["cpus"], self.m["maxcpus"]),
               "-qmp", "unix:%s,server=on,wait=off" % self.qmp_path,
               "-kernel", self.kern["bzimage"], "-initrd", os.path.join(self.image, "initramfs.cpio.gz"),
               "-append", " ".join(append)]
        if self.m["virtio_mem"]:
            cmd += ["-object", "memory-backend-ram,id=vmem0,size=%s" % self.m["virtio_mem"],
                    "-device", "virtio-mem-pci,id=vm0,memdev=vmem0,requested-size=0"]
        return cmd

    def qemu_cmd(self):
        if self.arch == "aarch64":
            return self.qemu_cmd_aarch64()
        env = self.env
        qemu = "qemu-system-x86_64"
        extra = []
        if self.m["qemu"] == "qemu10":
            if not env.get("CHP_VM_QEMU10"):
                raise Failure("this scenario needs QEMU 10: run tests/vm/setup --qemu10")
            qemu = env["CHP_VM_QEMU10"]
            extra = ["-L", env["CHP_VM_QEMU10_DATA"], "-L", env["CHP_VM_QEMU10_SEABIOS"]]
        if not self.kern["bzimage"]:
            raise Failure("the %s kernel is not set up: run tests/vm/setup %s" %
                          (self.kernel, SETUP_KERNEL_FLAG.get(self.kernel, "")))
        kernel = self.kern["vmlinux"] if self.first_kernel == "pvh" else self.kern["bzimage"]
        if self.m["firmware"] == "ovmf":
            if not env.get("CHP_VM_OVMF_CODE") or not env.get("CHP_VM_OVMF_VARS"):
                raise Failure("this scenario boots under OVMF: run tests/vm/setup --ovmf")
            # The firmware's variable store is written at boot: a fresh copy per run.
            vars_copy = os.path.join(self.tmp, "OVMF_VARS.fd")
            shutil.copyfile(env["CHP_VM_OVMF_VARS"], vars_copy)
            extra += ["-drive", "if=pflash,format=raw,unit=0,readonly=on,file=%s" % env["CHP_VM_OVMF_CODE"],
                      "-drive", "if=pflash,format=raw,unit=1,file=%s" % vars_copy]
        append = ["console=ttyS0", "crashkernel=%s" % self.m["crashkernel"],
                  "memhp_default_state=online_movable", "panic=-1"]
        if self.systemd:
            initrd = os.path.join(self.image, "initramfs-systemd.cpio.gz")
            # Only panic-level printk and no boot status on the console the harness reads.
            append += ["loglevel=1", "systemd.show_status=0", "systemd.log_level=warning"]
        else:
            initrd = os.path.join(self.image, "initramfs.cpio.gz")
            append.append("chp.auto=1")
        if self.m["virtio_mem"]:
            append.append("chp.virtio=1")
        # Extra first-kernel parameters of the scenario (e.g. preempt=full).
        append += self.m.get("append", "").split()
        cmd = [qemu] + extra + [
            "-name", "chp-vmtest,debug-threads=on", "-nodefaults", "-no-user-config", "-machine", self.m["type"],
            "-display", "none", "-serial", "stdio", "-no-reboot",
            "-m", "%s,slots=%d,maxmem=%s" % (self.m["memory"], self.m["slots"], self.m["maxmem"]),
            "-smp", "%d,maxcpus=%d" % (self.m["cpus"], self.m["maxcpus"]),
            "-qmp", "unix:%s,server=on,wait=off" % self.qmp_path,
            "-kernel", kernel, "-initrd", initrd,
            "-append", " ".join(append),
        ]
        if self.accel == "kvm":
            cmd += ["-accel", "kvm", "-cpu", "host"]
        elif self.vmware_pose:
            # Newer kernels (6.12 of bookworm-backports) count MADT LAPIC entries with
            # Enabled=0 (QEMU's hot-pluggable CPUs) as possible CPUs only under a known
            # hypervisor, and TCG's CPUID signature (TCGTCGTCGTCG) is not one: the guest
            # would allow 0 hotplug CPUs. Without the CPUID hypervisor bit, Linux takes a
            # DMI serial starting with "VMware" plus an answer on the VMware backdoor port
            # (QEMU's vmport, on by default for pc) as VMware.
            cmd += ["-accel", "tcg", "-cpu", "qemu64,-hypervisor", "-smbios", "type=1,serial=VMware-chp-vmtest"]
        else:
            cmd += ["-accel", "tcg"]
        if self.m["virtio_mem"]:
            cmd += ["-object", "memory-backend-ram,id=vmem0,size=%s" % self.m["virtio_mem"],
                    "-device", "virtio-mem-pci,id=vm0,memdev=vmem0,requested-size=0"]
        if self.kdt:
            cmd = self.kdt_qemu_cmd(cmd)
        return cmd

    # -- guest facts
    def guest_ram(self):
        ram, crash = parse_iomem(self.guest.out("cat /proc/iomem"))
        self.ram_seen = ranges_merge(self.ram_seen + ram)
        return ram, crash

    def guest_cpus_online(self):
        return parse_cpulist(self.guest.out("cat /sys/devices/system/cpu/online"))

    def uevent_seqnum(self):
        return int(self.guest.out("cat /sys/kernel/uevent_seqnum").strip())

    def note_uevents(self, what):
        """Says how many kernel uevents the guest emitted since the last call."""
        seq = self.uevent_seqnum()
        n, self.seq_last = seq - self.seq_last, seq
        self.say("guest: %d uevents for %s" % (n, what))
        return n

    def read_status(self):
        rc, out = self.guest.sh("cat /run/crash-hotplugd/status.json 2>/dev/null", check=False)
        if rc != 0:
            return None
        text = "".join(out).strip()
        try:
            return json.loads(text[text.index("{"):text.rindex("}") + 1])
        except ValueError:
            return None

    def wait_status(self, pred, what, timeout, poll=0.3):
        deadline = time.monotonic() + timeout * self.scale
        last = None
        while time.monotonic() < deadline:
            st = self.read_status()
            if st is not None:
                last = st
                if pred(st):
                    return st
            time.sleep(poll)
        raise Failure("timeout waiting for the daemon: %s (last status: %s)" % (what, json.dumps(last)))

    def settle_memory(self, before_total, delta, timeout=60):
        """Waits until the guest's System RAM grew by delta and no block is offline."""
        deadline = time.monotonic() + timeout * self.scale
        want = before_total + delta
        while True:
            ram, _ = self.guest_ram()
            total = ranges_total(ram)
            rc, _ = self.guest.sh("grep -qx offline /sys/devices/system/memory/memory*/state", check=False)
            if total == want and rc != 0:
                return ram
            if time.monotonic() > deadline:
                raise Failure("memory did not settle: System RAM %s, wanted %s" % (fmt_size(total), fmt_size(want)))
            time.sleep(0.2)

    def read_kaslr(self):
        """The running first kernel's direct-map offset and text placement, from the program
        headers of /proc/kcore (vmcore-check --kcore: an independent reader, not the lib's)."""
        rc, out = self.guest.sh("vmcore-check --kcore /proc/kcore", timeout=30, check=False)
        kj = None
        for line in out:
            if line.startswith("KCORE-JSON "):
                kj = json.loads(line[len("KCORE-JSON "):])
            elif line.startswith("CHECK ") and " FAIL " in line:
                self.say("kcore: " + line)
        self.result["kcore_output"] = out
        if kj is None:
            self.check("kcore", False, "vmcore-check --kcore /proc/kcore failed (%d): %s" %
                       (rc, " | ".join(out[-3:])))
            return
        off, tv, tp = (int(kj[k], 16) for k in ("direct_map_offset", "text_vaddr", "text_paddr"))
        dm0, tv0 = DIRECT_MAP_NOKASLR[self.arch], TEXT_NOKASLR[self.arch]
        active = off != dm0 or tv != tv0
        self.result["kaslr"] = {
            "active": active, "direct_map_offset": "0x%x" % off, "text_vaddr": "0x%x" % tv,
            "text_paddr": "0x%x" % tp, "text_virtual_offset": "0x%x" % (tv - tv0),
            "ram_loads": kj["ram_loads"], "source": "/proc/kcore", "first_kernel": self.first_kernel,
            "kcore_consistent": rc == 0,
        }
        self.fig["kaslr"] = active
        self.check("kcore", rc == 0, "direct-map offset 0x%x (%d RAM segments, %d disagreeing), text 0x%x at "
                   "paddr 0x%x" % (off, kj["ram_loads"], kj["ram_disagreeing"], tv, tp))
        if active and off == dm0:
            # arm64 6.1 randomizes the linear map only when it has room beyond the memory
            # hotplug may add; the image moves anyway.
            self.say("KASLR active: text at 0x%x (offset 0x%x), paddr 0x%x; the direct map is not "
                     "randomized (at 0x%x)" % (tv, tv - tv0, tp, off))
        elif active:
            self.say("KASLR active: direct map at 0x%x (not 0x%x), text at 0x%x (offset 0x%x), paddr 0x%x" %
                     (off, dm0, tv, tv - tv0, tp))
        else:
            self.say("KASLR INACTIVE: direct map at 0x%x, text at 0x%x (%s boot): the dump's virtual "
                     "addresses are checked against the unrandomized layout only" %
                     (off, tv, "PVH" if self.first_kernel == "pvh" else self.first_kernel))

    # -- loading the crash kernel from the harness
    def harness_kexec(self, why, corrupt=False):
        # Without the daemon, Loader=file is kexec_file_load (kexec -s -p) and kexec-tools is
        # kexec_load (kexec -p); Loader=segments is the lib's loader run by segments-load, with
        # the purgatory reporting on ttyS0 (--corrupt: it must refuse to boot).
        secs = None
        if self.loader == "segments":
            flag = "segments-load --serial" + (" --corrupt" if corrupt else "")
            cmd = "%s %s /boot/initrd-kdump.gz '%s'" % (flag, self.guest_kernel, self.harness_cmdline)
            rc, out = self.guest.sh("command -v segments-load >/dev/null", check=False)
            if rc != 0:
                raise Failure("segments-load is not in the guest image (built only in a build directory "
                              "without sanitizers)")
            t = self.now()
            _, out = self.guest.sh(cmd, timeout=60)
            for line in out:
                m = re.match(r"SEGMENTS-LOAD \d+ r=0 syscall_usec=(\d+)", line)
                if m:
                    secs = int(m.group(1)) / 1e6      # the syscall only, as the daemon reports it
                    self.say("segments-load: " + line)
        else:
            flag = "kexec -s -p" if self.loader == "file" else "kexec -p"
            cmd = "time %s %s --initrd=/boot/initrd-kdump.gz --append='%s'" % (flag, self.guest_kernel,
                                                                              self.harness_cmdline)
            t = self.now()
            _, out = self.guest.sh(cmd, timeout=60)
            for line in out:
                m = re.match(r"real\s+(\d+)m\s*([\d.]+)s", line.strip())
                if m:
                    secs = int(m.group(1)) * 60 + float(m.group(2))
        self.reloads_harness += 1
        key = "initial_load_ms" if why == "initial load" else "reload_syscall_ms"
        self.fig[key] = round(secs * 1000) if secs is not None else None
        if self.last_hotplug_t is not None and why == "reload":
            self.fig["last_event_to_reload_ms"] = round((self.now() - self.last_hotplug_t) * 1000)
        self.say("harness loaded the crash kernel (%s, %s) in %s s" % (why, flag, secs))
        return t

    def start_daemon(self):
        conf = {"Loader": self.loader, "Kernel": self.guest_kernel, "Initrd": "/boot/initrd-kdump.gz",
                "CommandLine": self.kdump_cmdline, "QuietPeriodSec": "1", "MaxDelaySec": "10"}
        conf.update({k: str(v) for k, v in self.scn["daemon_config"].items()})
        lines = ["[Daemon]"] + ["%s=%s" % kv for kv in conf.items()]
        self.guest.sh("printf '%%s\\n' %s > /etc/crash-hotplugd.conf" %
                      " ".join("'%s'" % ln for ln in lines))
        if self.systemd:
            # As a user would: the unit and udev rules installed by `meson install`.
            self.guest.sh("udevadm control --reload")
            # The initramfs root is tmpfs (mode 1777); a disk root is 0755, and the daemon
            # trusts nothing under a world-writable directory.
            self.guest.sh("chmod 0755 /")
            _, out = self.guest.sh("systemctl enable --now crash-hotplugd.service", timeout=120)
            self.say("guest$ systemctl enable --now crash-hotplugd.service%s" %
                     ((": " + " | ".join(out)) if out else ""))
        else:
            self.guest.sh("(crash-hotplugd --monitor=kernel --log-target=console --config /etc/crash-hotplugd.conf"
                          " 2>&1; echo \"exited with status $?\") | awk '{ print \"%s\" $0; fflush() }' &"
                          % DAEMON_LINE_PREFIX)
        st = self.wait_status(lambda s: s.get("state") in STATES, "state protected or kernel-managed", 60)
        self.status_base = st
        self.status = st
        self.fig["initial_load_ms"] = ms(st.get("last_reload_syscall_usec"))
        self.say("daemon protects the guest: state=%s loader=%s reloads=%s" %
                 (st.get("state"), st.get("loader"), st.get("reloads")))

    def before_hotplug(self):
        """The daemon's reload count before the first hotplug after a reload step (for the
        reload step's "more")."""
        if self.reload_mode == "daemon" and self.reloads_before_hotplug is None and self.status_base is not None:
            st = self.read_status()
            if st is not None:
                self.reloads_before_hotplug = st.get("reloads", 0)

    # -- steps
    def step_protect(self, st):
        if self.kdt:
            return self.kdt_protect(st)
        if st.get("corrupt") and (self.reload_mode == "daemon" or self.loader != "segments"):
            raise Failure("protect with corrupt: true needs reload none and Loader=segments")
        if st.get("preload"):
            # As a distribution's kdump service would: the crash kernel is loaded before
            # the daemon starts (kexec -s -p: kexec_file_load, whose header the kernel keeps
            # current with CONFIG_CRASH_HOTPLUG).
            cmd = "%s %s --initrd=/boot/initrd-kdump.gz --append='%s'" % (st["preload"], self.guest_kernel,
                                                                        self.harness_cmdline)
            self.guest.sh(cmd, timeout=60)
            hp = self.guest.out("cat /sys/devices/system/cpu/crash_hotplug /sys/devices/system/memory/crash_hotplug"
                                " 2>&1").split()
            self.result["crash_hotplug_after_preload"] = hp
            self.say("guest$ %s (preload); crash_hotplug (cpu, memory): %s" % (st["preload"], " ".join(hp)))
        if self.reload_mode == "daemon":
            self.start_daemon()
        else:
            self.harness_kexec("initial load", corrupt=bool(st.get("corrupt")))
        loaded = self.guest.out("cat /sys/kernel/kexec_crash_loaded").strip()
        if loaded != "1":
            raise Failure("no crash kernel loaded after protect (kexec_crash_loaded=%s)" % loaded)

    def step_reload(self, st):
        """Daemon: wait for the expected reloads; harness-kexec: reload now; none: nothing."""
        if self.reload_mode == "none":
            time.sleep(float(st.get("settle", 2)))
            self.say("no reload (the scenario runs without the daemon)")
            return
        if self.reload_mode == "harness-kexec":
            self.harness_kexec("reload")
            return
        if "more" in st:
            # Counted from the daemon's reloads just before the first hotplug since the last
            # reload step: a reload that certainly saw that hotplug.
            if self.reloads_before_hotplug is None:
                raise Failure("reload with more: no hotplug step since the last reload step")
            base = self.reloads_before_hotplug
            want = int(st["more"])
        else:
            base = self.status_base.get("reloads", 0)
            want = int(st.get("reloads", 1))
        self.reloads_before_hotplug = None
        t = self.now()
        # After a repair the kernel takes over again: kernel-managed is as good as protected.
        s = self.wait_status(lambda s: s.get("reloads", 0) - base >= want and s.get("state") in STATES,
                             "%d reload(s) and state protected or kernel-managed" % want, st.get("timeout", 90))
        base = self.status_base.get("reloads", 0)
        seen = self.now()
        settle = float(st.get("settle", 3))
        if settle > 0:
            time.sleep(settle)
            s = self.read_status() or s
        self.status = s
        if self.last_hotplug_t is not None:
            self.fig["host_hotplug_to_reload_seen_s"] = round(seen - self.last_hotplug_t, 2)
        self.say("daemon reloaded: reloads=%d (+%d) events=%s last burst=%s event->reload=%s ms syscall=%s ms"
                 " state=%s (waited %.1f s)" %
                 (s.get("reloads", 0), s.get("reloads", 0) - base, s.get("events_total"),
                  s.get("last_burst_events"), ms(s.get("last_event_to_reload_usec")),
                  ms(s.get("last_reload_syscall_usec")), s.get("state"), seen - t))

    def step_wait_state(self, st):
        if self.reload_mode != "daemon":
            time.sleep(float(st.get("fallback_sleep", 1.5)))
            return
        want = st["state"]
        # "or_reloaded": a reload may be over before a poll sees it (Loader=segments takes
        # ~40 ms); then the next steps land right after it instead of inside it, and the
        # log says so.
        base = (self.read_status() or {}).get("reloads", 0)
        or_reloaded = st.get("or_reloaded", False)
        s = self.wait_status(lambda s: s.get("state") == want or (or_reloaded and s.get("reloads", 0) > base),
                             "state " + want, st.get("timeout", 30), poll=st.get("poll", 0.05))
        if s.get("state") == want == "reloading" and s.get("reload_due"):
            # Published ahead of the quiet period's end (at most ANNOUNCE_AHEAD_S early), its
            # load due at reload_due: the steps after this one are to land inside the load.
            time.sleep(ANNOUNCE_AHEAD_S)
            self.say("daemon state is reloading, published ahead of its load: waited %.2f s for the load"
                     % ANNOUNCE_AHEAD_S)
        elif s.get("state") == want:
            self.say("daemon state is %s" % s.get("state"))
        else:
            self.say("daemon reloaded before a poll saw state %s (reloads %d -> %d): going on right after it" %
                     (want, base, s.get("reloads", 0)))

    # -- faults
    def step_daemon_kill(self, st):
        """Kills the daemon with `signal` (default KILL). With `during: "load"` a watcher in the
        guest waits until the daemon is reloading, then ANNOUNCE_AHEAD_S (past a "reloading"
        published ahead of the load), then until it is running (in its kexec syscall, or on the
        CPU: /proc/PID/syscall says 246, 320 or running), kills it then and returns at once:
        the following hotplug step starts that reload. daemon-restarted waits for the end."""
        if self.reload_mode != "daemon":
            raise Failure("daemon-kill needs reload daemon")
        sig = st.get("signal", "KILL")
        pid = (self.read_status() or {}).get("pid")
        if not pid:
            raise Failure("daemon-kill: no pid in status.json")
        self.killed_pid = pid
        kill = ("kill -%s %d; echo \"$k $(cut -d' ' -f1 /proc/uptime) $(cat /sys/kernel/kexec_crash_loaded)\" "
                "> /run/chp-killed" % (sig, pid))
        if st.get("during") == "load":
            # Polls slowly until the state is reloading, then with builtins only (no fork) until
            # the daemon leaves epoll_wait: the quiet period is over and the load runs.
            self.guest.sh("( until grep -q '\"state\":\"reloading\"' /run/crash-hotplugd/status.json; do sleep 0.05; "
                          "done; sleep %g; while read -r k rest < /proc/%d/syscall; do case $k in 246|320|running) break;; "
                          "esac; done; %s ) >/dev/null 2>&1 &" % (ANNOUNCE_AHEAD_S, pid, kill))
            self.say("guest: armed SIG%s of the daemon (pid %d) inside its next load" % (sig, pid))
        else:
            self.guest.sh("k=now; " + kill)
            self.say("guest: SIG%s to the daemon (pid %d)" % (sig, pid))

    def step_daemon_restarted(self, st):
        """After daemon-kill: waits until the watcher killed it and a new daemon (another pid,
        restarted by systemd) protects the machine; the time from the kill to that is
        restart_to_protected_s. The new daemon's status is the base of later reload counts."""
        deadline = time.monotonic() + float(st.get("timeout", 90)) * self.scale
        while True:
            rc, out = self.guest.sh("cat /run/chp-killed", check=False)
            if rc == 0 and out:
                break
            if time.monotonic() > deadline:
                raise Failure("the daemon was never killed (its load was not seen)")
            time.sleep(0.3)
        where, t_kill, loaded = out[-1].split()
        self.say("guest: the daemon was killed %s (guest uptime %s s); kexec_crash_loaded=%s right after" %
                 ("at once" if where == "now" else "while reloading, on the CPU" if where == "running"
                  else "inside syscall %s" % where, t_kill, loaded))
        self.fig["crash_loaded_after_kill"] = int(loaded)
        old = self.killed_pid
        s = self.wait_status(lambda s: s.get("pid") != old and s.get("state") in STATES,
                             "a restarted daemon, protected", float(st.get("timeout", 90)))
        t_up = float(self.guest.out("cut -d' ' -f1 /proc/uptime").strip())
        self.fig["restart_to_protected_s"] = round(t_up - float(t_kill), 2)
        self.fig["killed_in"] = where
        if self.systemd or self.kdt:
            n = self.guest.out("systemctl show -P NRestarts crash-hotplugd.service").strip()
            self.fig["systemd_restarts"] = int(n or 0)
            self.check("systemd-restarted", int(n or 0) >= 1, "NRestarts=%s" % n)
        self.check("daemon-restarted", s.get("pid") != old,
                   "pid %s -> %s, state %s, %.2f s after the kill" %
                   (old, s.get("pid"), s.get("state"), self.fig["restart_to_protected_s"]))
        self.status_base = s
        self.say("a new daemon (pid %s) protects the guest %.2f s after the kill: state=%s reloads=%s" %
                 (s.get("pid"), self.fig["restart_to_protected_s"], s.get("state"), s.get("reloads")))

    def step_daemon_signal(self, st):
        """Sends `signal` (default HUP) to the daemon and waits until it has handled it
        (status.json rewritten, or `settle` seconds)."""
        pid = (self.read_status() or {}).get("pid")
        if not pid:
            raise Failure("daemon-signal: no pid in status.json")
        self.guest.sh("kill -%s %d" % (st.get("signal", "HUP"), pid))
        time.sleep(float(st.get("settle", 2)))
        s = self.read_status() or {}
        self.say("guest: SIG%s to the daemon (pid %d): state=%s config_error=%r" %
                 (st.get("signal", "HUP"), pid, s.get("state"), s.get("config_error")))

    def step_agree(self, st):
        """`crash-hotplugctl status` and `crash-hotplugctl check` must tell the same story:
        `state` protected: status exits 0 and check's daemon line is ok; unprotected: status
        exits 3 saying UNPROTECTED and check fails on the daemon. `status_match` and
        `check_match` are regular expressions their output must also contain."""
        want = st.get("state", "protected")
        rc_s, out_s = self.guest.sh("crash-hotplugctl status", check=False)
        # The busybox guest's build has sysconfdir /usr/local/etc: check reads the daemon's file
        # (the systemd and kdump-tools guests install to /etc).
        rc_c, out_c = self.guest.sh("crash-hotplugctl check" + ("" if self.systemd or self.kdt else
                                                                " --config /etc/crash-hotplugd.conf"), check=False)
        text_s, text_c = "\n".join(out_s), "\n".join(out_c)
        self.result.setdefault("agree", []).append({"status_rc": rc_s, "status": out_s, "check_rc": rc_c,
                                                     "check": out_c})
        daemon_line = [ln for ln in out_c if re.match(r"\S+\s+daemon\s", ln)]
        self.say("guest$ crash-hotplugctl status -> %d: %s" % (rc_s, " | ".join(out_s[:2])))
        self.say("guest$ crash-hotplugctl check -> %d: %s" % (rc_c, " | ".join(daemon_line + out_c[-1:])))
        if want == "protected":
            self.check("agree-status", rc_s == 0, "status exit %d, expected 0 (protected)" % rc_s)
            self.check("agree-check", any(ln.startswith("ok ") for ln in daemon_line),
                       "check's daemon line: %s" % (daemon_line or "missing"))
        else:
            self.check("agree-status", rc_s == 3 and "UNPROTECTED" in text_s,
                       "status exit %d, expected 3 with UNPROTECTED" % rc_s)
            self.check("agree-check", rc_c != 0 and any(ln.startswith("FAIL ") and "UNPROTECTED" in ln
                                                        for ln in daemon_line),
                       "check exit %d, daemon line: %s" % (rc_c, daemon_line or "missing"))
        for key, text in (("status_match", text_s), ("check_match", text_c)):
            if key in st:
                self.check("agree-" + key, re.search(st[key], text, re.M) is not None,
                           "/%s/ in crash-hotplugctl %s" % (st[key], key.split("_")[0]))

    def step_dimm_add(self, st):
        size = parse_size(st.get("size", "512M"))
        did = st.get("id", "dimm%d" % len(self.result["steps"]))
        before, _ = self.guest_ram()
        self.before_hotplug()
        self.qmp.cmd("object-add", **{"qom-type": "memory-backend-ram", "id": "mem-" + did, "size": size})
        self.last_hotplug_t = self.now()
        self.qmp.cmd("device_add", driver="pc-dimm", id=did, memdev="mem-" + did)
        self.say("QMP: pc-dimm %s of %s added" % (did, fmt_size(size)))
        if st.get("wait", True):
            after = self.settle_memory(ranges_total(before), size)
            new = ranges_subtract(after, before)
            self.say("guest: System RAM %s online (%s)" % (fmt_size(size), fmt_ranges(new)))
            self.note_uevents("the pc-dimm")

    def step_dimm_del(self, st):
        did = st["id"]
        self.before_hotplug()
        mark = self.qmp.event_mark()
        self.last_hotplug_t = self.now()
        self.qmp.cmd("device_del", id=did)
        self.qmp.wait_event("DEVICE_DELETED", mark, 60 * self.scale, lambda e: e["data"].get("device") == did)
        self.qmp.cmd("object-del", id="mem-" + did)
        self.say("QMP: pc-dimm %s removed" % did)
        self.guest_ram()
        self.note_uevents("the pc-dimm removal")

    def step_vmem_resize(self, st):
        size = parse_size(st["size"])
        before, _ = self.guest_ram()
        self.before_hotplug()
        self.last_hotplug_t = self.now()
        self.qmp.cmd("qom-set", path="/machine/peripheral/vm0", property="requested-size", value=size)
        self.say("QMP: virtio-mem requested-size %s" % fmt_size(size))
        if st.get("wait", True):
            self.vmem_settle(size, before, st)

    def step_vmem_wait(self, st):
        self.vmem_settle(parse_size(st["size"]), self.ram_boot, st)

    def vmem_settle(self, size, before, st):
        """Waits until virtio-mem has size plugged and the guest's memory stopped changing."""
        deadline = time.monotonic() + 60 * self.scale
        while self.qmp.cmd("qom-get", path="/machine/peripheral/vm0", property="size") != size:
            if time.monotonic() > deadline:
                raise Failure("virtio-mem did not reach %s" % fmt_size(size))
            time.sleep(0.2)
        # The device has (un)plugged; wait for the guest's view to settle.
        prev = None
        while True:
            ram, _ = self.guest_ram()
            rc, _ = self.guest.sh("grep -qx offline /sys/devices/system/memory/memory*/state", check=False)
            if ram == prev and (rc != 0 or st.get("allow_offline")):
                break
            prev = ram
            if time.monotonic() > deadline:
                raise Failure("guest memory did not settle after the virtio-mem resize")
            time.sleep(0.3)
        added = ranges_subtract(ram, before)
        removed = ranges_subtract(before, ram)
        self.say("guest: virtio-mem settled, added %s, removed %s, System RAM %s" %
                 (fmt_ranges(added), fmt_ranges(removed), fmt_size(ranges_total(ram))))
        self.note_uevents("the virtio-mem resize")

    def step_cpu_add(self, st):
        slots = self.qmp.cmd("query-hotpluggable-cpus")
        free = [s for s in slots if "qom-path" not in s]
        if not free:
            raise Failure("no free CPU slot")
        free.sort(key=lambda s: tuple(s["props"].get(k, 0) for k in ("socket-id", "die-id", "core-id", "thread-id")))
        slot = free[0]
        cid = st.get("id", "cpuhp%d" % (len(self.cpu_ids) + 1))
        before = set(self.guest.out("ls /sys/devices/system/cpu").split())
        self.before_hotplug()
        self.last_hotplug_t = self.now()
        self.qmp.cmd("device_add", driver=slot["type"], id=cid, **slot["props"])
        self.say("QMP: CPU %s added (%s)" % (cid, ", ".join("%s=%s" % kv for kv in sorted(slot["props"].items()))))
        deadline = time.monotonic() + 30 * self.scale
        while True:
            now_ = set(self.guest.out("ls /sys/devices/system/cpu").split())
            new = sorted(c for c in now_ - before if re.fullmatch(r"cpu\d+", c))
            if new:
                break
            if time.monotonic() > deadline:
                raise Failure("the guest did not see the new CPU")
            time.sleep(0.2)
        cpu = new[0]
        self.cpu_ids.append((cid, cpu))
        if st.get("online", True):
            self.guest.sh("echo 1 > /sys/devices/system/cpu/%s/online" % cpu)
            self.last_hotplug_t = self.now()
            self.say("guest: %s online (%d CPUs online)" % (cpu, self.guest_cpus_online()))
        else:
            self.say("guest: %s present, left offline" % cpu)
        self.note_uevents("the CPU")

    def step_cpu_online(self, st):
        cpu = st["cpu"]
        val = "1" if st.get("online", True) else "0"
        self.before_hotplug()
        self.guest.sh("echo %s > /sys/devices/system/cpu/%s/online" % (val, cpu))
        self.last_hotplug_t = self.now()
        self.say("guest: %s online=%s" % (cpu, val))

    def step_cpu_del(self, st):
        if not self.cpu_ids:
            raise Failure("cpu-del: no CPU was added")
        cid, cpu = self.cpu_ids.pop() if "id" not in st else next(x for x in self.cpu_ids if x[0] == st["id"])
        self.before_hotplug()
        self.last_hotplug_t = self.now()
        self.qmp.cmd("device_del", id=cid)
        self.say("QMP: CPU %s (%s) unplug requested" % (cid, cpu))
        # QEMU 10 reports DEVICE_DELETED only for the CPU's lapic child: wait for the guest
        # to drop the CPU and for QEMU to free the slot instead.
        deadline = time.monotonic() + 60 * self.scale
        while True:
            rc, _ = self.guest.sh("test -e /sys/devices/system/cpu/%s" % cpu, check=False)
            if rc != 0 and not any(s.get("qom-path") == "/machine/peripheral/" + cid
                                   for s in self.qmp.cmd("query-hotpluggable-cpus")):
                break
            if time.monotonic() > deadline:
                raise Failure("CPU %s (%s) was not removed" % (cid, cpu))
            time.sleep(0.3)
        self.say("guest: %s removed; %d CPUs online" % (cpu, self.guest_cpus_online()))
        self.note_uevents("the CPU removal")

    def step_guest(self, st):
        if st.get("hotplug"):
            self.before_hotplug()
        rc, out = self.guest.sh(st["cmd"], timeout=st.get("timeout", 30), check=st.get("check", True))
        if st.get("hotplug"):
            self.last_hotplug_t = self.now()
        self.say("guest$ %s -> %d%s" % (st["cmd"], rc, (": " + " | ".join(out[-3:])) if out else ""))
        if st.get("rebase"):
            # The command restarted the daemon, whose counters start again at 0: figures
            # and expectations count from here.
            self.status_base = self.read_status() or {}
            self.say("status counters re-based after a daemon restart: reloads=%s" %
                     self.status_base.get("reloads"))
        if "match" in st:
            text = "\n".join(out)
            self.check("guest-output", re.search(st["match"], text, re.M) is not None,
                       "/%s/ in the output of %s" % (st["match"], st["cmd"]))
            self.result.setdefault("guest_output", {})[st["cmd"]] = out

    def step_qmp(self, st):
        if st.get("hotplug"):
            self.before_hotplug()
        r = self.qmp.cmd(st["execute"], **st.get("arguments", {}))
        if st.get("hotplug"):
            self.last_hotplug_t = self.now()
        self.say("QMP: %s -> %s" % (st["execute"], json.dumps(r)[:200]))

    def step_bench(self, st):
        """reload-bench in the guest: the reload window of Loader=segments, Loader=file,
        `kexec -s -p` and `kexec -p` with the same kernel and initrd (tests/vm/guest/reload-bench.c)."""
        n = int(st.get("reloads", 11))
        methods = st.get("methods", list(BENCH_METHODS))
        for mt in methods:
            if mt not in BENCH_METHODS:
                raise Failure("bench: unknown method %r" % mt)
        rc, _ = self.guest.sh("command -v reload-bench >/dev/null", check=False)
        if rc != 0:
            raise Failure("reload-bench is not in the guest image (built only without sanitizers)")
        timer = "/usr/lib/chp/kexec-syscall-timer.so"
        rc, _ = self.guest.sh("test -f " + timer, check=False)
        targ = (" --timer " + timer) if rc == 0 else ""
        cmd = "reload-bench -n %d -m %s%s %s /boot/initrd-kdump.gz '%s'" % (
            n, ",".join(methods), targ, self.guest_kernel, self.harness_cmdline)
        self.say("guest$ " + cmd)
        t = self.now()
        rc, out = self.guest.sh(cmd, timeout=120 + 20 * n * len(methods), check=False)
        self.fig["bench_s"] = round(self.now() - t, 1)
        data = None
        for line in out:
            if line.startswith("BENCH-JSON "):
                data = json.loads(line[len("BENCH-JSON "):])
            elif line.startswith("BENCH ") and " r=0 " not in line:
                self.say("bench: " + line)
        self.result["bench_output"] = out
        if rc != 0 or data is None:
            raise Failure("reload-bench failed (%d): %s" % (rc, " | ".join(out[-5:])))
        data["accel"] = self.accel
        data["kernel"] = self.kernel
        data["kernel_version"] = self.kern["kernel_version"]
        data["firmware"] = self.m["firmware"]
        data["window"] = ("time inside the load syscall (no crash kernel loaded meanwhile); for kexec-tools "
                          "measured by kexec-syscall-timer.so preloaded under kexec" if targ else
                          "time inside the load syscall; unknown for kexec-tools (no timer)")
        data["total"] = ("lib loaders: topology + elfcorehdr + the loader's whole load; "
                         "kexec-tools: the whole command, posix_spawn to waitpid")
        ms_ = {}
        for mt, d in data["methods"].items():
            w = d["median_window_usec"]
            ms_[mt] = round(w / 1000, 2) if w is not None and w >= 0 else None
            self.fig["bench_%s_window_ms" % mt] = ms_[mt]
            self.fig["bench_%s_total_ms" % mt] = round(d["median_total_usec"] / 1000, 1)
            if d.get("window_to_file") is not None:
                self.fig["bench_%s_to_file" % mt] = round(d["window_to_file"], 4)
        self.result["bench"] = data
        with open(os.path.join(self.opts.out, self.name + ".bench.json"), "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2)
            f.write("\n")
        for line in bench_table(data):
            self.say("bench: " + line)
        for what, limit in self.scn["expect"].get("max_window_ratio", {}).items():
            a, b = what.split("/")
            wa, wb = ms_.get(a), ms_.get(b)
            ok = wa is not None and wb is not None and wb > 0 and wa / wb <= float(limit)
            self.check("bench-" + what, ok, "median window %s %s ms / %s %s ms = %s (at most %s)" %
                       (a, wa, b, wb, "%.3f" % (wa / wb) if wa is not None and wb else "-", limit))

    def step_sleep(self, st):
        time.sleep(float(st["seconds"]))

    def step_memmark(self, st):
        mib = int(st.get("mib", 384))
        nonce = "%016x" % int.from_bytes(os.urandom(8), "little")
        # Hot-added memory: System RAM now that was not there at boot.
        ram, _ = self.guest_ram()
        hot = ranges_subtract(ram, self.ram_boot)
        args = " ".join("-r %x-%x" % r for r in hot)
        t = self.now()
        _, out = self.guest.sh("memmark -n %s -m %d %s" % (nonce, mib, args), timeout=120)
        info = {}
        for line in out:
            if line.startswith("MEMMARK "):
                info = dict(kv.split("=", 1) for kv in line.split()[1:])
        if not info:
            raise Failure("memmark printed no report: %s" % out)
        self.marks = {"nonce": nonce, "pages": int(info["pages"]), "hot": int(info["hot"]),
                      "moved": int(info["moved"]), "minpa": info["minpa"], "maxpa": info["maxpa"],
                      "hot_ranges": fmt_ranges(hot), "secs": round(self.now() - t, 2)}
        self.result["memmark"] = self.marks
        self.say("memmark: %d pages stamped with their physical address, %d in hot-added memory (%.1f s)" %
                 (self.marks["pages"], self.marks["hot"], self.now() - t))

    # -- the run
    def run(self):
        out = self.opts.out
        self.t0 = time.monotonic()
        self.events_log = open(os.path.join(out, self.name + ".log"), "w", encoding="utf-8")
        tmp = self.tmp = tempfile.mkdtemp(prefix="chp-vm-")
        self.qmp_path = os.path.join(tmp, "qmp.sock")
        try:
            self._run()
        except BootCrash as e:
            self.result["boot_crash"] = str(e)
            self.result["failures"].append("run: the guest kernel crashed while booting, before /init: %s" % e)
            self.say("ERROR the guest kernel crashed while booting, before /init: %s" % e)
        except Failure as e:
            self.result["failures"].append("run: %s" % e)
            self.say("ERROR %s" % e)
        finally:
            self.fig["total_s"] = round(self.now(), 1)
            self.stop()
            shutil.rmtree(tmp, ignore_errors=True)
        passed = not self.result["failures"]
        self.result["passed"] = passed
        self.say("%s %s (%.0f s, %s)" % ("PASS" if passed else "FAIL", self.name, self.fig["total_s"], self.accel))
        self.events_log.close()
        with open(os.path.join(out, self.name + ".json"), "w", encoding="utf-8") as f:
            json.dump(self.result, f, indent=2)
            f.write("\n")
        return self.result

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
        if self.qmp:
            self.qmp.close()
        if self.console:
            self.console.close()
        if getattr(self, "qemu_err", None):
            self.qemu_err.close()

    def boot(self):
        """Starts QEMU and waits for the first kernel's /init: the guest shell, the KASLR layout,
        the boot RAM and the crashkernel region; returns the uevent sequence number then. Also
        the start of other drivers' runs (tests/bench/vm/runner.py)."""
        cmd = self.qemu_cmd()
        self.result["qemu_cmdline"] = cmd
        self.say("accelerator %s (%s)" % (self.accel.upper(), self.accel_reason))
        self.say("starting QEMU: %s, %s machine, %s of kernel %s, %s RAM, %d CPUs (max %d), reload by %s, Loader=%s" %
                 ("aarch64, no firmware (device tree)" if self.arch == "aarch64" else
                  "UEFI (OVMF)" if self.m["firmware"] == "ovmf" else "SeaBIOS",
                  "virt" if self.arch == "aarch64" else self.m["type"],
                  "Image" if self.arch == "aarch64" else
                  "PVH vmlinux (no KASLR)" if self.first_kernel == "pvh" else "bzImage",
                  "%s (%s)" % (self.kernel, self.kern["kernel_version"]), self.m["memory"], self.m["cpus"],
                  self.m["maxcpus"], self.reload_mode, self.loader))
        self.qemu_err = open(os.path.join(self.opts.out, self.name + ".qemu.log"), "w")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.qemu_err, start_new_session=True)
        self.console = Console(self.proc, os.path.join(self.opts.out, self.name + ".serial.log"),
                               self.t0, self.on_console_line)
        self.qmp = QMP(self.qmp_path, self.t0, os.path.join(self.opts.out, self.name + ".qmp.log"),
                       30 * self.scale)
        try:
            _, m, t = self.console.wait(r"CHP-READY first ([\d.]+)", 0, 120 * self.scale)
        except Failure:
            crash = [ln for _, ln in self.console.lines if re.search(r"Kernel panic - not syncing|\bOops: ", ln)]
            if crash:
                raise BootCrash(crash[0].strip())
            raise
        self.fig["boot_s"] = round(t, 2)
        self.fig["guest_uptime_at_init_s"] = float(m.group(1))
        self.say("guest booted: /init after %.2f s (guest uptime %s s)" % (t, m.group(1)))
        if self.vmware_pose:
            self.say("TCG with the %s kernel: QEMU poses as VMware (DMI serial, vmport) so that the guest "
                     "allows hot-pluggable CPUs" % self.kernel)
        self.guest = Guest(self.console, self.scale)
        rc, _ = self.guest.sh("test -d /sys/firmware/efi", check=False)
        self.result["efi_boot"] = rc == 0
        if self.m["firmware"] == "ovmf":
            self.check("uefi-boot", rc == 0, "/sys/firmware/efi %s" % ("exists" if rc == 0 else "is missing"))
        self.read_kaslr()
        ram0, crash = self.guest_ram()
        self.ram_boot = ram0
        self.result["iomem_ram_boot"] = fmt_ranges(ram0)
        self.result["crashkernel"] = fmt_ranges(crash)
        if not crash:
            raise Failure("no crashkernel reservation in /proc/iomem")
        seq0 = self.seq_last = self.uevent_seqnum()
        return seq0

    def _run(self):
        scn, exp = self.scn, self.scn["expect"]
        seq0 = self.boot()

        for st in scn["steps"]:
            t = self.now()
            getattr(self, "step_" + st["do"].replace("-", "_"))(st)
            self.result["steps"].append({"do": st["do"], "start_s": round(t, 2), "end_s": round(self.now(), 2)})
        if exp["vmcore"] == "none":
            # A bench: its step made the checks; no panic.
            self.poweroff()
            return

        # Facts just before the panic.
        self.fig["uevents_kernel"] = self.uevent_seqnum() - seq0
        ram, crash = self.guest_ram()
        cpus = self.guest_cpus_online()
        loaded = self.guest.out("cat /sys/kernel/kexec_crash_loaded").strip()
        self.result["iomem_ram_final"] = fmt_ranges(ram)
        self.result["cpus_online"] = cpus
        removed = ranges_subtract(self.ram_seen, ram)
        self.result["removed_ranges"] = fmt_ranges(removed)
        if (self.systemd or self.kdt) and self.reload_mode == "daemon":
            _, jl = self.guest.sh("journalctl -u crash-hotplugd --no-pager -o short-monotonic | tail -n 100",
                                  check=False)
            self.result["daemon_log"] = jl
            for ln in jl:
                if "reloaded" in ln:
                    self.say("journal: " + ln)
        if self.reload_mode == "daemon":
            st = self.read_status() or {}
            self.status = st
            self.result["status_final"] = st
            base = self.status_base or {}
            self.fig["reloads"] = st.get("reloads", 0) - base.get("reloads", 0)
            self.fig["events"] = st.get("events_total", 0) - base.get("events_total", 0)
            self.fig["last_burst_events"] = st.get("last_burst_events")
            self.fig["last_event_to_reload_ms"] = ms(st.get("last_event_to_reload_usec"))
            self.fig["reload_syscall_ms"] = ms(st.get("last_reload_syscall_usec"))
            self.fig["failures_daemon"] = st.get("failures")
            self.fig["daemon_state"] = st.get("state")
            self.check("daemon-state", st.get("state") == exp["state"],
                       "state=%s expected=%s" % (st.get("state"), exp["state"]))
            if "reloads" in exp:
                want = exp["reloads"]
                lo, hi = (want, want) if isinstance(want, int) else (want[0], want[1])
                self.check("reloads", lo <= self.fig["reloads"] <= hi,
                           "reloads=%d expected=%s" % (self.fig["reloads"], want))
            self.fig["repairs"] = st.get("repairs", 0) - base.get("repairs", 0)
            self.fig["last_repair"] = st.get("last_repair")
            if "repairs" in exp:
                want = exp["repairs"]
                lo, hi = (want, want) if isinstance(want, int) else (want[0], want[1])
                self.check("repairs", lo <= self.fig["repairs"] <= hi,
                           "repairs=%d expected=%s (last: %s)" % (self.fig["repairs"], want, st.get("last_repair")))
            # Under KASLR the header's virtual addresses are right only when read from
            # /proc/kcore (the systemd unit must not hide it).
            self.check("kernel-map-from-kcore", st.get("kernel_map") == "kcore",
                       "kernel_map=%s (status.json)" % st.get("kernel_map"))
            # Failed loads are errors unless the scenario provokes them (a busy kexec lock).
            # "busy_failures": loads refused with EBUSY that are not counted against
            # "failures", on a kernel that updates its own header only (there a hotplug
            # during the daemon's load holds the kexec lock, and the daemon retries; the
            # vmcore still has to be right). Any other failure, or kernel, still counts.
            allowed = exp.get("failures", 0)
            got = st.get("failures", 0) - base.get("failures", 0)
            busy = ebusy_count(st) - ebusy_count(base)
            excused = min(busy, exp.get("busy_failures", 0)) if self.kernel in SELF_UPDATING_KERNELS else 0
            if got - excused > allowed:
                self.check("daemon-failures", False, "failures=%d (EBUSY %d, %d of them allowed), at most %d "
                           "expected" % (got, busy, excused, allowed))
            for rx in exp.get("daemon_log", []):
                self.check("daemon-log", any(re.search(rx, ln) for ln in self.result["daemon_log"]),
                           "/%s/ in the daemon's log" % rx)
        else:
            self.fig["reloads"] = self.reloads_harness - (1 if self.reloads_harness else 0)
            self.fig["events"] = None
        self.check("crash-kernel-loaded", loaded == "1", "kexec_crash_loaded=%s" % loaded)
        if "markers" in exp["checks"]:
            if not self.marks:
                raise Failure("the scenario checks markers but has no memmark step")
            self.check("markers-in-hot-memory", self.marks["hot"] > 0 and self.marks["moved"] == 0,
                       "hot=%d of %d pages, moved=%d" % (self.marks["hot"], self.marks["pages"], self.marks["moved"]))

        args = self.vmcore_check_args(exp["checks"], ram, crash, cpus, removed)

        if self.kdt:
            return self.kdt_capture(args)
        # Panic.
        self.say("panic: echo c > /proc/sysrq-trigger (%d CPUs online, System RAM %s)" %
                 (cpus, fmt_size(ranges_total(ram))))
        mark = self.console.mark()
        t_panic = self.now()
        self.console.send("echo c > /proc/sysrq-trigger\n")
        if exp["vmcore"] == "no-capture":
            self.expect_no_capture(mark, t_panic)
            return
        try:
            _, m, t = self.console.wait(r"CHP-READY (kdump|first)", mark, 180 * self.scale)
        except Failure as e:
            self.result["vmcore_check"] = "no-dump"
            raise Failure("no capture kernel after the panic: %s" % e)
        if m.group(1) != "kdump":
            self.result["vmcore_check"] = "no-dump"
            raise Failure("the guest rebooted into the first kernel instead of the capture kernel")
        self.fig["panic_to_kdump_s"] = round(t - t_panic, 2)
        self.say("capture kernel up %.1f s after the panic" % (t - t_panic))
        t = self.now()
        rc, out = self.guest.sh("vmcore-check " + " ".join(args), timeout=180, check=False)
        self.fig["vmcore_check_s"] = round(self.now() - t, 2)
        self.vmcore_verdict(rc, out)
        if "makedumpfile" in exp["checks"]:
            self.check_makedumpfile()
        if exp.get("serial"):
            self.check_serial(exp["serial"], mark)
        self.poweroff()

    def vmcore_check_args(self, checks, ram, crash, cpus, removed=()):
        """vmcore-check's arguments for the checks named, from what the first kernel showed
        right before the panic: its System RAM (less the first MiB and the crashkernel
        region, which no dump has), its online CPUs, the markers stamped, its KASLR layout."""
        args = []
        if "cpus" in checks:
            args += ["-c", str(cpus)]
        if "markers" in checks:
            args += ["-n", self.marks["nonce"], "-m", str(self.marks["pages"])]
        if "ranges" in checks:
            for s, e in ranges_subtract(ram, [(0, MIB)] + crash):
                args += ["-e", "%x-%x" % (s, e)]
        if "kaslr" in checks:
            k = self.result["kaslr"]
            if not k:
                raise Failure("the kaslr check needs the first kernel's /proc/kcore, which could not be read")
            args += ["-o", k["direct_map_offset"], "-t", "%s:%s" % (k["text_vaddr"], k["text_paddr"])]
        if "removed" in checks:
            if not removed:
                raise Failure("the scenario checks removed memory but nothing was removed")
            for s, e in removed:
                args += ["-x", "%x-%x" % (s, e)]
        self.result["vmcore_check_args"] = args
        return args

    def poweroff(self, wait=30):
        """poweroff -f in the guest, then waits (wait seconds, times the scale) for QEMU to exit;
        stop() kills it after that."""
        self.guest.console.send("poweroff -f\n")
        try:
            self.proc.wait(timeout=wait * self.scale)
        except subprocess.TimeoutExpired:
            self.say("QEMU did not exit after poweroff; killing it")

    def check_panic_offset(self):
        """The panic's "Kernel Offset:" line agrees with the text of /proc/kcore."""
        k, po = self.result.get("kaslr"), self.panic_kernel_offset
        if not k or po is None:
            return
        k["panic_kernel_offset"] = po
        tv_off = int(k["text_vaddr"], 16) - TEXT_NOKASLR[self.arch]
        want = "disabled" if tv_off == 0 else "0x%x" % tv_off
        got = po if po == "disabled" else "0x%x" % int(po, 16)
        # "disabled" also when KASLR is compiled in but off; offset 0 then matches it.
        self.check("kaslr-panic-offset", got == want or (got == "0x0" and tv_off == 0),
                   "panic said Kernel Offset: %s, /proc/kcore text says %s" % (po, want))

    def check_serial(self, regex, start):
        """expect.serial: a console line after the panic matches regex."""
        rx = re.compile(regex)
        with self.console.cond:
            hit = next((text for _, text in self.console.lines[start:] if rx.search(text)), None)
        self.check("serial", hit is not None, "/%s/ on the console after the panic%s" %
                   (regex, (": " + hit.strip()) if hit else ": not seen"))

    def expect_no_capture(self, mark, t_panic):
        """expect.vmcore no-capture: the console shows expect.serial after the panic (e.g. the
        purgatory's refusal) and no capture kernel starts, for no_capture_wait seconds more."""
        exp = self.scn["expect"]
        try:
            i, m, t = self.console.wait(exp["serial"], mark, 120 * self.scale)
        except Failure as e:
            self.result["vmcore_check"] = "no-dump"
            self.check("serial", False, "/%s/ not seen after the panic: %s" % (exp["serial"], e))
            return
        self.fig["panic_to_serial_s"] = round(t - t_panic, 2)
        self.check("serial", True, "%.1f s after the panic: %s" % (t - t_panic, m.string.strip()))
        wait = float(exp.get("no_capture_wait", 15))
        try:
            _, m2, t2 = self.console.wait(r"CHP-READY (kdump|first)|Linux version", i + 1, wait)
            started = "%s at %.1f s" % (m2.group(0), t2)
        except Failure as e:
            started = None if ("timeout" in str(e) or "QEMU exited" in str(e)) else str(e)
        self.result["vmcore_check"] = "no-capture" if started is None else "capture-started"
        self.check("no-capture-kernel", started is None,
                   "no kernel started within %.0f s after the message%s" %
                   (wait, "" if started is None else "; but: " + started))

    def check_makedumpfile(self):
        """Runs makedumpfile -l -d 31 on /proc/vmcore in the capture kernel, into its tmpfs.
        LZO (-l): uncompressed, the -d 31 dump of a 1.5 GiB guest is over 70 MiB, more than
        the capture kernel's tmpfs may take (half of about 140 MiB) and the write fails
        with ENOSPC."""
        _, free = self.guest.sh("grep -E '^(MemTotal|MemFree|MemAvailable):' /proc/meminfo", check=False)
        t = self.now()
        rc, _ = self.guest.sh("makedumpfile -l -d 31 /proc/vmcore /tmp/dump.d31 > /tmp/makedumpfile.log 2>&1",
                              timeout=300, check=False)
        secs = round(self.now() - t, 2)
        # Its progress lines end in carriage returns: keep the messages only.
        _, out = self.guest.sh("tr '\\r' '\\n' < /tmp/makedumpfile.log | "
                               "grep -v -e '^Copying data' -e '^Excluding' -e '^Checking for memory holes' -e '^$' | "
                               "tail -n 20", check=False)
        _, st = self.guest.sh("test -f /tmp/dump.d31 && wc -c < /tmp/dump.d31 && head -c 8 /tmp/dump.d31; echo",
                              check=False)
        size = int(st[0]) if st and st[0].strip().isdigit() else None
        sig = st[1].strip() if len(st) > 1 else ""
        self.result["makedumpfile"] = {"rc": rc, "seconds": secs, "dump_bytes": size, "signature": sig,
                                       "output": out, "meminfo_before": free}
        self.fig["makedumpfile_s"] = secs
        self.fig["makedumpfile_dump_mib"] = round(size / MIB, 1) if size else None
        ok = rc == 0 and size is not None and size > 0 and sig == "KDUMP"
        # expect.makedumpfile "fail": a dump known to be broken must also break makedumpfile.
        if self.scn["expect"].get("makedumpfile", "pass") == "fail":
            self.check("makedumpfile-fails", not ok, "expected to fail: makedumpfile -l -d 31 /proc/vmcore: exit "
                       "%d, %s bytes, signature %r, %.1f s; %s" % (rc, size, sig, secs, " | ".join(out[-6:])))
            self.guest.sh("rm -f /tmp/dump.d31", check=False)
            return
        self.check("makedumpfile", ok, "makedumpfile -l -d 31 /proc/vmcore: exit %d, %s bytes, signature %r, %.1f s%s" %
                   (rc, size, sig, secs, "" if ok else "; " + " | ".join(out[-6:])))
        self.guest.sh("rm -f /tmp/dump.d31", check=False)

    # -- the kdump-tools guest (guest "kdump-tools"): Debian's kdump-tools on a disk root, the
    # daemon from its .deb, the dump saved by kdump-tools and read back from the disk image
    def share_files(self):
        """Files put on the chp-share disk besides the harness's own (a subclass's helpers)."""
        return []

    def kdt_qemu_cmd(self, cmd):
        """The QEMU command line of the kdump-tools guest: the disk's own kernel and initrd
        (the same package version as the harness's 6.1 kernel), root on virtio-blk, and the
        per-run chp-share disk (the console script, the helpers, the .deb)."""
        d = self.env.get("CHP_VM_KDT_DIR")
        if not d or not os.path.isfile(os.path.join(d, "root.img")):
            raise Failure("no kdump-tools guest disk: run tests/vm/setup --kdump-tools (root)")
        if self.kernel != "6.1":
            raise Failure("the kdump-tools guest's disk has the 6.1 kernel package only")
        self.kdt_root = os.path.join(self.tmp, "root.img")
        self.kdt_share = os.path.join(self.tmp, "share.img")
        t = time.monotonic()
        # A sparse copy per run: the dump is written into it; the cached disk stays clean.
        subprocess.run(["cp", "--sparse=always", os.path.join(d, "root.img"), self.kdt_root], check=True)
        share = os.path.join(self.tmp, "share")
        os.makedirs(share)
        build = os.path.abspath(self.opts.build)
        shutil.copy(os.path.join(HERE, "guest", "chp-console"), share)
        for h in ("memmark", "vmcore-check"):
            shutil.copy(os.path.join(build, "tests", "vm", h), share)
        for f in self.share_files():
            shutil.copy(f, share)
        if any(st["do"] == "deb-install" for st in self.scn["steps"]):
            deb = find_deb(self.opts.deb, build)
            if not deb:
                raise Failure("no crash-hotplugd_*.deb: build it with tests/deb/build build-deb (or give --deb)")
            shutil.copy(deb, share)
            self.result["deb"] = os.path.basename(deb)
        r = subprocess.run(["mkfs.ext4", "-q", "-F", "-L", "chp-share", "-d", share, self.kdt_share, "64M"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if r.returncode != 0:
            raise Failure("mkfs.ext4 of the share disk failed: %s" % r.stdout.strip())
        self.fig["disk_prepare_s"] = round(time.monotonic() - t, 2)
        self.first_kernel = self.result["first_kernel"] = "bzimage"
        i = cmd.index("-kernel")
        cmd[i + 1] = os.path.join(d, "vmlinuz")
        cmd[cmd.index("-initrd") + 1] = os.path.join(d, "initrd.img")
        i = cmd.index("-append")
        keep = [a for a in cmd[i + 1].split() if not a.startswith("chp.")]
        cmd[i + 1] = " ".join(["root=/dev/vda", "rw"] + keep +
                              ["loglevel=1", "systemd.show_status=0", "systemd.log_level=warning"])
        return cmd + ["-drive", "file=%s,if=virtio,format=raw" % self.kdt_root,
                      "-drive", "file=%s,if=virtio,format=raw,readonly=on" % self.kdt_share]

    def kdt_protect(self, st):
        """kdump-tools.service loaded the crash kernel at boot (kdump-config load); the kexec
        syscalls are traced from here on (tracefs) to count reloads and the time without a
        crash kernel, whoever makes them."""
        deadline = time.monotonic() + 60 * self.scale
        while self.guest.out("cat /sys/kernel/kexec_crash_loaded").strip() != "1":
            if time.monotonic() > deadline:
                _, jl = self.guest.sh("journalctl -u kdump-tools --no-pager | tail -n 20", check=False)
                raise Failure("kdump-tools loaded no crash kernel at boot: %s" % " | ".join(jl))
            time.sleep(1)
        _, out = self.guest.sh("kdump-config show 2>&1", check=False)
        self.result["kdump_config_show"] = out
        self.say("kdump-tools loaded the crash kernel at boot (kdump-config show: %s)" %
                 " | ".join(ln.strip() for ln in out if "state" in ln or "kexec" in ln))
        tr = "/sys/kernel/tracing"
        self.guest.sh("test -d %s/events || mount -t tracefs nodev %s" % (tr, tr))
        self.guest.sh("(cd %s && echo 0 > tracing_on && echo mono > trace_clock && echo 2048 > buffer_size_kb && "
                      ": > trace && for e in enter exit; do for s in kexec_load kexec_file_load; do "
                      "echo 1 > events/syscalls/sys_${e}_$s/enable; done; done && echo 1 > tracing_on)" % tr)
        self.say("tracing kexec_load and kexec_file_load (tracefs)")

    def step_deb_install(self, st):
        """apt-get install of the daemon's .deb from chp-share, as a user installs a downloaded
        package (its dependencies are on the disk already: no network); the package enables and
        starts the unit. A drop-in sets Loader= (and the scenario's daemon_config) first."""
        conf = {"Loader": self.loader}
        conf.update({k: str(v) for k, v in self.scn["daemon_config"].items()})
        lines = ["[Daemon]"] + ["%s=%s" % kv for kv in conf.items()]
        self.guest.sh("mkdir -p /etc/crash-hotplugd.conf.d && printf '%%s\\n' %s > "
                      "/etc/crash-hotplugd.conf.d/40-vmtest.conf" % " ".join("'%s'" % ln for ln in lines))
        t = self.now()
        _, out = self.guest.sh("(cd /mnt/chp-share && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "
                               "./crash-hotplugd_*.deb) 2>&1", timeout=300)
        self.fig["deb_install_s"] = round(self.now() - t, 2)
        self.result["deb_install_output"] = out
        en = self.guest.out("systemctl is-enabled crash-hotplugd.service; systemctl is-active crash-hotplugd.service"
                            " || true").split()
        self.say("guest$ apt-get install ./%s (%.1f s): %s; unit %s" %
                 (self.result.get("deb"), self.fig["deb_install_s"],
                  " | ".join(ln for ln in out if "crash-hotplugd" in ln)[-300:], "/".join(en)))
        self.check("deb-enables-unit", en[:1] == ["enabled"], "systemctl is-enabled: %s" % " ".join(en))
        st = self.wait_status(lambda s: s.get("state") in STATES, "state protected or kernel-managed", 60)
        self.status_base = self.status = st
        self.fig["initial_load_ms"] = ms(st.get("last_reload_syscall_usec"))
        self.say("daemon protects the guest: state=%s loader=%s reloads=%s" %
                 (st.get("state"), st.get("loader"), st.get("reloads")))

    def step_udev_settle(self, st):
        """Waits until udev has run every rule (kdump-tools' try-reload runs in them) and no
        kdump-config is left."""
        secs = int(st.get("timeout", 120) * self.scale)
        t = self.now()
        self.guest.sh("udevadm settle --timeout=%d; i=0; while pgrep -f kdump-config >/dev/null && [ $i -lt %d ];"
                      " do sleep 1; i=$((i+1)); done" % (secs, secs), timeout=2 * secs + 30)
        self.say("udev settled (%.1f s)" % (self.now() - t))

    def kdt_capture(self, args):
        """The kexec figures, the panic, kdump-tools-dump.service in the capture kernel (it
        saves the dump under /var/crash/STAMP/ and reboots, so QEMU exits), then the dump read
        back from the disk image with debugfs and checked on the host."""
        exp = self.scn["expect"]
        _, tr = self.guest.sh("grep -h kexec_ /sys/kernel/tracing/trace", check=False)
        self.result["kexec_trace"] = tr
        kf = kexec_trace_figures(tr)
        self.result["kexec_figures"] = kf
        # kdump-config logs with logger -t "$NAME", which only its init script sets (udev's
        # try-reload logs untagged): every line that names it.
        _, jl = self.guest.sh("journalctl -b --no-pager -o short-monotonic | grep -e kdump -e udev", check=False)
        self.result["kdump_tools_journal"] = jl
        kf["kdump_tools_loaded_lines"] = sum(1 for ln in jl if ln.rstrip().endswith(": loaded kdump kernel"))
        self.fig.update({"kexec_loads": kf["loads"], "kexec_unloads": kf["unloads"],
                         "kexec_failed": kf["failed"], "loads_by": kf["by_comm"],
                         "kexec_refused": kf["refused"],
                         "no_crash_kernel_ms": kf["window_ms"], "longest_window_ms": kf["longest_ms"],
                         "kdump_tools_loaded_lines": kf["kdump_tools_loaded_lines"]})
        self.say("kexec since protect: %d load(s) %s, %d unload(s), %d failed, refused before they began %s; no "
                 "crash kernel for %s ms in all (longest %s ms); kdump-tools logged 'loaded kdump kernel' %d "
                 "time(s) this boot" %
                 (kf["loads"], json.dumps(kf["by_comm"]), kf["unloads"], kf["failed"], json.dumps(kf["refused"]),
                  kf["window_ms"],
                  kf["longest_ms"], kf["kdump_tools_loaded_lines"]))
        if kf["open"]:
            self.check("crash-kernel-at-panic", False, "the last unload or failed load was not followed by a load")
        self.guest.sh("sync")
        self.say("panic: echo c > /proc/sysrq-trigger (%d CPUs online)" % self.result["cpus_online"])
        mark = self.console.mark()
        t_panic = self.now()
        self.console.send("echo c > /proc/sysrq-trigger\n")
        self.kdt_wait_exit(mark, t_panic, float(exp.get("capture_timeout", 200)))
        elf = self.kdt_extract()
        self.vmcore_verdict(*self.kdt_vmcore_check(elf, args))
        if "makedumpfile" in exp["checks"]:
            t = self.now()
            d31 = os.path.join(self.tmp, "dump.d31")
            m = subprocess.run(["makedumpfile", "-l", "-d", "31", elf, d31], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
            sig = open(d31, "rb").read(8) if os.path.exists(d31) else b""
            self.fig["makedumpfile_s"] = round(self.now() - t, 2)
            self.check("makedumpfile", m.returncode == 0 and sig.startswith(b"KDUMP"),
                       "makedumpfile -l -d 31 on the saved dump (host): exit %d, signature %r%s" %
                       (m.returncode, sig, "" if m.returncode == 0 else "; " + m.stdout.strip()[-300:]))

    def kdt_wait_exit(self, mark, t_panic, timeout):
        """After the panic: QEMU exits (-no-reboot) when kdump-tools-dump.service has saved
        the dump and rebooted, or at once when no crash kernel took the panic (panic=-1).
        Returns the kdump-tools lines of the console after console index mark."""
        limit = timeout * self.scale
        try:
            self.proc.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            self.result["vmcore_check"] = "no-dump"
            raise Failure("QEMU still runs %.0f s after the panic: kdump-tools-dump did not save and reboot" % limit)
        self.fig["panic_to_exit_s"] = round(self.now() - t_panic, 2)
        # The reader thread has the last lines once it saw the end of QEMU's stdout.
        self.console.thread.join(timeout=5)
        with self.console.cond:
            said = [(t, x.strip()) for t, x in self.console.lines[mark:] if "kdump-tools" in x or "vmcore" in x]
        self.result["capture_console"] = [x for _, x in said]
        for t, x in said:
            if "saved vmcore" in x:
                self.fig["panic_to_saved_s"] = round(t - t_panic, 2)
        self.say("QEMU exited %.1f s after the panic (capture console: %s)" %
                 (self.fig["panic_to_exit_s"], " | ".join(x for _, x in said)[-400:]))
        return [x for _, x in said]

    def kdt_vmcore_check(self, elf, args):
        """vmcore-check of the build on the host on the saved dump: (exit status, lines)."""
        build = os.path.abspath(self.opts.build)
        t = self.now()
        r = subprocess.run([os.path.join(build, "tests", "vm", "vmcore-check"), "-f", elf] + args,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.fig["vmcore_check_s"] = round(self.now() - t, 2)
        return r.returncode, r.stdout.splitlines()

    def kdt_extract(self):
        """/var/crash/STAMP/ of the disk image (debugfs rdump, no mount), its dmesg kept; the
        dump made an ELF file (makedumpfile -R when kdump-config flattened it)."""
        def debugfs(req):
            r = subprocess.run(["debugfs", "-R", req, self.kdt_root], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
            return r.stdout
        # ls -p: /inode/mode/uid/gid/name/size/ per entry.
        stamps = sorted(f[5] for f in (ln.split("/") for ln in debugfs("ls -p /var/crash").splitlines())
                        if len(f) > 6 and re.fullmatch(r"2\d{11}", f[5]))
        self.result["var_crash"] = stamps
        if len(stamps) != 1:
            self.result["vmcore_check"] = "no-dump"
            raise Failure("/var/crash on the disk has %d dump directories (%s), not 1" % (len(stamps), stamps))
        dest = os.path.join(self.tmp, "crash")
        os.makedirs(dest)
        t = time.monotonic()
        debugfs("rdump /var/crash/%s %s" % (stamps[0], dest))
        got = os.path.join(dest, stamps[0])
        files = {f: os.path.getsize(os.path.join(got, f)) for f in os.listdir(got)}
        self.result["dump_files"] = files
        self.fig["extract_s"] = round(time.monotonic() - t, 2)
        dmesg = os.path.join(got, "dmesg." + stamps[0])
        if os.path.exists(dmesg):
            with open(dmesg, errors="replace") as f:
                self.result["dump_dmesg_tail"] = f.read().splitlines()[-15:]
        dump = next((os.path.join(got, f) for f in files if f.startswith(("dump.", "vmcore."))), None)
        self.say("/var/crash/%s on the disk: %s (debugfs rdump, %.1f s)" %
                 (stamps[0], ", ".join("%s %s" % (f, fmt_size(n)) for f, n in sorted(files.items())),
                  self.fig["extract_s"]))
        if not dump:
            self.result["vmcore_check"] = "no-dump"
            raise Failure("no dump file in /var/crash/%s: %s" % (stamps[0], sorted(files)))
        self.fig["dump_mib"] = round(os.path.getsize(dump) / MIB, 1)
        with open(dump, "rb") as f:
            head = f.read(16)
        if head.startswith(b"makedumpfile"):
            elf = os.path.join(self.tmp, "vmcore.elf")
            with open(dump, "rb") as f:
                # Bounded: on a flattened file cut short (the capture's makedumpfile failed
                # half-way) makedumpfile -R can spin for good (seen: 2 CPU minutes on 819 MiB).
                try:
                    r = subprocess.run(["makedumpfile", "-R", elf], stdin=f, stdout=subprocess.PIPE,
                                       stderr=subprocess.STDOUT, text=True, timeout=180)
                except subprocess.TimeoutExpired:
                    raise Failure("makedumpfile -R of the flattened dump did not end in 180 s") from None
            if r.returncode != 0:
                raise Failure("makedumpfile -R of the flattened dump failed: %s" % r.stdout.strip()[-300:])
            os.unlink(dump)
            self.say("the dump is flattened (kdump-config's -F): makedumpfile -R made an ELF file of %s" %
                     fmt_size(os.path.getsize(elf)))
        else:
            elf = dump
        with open(elf, "rb") as f:
            self.check("dump-is-elf", f.read(4) == b"\x7fELF", "the saved dump is an ELF file")
        return elf

    def vmcore_verdict(self, rc, out):
        """vmcore-check's output: the figures, the verdict against expect.vmcore."""
        exp = self.scn["expect"]
        verdict, failed = self.vmcore_read(rc, out)
        want = exp["vmcore"].upper()
        self.check("vmcore-%s" % exp["vmcore"], verdict == want,
                   "vmcore-check said %s, the scenario expects %s%s" %
                   (verdict, want, (" (" + "; ".join(failed) + ")") if failed else ""))
        if exp.get("failing") is not None:
            # A dump expected to fail for one reason must fail for that one, not another.
            names = sorted({ln.split()[0] for ln in failed if ln.split()})
            self.check("vmcore-failing", names == sorted(exp["failing"]),
                       "failed checks %s, the scenario expects exactly %s" % (names, sorted(exp["failing"])))

    def vmcore_read(self, rc, out):
        """vmcore-check's output into the result and the log: ("PASS" or "FAIL", the failed
        checks' lines); a Failure when it did not run to a verdict."""
        exp = self.scn["expect"]
        self.result["vmcore_output"] = out
        vj = {}
        for line in out:
            if line.startswith("VMCORE-JSON "):
                vj = json.loads(line[len("VMCORE-JSON "):])
        self.result["vmcore"] = vj
        if rc not in (0, 1) or not vj:
            self.result["vmcore_check"] = "error"
            raise Failure("vmcore-check failed to run (%d): %s" % (rc, " | ".join(out[-5:])))
        verdict = "PASS" if rc == 0 else "FAIL"
        self.result["vmcore_check"] = verdict
        failed = [ln[len("CHECK "):] for ln in out if ln.startswith("CHECK ") and " FAIL " in ln]
        for ln in out:
            if ln.startswith(("PHDR", "NOTE PRSTATUS", "SCAN", "KASLR-MISMATCH", "CHECK kaslr-")) or \
                    (ln.startswith("CHECK") and " FAIL " in ln):
                self.say("vmcore: " + ln)
        self.say("vmcore checked: %s (%d PT_LOADs, %d NT_PRSTATUS, markers %s/%s)%s" %
                 (verdict, vj.get("loads", 0), vj.get("prstatus", 0), vj.get("marks_valid", "-"),
                  vj.get("marks_expected", "-"), ("; failed: " + "; ".join(failed)) if failed else ""))
        self.fig["vmcore_prstatus"] = vj.get("prstatus")
        self.fig["vmcore_loads"] = vj.get("loads")
        self.fig["marks_found"] = vj.get("marks_valid")
        if "kaslr" in exp["checks"]:
            self.fig["kaslr_direct_map_mismatched"] = vj.get("kaslr_direct_map_mismatched")
            self.fig["kaslr_text_ok"] = bool(vj.get("kaslr_text_ok"))
            self.result["kaslr"]["vmcore_ram_loads_checked"] = vj.get("kaslr_direct_map_loads")
            self.result["kaslr"]["vmcore_ram_loads_mismatched"] = vj.get("kaslr_direct_map_mismatched")
            self.result["kaslr"]["vmcore_text_ok"] = bool(vj.get("kaslr_text_ok"))
        self.check_panic_offset()
        return verdict, failed


def find_deb(deb, build):
    """The daemon's .deb: --deb (a file, or a directory with crash-hotplugd_*.deb), else the
    newest in build-deb/ beside the build directory (where tests/run has tests/deb/build put it)."""
    where = deb or os.path.join(os.path.dirname(build), "build-deb")
    if os.path.isfile(where):
        return where
    try:
        debs = [os.path.join(where, f) for f in os.listdir(where) if re.match(r"crash-hotplugd_.*\.deb$", f)]
    except OSError:
        return None
    return max(debs, key=os.path.getmtime) if debs else None


KEXEC_TRACE = re.compile(r"^\s*(.+)-(\d+)\s+\[\d+\].*?\s(\d+\.\d+): sys_(kexec_load|kexec_file_load)"
                         r"(?:\((.*)\)| -> (0x[0-9a-f]+|-?\d+))")


def kexec_trace_figures(lines):
    """Loads, unloads and the time without a crash kernel from tracefs' syscall events of
    kexec_load and kexec_file_load (crash kernels only). The kernel frees the loaded crash
    kernel when either syscall starts, so a window opens at the entry of the first (un)load
    while one is loaded and closes at the return of the next successful load. A return without
    an entry is a call refused before it began (a seccomp filter: no sys_enter event), which
    changed nothing: counted as refused, with its error."""
    pending, by_comm, windows = {}, {}, []
    loaded, start, last = True, None, None
    loads = unloads = failed = 0
    refused = {}
    for ln in lines:
        m = KEXEC_TRACE.match(ln)
        if not m:
            continue
        comm, pid, t, name, argtext, ret = m.group(1).strip(), m.group(2), float(m.group(3)), m.group(4), \
            m.group(5), m.group(6)
        last = t
        if argtext is not None:
            a = dict(kv.split(": ", 1) for kv in argtext.split(", ") if ": " in kv)
            flags = int(a.get("flags", "0"), 16)
            if name == "kexec_load":
                crash, unload = flags & 1, int(a.get("nr_segments", "0"), 16) == 0
            else:
                crash, unload = flags & 2, bool(flags & 1)
            if not crash:
                continue
            pending[pid] = (unload, comm)
            if loaded:
                loaded, start = False, t
            continue
        if pid not in pending:
            err = "%s errno %d" % (comm, -(int(ret, 0) - (1 << 64)) if int(ret, 0) >> 63 else 0)
            refused[err] = refused.get(err, 0) + 1
            continue
        unload, comm = pending.pop(pid)
        ok = int(ret, 0) == 0
        if unload:
            unloads += ok
        elif ok:
            loads += 1
            by_comm[comm] = by_comm.get(comm, 0) + 1
            if not loaded:
                windows.append(t - start)
            loaded = True
        else:
            failed += 1
    return {"loads": loads, "unloads": unloads, "failed": failed, "by_comm": by_comm, "refused": refused,
            "windows_ms": [round(w * 1000, 1) for w in windows],
            "window_ms": round(sum(windows) * 1000, 1), "longest_ms": round(max(windows, default=0) * 1000, 1),
            "open": not loaded, "open_since_s": None if loaded or start is None else round(last - start, 3)}


KDT_FIGURES = (("reloads (kexec loads since boot load)", "kexec_loads"), ("loads by program", "loads_by"),
               ("unloads", "kexec_unloads"), ("failed loads", "kexec_failed"),
               ("calls refused (no syscall entry)", "kexec_refused"),
               ("'loaded kdump kernel' lines (incl. boot)", "kdump_tools_loaded_lines"),
               ("time without crash kernel ms", "no_crash_kernel_ms"), ("longest window ms", "longest_window_ms"),
               ("markers found", "marks_found"), ("NT_PRSTATUS", "vmcore_prstatus"), ("dump MiB", "dump_mib"),
               ("panic to QEMU exit s", "panic_to_exit_s"), ("boot s", "boot_s"), ("total s", "total_s"))


def kdt_table(results):
    """The kdump-tools guest's runs side by side (empty if there is none)."""
    runs = [r for r in results if r["guest"] == "kdump-tools"]
    if not runs:
        return []
    names = ["%s@%s" % (r["scenario"], r["loader"]) for r in runs]
    w = max([len(n) for n in names] + [14])
    lines = ["%-42s" % "kdump-tools guest" + "".join(" %-*s" % (w, n) for n in names)]
    for label, key in KDT_FIGURES:
        vals = []
        for r in runs:
            v = r["figures"].get(key)
            vals.append("-" if v is None else (json.dumps(v, separators=(",", ":")) if isinstance(v, dict) else str(v)))
        lines.append("%-42s" % label + "".join(" %-*s" % (w, v) for v in vals))
    lines.append("%-42s" % "vmcore" + "".join(" %-*s" % (w, r.get("vmcore_check", "-")) for r in runs))
    lines.append("%-42s" % "result" + "".join(" %-*s" % (w, "PASS" if r["passed"] else "FAIL") for r in runs))
    return lines


def bench_table(data):
    """The bench's medians as text lines."""
    lines = ["%-9s %3s %12s %12s %12s %12s" % ("method", "n", "window ms", "total ms", "prepare ms", "window/file")]
    for mt, d in data["methods"].items():
        def v(x, scale=1000.0):
            return "-" if x is None or x < 0 else "%.2f" % (x / scale)
        lines.append("%-9s %3d %12s %12s %12s %12s" % (mt, d["n"], v(d["median_window_usec"]),
                                                      v(d["median_total_usec"]), v(d["median_prepare_usec"]),
                                                      "-" if d.get("window_to_file") is None
                                                      else "%.4f" % d["window_to_file"]))
    return lines


def ebusy_count(st):
    """Loads status.json says were refused with EBUSY, by every loader."""
    return sum(v.get("EBUSY", 0) for v in (st.get("failures_by_reason") or {}).values() if isinstance(v, dict))


def ms(usec):
    return None if usec is None else round(usec / 1000)


# ---------------------------------------------------------------- main

def read_env(cache):
    env = {}
    with open(os.path.join(cache, "env"), encoding="utf-8") as f:
        for line in f:
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                env[k] = v
    return env


def summary_line(r):
    f = r["figures"]

    def v(x, unit=""):
        return "-" if x is None else "%s%s" % (x, unit)
    k = r.get("kaslr")
    kaslr = "?" if not k else ("on" if k["active"] else "OFF")
    return ("%-4s %-38s %-4s kaslr=%-3s %-3s %-13s uevents=%-3s events=%-3s reloads=%-2s ev->reload=%-7s "
            "syscall=%-7s boot=%-6s total=%s" %
            ("PASS" if r["passed"] else "FAIL", r["scenario"] + "@" + r["loader"], r["kernel"], kaslr,
             r["accel"], r["reload_mode"], v(f.get("uevents_kernel")), v(f.get("events")), v(f.get("reloads")),
             v(f.get("last_event_to_reload_ms"), "ms"),
             v(f.get("reload_syscall_ms"), "ms"), v(f.get("boot_s"), "s"), v(f.get("total_s"), "s")))


def _terminate(signum, frame):
    raise KeyboardInterrupt("signal %d" % signum)


def run_loaders(scn, kern, opts):
    """The loaders scn runs with on kern: a benchmark's own, else --loader, else default.txt's
    choice for that kernel, else every loader the scenario lists."""
    if scn["type"] == "bench":
        return scn["loaders"]
    return opts.loader or scn.get("default_loaders", {}).get(kern) or scn["loaders"]


def main():
    signal.signal(signal.SIGTERM, _terminate)
    ap = argparse.ArgumentParser(description="Run QEMU end-to-end scenarios of crash-hotplugd.")
    ap.add_argument("scenarios", nargs="*", metavar="FILE", help="scenario files (tests/vm/scenarios/*.json)")
    ap.add_argument("--default", action="store_true",
                    help="run the default set listed in tests/vm/scenarios/default.txt (after any FILE)")
    ap.add_argument("--build", default="build", help="meson build directory (default: ./build)")
    ap.add_argument("--build-aarch64", default=None,
                    help="the aarch64 cross build directory for machine.arch aarch64 scenarios "
                         "(tests/cross/run DIR; default: build-aarch64 beside --build)")
    ap.add_argument("--out", default=os.path.join(HERE, "out"), help="output directory (default: tests/vm/out)")
    ap.add_argument("--accel", choices=("auto", "tcg", "kvm"), default="auto")
    ap.add_argument("--list", action="store_true",
                    help="print the runs (SCENARIO@LOADER@KERNEL) the other options select, and exit")
    ap.add_argument("--narrate", action="store_true", help="print a human log of each run as it happens")
    ap.add_argument("--loader", action="append", choices=LOADERS + DAEMON_LOADERS,
                    help="run with these loaders instead of those the scenario names (repeatable)")
    ap.add_argument("--reload", choices=("auto", "daemon", "harness-kexec"), default="auto",
                    help="who reloads the crash kernel in scenarios that use the daemon "
                         "(auto: the daemon if the build has it, else the harness's own kexec)")
    ap.add_argument("--kernel", choices=X86_KERNELS + ("all",), default=None,
                    help="the kernels to run the scenarios on (default: all with --default, else 6.1); "
                         "a scenario that pins machine.kernel runs on that kernel only, an aarch64 one "
                         "(machine.arch) on arm64-6.1")
    ap.add_argument("--first-kernel", choices=("pvh", "bzimage"), default="bzimage",
                    help="boot the first kernel from its bzImage (default: KASLR on, as on real machines) "
                         "or as PVH vmlinux (about 3 s faster under TCG, but no KASLR: said loudly)")
    ap.add_argument("--timeout-scale", type=float, default=None,
                    help="multiply every timeout (default: 1 under KVM, 3 under TCG)")
    ap.add_argument("--deb", default=None,
                    help="the daemon's .deb for the kdump-tools guest, or a directory with it "
                         "(default: the newest crash-hotplugd_*.deb in build-deb/ beside --build)")
    ap.add_argument("--cache", default=os.environ.get("CHP_VM_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "crash-hotplugd-vm"))
    opts = ap.parse_args()

    # (file, kernel, {kernel: loaders}): in default.txt, a word "KERNEL" after FILE runs FILE on
    # that kernel only, a word "KERNEL:LOADER,..." runs only those of its loaders on that kernel
    # (the test budget); by name a scenario runs on the kernels of --kernel with all its loaders.
    files = [(p, None, {}) for p in opts.scenarios]
    if opts.default:
        sdir = os.path.join(HERE, "scenarios")
        with open(os.path.join(sdir, "default.txt"), encoding="utf-8") as f:
            for ln in f:
                words = ln.split()
                if words and not ln.startswith("#"):
                    kern = next((w for w in words[1:] if ":" not in w), None)
                    only = {w.split(":", 1)[0]: w.split(":", 1)[1].split(",") for w in words[1:] if ":" in w}
                    files.append((os.path.join(sdir, words[0]), kern, only))
    if not files:
        ap.error("no scenario: give FILE... or --default")
    try:
        scenarios = []
        for p, kern, only in files:
            scn = load_scenario(p)
            for k in ([kern] if kern is not None else []) + list(only):
                if k not in X86_KERNELS:
                    raise ValueError("default.txt: %s: unknown kernel %r (known: %s)" % (p, k, ", ".join(X86_KERNELS)))
            for k, lds in only.items():
                if not lds or any(ld not in scn["loaders"] for ld in lds):
                    raise ValueError("default.txt: %s: %s:%s names a loader the scenario does not list (%s)" %
                                     (p, k, ",".join(lds), ", ".join(scn["loaders"])))
            scn["default_kernel"] = kern
            scn["default_loaders"] = only
            scenarios.append(scn)
    except (OSError, ValueError) as e:
        print("vmtest: %s" % e, file=sys.stderr)
        return 2
    opts.kernel = opts.kernel or ("all" if opts.default else "6.1")
    want_kernels = list(X86_KERNELS) if opts.kernel == "all" else [opts.kernel]
    # (scenario, kernel) pairs, in file order and then kernel order.
    plan = []
    for scn in scenarios:
        if scn["kernel_pin"] is not None:
            if scn["kernel_pin"] not in want_kernels and KERNEL_ARCH[scn["kernel_pin"]] == "x86_64":
                print("vmtest: %s pins kernel %s: run on it only (--kernel %s)" %
                      (scn["name"], scn["kernel_pin"], opts.kernel), file=sys.stderr)
            plan.append((scn, scn["kernel_pin"]))
        elif scn["default_kernel"] is not None:
            plan.extend((scn, k) for k in want_kernels if k == scn["default_kernel"])
        else:
            plan.extend((scn, k) for k in want_kernels)
    if opts.list:
        for scn, kern in plan:
            for loader in run_loaders(scn, kern, opts):
                print("%s@%s@%s" % (scn["name"], loader, kern))
        return 0
    env = read_env(opts.cache)
    os.makedirs(opts.out, exist_ok=True)
    opts.out = os.path.abspath(opts.out)

    accel, reason = choose_accel(opts.accel)
    # Runs that are TCG whatever the host has (an aarch64 guest) scale as TCG does.
    opts.timeout_scale_tcg = opts.timeout_scale or 3.0
    if opts.timeout_scale is None:
        opts.timeout_scale = 1.0 if accel == "kvm" else 3.0
    banner = "ACCELERATOR: %s -- %s" % (accel.upper(), reason)
    print("=" * len(banner), file=sys.stderr)
    print(banner, file=sys.stderr)
    print("=" * len(banner), file=sys.stderr)

    build = os.path.abspath(opts.build)
    build_a64 = os.path.abspath(opts.build_aarch64 or os.path.join(os.path.dirname(build), "build-aarch64"))
    builds = {"x86_64": build, "aarch64": build_a64}
    if any(KERNEL_ARCH[k] == "aarch64" for _, k in plan):
        if not os.access(os.path.join(build_a64, "tests", "vm", "vmcore-check"), os.X_OK):
            print("vmtest: aarch64 scenarios need the cross build: %s has no tests/vm/vmcore-check "
                  "(tests/cross/run %s makes it)" % (build_a64, os.path.relpath(build_a64)), file=sys.stderr)
            return 2
        if not os.access(os.path.join(build_a64, "daemon", "crash-hotplugd"), os.X_OK):
            print("vmtest: %s has no daemon: the aarch64 scenarios need it (tests/cross/run)" % build_a64,
                  file=sys.stderr)
            return 2
    has_daemon = os.access(os.path.join(build, "daemon", "crash-hotplugd"), os.X_OK)
    if opts.reload == "daemon" and not has_daemon:
        print("vmtest: --reload daemon, but %s/daemon/crash-hotplugd does not exist" % build, file=sys.stderr)
        return 2
    daemon_mode = "daemon" if (opts.reload == "daemon" or (opts.reload == "auto" and has_daemon)) else "harness-kexec"
    if daemon_mode != "daemon":
        print("vmtest: RELOADS BY THE HARNESS (kexec from the test), not by crash-hotplugd: %s" %
              ("asked with --reload harness-kexec" if opts.reload == "harness-kexec"
               else "%s/daemon/crash-hotplugd is not built" % build), file=sys.stderr)

    t = time.monotonic()
    # What the scenarios need and the cache lacks: (needed, env key, setup flag, why).
    wants = [
        (any(s["machine"].get("qemu") == "qemu10" for s in scenarios), "CHP_VM_QEMU10", "--qemu10",
         "fetching QEMU 10 for CPU removal"),
        (any("makedumpfile" in s["expect"]["checks"] for s in scenarios) and not shutil.which("makedumpfile"),
         None, None, "installing makedumpfile for the capture initrd"),
        (any(k == "6.12" for _, k in plan), "CHP_VM_BP_BZIMAGE", "--kernel-backports",
         "fetching the bookworm-backports kernel for 6.12"),
        (any(k == "arm64-6.1" for _, k in plan), "CHP_VM_ARM64_USERLAND", "--arm64",
         "fetching the arm64 kernel, busybox, kexec-tools and makedumpfile"),
        (any(s["machine"].get("firmware") == "ovmf" for s in scenarios), "CHP_VM_OVMF_CODE", "--ovmf",
         "installing the UEFI firmware"),
        (any(s["guest"] == "systemd" for s in scenarios), "CHP_VM_SYSTEMD_ROOT", "--systemd",
         "building the systemd guest's root file system"),
        (any(s["guest"] == "kdump-tools" for s in scenarios), "CHP_VM_KDT_DIR", "--kdump-tools",
         "building the kdump-tools guest's disk"),
    ]
    for needed, key, flag, why in wants:
        if not needed or (key and env.get(key)):
            continue
        cmd = [os.path.join(HERE, "setup")] + ([flag] if flag else [])
        print("vmtest: %s (tests/vm/%s)" % (why, " ".join(["setup"] + cmd[1:])), file=sys.stderr)
        if subprocess.run(cmd, stdout=subprocess.DEVNULL).returncode:
            print("vmtest: tests/vm/%s failed" % " ".join(["setup"] + cmd[1:]), file=sys.stderr)
            return 2
        env = read_env(opts.cache)
    kernels = sorted({k for _, k in plan}, key=list(KERNELS).index)
    for kern in kernels:
        # One image per kernel (its bzImage as /boot/bzImage, its modules); the systemd
        # guest's project build directory is shared.
        mk = [os.path.join(HERE, "mkimage"), "--build", builds[KERNEL_ARCH[kern]], "--out",
              image_dir(opts.out, kern), "--cache", opts.cache, "--kernel", MKIMAGE_KERNEL[kern],
              "--arch", KERNEL_ARCH[kern]]
        if any(s["guest"] == "systemd" for s, k in plan if k == kern):
            mk += ["--systemd", "--systemd-build", os.path.join(opts.out, "build-systemd")]
        r = subprocess.run(mk)
        if r.returncode != 0:
            print("vmtest: building the guest image for kernel %s failed" % kern, file=sys.stderr)
            return 2
    image_s = time.monotonic() - t
    if opts.first_kernel == "pvh":
        print("vmtest: FIRST KERNEL BOOTED AS PVH vmlinux (--first-kernel pvh): NO KASLR, except under OVMF",
              file=sys.stderr)

    results = []
    retried = []  # runs repeated after the guest kernel crashed while booting
    for scn, kern in plan:
        for loader in run_loaders(scn, kern, opts):
            mode = "none" if scn["reload"] == "none" else daemon_mode
            if KERNEL_ARCH[kern] == "aarch64" and mode != "none" and opts.reload != "harness-kexec":
                mode = "daemon"      # the cross build has the daemon (checked above)
            if scn["guest"] == "systemd" and mode != "none":
                mode = "daemon"      # built and installed from the tree by mkimage --systemd
            if scn["guest"] == "kdump-tools" and mode != "none":
                mode = "daemon"      # from the .deb of tests/deb/build (step deb-install)
            run = Run(scn, loader, kern, opts, env, image_dir(opts.out, kern), mode, accel, reason)
            try:
                res = run.run()
                if res.get("boot_crash"):
                    # Once, loudly: a crash of the guest kernel before /init is no test of
                    # ours; a second one fails the run.
                    print("RETRY %s: the guest kernel crashed while booting, before anything of the project "
                          "ran (%s); running it once more" % (run.name, res["boot_crash"]), flush=True)
                    retried.append(run.name)
                    run = Run(scn, loader, kern, opts, env, image_dir(opts.out, kern), mode, accel, reason)
                    res = run.run()
                    res["retried_after_boot_crash"] = True
            except KeyboardInterrupt:
                print("vmtest: interrupted during %s" % run.name, file=sys.stderr)
                return 130
            results.append(res)
            print(summary_line(res), flush=True)
            if res.get("bench"):
                print("\n".join("     " + ln for ln in bench_table(res["bench"])), flush=True)
            for f in res["failures"]:
                print("     - %s" % f, flush=True)

    side = kdt_table(results)
    if side:
        print("\n".join([""] + side), flush=True)
    passed = sum(1 for r in results if r["passed"])
    failed = len(results) - passed
    no_kaslr = [r["scenario"] + "@" + r["loader"] + "@" + r["kernel"] for r in results
                if not r.get("kaslr") or not r["kaslr"]["active"]]
    lines = [banner, "kernels %s, first kernel %s, reloads by %s, image built in %.1f s" %
             (", ".join("%s (%s)" % (k, kernel_env(env, k)["kernel_version"]) for k in kernels),
              opts.first_kernel, daemon_mode, image_s), ""]
    for r in results:
        lines.append(summary_line(r))
        lines.extend("     - %s" % f for f in r["failures"])
    lines += ([""] + side) if side else []
    lines += ["", "%d passed, %d failed" % (passed, failed)]
    if retried:
        lines += ["", "!!! %d RUN(S) REPEATED: the guest kernel crashed while booting, before /init (%s)" %
                  (len(retried), ", ".join(retried))]
    if no_kaslr:
        warn = ("!!! KASLR INACTIVE OR UNKNOWN IN %d OF %d RUN(S): their dumps were not checked against a "
                "randomized layout:" % (len(no_kaslr), len(results)))
        lines += ["", "!" * 72, warn] + ["!!!   " + n for n in no_kaslr] + ["!" * 72]
    with open(os.path.join(opts.out, "summary.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    with open(os.path.join(opts.out, "summary.json"), "w", encoding="utf-8") as f:
        json.dump({"accel": accel, "accel_reason": reason, "reload_mode": daemon_mode,
                   "first_kernel": opts.first_kernel,
                   "kernels": {k: kernel_env(env, k)["kernel_version"] for k in kernels},
                   "passed": passed, "failed": failed, "kaslr_inactive_runs": no_kaslr,
                   "retried_after_boot_crash": retried,
                   "runs": [{"name": r["scenario"] + "@" + r["loader"] + "@" + r["kernel"],
                             "scenario": r["scenario"], "loader": r["loader"], "kernel": r["kernel"],
                             "kernel_version": r["kernel_version"], "kaslr": r.get("kaslr"),
                             "passed": r["passed"], "figures": r["figures"], "failures": r["failures"]}
                            for r in results]},
                  f, indent=2)
        f.write("\n")
    print("\n%d passed, %d failed" % (passed, failed))
    if retried:
        print("!!! %d run(s) repeated after the guest kernel crashed while booting: %s" %
              (len(retried), ", ".join(retried)))
    if no_kaslr:
        print("\n".join(lines[lines.index("!" * 72):]))
    print("results: %s" % opts.out)
    return 0 if failed == 0 and results else 1


if __name__ == "__main__":
    sys.exit(main())
