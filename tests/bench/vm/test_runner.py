#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# The VM runner's parts that need no VM: busy CPU seconds from /proc/stat lines, tasks
# spawned outside the harness's console, the CI point's verdict, and --combine.
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
        late = {"burst": "dimm1", "what": "chpd-segments protected again <= QuietPeriod + one window", "ok": False}
        self.assertEqual(self.report([reload_ok, ratio_ok, late]), 0)
        self.assertEqual(self.report([reload_ok, dict(ratio_ok, ok=False)]), 1)
        self.assertEqual(self.report([dict(reload_ok, ok=False), ratio_ok]), 1)
        # Nothing compared (no peer row): a failure, not a pass.
        self.assertEqual(self.report([reload_ok]), 1)
        self.assertEqual(self.report([]), 1)

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


if __name__ == "__main__":
    unittest.main()
