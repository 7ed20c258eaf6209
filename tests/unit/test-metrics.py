#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# The Prometheus formatter's output (test-metrics --print) read by the reference parser,
# python3-prometheus-client's text_string_to_metric_families. TAP output.
#   test-metrics.py TEST-METRICS
import os
import shlex
import subprocess
import sys

try:
    from prometheus_client.parser import text_string_to_metric_families
except ImportError:
    print("1..0 # FAIL python3-prometheus-client is not installed (tests/install-deps installs it)")
    sys.exit(1)

n = 0
failed = 0


def check(cond, desc):
    global n, failed
    n += 1
    if not cond:
        failed += 1
    print(("ok" if cond else "not ok") + f" {n} - {desc}")


# A cross build runs the target's program through meson's exe_wrapper (qemu-user).
wrap = shlex.split(os.environ.get("MESON_EXE_WRAPPER", ""))
text = subprocess.run(wrap + [sys.argv[1], "--print"], check=True, capture_output=True, text=True).stdout
families = {f.name: f for f in text_string_to_metric_families(text)}
samples = {}
for f in families.values():
    for s in f.samples:
        samples[(s.name, tuple(sorted(s.labels.items())))] = s.value


def value(name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))))


# Counters are families without _total, as the parser names them.
for name, kind in [("crash_hotplugd_protected", "gauge"), ("crash_hotplugd_state", "gauge"),
                   ("crash_hotplugd_reloads", "counter"), ("crash_hotplugd_reload_failures", "counter"),
                   ("crash_hotplugd_repairs", "counter"), ("crash_hotplugd_events", "counter"),
                   ("crash_hotplugd_last_reload_timestamp_seconds", "gauge"),
                   ("crash_hotplugd_last_reload_window_seconds", "gauge"),
                   ("crash_hotplugd_unprotected_seconds", "counter"), ("crash_hotplugd_phdrs_used", "gauge"),
                   ("crash_hotplugd_phdrs_capacity", "gauge"), ("crash_hotplugd_kernel_managed", "gauge")]:
    f = families.get(name)
    check(f is not None and f.type == kind and f.documentation, f"{name}: {kind} with HELP")

check(value("crash_hotplugd_protected") == 1, "protected 1")
check(value("crash_hotplugd_state", state="protected") == 1, "state protected 1")
check(all(value("crash_hotplugd_state", state=s) == 0
          for s in ["starting", "reloading", "unprotected", "kernel-managed", "dry-run"]), "the other states 0")
check(value("crash_hotplugd_reloads_total", loader="file") == 3, "reloads by loader")
check(value("crash_hotplugd_reload_failures_total", loader="file", reason="EBUSY") == 2, "failures by reason")
check(value("crash_hotplugd_reload_failures_total", loader='odd\\loader"\n', reason='E"X') == 0,
      "label values escaped: backslash, quote and newline come back as they were")
check(value("crash_hotplugd_last_reload_timestamp_seconds") == 1700000000.123456, "last reload timestamp")
check(value("crash_hotplugd_last_reload_window_seconds") == 0.038211, "last reload window")
check(value("crash_hotplugd_unprotected_seconds_total") == 2.5, "unprotected seconds")
check(value("crash_hotplugd_phdrs_used") == 43 and value("crash_hotplugd_phdrs_capacity") == 8198, "phdrs")
check(value("crash_hotplugd_kernel_managed") == 0, "kernel_managed 0")
print(f"1..{n}")
sys.exit(1 if failed else 0)
