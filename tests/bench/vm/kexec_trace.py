# SPDX-License-Identifier: GPL-2.0-or-later
"""Turns a tracefs text trace of the kexec syscalls (chp-kexec-trace) into the figures of the
peer benchmark: every load and unload call, the windows with no crash kernel loaded, their
sum, the reloads, the processes spawned, and the guest CPU seconds.

Input: the text of a tracefs `trace` file, as `cat /sys/kernel/tracing/instances/X/trace`
prints it (header comments, then one event per line), optionally preceded by
chp-kexec-trace's "# chp: key=value" lines. The syscall events print as the kernel's
print_syscall_enter()/print_syscall_exit() (kernel/trace/trace_syscalls.c) write them:
every argument "name: %lx" (hex without 0x), the exit "-> 0x%lx" (a negative errno as its
two's complement):

    kexec-812  [001] .....  61.503112: sys_kexec_file_load(kernel_fd: 3, initrd_fd: 4, cmdline_len: 5b, cmdline_ptr: 55d0c8a4b2a0, flags: 2)
    kexec-812  [001] .....  62.281004: sys_kexec_file_load -> 0x0

The model of what is loaded, from the kernel sources (6.1 and 6.12 agree on it):

* kexec_file_load (kernel/kexec_file.c, SYSCALL_DEFINE5(kexec_file_load)) returns -EPERM
  (kexec_load_permitted()) and -EINVAL (flags outside KEXEC_FILE_FLAGS) before anything
  else, and -EBUSY when kexec_trylock() fails: the loaded image is untouched. Past the lock,
  with KEXEC_FILE_ON_CRASH: KEXEC_FILE_UNLOAD jumps to `exchange`, which puts NULL in
  kexec_crash_image; a load frees the old image first (kimage_free(xchg(&kexec_crash_image,
  NULL)), "free any current crash dump kernel before we corrupt it") and only then builds
  the new one (kimage_file_alloc_init() ...), installed by the xchg at `exchange` on
  success. So from the start of the call nothing is loaded, and a failed load leaves
  nothing loaded.
* kexec_load (kernel/kexec.c): kexec_load_check() returns -EPERM and -EINVAL (flags
  outside KEXEC_FLAGS, a foreign arch, more than KEXEC_SEGMENT_MAX segments) before
  anything; do_kexec_load() returns -EBUSY when kexec_trylock() fails; with KEXEC_ON_CRASH,
  nr_segments 0 is the unload (kimage_free(xchg(dest_image, NULL))), and a load frees the
  old crash image before kimage_alloc_init(), installing the new one with
  xchg(dest_image, image) at the end on success. Same windows as above.

So a window with no crash kernel opens at the start of an unload or of a load that got
past those checks (at the end of the previous effective call when two overlap: the kexec
lock serializes them), and closes at the end of the next successful crash load. -EINVAL is
put before or after the free by checking the traced flags and segment count as the kernel
does; -EFAULT and -ENOMEM are counted as after the free (the conservative side: they can
come from the copy of the segment list before it too). Calls without KEXEC_ON_CRASH /
KEXEC_FILE_ON_CRASH load a kernel for kexec reboot and do not touch the crash image. The
model's final state is compared with /sys/kernel/kexec_crash_loaded read at the dump
("# chp: crash_loaded_end="), and a mismatch is reported in warnings.

Python 3 standard library only (the tests run it on the host; the guest needs only sh).
"""

import errno
import re
from dataclasses import dataclass, field

KEXEC_ON_CRASH = 0x1
KEXEC_PRESERVE_CONTEXT = 0x2
KEXEC_UPDATE_ELFCOREHDR = 0x4
KEXEC_CRASH_HOTPLUG_SUPPORT = 0x8
KEXEC_ARCH_MASK = 0xFFFF0000
KEXEC_ARCH_X86_64 = 62 << 16
KEXEC_SEGMENT_MAX = 16
KEXEC_FILE_UNLOAD = 0x1
KEXEC_FILE_ON_CRASH = 0x2
KEXEC_FILE_NO_INITRAMFS = 0x4
KEXEC_FILE_DEBUG = 0x8

