#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# The VM runner's parts that need no VM: busy CPU seconds from /proc/stat lines, tasks
# spawned outside the harness's console, the CI point's verdict, --combine, and the panic
# samples' parts: --panic-at's offsets and bursts, the CPU burst over QMP, the guest's panic
# line, a sample's verdict and its vmcore-check arguments (CPUs online at the panic), samples
# into result rows and through --combine, the "not measured" note.
import contextlib
import io
import json
import os
import shutil
import sys
import tempfile
import unittest

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import kexec_trace  # noqa: E402
import runner  # noqa: E402


def fork(comm, pid, ts, child):
    return ("%16s-%-7d [000] .....  %.6f: sched_process_fork: comm=%s pid=%d child_comm=%s child_pid=%d" %
            (comm, pid, ts, comm, pid, comm, child))


def panic_run(burst, make_qmp, console):
    """A PanicRun without a VM: its console and a fake QMP (made on that console) only."""
    run = object.__new__(runner.PanicRun)
    run.console = console
    run.qmp = make_qmp(console)
    run.burst = burst
    run.say = lambda msg: None
    return run

class Runner(unittest.TestCase):
    def test_busy_seconds(self):
        # user nice system idle iowait irq softirq: idle and iowait are not busy.
        a = "cpu 100 0 50 1000 7 1 1 0 0 0"
        b = "cpu 150 10 70 5000 99 3 3 0 0 0"
        self.assertAlmostEqual(runner.busy_seconds(a, b, 100), (50 + 10 + 20 + 2 + 2) / 100)

    def test_spawned_outside_the_console(self):
        tr = kexec_trace.Trace("\n".join([
            fork("sh", 100, 10.0, 101),         # the console shell: left out
            fork("sh", 101, 10.5, 102),         # its grandchild: left out
            fork("udevd", 50, 11.0, 200),       # udev's worker: counted
            fork("kdump-config", 200, 11.5, 201),
            fork("udevd", 50, 30.0, 300),       # after the interval
        ]))
        self.assertEqual(runner.spawned_outside(tr, 9.0, 20.0, 100), 2)
        self.assertEqual(runner.spawned_outside(tr, 9.0, 40.0, 100), 3)
        self.assertEqual(runner.spawned_outside(tr, 9.0, 40.0, 1), 5)

    def test_refused_calls(self):
        # A seccomp filter fails kexec_load before sys_enter: only the exit is traced.
        exit_only = "%16s-%-7d [000] .....  %.6f: sys_kexec_load -> 0xffffffffffffffff"
        tr = kexec_trace.Trace("\n".join([exit_only % ("kexec", 509, 10.0), exit_only % ("kexec", 516, 12.0),
                                          exit_only % ("kexec", 530, 30.0)]))
        self.assertEqual(runner.refused_calls(tr, 9.0, 20.0), 2)
        self.assertEqual(runner.refused_calls(tr, 9.0, 40.0), 3)
        self.assertEqual(runner.refused_calls(tr, 40.0, 50.0), 0)

    def report(self, targets):
        d = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, d)
        path = os.path.join(d, "peer-bench.json")
        with open(path, "w") as f:
            json.dump({"targets": targets}, f)
        with contextlib.redirect_stdout(io.StringIO()):
            return runner.ci_verdict(path)

    def test_ci_verdict(self):
        reload_ok = {"burst": "dimm1", "what": "chpd-segments reloads 1", "ok": True}
        ratio_ok = {"burst": "dimm1", "what": "chpd-segments no-kernel <= 1/10 of fedora", "ok": True}
        late = {"burst": "dimm1", "what": "chpd-segments protected again <= QuietPeriod x 1.01 + one window", "ok": False}
        self.assertEqual(self.report([reload_ok, ratio_ok, late]), 0)
        self.assertEqual(self.report([reload_ok, dict(ratio_ok, ok=False)]), 1)
        self.assertEqual(self.report([dict(reload_ok, ok=False), ratio_ok]), 1)
        # Nothing compared (no peer row): a failure, not a pass.
        self.assertEqual(self.report([reload_ok]), 1)
        self.assertEqual(self.report([]), 1)

    def test_daemon_figures(self):
        # status.json before and after a burst: the daemon's event -> reload of its reload in
        # the burst, in seconds; none when it did not reload in it (the figure is the earlier
        # reload's) or runs no daemon.
        before = {"reloads": 1, "last_event_to_reload_usec": 0, "state": "protected"}
        after = {"reloads": 2, "last_event_to_reload_usec": 2047318, "state": "protected"}
        self.assertEqual(runner.daemon_figures(before, after),
                         {"daemon_event_to_reload_s": 2.047, "daemon_reloads": 1, "daemon_state": "protected"})
        same = dict(after, reloads=1)
        self.assertEqual(runner.daemon_figures(before, same)["daemon_event_to_reload_s"], None)
        self.assertEqual(runner.daemon_figures(None, after)["daemon_event_to_reload_s"], None)
        self.assertEqual(runner.daemon_figures(before, dict(after, last_event_to_reload_usec=0))
                         ["daemon_event_to_reload_s"], None)

    def test_combine(self):
        d = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, d)

        def results(peer, daemon, burst, secs, cost):
            path = os.path.join(d, "%s-%s.json" % (peer, burst))
            with open(path, "w") as f:
                json.dump({"schema": "chp-peer-bench/1", "command": "run --peer " + peer, "cost_s": cost,
                           "peers": [{"id": peer, "daemon": daemon}],
                           "bursts": [{"id": burst, "events": 8}], "boots": [{"peer": peer}],
                           "results": [{"peer": peer, "burst": burst, "reloads": 1, "unprotected_s": secs}]}, f)
            return path
        paths = [results("fedora", False, "vmem1g", 1.2, 100), results("chpd-segments", True, "dimm1", 0.04, 50),
                 results("chpd-segments", True, "vmem1g", 0.05, 60)]
        out = os.path.join(d, "out")
        with contextlib.redirect_stdout(io.StringIO()):
            rc = runner.main(["--combine"] + paths + ["--out", out])
        self.assertEqual(rc, 0)
        with open(os.path.join(out, "peer-bench", "results.json")) as f:
            m = json.load(f)
        self.assertEqual([p["id"] for p in m["peers"]], ["fedora", "chpd-segments"])
        self.assertEqual([b["id"] for b in m["bursts"]], ["dimm1", "vmem1g"])     # in the runner's order
        self.assertEqual(len(m["results"]), 3)
        self.assertEqual(m["cost_s"], 210)
        self.assertIn("run --peer fedora ; run --peer chpd-segments", m["command"])
        self.assertEqual(m["commands"][:2], ["run --peer fedora", "run --peer chpd-segments"])


