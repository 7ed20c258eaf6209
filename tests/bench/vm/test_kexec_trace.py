#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# kexec_trace.py on synthetic traces in tracefs's text format (kernel/trace/trace_output.c
# for the "comm-pid [cpu] flags timestamp: " prefix, trace_syscalls.c for the syscall
# bodies). Run by meson (suite bench-tools) or as `python3 -m unittest` in this folder.
import errno
import os
import sys
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kexec_trace as kt  # noqa: E402

HEADER = """# chp: tracer=chp-kexec-trace
# chp: clock=mono
# chp: kernel=6.1.0-27-amd64
# chp: clk_tck=100
# chp: crash_loaded_start=1
# chp: crash_loaded_end=1
# chp: proc_stat_start=cpu 1000 5 400 90000 30 10 20 7 0 0
# chp: proc_stat_end=cpu 1150 5 480 90100 30 12 23 9 0 0
# chp: overrun=0
# tracer: nop
#
# entries-in-buffer/entries-written: 40/40   #P:2
#
#                                _-----=> irqs-off/BH-disabled
#                               / _----=> need-resched
#                              | / _---=> hardirq/softirq
#                              || / _--=> preempt-depth
#                              ||| / _-=> migrate-disable
#                              |||| /     delay
#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION
#              | |         |   |||||     |         |
"""

NEG = {e: "%x" % ((1 << 64) - e) for e in (errno.EBUSY, errno.EINVAL, errno.ENOEXEC, errno.EPERM)}


def line(comm, pid, ts, body, cpu=0, irq="....."):
    return "%16s-%-7d [%03d] %s %12.6f: %s" % (comm, pid, cpu, irq, ts, body)


def file_load(comm, pid, t0, t1, flags=0x2, ret="0", cpu=1):
    return [line(comm, pid, t0, "sys_kexec_file_load(kernel_fd: 3, initrd_fd: 4, cmdline_len: 5b, "
                 "cmdline_ptr: 55d0c8a4b2a0, flags: %x)" % flags, cpu),
            line(comm, pid, t1, "sys_kexec_file_load -> 0x%s" % ret, cpu)]


def seg_load(comm, pid, t0, t1, nr=5, flags=0x3e0001, ret="0", cpu=0):
    return [line(comm, pid, t0, "sys_kexec_load(entry: 7f000000, nr_segments: %x, segments: 7ffe5b2c1e10, "
                 "flags: %x)" % (nr, flags), cpu),
            line(comm, pid, t1, "sys_kexec_load -> 0x%s" % ret, cpu)]


def mark(ts, text):
    return [line("sh", 300, ts, "tracing_mark_write: " + text)]


def spawn(parent, ppid, child, cpid, ts, filename):
    return [line(parent, ppid, ts, "sched_process_fork: comm=%s pid=%d child_comm=%s child_pid=%d" %
                 (parent, ppid, parent, cpid)),
            line(child, cpid, ts + 0.0005, "sched_process_exec: filename=%s pid=%d old_pid=%d" % (filename, cpid, cpid))]


def trace(*parts, header=HEADER):
    lines = mark(1.0, "chp-trace-start")
    for p in parts:
        lines += p
    lines += mark(99.0, "chp-trace-end")
    return kt.Trace(header + "\n".join(lines) + "\n")