# Errors returned before the crash image is touched (see the module comment).
UNTOUCHED_ERRNOS = {errno.EPERM, errno.EBUSY}

_LINE = re.compile(
    r"^\s*(?P<comm>.*?)-(?P<pid>\d+)\s+(?:\(\s*[-\d]+\)\s+)?\[(?P<cpu>\d+)\]\s+"
    r"(?:(?P<irq>[^\s\d]\S*)\s+)?(?P<ts>\d+\.\d+):\s+(?P<body>.*?)\s*$")
_ENTER = re.compile(r"^sys_(?P<name>kexec_load|kexec_file_load)\((?P<args>.*)\)$")
_EXIT = re.compile(r"^sys_(?P<name>kexec_load|kexec_file_load) -> 0x(?P<ret>[0-9a-fA-F]+)$")
_FORK = re.compile(r"^sched_process_fork: comm=(?P<pcomm>.*) pid=(?P<ppid>\d+) "
                   r"child_comm=(?P<ccomm>.*) child_pid=(?P<cpid>\d+)$")
_EXEC = re.compile(r"^sched_process_exec: filename=(?P<filename>.*) pid=(?P<pid>\d+) old_pid=\d+$")
_MARK = re.compile(r"^tracing_mark_write: (?P<text>.*)$")
_LOST = re.compile(r"^CPU:(?P<cpu>\d+) \[LOST (?P<n>\d+) EVENTS\]$")
_ENTRIES = re.compile(r"^# entries-in-buffer/entries-written: (?P<a>\d+)/(?P<b>\d+)")
_CHP = re.compile(r"^# chp: (?P<key>[a-z_]+)=(?P<value>.*)$")
_UDEV = re.compile(r"^KERNEL\[(?P<ts>\d+\.\d+)\]\s+(?P<action>\S+)\s+(?P<devpath>\S+)\s+\((?P<subsystem>[^)]*)\)")


@dataclass
class Event:
    ts: float
    comm: str
    pid: int
    cpu: int
    kind: str                    # enter, exit, fork, exec, mark
    name: str = ""               # kexec_load / kexec_file_load
    args: dict = field(default_factory=dict)
    ret: int = None
    text: str = ""               # mark: the text; exec: the file name; fork: the child's comm
    child_pid: int = None


@dataclass
class Call:
    """One kexec_load or kexec_file_load call; start/end are None when the trace missed them."""
    pid: int
    comm: str
    syscall: str
    start: float
    end: float
    args: dict
    ret: int = None

    @property
    def flags(self):
        return self.args.get("flags", 0)

    @property
    def crash(self):
        bit = KEXEC_ON_CRASH if self.syscall == "kexec_load" else KEXEC_FILE_ON_CRASH
        return bool(self.flags & bit)

    @property
    def kind(self):
        if self.syscall == "kexec_load":
            return "unload" if self.args.get("nr_segments", 1) == 0 else "load"
        return "unload" if self.flags & KEXEC_FILE_UNLOAD else "load"

    @property
    def errno(self):
        return -self.ret if self.ret is not None and self.ret < 0 else 0

    @property
    def ok(self):
        return self.ret == 0

    def as_dict(self):
        return {"pid": self.pid, "comm": self.comm, "syscall": self.syscall, "kind": self.kind,
                "crash": self.crash, "start": self.start, "end": self.end, "flags": self.flags,
                "ret": self.ret, "error": errno.errorcode.get(self.errno) if self.errno else None}


@dataclass
class Window:
    start: float
    end: float                   # None: still open when the trace ended
    opened_by: Call = None       # None: nothing was loaded when the trace started
    closed_by: Call = None

    def length(self, until=None):
        end = self.end if self.end is not None else until
        return None if end is None else max(0.0, end - self.start)

    def as_dict(self):
        return {"start": self.start, "end": self.end, "seconds": self.length(),
                "opened_by": self.opened_by.comm + "-" + str(self.opened_by.pid) if self.opened_by else None,
                "closed_by": self.closed_by.comm + "-" + str(self.closed_by.pid) if self.closed_by else None}