PANIC_LINE = ("[   61.204110] chp-panic: uptime=61.20 cpus=0-1 loaded=1 busy=kdump-config,kexec chpd=pending "
              "ram=00001000-0009fbff,00100000-3ffdffff,140000000-15fffffff,160000000-17fffffff "
              "crash=2f000000-3effffff")


class Panics(unittest.TestCase):
    def test_parse_offsets(self):
        self.assertEqual(runner.parse_offsets("4.5"), [4.5])
        self.assertEqual(runner.parse_offsets("1.5, 4.5,1.5"), [1.5, 4.5])     # repeats once
        for bad in ("0", "-1", "61", "x", "1,,2", ""):
            with self.assertRaises(runner.argparse.ArgumentTypeError, msg=bad):
                runner.parse_offsets(bad)

    def test_parse_panic_line(self):
        p = runner.parse_panic_line(PANIC_LINE)
        self.assertEqual(p["cpus"], 2)
        self.assertEqual(p["cpulist"], "0-1")
        self.assertEqual(p["loaded"], "1")
        self.assertEqual(p["busy"], ["kdump-config", "kexec"])
        self.assertEqual(p["chpd"], "pending")
        self.assertAlmostEqual(p["uptime"], 61.2)
        # End inclusive in /proc/iomem, exclusive here; two adjacent DIMMs merge.
        self.assertEqual(p["ram"], [(0x1000, 0x9fc00), (0x100000, 0x3ffe0000), (0x140000000, 0x180000000)])
        self.assertEqual(p["crash"], [(0x2f000000, 0x3f000000)])
        q = runner.parse_panic_line("chp-panic: uptime=3.0 cpus=0 loaded=0 busy=- chpd=- ram=00100000-3fffffff "
                                    "crash=-")
        self.assertEqual((q["cpus"], q["loaded"], q["busy"], q["chpd"], q["crash"]), (1, "0", [], "-", []))
        self.assertIsNone(runner.parse_panic_line("CHP-PANIC-FIRST seq=4 uptime=3"))
        self.assertIsNone(runner.parse_panic_line("chp-panic: uptime=3.0 cpus=0-1"))     # cut short
        self.assertIsNone(runner.parse_panic_line("chp-panic: uptime=x cpus=0 loaded=0 ram=- crash=-"))

    def test_panic_sample(self):
        info = runner.parse_panic_line(PANIC_LINE)
        ok = runner.panic_sample(4.5, info, "saved", ("PASS", []))
        self.assertEqual((ok["result"], ok["why"], ok["captured"], ok["crash_loaded"]), ("pass", "", True, True))
        stale = runner.panic_sample(4.5, info, "saved", ("FAIL", ["covered FAIL 0x140000000-0x180000000"]))
        self.assertEqual(stale["result"], "fail")
        self.assertIn("covered FAIL 0x140000000-0x180000000", stale["why"])
        self.assertIn("crash-hotplugd pending", stale["why"])
        none = runner.panic_sample(1.5, dict(info, loaded="0", busy=["kexec"], chpd="-"), "none")
        self.assertEqual((none["result"], none["captured"], none["crash_loaded"]), ("none", False, False))
        self.assertIn("kexec_crash_loaded=0 at the panic, running: kexec", none["why"])
        self.assertNotIn("crash-hotplugd", none["why"])
        lost = runner.panic_sample(1.5, info, "unsaved")
        self.assertEqual((lost["result"], lost["captured"]), ("fail", True))
        broken = runner.panic_sample(4.5, info, "broken", ["Can't read the dump memory"])
        self.assertEqual((broken["result"], broken["captured"]), ("fail", True))
        self.assertIn("makedumpfile failed, the saved dump cannot be read: Can't read the dump memory", broken["why"])
        with self.assertRaises(ValueError):
            runner.panic_sample(1.5, info, "saved")

    def test_samples_into_rows(self):
        rows = []
        runner.add_sample(rows, "fedora", "dimm8", {"offset_s": 4.5, "result": "fail"})
        runner.add_sample(rows, "fedora", "dimm8", {"offset_s": 1.5, "result": "pass"})
        runner.add_sample(rows, "chpd-segments", "dimm8", {"offset_s": 4.5, "result": "fail"})
        self.assertEqual(len(rows), 2)
        self.assertEqual([v["offset_s"] for v in rows[0]["vmcore"]], [1.5, 4.5])
        self.assertTrue(rows[0]["panic_only"])
        self.assertIsNone(rows[0]["reloads"])
        # Into the trace run's rows: its figures stay, the samples join them.
        trace = [{"peer": "fedora", "burst": "dimm8", "reloads": 4, "unprotected_s": 6.1, "vmcore": []},
                 {"peer": "fedora", "burst": "dimm1", "reloads": 1, "unprotected_s": 1.6, "vmcore": []}]
        merged = runner.merge_results(trace, rows)
        self.assertEqual(len(merged), 3)
        self.assertEqual((merged[0]["reloads"], len(merged[0]["vmcore"])), (4, 2))
        self.assertNotIn("panic_only", merged[0])
        self.assertEqual(merged[2]["peer"], "chpd-segments")
        # The other order: the samples first, the trace row's figures taken over.
        first = [dict(rows[0], vmcore=list(rows[0]["vmcore"]))]
        m2 = runner.merge_results(first, [dict(trace[0], vmcore=[{"offset_s": 9.0, "result": "pass"}])])
        self.assertEqual((m2[0]["reloads"], [v["offset_s"] for v in m2[0]["vmcore"]]), (4, [1.5, 4.5, 9.0]))
        # A later trace row of one (peer, burst) replaces the earlier figures (the burst run
        # again); the samples stay.
        again = runner.merge_results([dict(trace[0], vmcore=[{"offset_s": 1.5, "result": "fail"}])],
                                     [dict(trace[0], reloads=1, unprotected_s=0.04, vmcore=[])])
        self.assertEqual(len(again), 1)
        self.assertEqual((again[0]["reloads"], again[0]["unprotected_s"]), (1, 0.04))
        self.assertEqual([v["offset_s"] for v in again[0]["vmcore"]], [1.5])

    def test_resampled_offset_replaces(self):
        # A later file's sample of the same (peer, burst, offset) replaces the earlier one (a
        # rerun after a fix), whichever of the two rows has the trace figures; other offsets stay.
        old = [{"peer": "fedora", "burst": "dimm8", "reloads": 4, "vmcore": [
            {"offset_s": 1.5, "result": "fail", "why": "stale"},
            {"offset_s": 4.5, "result": "fail", "why": "Bad address"}]}]
        new = [{"peer": "fedora", "burst": "dimm8", "panic_only": True, "reloads": None, "vmcore": [
            {"offset_s": 4.5, "result": "pass", "why": ""}, {"offset_s": 14.0, "result": "pass", "why": ""}]}]
        m = runner.merge_results(old, new)
        self.assertEqual(len(m), 1)
        self.assertEqual([(v["offset_s"], v["result"]) for v in m[0]["vmcore"]],
                         [(1.5, "fail"), (4.5, "pass"), (14.0, "pass")])
        self.assertEqual(m[0]["reloads"], 4)
        # Samples first, then the trace row (with an old sample of its own): the earlier file's
        # sample is older only when it comes first; the later file wins here too.
        m2 = runner.merge_results([dict(new[0], vmcore=list(new[0]["vmcore"]))],
                                  [{"peer": "fedora", "burst": "dimm8", "reloads": 4,
                                    "vmcore": [{"offset_s": 4.5, "result": "fail", "why": "later"}]}])
        self.assertEqual([(v["offset_s"], v["result"]) for v in m2[0]["vmcore"]], [(4.5, "fail"), (14.0, "pass")])
        self.assertEqual(m2[0]["reloads"], 4)

    def test_combine_marks_superseded_boots(self):
        boots = [{"peer": "fedora", "panic": {"burst": "dimm8", "offset_s": 4.5}},
                 {"peer": "fedora", "panic": {"burst": "dimm8", "offset_s": 1.5}},
                 {"peer": "fedora"},
                 {"peer": "fedora", "panic": {"burst": "dimm8", "offset_s": 4.5}}]
        runner.mark_superseded(boots)
        self.assertEqual([b.get("superseded", False) for b in boots], [True, False, False, False])

    def test_panics_note(self):
        self.assertIn("none sampled", runner.panics_note([{"peer": "fedora", "burst": "dimm8", "vmcore": []}]))
        note = runner.panics_note([{"peer": "fedora", "burst": "dimm8",
                                    "vmcore": [{"offset_s": 4.5}, {"offset_s": 1.5}]},
                                   {"peer": "chpd-segments", "burst": "dimm8", "vmcore": [{"offset_s": 4.5}]}])
        self.assertIn("sampled only for fedora in dimm8 at 1.5, 4.5 s; chpd-segments in dimm8 at 4.5 s", note)

    def test_combine_with_panics(self):
        d = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, d)
        peer = {"id": "fedora", "target": True}
        trace = {"schema": "chp-peer-bench/1", "command": "run", "cost_s": 100, "peers": [peer],
                 "date": "2026-12-02 02:35 UTC to 03:36 UTC",
                 "bursts": [{"id": "dimm8", "events": 32}], "boots": [{"peer": "fedora"}],
                 "not_measured": {"panics": "none sampled"},
                 "results": [{"peer": "fedora", "burst": "dimm8", "reloads": 4, "unprotected_s": 6.1, "vmcore": []}]}
        pan = {"schema": "chp-peer-bench/1", "command": "run --panic-at 4.5", "cost_s": 300, "peers": [peer],
               "date": "2026-12-02 04:48 UTC",
               "bursts": [{"id": "dimm8", "events": 32}], "boots": [{"peer": "fedora", "panic": {"offset_s": 4.5}}],
               "panic_method": "one boot per sample", "machine": {"guest_panic_boots": "1 GiB"},
               "results": [{"peer": "fedora", "burst": "dimm8", "panic_only": True, "reloads": None,
                            "unprotected_s": None,
                            "vmcore": [{"offset_s": 4.5, "result": "none", "why": "no capture kernel started",
                                        "boot_s": 150, "dump_mib": None}]}]}
        paths = []
        for name, obj in (("a.json", trace), ("b.json", pan)):
            paths.append(os.path.join(d, name))
            with open(paths[-1], "w") as f:
                json.dump(obj, f)
        out = os.path.join(d, "out")
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            rc = runner.main(["--combine"] + paths + ["--out", out])
        self.assertEqual(rc, 0)
        with open(os.path.join(out, "peer-bench", "results.json")) as f:
            m = json.load(f)
        self.assertEqual(len(m["results"]), 1)
        self.assertEqual(m["date"], "2026-12-02 02:35 UTC to 04:48 UTC")     # a range and a date
        self.assertEqual((m["results"][0]["reloads"], m["results"][0]["vmcore"][0]["result"]), (4, "none"))
        self.assertIn("sampled only for fedora in dimm8 at 4.5 s", m["not_measured"]["panics"])
        self.assertEqual((m["panic_method"], m["machine"]["guest_panic_boots"]), ("one boot per sample", "1 GiB"))
        text = buf.getvalue()
        self.assertIn("  fedora in dimm8 at 4.5 s: NONE: no capture kernel started [dump - MiB, boot 150 s]", text)
        self.assertIn("method of the panics: one boot per sample", text)
        self.assertRegex(text, r"fedora +4 +6\.10 .* 0/1\n")

    def test_burst_stops_at_the_panic(self):
        class Console:
            def __init__(self):
                self.lines, self.eof = [], False

            def wait(self, regex, start, timeout):
                # The real one waits up to timeout; here the panic is there or it is not.
                for i, (t, text) in enumerate(self.lines[start:], start):
                    if runner.re.search(regex, text):
                        return i, None, t
                raise runner.vmtest.Failure("timeout")

        class QMP:
            def __init__(self, console, panic_after, gone=False):
                self.console, self.panic_after, self.gone, self.dimms = console, panic_after, gone, 0

            def cmd(self, execute, **args):
                if self.gone and self.dimms == self.panic_after and execute == "object-add":
                    # The panic while a command is on its way: QEMU exits under it.
                    self.console.lines.append((1.0, PANIC_LINE))
                    raise runner.vmtest.Failure("QMP closed during %s" % execute)
                if execute == "device_add":
                    self.dimms += 1
                    if self.dimms == self.panic_after and not self.gone:
                        self.console.lines.append((1.0, PANIC_LINE))

        def burst(panic_after, gone=False):
            run = panic_run("dimm8", lambda console: QMP(console, panic_after, gone), Console())
            return run.burst_until_panic(runner.BURSTS["dimm8"], 0), run.qmp.dimms
        self.assertEqual(burst(3), (3, 3))          # no DIMM after the panic
        self.assertEqual(burst(99), (8, 8))         # a panic after the burst: all of it
        self.assertEqual(burst(2, gone=True), (2, 2))
        # A QMP failure without a panic is the harness's, not the burst's end.
        run = object.__new__(runner.PanicRun)
        run.console = Console()
        run.burst = "dimm8"

        class Broken:
            def cmd(self, execute, **args):
                raise runner.vmtest.Failure("QMP object-add: no memory")
        run.qmp = Broken()
        with self.assertRaises(runner.vmtest.Failure):
            run.burst_until_panic(runner.BURSTS["dimm8"], 0)

    def test_panic_refusals(self):
        # The CPU burst is sampled too (its QMP steps no longer need the console); the 6.12
        # peers boot the busybox guest, which has no kdump-tools to save a dump.
        self.assertEqual(runner.panic_refusals(["chpd-segments", "fedora", "kdump-tools"],
                                               ["dimm1", "cpu2", "dimm8", "vmem1g", "vmem4g"]), [])
        self.assertEqual(runner.panic_refusals(["kernel", "fedora", "chpd-auto"], ["cpu2"]), ["kernel", "chpd-auto"])

    def test_cpu_burst_over_qmp_stops_at_the_panic(self):
        class Console:
            def __init__(self):
                self.lines, self.eof, self.waited = [], False, []

            def wait(self, regex, start, timeout):
                self.waited.append(timeout)
                for i, (t, text) in enumerate(self.lines[start:], start):
                    if runner.re.search(regex, text):
                        return i, None, t
                raise runner.vmtest.Failure("timeout")

        class QMP:
            def __init__(self, console, panic_after, slots):
                self.console, self.panic_after, self.slots, self.added = console, panic_after, slots, []

            def cmd(self, execute, **args):
                if execute == "query-hotpluggable-cpus":
                    return self.slots
                if execute == "device_add":
                    self.added.append(args)
                    if len(self.added) == self.panic_after:
                        self.console.lines.append((1.0, PANIC_LINE))

        def slot(core, used=False):
            s = {"type": "qemu64-x86_64-cpu", "props": {"socket-id": 0, "core-id": core, "thread-id": 0}}
            if used:
                s["qom-path"] = "/machine/unattached/device[%d]" % core
            return s
        # QEMU lists the slots highest first; the boot's 2 CPUs hold cores 0 and 1.
        slots = [slot(3), slot(2), slot(1, True), slot(0, True)]

        def burst(panic_after, slots=slots):
            run = panic_run("cpu2", lambda console: QMP(console, panic_after, slots), Console())
            return run.burst_until_panic(runner.BURSTS["cpu2"], 0), run.qmp.added, run.console.waited
        sent, added, waited = burst(99)
        self.assertEqual(sent, 2)
        self.assertEqual([(a["driver"], a["id"], a["core-id"]) for a in added],
                         [("qemu64-x86_64-cpu", "cpu2-0", 2), ("qemu64-x86_64-cpu", "cpu2-1", 3)])
        self.assertEqual(waited, [runner.PANIC_CPU_INTERVAL_S])     # spaced as the trace runs' adds
        self.assertEqual(burst(1)[:2], (1, added[:1]))             # no CPU after the panic
        with self.assertRaises(runner.vmtest.Failure):
            burst(99, slots[1:])                                    # one free slot for two CPUs

    def test_panic_checks_one_prstatus_per_online_cpu(self):
        # After cpu2 the guest has 4 CPUs online: the dump must have 4 NT_PRSTATUS notes (a
        # header of the boot's 2 CPUs gives 2, a FAIL), the RAM online at the panic, the markers.
        run = object.__new__(runner.PanicRun)
        run.marks, run.result = {"nonce": "5eed", "pages": 16384}, {}
        info = runner.parse_panic_line(PANIC_LINE.replace("cpus=0-1", "cpus=0-3"))
        args = run.panic_check_args(info)
        self.assertEqual(args[args.index("-c") + 1], "4")
        self.assertEqual(args[args.index("-m") + 1], "16384")
        self.assertIn("140000000-180000000", args)
        self.assertEqual(run.panic_check_args(runner.parse_panic_line(PANIC_LINE))[1], "2")

    def test_collapse_repeats(self):
        c = runner.peer_report.collapse_repeats
        self.assertEqual(c("running: kdump-config,kdump-config,kdump-config)"), "running: kdump-config x3)")
        self.assertEqual(c("running: kdump-udev-thro,kdump-udev-thro,systemd-run,kdump-udev-thro"),
                         "running: kdump-udev-thro x2,systemd-run,kdump-udev-thro")
        self.assertEqual(c("covered FAIL 0x100000000-0x1a0000000"), "covered FAIL 0x100000000-0x1a0000000")
        self.assertEqual(c("a,ab,ab"), "a,ab x2")

    def test_report_of_samples_only(self):
        # A --panic-at run's own report: its rows have no trace figures, so no target is
        # checked against them (no "reloads 1" FAIL for a daemon that was not traced).
        d = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, d)
        rows = []
        runner.add_sample(rows, "chpd-segments", "dimm8", {"offset_s": 4.5, "result": "fail", "why": "covered"})
        runner.add_sample(rows, "fedora", "dimm8", {"offset_s": 4.5, "result": "pass", "why": ""})
        path = os.path.join(d, "results.json")
        with open(path, "w") as f:
            json.dump({"schema": "chp-peer-bench/1", "quiet_period_s": 1.0,
                       "peers": [{"id": "chpd-segments", "daemon": True}, {"id": "fedora", "target": True}],
                       "bursts": [{"id": "dimm8", "events": 32, "quiet_period_s": 2.0}], "results": rows}, f)
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            rc = runner.peer_report.main([path, "--no-chart"])
        self.assertEqual(rc, 0)
        with open(os.path.join(d, "peer-bench.json")) as f:
            self.assertEqual(json.load(f)["targets"], [])
        self.assertIn("chpd-segments in dimm8 at 4.5 s: FAIL: covered", buf.getvalue())
        self.assertIn("fedora in dimm8 at 4.5 s: PASS\n", buf.getvalue())


if __name__ == "__main__":
    unittest.main()