class Format(unittest.TestCase):
    def test_enter_exit_fields(self):
        t = trace(file_load("crash-hotplugd", 412, 10.0, 10.75))
        (c,) = t.calls
        self.assertEqual((c.pid, c.comm, c.syscall, c.start, c.end, c.ret), (412, "crash-hotplugd", "kexec_file_load", 10.0, 10.75, 0))
        self.assertEqual(c.args, {"kernel_fd": 3, "initrd_fd": 4, "cmdline_len": 0x5b, "cmdline_ptr": 0x55d0c8a4b2a0, "flags": 2})
        self.assertTrue(c.crash)
        self.assertEqual(c.kind, "load")
        self.assertEqual(t.warnings, [])

    def test_negative_return(self):
        t = trace(file_load("kexec", 9, 10.0, 10.5, ret=NEG[errno.ENOEXEC]))
        self.assertEqual(t.calls[0].ret, -errno.ENOEXEC)
        self.assertEqual(t.calls[0].as_dict()["error"], "ENOEXEC")

    def test_comm_with_dashes_tgid_column_and_no_irq_field(self):
        text = HEADER + "\n".join([
            "   (udev-worker)-1533    [001] d..1.    20.000100: sched_process_fork: comm=(udev-worker) pid=1533 child_comm=(udev-worker) child_pid=1600",
            "     kdump-config-1600  (   1600) [000] .....    20.100000: sys_kexec_load(entry: 0, nr_segments: 0, segments: 0, flags: 3e0001)",
            "     kdump-config-1600  (   1600) [000] .....    20.100400: sys_kexec_load -> 0x0",
            "           kexec-1601    [001]    20.200000: sys_kexec_load(entry: 7f000000, nr_segments: 5, segments: 55aa00, flags: 3e0001)",
            "           kexec-1601    [001]    21.200000: sys_kexec_load -> 0x0",
        ]) + "\n"
        t = kt.Trace(text)
        self.assertEqual([(c.comm, c.pid, c.kind) for c in t.calls], [("kdump-config", 1600, "unload"), ("kexec", 1601, "load")])
        self.assertEqual([e.comm for e in t.events if e.kind == "fork"], ["(udev-worker)"])
        self.assertEqual(t.warnings, [])

    def test_lost_events_and_overwrite_are_warned(self):
        text = HEADER.replace("40/40", "40/90") + "CPU:1 [LOST 12 EVENTS]\n##### CPU 1 buffer started ####\n"
        t = kt.Trace(text)
        self.assertEqual(len(t.warnings), 3)

    def test_other_events_ignored(self):
        t = trace([line("sh", 5, 3.0, "sched_switch: prev_comm=sh prev_pid=5 ==> next_comm=swapper/0 next_pid=0")])
        self.assertEqual((t.calls, t.warnings), ([], []))

    def test_cpu_seconds(self):
        # (150 + 0 + 80 + 2 + 3) ticks at 100 Hz; steal (7 -> 9) is the host's.
        self.assertAlmostEqual(trace().cpu_seconds(), 2.35)