def _kernel_version(text):
    m = re.match(r"(\d+)\.(\d+)", text or "")
    return (int(m.group(1)), int(m.group(2))) if m else (99, 99)


def refused_at_entry(call, kernel=""):
    """True when the call's -EINVAL came from the entry checks, before the crash image was
    touched: the same tests on the traced arguments as kexec_load_check() and
    SYSCALL_DEFINE5(kexec_file_load), with the flag set of the traced kernel's version
    (KEXEC_UPDATE_ELFCOREHDR from 6.6, KEXEC_CRASH_HOTPLUG_SUPPORT taken from 6.10 and
    KEXEC_FILE_DEBUG from 6.8 here: the exact releases between 6.6 and 6.12 were not
    checked, and only 6.1 and 6.12 run in the benchmark)."""
    ver = _kernel_version(kernel)
    if call.syscall == "kexec_file_load":
        allowed = KEXEC_FILE_UNLOAD | KEXEC_FILE_ON_CRASH | KEXEC_FILE_NO_INITRAMFS
        if ver >= (6, 8):
            allowed |= KEXEC_FILE_DEBUG
        return bool(call.flags & ~allowed)
    allowed = KEXEC_ON_CRASH | KEXEC_PRESERVE_CONTEXT
    if ver >= (6, 6):
        allowed |= KEXEC_UPDATE_ELFCOREHDR
    if ver >= (6, 10):
        allowed |= KEXEC_CRASH_HOTPLUG_SUPPORT
    arch = call.flags & KEXEC_ARCH_MASK
    return bool(call.flags & ~KEXEC_ARCH_MASK & ~allowed) or arch not in (0, KEXEC_ARCH_X86_64) or \
        call.args.get("nr_segments", 0) > KEXEC_SEGMENT_MAX


def touches_crash_image(call, kernel=""):
    """Whether the call got past the entry checks and the lock with a crash flag: from its
    start no crash kernel is loaded (until a successful load ends)."""
    if not call.crash:
        return False
    if call.ret is None:
        return True
    if call.errno in UNTOUCHED_ERRNOS:
        return False
    if call.errno == errno.EINVAL and refused_at_entry(call, kernel):
        return False
    return True


