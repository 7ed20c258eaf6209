#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# The real consumer of metrics.prom: the daemon's test build (fake kexec calls, Loader=dry-run)
# on a fixture tree writes it; Debian's prometheus-node-exporter, started here on loopback
# with only its textfile collector pointed at the runtime directory, serves it; the scrape is
# parsed with python3-prometheus-client. The exporter's own service is never used; both
# processes are ended here. TAP output.
#   test-node-exporter.py CRASH-HOTPLUGD-TEST CRASH-HOTPLUGCTL   (FIXTURES names tests/fixtures)
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

EXPORTER = "/usr/bin/prometheus-node-exporter"

if not os.access(EXPORTER, os.X_OK):
    print(f"1..0 # FAIL {EXPORTER} is not installed: install prometheus-node-exporter (tests/install-deps)")
    print(f"FAIL: {EXPORTER} is not installed; this test needs the real consumer", file=sys.stderr)
    sys.exit(1)
try:
    from prometheus_client.parser import text_string_to_metric_families
except ImportError:
    print("1..0 # FAIL python3-prometheus-client is not installed (tests/install-deps installs it)")
    sys.exit(1)

daemon, ctl = sys.argv[1], sys.argv[2]
fixtures = os.environ.get("FIXTURES", os.path.join(os.path.dirname(__file__), "..", "fixtures"))
n = 0
failed = 0


def check(cond, desc):
    global n, failed
    n += 1
    if not cond:
        failed += 1
    print(("ok" if cond else "not ok") + f" {n} - {desc}", flush=True)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop(p):
    if p and p.poll() is None:
        p.terminate()
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def wait_for(pred, tries=100, delay=0.1):
    for _ in range(tries):
        if pred():
            return True
        time.sleep(delay)
    return False


def scrape(port, proc):
    last = None
    for _ in range(50):
        if proc.poll() is not None:
            raise RuntimeError(f"node_exporter exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as r:
                return r.read().decode()
        except OSError as e:
            last = e
            time.sleep(0.2)
    raise RuntimeError(f"no scrape from node_exporter: {last}")


def samples_of(text):
    out = {}
    for f in text_string_to_metric_families(text):
        for s in f.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


work = tempfile.mkdtemp(prefix="chp-node-exporter-")
procs = []
try:
    root, run, ctl_dir = (os.path.join(work, d) for d in ("root", "run", "ctl"))
    shutil.copytree(os.path.join(fixtures, "small-vm"), root, symlinks=True)
    os.makedirs(ctl_dir)
    conf = os.path.join(work, "conf")
    with open(conf, "w") as f:
        f.write("[Daemon]\nLoader=dry-run\n")
    # Named as installed: crash-hotplugctl trusts only a root process named crash-hotplugd.
    shutil.copy(daemon, os.path.join(work, "crash-hotplugd"))
    log = open(os.path.join(work, "daemon.log"), "w")
    d = subprocess.Popen([os.path.join(work, "crash-hotplugd"), f"--root={root}", f"--config={conf}", "--monitor=kernel",
                          f"--runtime-dir={run}", "--log-target=console"], stdout=log, stderr=log)
    procs.append(d)
    prom = os.path.join(run, "metrics.prom")

    def written():
        try:
            with open(prom) as f:
                return 'crash_hotplugd_state{state="dry-run"} 1' in f.read()
        except OSError:
            return False

    check(wait_for(written), "the daemon writes metrics.prom in its runtime directory")
    check(oct(os.stat(prom).st_mode & 0o7777) == "0o644", "metrics.prom has mode 0644")
    check(not [x for x in os.listdir(run) if x.startswith("metrics.prom.")], "no temporary file left")
    # The same metrics as crash-hotplugctl prints them, in a directory of their own. It trusts
    # only a process named crash-hotplugd: not one under a wrapper (meson test --setup valgrind).
    with open(f"/proc/{d.pid}/comm") as f:
        comm = f.read().strip()
    dirs = [("daemon", run)]
    if comm != "crash-hotplugd":
        print(f"ok {n + 1} - crash-hotplugctl status --format=prometheus # SKIP the daemon runs as {comm!r} "
              "(a wrapper such as valgrind): crash-hotplugctl cannot verify its pid")
        n += 1
    elif os.geteuid() != 0:
        print(f"ok {n + 1} - crash-hotplugctl status --format=prometheus # SKIP not root: crash-hotplugctl "
              "trusts only a daemon run by root")
        n += 1
    else:
        dirs.append(("crash-hotplugctl", ctl_dir))
    r = subprocess.run([ctl, "status", f"--runtime-dir={run}", "--format=prometheus"], capture_output=True,
                       text=True)
    if len(dirs) > 1:
        check(r.returncode == 3, f"crash-hotplugctl status: exit 3 for dry-run (got {r.returncode}: {r.stderr.strip()})")
    with open(os.path.join(ctl_dir, "ctl.prom"), "w") as f:
        f.write(r.stdout)

    for desc, directory in dirs:
        port = free_port()
        e = subprocess.Popen([EXPORTER, f"--web.listen-address=127.0.0.1:{port}", "--collector.disable-defaults",
                              "--collector.textfile", f"--collector.textfile.directory={directory}"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(e)
        try:
            s = samples_of(scrape(port, e))
        finally:
            stop(e)

        def v(name, **labels):
            return s.get((name, tuple(sorted(labels.items()))))

        check(v("node_textfile_scrape_error") == 0, f"{desc}: node_exporter read the file without error")
        check(v("crash_hotplugd_protected") == 0, f"{desc}: crash_hotplugd_protected 0 (dry-run protects nothing)")
        check(v("crash_hotplugd_state", state="dry-run") == 1, f"{desc}: crash_hotplugd_state dry-run 1")
        check(v("crash_hotplugd_state", state="protected") == 0, f"{desc}: crash_hotplugd_state protected 0")
        check(v("crash_hotplugd_reloads_total", loader="dry-run") == 1, f"{desc}: one dry-run reload")
        check(v("crash_hotplugd_reloads_total", loader="file") == 0, f"{desc}: no file reload")
        check(v("crash_hotplugd_kernel_managed") == 0, f"{desc}: kernel_managed 0")
        check(v("crash_hotplugd_phdrs_used") == 6 and v("crash_hotplugd_phdrs_capacity") == 8198,
              f"{desc}: phdrs 6 of 8198")
        check((v("crash_hotplugd_last_reload_timestamp_seconds") or 0) > 1.6e9, f"{desc}: last reload time")
        check(v("crash_hotplugd_last_reload_window_seconds") is not None, f"{desc}: last reload window")
        check(v("crash_hotplugd_unprotected_seconds_total") is not None, f"{desc}: unprotected seconds")
        check(v("crash_hotplugd_events_total") == 0 and v("crash_hotplugd_repairs_total") == 0,
              f"{desc}: no events, no repairs")
except Exception as ex:  # a broken step is a failure, said so
    check(False, f"unexpected: {ex}")
finally:
    for p in procs:
        stop(p)
    shutil.rmtree(work, ignore_errors=True)
print(f"1..{n}")
sys.exit(1 if failed else 0)