class Windows(unittest.TestCase):
    def test_file_load_reloads(self):
        t = trace(file_load("crash-hotplugd", 412, 10.0, 10.75), file_load("crash-hotplugd", 412, 30.0, 30.5))
        s = t.summary()
        self.assertEqual(s["reloads"], 2)
        self.assertEqual([(w["start"], w["end"]) for w in s["windows"]], [(10.0, 10.75), (30.0, 30.5)])
        self.assertAlmostEqual(s["unprotected_s"], 1.25)
        self.assertTrue(s["protected_at_end"])

    def test_unload_then_load_by_two_processes(self):
        # kexec -p -u, a shell in between, then kexec -p: one window from the unload's start
        # to the load's end, gap included.
        t = trace(seg_load("kexec", 700, 10.0, 10.001, nr=0), seg_load("kexec", 703, 10.4, 11.3))
        s = t.summary()
        self.assertEqual((s["reloads"], s["unloads"]), (1, 1))
        self.assertEqual([(w["start"], w["end"]) for w in s["windows"]], [(10.0, 11.3)])
        self.assertAlmostEqual(s["unprotected_s"], 1.3)

    def test_file_unload_then_file_load(self):
        t = trace(file_load("kexec", 700, 10.0, 10.001, flags=0x3), file_load("kexec", 701, 10.2, 11.0))
        self.assertEqual([(w.start, w.end) for w in t.windows], [(10.0, 11.0)])
        self.assertEqual(t.calls[0].kind, "unload")

    def test_failed_load_leaves_nothing_loaded(self):
        hdr = HEADER.replace("crash_loaded_end=1", "crash_loaded_end=0")
        t = trace(file_load("kexec", 800, 10.0, 10.6, ret=NEG[errno.ENOEXEC]), header=hdr)
        s = t.summary()
        self.assertEqual((s["reloads"], s["loads_failed"]), (0, 1))
        self.assertEqual(s["windows"], [{"start": 10.0, "end": 99.0, "seconds": 89.0, "open": True}])
        self.assertFalse(s["protected_at_end"])
        self.assertEqual(t.warnings, [])

    def test_failed_load_then_retry(self):
        t = trace(file_load("crash-hotplugd", 4, 10.0, 10.6, ret=NEG[errno.ENOEXEC]),
                  file_load("crash-hotplugd", 4, 12.0, 12.7))
        self.assertEqual([(w.start, w.end) for w in t.windows], [(10.0, 12.7)])

    def test_errors_before_the_free_change_nothing(self):
        t = trace(file_load("a", 1, 10.0, 10.00001, ret=NEG[errno.EBUSY]),
                  file_load("b", 2, 11.0, 11.00001, ret=NEG[errno.EPERM]),
                  file_load("c", 3, 12.0, 12.00001, flags=0x102, ret=NEG[errno.EINVAL]),
                  seg_load("d", 4, 13.0, 13.00001, nr=0x11, ret=NEG[errno.EINVAL]))
        self.assertEqual(t.windows, [])
        self.assertEqual(t.summary()["loads_failed"], 4)

    def test_einval_past_the_checks_frees(self):
        hdr = HEADER.replace("crash_loaded_end=1", "crash_loaded_end=0")
        t = trace(file_load("c", 3, 12.0, 12.3, flags=0x2, ret=NEG[errno.EINVAL]), header=hdr)
        self.assertEqual([(w.start, w.end) for w in t.windows], [(12.0, None)])

    def test_update_elfcorehdr_flag_depends_on_the_kernel(self):
        flags = 0x3e0005   # KEXEC_ON_CRASH | KEXEC_UPDATE_ELFCOREHDR: refused by 6.1, taken by 6.12
        call = kt.Call(1, "x", "kexec_load", 1.0, 1.1, {"nr_segments": 5, "flags": flags}, -errno.EINVAL)
        self.assertTrue(kt.refused_at_entry(call, "6.1.0-27-amd64"))
        self.assertFalse(kt.refused_at_entry(call, "6.12.12+bpo-amd64"))

    def test_overlapping_processes(self):
        # B enters while A holds the kexec lock and gets -EBUSY: only A's window.
        t = trace(file_load("A", 10, 10.0, 10.8), file_load("B", 11, 10.2, 10.2001, ret=NEG[errno.EBUSY]))
        self.assertEqual([(w.start, w.end, w.closed_by.comm) for w in t.windows], [(10.0, 10.8, "A")])
        # B's entry is traced a moment before A's exit, yet B took the lock after A let it go:
        # B's window starts at A's end, not inside A's call.
        t = trace(file_load("A", 10, 10.0, 11.0), file_load("B", 11, 10.99999, 11.5))
        self.assertEqual([(w.start, w.end) for w in t.windows], [(10.0, 11.0), (11.0, 11.5)])

    def test_non_crash_loads_do_not_count(self):
        t = trace(file_load("kexec", 5, 10.0, 10.5, flags=0x0), seg_load("kexec", 6, 11.0, 11.5, flags=0x3e0000))
        self.assertEqual((t.windows, t.summary()["reloads"]), ([], 0))

    def test_not_loaded_at_start(self):
        hdr = HEADER.replace("crash_loaded_start=1", "crash_loaded_start=0")
        t = trace(file_load("kexec", 5, 10.0, 10.5), header=hdr)
        self.assertEqual([(w.start, w.end, w.opened_by) for w in t.windows], [(1.0, 10.5, None)])

    def test_final_state_mismatch_is_warned(self):
        hdr = HEADER.replace("crash_loaded_end=1", "crash_loaded_end=0")
        t = trace(file_load("kexec", 5, 10.0, 10.5), header=hdr)
        self.assertTrue(any("kexec_crash_loaded" in w for w in t.warnings))

    def test_unreturned_call(self):
        t = trace([line("kexec", 5, 10.0, "sys_kexec_file_load(kernel_fd: 3, initrd_fd: 4, cmdline_len: 1, "
                        "cmdline_ptr: 1, flags: 2)")],
                  header=HEADER.replace("crash_loaded_end=1", "crash_loaded_end=0"))
        self.assertEqual([(w.start, w.end) for w in t.windows], [(10.0, None)])
        self.assertTrue(any("not returned" in w for w in t.warnings))