class Trace:
    def __init__(self, text, kernel=None):
        self.header = {}
        self.events = []
        self.warnings = []
        for n, line in enumerate(text.splitlines(), 1):
            self._line(n, line)
        self.events.sort(key=lambda e: e.ts)
        self.kernel = kernel if kernel is not None else self.header.get("kernel", "")
        self.calls = self._calls()
        self.marks = [e for e in self.events if e.kind == "mark"]
        self.start = next((m.ts for m in self.marks if m.text == "chp-trace-start"),
                          self.events[0].ts if self.events else 0.0)
        self.end = next((m.ts for m in reversed(self.marks) if m.text == "chp-trace-end"),
                        self.events[-1].ts if self.events else self.start)
        self.windows = self._windows()
        self._check_final_state()

    # -- parsing
    def _line(self, n, line):
        if line.startswith("##### CPU"):
            self.warnings.append("line %d: %s (older events of that CPU were overwritten)" % (n, line.strip("# ")))
            return
        if line.startswith("#"):
            m = _CHP.match(line)
            if m:
                self.header[m.group("key")] = m.group("value")
            m = _ENTRIES.match(line)
            if m and m.group("a") != m.group("b"):
                self.warnings.append("ring buffer overwritten: %s of %s entries left" % (m.group("a"), m.group("b")))
            return
        if not line.strip():
            return
        m = _LOST.match(line.strip())
        if m:
            self.warnings.append("line %d: CPU %s lost %s events" % (n, m.group("cpu"), m.group("n")))
            return
        m = _LINE.match(line)
        if not m:
            self.warnings.append("line %d: not a trace line: %r" % (n, line[:80]))
            return
        ev = dict(ts=float(m.group("ts")), comm=m.group("comm").strip(), pid=int(m.group("pid")),
                  cpu=int(m.group("cpu")))
        body = m.group("body")
        for pat, kind in ((_ENTER, "enter"), (_EXIT, "exit"), (_FORK, "fork"), (_EXEC, "exec"), (_MARK, "mark")):
            b = pat.match(body)
            if b:
                break
        else:
            return                  # another event: not ours, not an error
        e = Event(kind=kind, **ev)
        if kind == "enter":
            e.name = b.group("name")
            for a in b.group("args").split(", "):
                k, _, v = a.partition(": ")
                e.args[k.strip()] = int(v, 16)
        elif kind == "exit":
            e.name = b.group("name")
            r = int(b.group("ret"), 16)
            e.ret = r - (1 << 64) if r >= 1 << 63 else r
        elif kind == "fork":
            e.text, e.child_pid = b.group("ccomm"), int(b.group("cpid"))
        elif kind == "exec":
            e.text = b.group("filename")
        else:
            e.text = b.group("text")
        self.events.append(e)

    def _calls(self):
        open_ = {}
        calls = []
        for e in self.events:
            if e.kind == "enter":
                if e.pid in open_:
                    self.warnings.append("%s-%d: entered %s at %.6f with a call still open" % (e.comm, e.pid, e.name, e.ts))
                c = Call(e.pid, e.comm, e.name, e.ts, None, e.args)
                open_[e.pid] = c
                calls.append(c)
            elif e.kind == "exit":
                c = open_.pop(e.pid, None)
                if c is None or c.syscall != e.name:
                    self.warnings.append("%s-%d: %s returned at %.6f without its entry in the trace" % (e.comm, e.pid, e.name, e.ts))
                    c = Call(e.pid, e.comm, e.name, None, None, {})
                    calls.append(c)
                c.end, c.ret = e.ts, e.ret
        for c in open_.values():
            self.warnings.append("%s-%d: %s at %.6f had not returned when the trace ended" % (c.comm, c.pid, c.syscall, c.start))
        calls.sort(key=lambda c: c.start if c.start is not None else c.end)
        return calls

    def _windows(self):
        loaded = self.header.get("crash_loaded_start", "1") != "0"
        windows = []
        if not loaded:
            windows.append(Window(self.start, None))
        prev_end = None
        for c in self.calls:
            if c.start is None:
                continue            # entered before the trace: its effect is unknown
            if not touches_crash_image(c, self.kernel):
                continue
            freed = c.start if prev_end is None else max(c.start, prev_end)
            if loaded:
                windows.append(Window(freed, None, opened_by=c))
                loaded = False
            if c.kind == "load" and c.ok:
                windows[-1].end, windows[-1].closed_by = c.end, c
                loaded = True
            prev_end = c.end if c.end is not None else c.start
        self.loaded_at_end = loaded
        return windows

    def _check_final_state(self):
        end = self.header.get("crash_loaded_end")
        if end in ("0", "1") and (end == "1") != self.loaded_at_end:
            self.warnings.append("model ends %s, but kexec_crash_loaded read %s at the dump" %
                                 ("loaded" if self.loaded_at_end else "unloaded", end))

    # -- figures
    def crash_calls(self):
        return [c for c in self.calls if c.crash]

    def cpu_seconds(self):
        """Busy guest CPU seconds between the start and the dump (user, nice, system, irq,
        softirq of /proc/stat's cpu line; steal is the host's), or None."""
        try:
            a = [int(x) for x in self.header["proc_stat_start"].split()[1:8]]
            b = [int(x) for x in self.header["proc_stat_end"].split()[1:8]]
            hz = int(self.header.get("clk_tck", "100"))
        except (KeyError, ValueError):
            return None
        busy = [0, 1, 2, 5, 6]
        return sum(b[i] - a[i] for i in busy) / hz

    def summary(self, t0=None, t1=None, last_event=None):
        """The figures for [t0, t1] (default: the whole trace). Windows are clipped to the
        interval; one still open at the end counts up to t1. last_event: when given, the
        seconds from it to the end of the last successful crash load in the interval, None
        if that load started before the event (its image cannot know of it) or if no crash
        kernel is loaded at t1."""
        t0 = self.start if t0 is None else t0
        t1 = self.end if t1 is None else t1

        def inside(ts):
            return ts is not None and t0 <= ts <= t1
        wins = []
        for w in self.windows:
            end = w.end if w.end is not None else t1
            if end < t0 or w.start > t1:
                continue
            wins.append((max(w.start, t0), min(end, t1), w))
        crash = [c for c in self.crash_calls() if inside(c.start) or inside(c.end)]
        loads = [c for c in crash if c.kind == "load"]
        good = [c for c in loads if c.ok and inside(c.end)]
        protected_again = None
        open_at_t1 = any(w.start <= t1 and (w.end is None or w.end > t1) for w in self.windows)
        if last_event is not None and good and not open_at_t1 and good[-1].start >= last_event:
            protected_again = round(good[-1].end - last_event, 6)
        forks = [e for e in self.events if e.kind == "fork" and inside(e.ts)]
        execs = [e for e in self.events if e.kind == "exec" and inside(e.ts)]
        return {
            "interval": [t0, t1],
            "reloads": len(good),
            "loads_failed": sum(1 for c in loads if c.ret is not None and not c.ok),
            "unloads": sum(1 for c in crash if c.kind == "unload"),
            "calls": [c.as_dict() for c in crash],
            "windows": [{"start": a, "end": b, "seconds": round(b - a, 6), "open": w.end is None or w.end > t1}
                        for a, b, w in wins],
            "unprotected_s": round(sum(b - a for a, b, _ in wins), 6),
            "longest_window_s": round(max((b - a for a, b, _ in wins), default=0.0), 6),
            "protected_at_end": not open_at_t1,
            "last_event_to_protected_s": protected_again,
            "forks": len(forks),
            "execs": len(execs),
            "warnings": list(self.warnings),
        }

    def bursts(self):
        """The intervals the harness marked with "chp-burst-begin NAME" and "chp-burst-end NAME"
        (trace_marker), each with the times of its "chp-event ..." marks."""
        out, cur = [], None
        for m in self.marks:
            word, _, rest = m.text.partition(" ")
            if word == "chp-burst-begin":
                cur = {"name": rest.strip(), "start": m.ts, "end": None, "events": []}
            elif word == "chp-event" and cur is not None:
                cur["events"].append(m.ts)
            elif word == "chp-burst-end" and cur is not None:
                cur["end"] = m.ts
                out.append(cur)
                cur = None
        return out


def parse_udev_monitor(text):
    """`udevadm monitor --kernel` lines: [(CLOCK_MONOTONIC seconds, action, devpath, subsystem)]."""
    out = []
    for line in text.splitlines():
        m = _UDEV.match(line.strip())
        if m:
            out.append((float(m.group("ts")), m.group("action"), m.group("devpath"), m.group("subsystem")))
    return out


def main(argv=None):
    import argparse
    import json
    import sys
    ap = argparse.ArgumentParser(description="Windows without a crash kernel, from a chp-kexec-trace dump.")
    ap.add_argument("trace", help="the dump (- for standard input)")
    ap.add_argument("--last-event", type=float, help="CLOCK_MONOTONIC time of the burst's last event")
    args = ap.parse_args(argv)
    text = sys.stdin.read() if args.trace == "-" else open(args.trace, encoding="utf-8").read()
    t = Trace(text)
    s = t.summary(last_event=args.last_event)
    s["cpu_s"] = t.cpu_seconds()
    s["bursts"] = [dict(b, **t.summary(b["start"], b["end"], b["events"][-1] if b["events"] else None))
                   for b in t.bursts()]
    json.dump(s, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