class Bursts(unittest.TestCase):
    def kdump_tools_burst(self, n):
        """kdump-tools' rule: per event, udev runs kdump-config try-reload, which runs
        `kexec -p -u` and then `kexec -p ...` (kexec_load), serialized by its flock."""
        parts = [mark(5.0, "chp-burst-begin dimm8")]
        t = 10.0
        pid = 2000
        for i in range(n):
            parts.append(mark(t, "chp-event memory%d online" % (32 + i)))
            parts.append(spawn("(udev-worker)", 1500, "kdump-config", pid, t + 0.01, "/usr/sbin/kdump-config"))
            parts.append(spawn("kdump-config", pid, "kexec", pid + 1, t + 0.05, "/usr/sbin/kexec"))
            parts.append(seg_load("kexec", pid + 1, t + 0.06, t + 0.061, nr=0))
            parts.append(spawn("kdump-config", pid, "kexec", pid + 2, t + 0.3, "/usr/sbin/kexec"))
            parts.append(seg_load("kexec", pid + 2, t + 0.31, t + 0.81))
            t += 1.0
            pid += 3
        parts.append(mark(t + 5.0, "chp-burst-end dimm8"))
        return trace(*parts)

    def test_per_event_reloads(self):
        t = self.kdump_tools_burst(8)
        (b,) = t.bursts()
        self.assertEqual((b["name"], b["start"], len(b["events"])), ("dimm8", 5.0, 8))
        s = t.summary(b["start"], b["end"], b["events"][-1])
        self.assertEqual((s["reloads"], s["unloads"], s["loads_failed"]), (8, 8, 0))
        # Each event: a window from the unload at +0.06 to the end of the load at +0.81.
        self.assertEqual(len(s["windows"]), 8)
        self.assertAlmostEqual(s["unprotected_s"], 8 * 0.75, places=5)
        self.assertAlmostEqual(s["longest_window_s"], 0.75, places=5)
        self.assertAlmostEqual(s["last_event_to_protected_s"], 0.81, places=5)
        self.assertEqual((s["forks"], s["execs"]), (24, 24))

    def test_daemon_burst_one_reload(self):
        parts = [mark(5.0, "chp-burst-begin dimm8")]
        for i in range(8):
            parts.append(mark(10.0 + i, "chp-event memory%d online" % i))
        parts.append(file_load("crash-hotplugd", 412, 18.0, 18.8))
        parts.append(mark(25.0, "chp-burst-end dimm8"))
        t = trace(*parts)
        (b,) = t.bursts()
        s = t.summary(b["start"], b["end"], b["events"][-1])
        self.assertEqual((s["reloads"], len(s["windows"]), s["forks"]), (1, 1, 0))
        self.assertAlmostEqual(s["unprotected_s"], 0.8)
        self.assertAlmostEqual(s["last_event_to_protected_s"], 1.8)

    def test_load_before_the_last_event_is_not_protection(self):
        t = trace(file_load("crash-hotplugd", 412, 10.0, 10.8))
        self.assertIsNone(t.summary(last_event=10.5)["last_event_to_protected_s"])

    def test_summary_clips_to_the_interval(self):
        t = trace(file_load("a", 1, 10.0, 12.0))
        s = t.summary(11.0, 20.0)
        self.assertEqual(s["windows"], [{"start": 11.0, "end": 12.0, "seconds": 1.0, "open": False}])

    def test_udev_monitor(self):
        text = ("monitor will print the received events for:\nKERNEL - the kernel uevent\n\n"
                "KERNEL[61.503112] online   /devices/system/memory/memory40 (memory)\n"
                "KERNEL[61.600000] add      /devices/system/cpu/cpu2 (cpu)\n")
        self.assertEqual(kt.parse_udev_monitor(text),
                         [(61.503112, "online", "/devices/system/memory/memory40", "memory"),
                          (61.6, "add", "/devices/system/cpu/cpu2", "cpu")])


if __name__ == "__main__":
    unittest.main(verbosity=2)
