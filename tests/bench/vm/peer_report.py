#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The peer benchmark's report: from a results JSON (schema below) it writes the text table
with ratios to crash-hotplugd, the same as JSON with the ratios and the target checks, a PNG
chart, and the README's section between the peer-bench marker comments.

    peer_report.py RESULTS.json [--out DIR] [--readme README.md] [--baseline PEER]
                   [--require-chart | --no-chart] [--check]

Writes DIR/peer-bench.txt, DIR/peer-bench.json, DIR/peer-bench.png (DIR defaults to the
results file's folder). Exit 0; 1 when --check and a target is missed, or when
--require-chart and there is no chart; 2 for a results file that does not follow the schema.

Results schema ("schema": "chp-peer-bench/1"); every figure may be null (not measured):

    {
      "schema": "chp-peer-bench/1",
      "synthetic": false,            # true: made up (test fixtures); said on every output
      "command": "...",              # the command that produced the results
      "machine": {...},              # free-form: accel, host cores, guest memory, kernels
      "quiet_period_s": 1.0,         # crash-hotplugd's QuietPeriodSec in the run (a burst's
                                     # own "quiet_period_s" overrides it)
      "peers": [{"id": "kdump-tools", "label": "...", "daemon": false}, ...],
                                     # "daemon": true marks crash-hotplugd's loaders;
                                     # "target": true|false the peers of the 1/10 target
                                     # (default: kdump-tools and fedora)
      "bursts": [{"id": "dimm8", "label": "8 DIMMs, one per second", "events": 64}, ...],
      "results": [{
        "peer": "kdump-tools", "burst": "dimm8",
        "reloads": 64,               # successful crash loads in the burst (trace)
        "unprotected_s": 52.3,       # sum of the windows with no crash kernel (trace)
        "longest_window_s": 0.95,
        "last_event_to_protected_s": 1.2,   # last event to the end of the last load
        "daemon_event_to_reload_s": 1.05,   # crash-hotplugd only: its status.json's
                                     # last_event_to_reload_usec (the last event as udevd
                                     # handed it over -> the load returned); null otherwise
        "cpu_s": 40.1,               # busy guest CPU seconds over the burst (/proc/stat)
        "spawned": 1920,             # tasks created (sched_process_fork) over the burst
        "vmcore": [{"offset_s": 0.5, "result": "pass", "why": "..."}, ...]
                                     # panics at fixed offsets into the burst, one run each:
                                     # pass | fail (wrong dump) | none (no crash kernel);
                                     # "why": the failed checks or what was loaded; the
                                     # runner adds "captured", "crash_loaded", "busy",
                                     # "dump_mib", "boot_s"
        "panic_only": true           # a row of panic samples only (its figures null)
      }, ...],
      "panic_method": "...",         # how the panic samples were taken
      "not_measured": {"panics": "...", ...}   # what the run did not measure, printed
    }

Ratios are value / the baseline's value in the same burst. The baseline is, per burst, the
best crash-hotplugd loader: the "daemon" peer that reloaded with the least unprotected_s
(named in each burst's heading; on x86_64 without lockdown, Loader=segments). --baseline PEER fixes one
instead, e.g. chpd-file. Why the best and not file: Loader=file's window is the
kexec_file_load call itself, the same call as the load of Fedora's unload + load, so on a
burst that the throttler coalesces into one reload, file is within a few tens of percent of
Fedora and no daemon could be 10x better with that syscall; the 1/10 target is what the
fixed-size header of Loader=segments is for. The table shows every loader's own figures.

Targets (checked for every burst with 8 or more events): the baseline's unprotected_s is at
most 1/10 of that of every target peer (kdump-tools and the Fedora reproduction, "fedora", by
default; a result may carry a "note", printed under the table); every crash-hotplugd
loader reloads as its peer entry expects ("expect_reloads": [min, max], default [1, 1];
Loader=auto on a kernel that updates its own header: [0, 1]); and it is protected again at
most quiet_period_s plus its own longest window after the last event (not checked when it did
not reload). That last one is measured from the daemon's receipt of the event
(daemon_event_to_reload_s) when the row has it: the daemon cannot act on an event before
udevd hands it over, and the time udevd takes (the kernel-trace figure minus the daemon's,
printed as the udev delivery) is not the daemon's. A row without it (older results) is
checked on last_event_to_protected_s, from the kernel's uevent, and says so.

The daemon's step, the quiet period's end to the load's system call and back from its return
(the kernel waking it from its timer, the reason for the reload, the "reloading" status
written, the loader's last checks), is allowed STEP_SHARE (1 %) of the quiet period and no
more, printed beside the check. Read with no allowance the target holds for no program: a
load that honours QuietPeriodSec cannot start before the quiet period ends, and its end is
seen only once the call returns, so every daemon's figure is the quiet period + the window +
a wakeup and the path to the call. A share of the quiet period, not a fixed time: the quiet
period is the wait the user chose, and 1 % of it stays out of sight at any setting (10 ms at
the default 1 s, 2 ms at 0.2 s). Under TCG the timer's wakeup alone is 0.5-7 ms late
(measured inside the daemon, issue 11), on hardware tens of microseconds; a daemon that
waited for anything more (udev to settle, a second timer) would miss it.
"""

import argparse
import json
import os
import re
import sys

SCHEMA = "chp-peer-bench/1"
BEGIN = "<!-- peer-bench:begin (written by tests/bench/vm/peer_report.py; edits here are lost) -->"
END = "<!-- peer-bench:end -->"
FIGURES = ("reloads", "unprotected_s", "longest_window_s", "last_event_to_protected_s", "daemon_event_to_reload_s",
           "cpu_s", "spawned")
RATIO_FIGURES = ("unprotected_s", "cpu_s", "spawned")
TARGET_PEERS = ("kdump-tools", "fedora")


class SchemaError(Exception):
    pass


def validate(data):
    if data.get("schema") != SCHEMA:
        raise SchemaError("schema is %r, not %r" % (data.get("schema"), SCHEMA))
    for key in ("peers", "bursts", "results"):
        if not isinstance(data.get(key), list):
            raise SchemaError("%s: a list is needed" % key)
    peers = {p["id"] for p in data["peers"]}
    bursts = {b["id"] for b in data["bursts"]}
    for p in data["peers"]:
        e = p.get("expect_reloads", [1, 1])
        if not (isinstance(e, list) and len(e) == 2 and all(isinstance(x, int) for x in e) and e[0] <= e[1]):
            raise SchemaError("peer %s: expect_reloads must be [min, max]" % p["id"])
    seen = set()
    for i, r in enumerate(data["results"]):
        where = "results[%d]" % i
        if r.get("peer") not in peers or r.get("burst") not in bursts:
            raise SchemaError("%s: unknown peer %r or burst %r" % (where, r.get("peer"), r.get("burst")))
        if (r["peer"], r["burst"]) in seen:
            raise SchemaError("%s: a second result for %s in %s" % (where, r["peer"], r["burst"]))
        seen.add((r["peer"], r["burst"]))
        for f in FIGURES:
            v = r.get(f)
            if v is not None and (not isinstance(v, (int, float)) or isinstance(v, bool) or v < 0):
                raise SchemaError("%s: %s must be a number >= 0 or null, not %r" % (where, f, v))
        if not isinstance(r.get("vmcore") or [], list):
            raise SchemaError("%s: vmcore must be a list" % where)
        for v in r.get("vmcore") or []:
            if v.get("result") not in ("pass", "fail", "none"):
                raise SchemaError("%s: vmcore result %r (pass, fail or none)" % (where, v.get("result")))


def ratio(a, b):
    if a is None or b is None:
        return None
    if b == 0:
        return 0.0 if a == 0 else float("inf")
    return a / b


def best_daemon(data, res, burst):
    """The crash-hotplugd peer with the least unprotected_s among those that reloaded in the
    burst (Loader=auto leaving a burst to the kernel is the kernel's figure, not a loader's),
    or None."""
    cands = [(r["unprotected_s"], p["id"]) for p in data["peers"] if p.get("daemon")
             for r in [res.get((p["id"], burst))]
             if r and r.get("unprotected_s") is not None and (r.get("reloads") or 0) >= 1]
    return min(cands)[1] if cands else None


def target_peers(data):
    """The peers the 1/10 target compares with: those with "target": true, or by default
    kdump-tools and fedora. Debian's kdump-tools as packaged makes no reload at all (udevd's
    seccomp filter refuses its kexec calls), so a run that measures it gives it "target":
    false and compares with kdump-tools-unfiltered instead."""
    return [p["id"] for p in data["peers"] if p.get("target", p["id"] in TARGET_PEERS)]


def analyse(data, baseline):
    """Rows with ratios, the target checks, and the baseline of each burst."""
    peers = {p["id"]: p for p in data["peers"]}
    if baseline != "best" and baseline not in peers:
        raise SchemaError("baseline %r is not a peer" % baseline)
    res = {(r["peer"], r["burst"]): r for r in data["results"]}
    rows, checks, bases = [], [], {}
    for b in data["bursts"]:
        q = b.get("quiet_period_s", data.get("quiet_period_s"))
        bid = best_daemon(data, res, b["id"]) if baseline == "best" else baseline
        bases[b["id"]] = bid
        base = res.get((bid, b["id"]))
        for p in data["peers"]:
            r = res.get((p["id"], b["id"]))
            if r is None:
                continue
            row = {"peer": p["id"], "burst": b["id"]}
            row.update({f: r.get(f) for f in FIGURES})
            for f in RATIO_FIGURES:
                row[f + "_ratio"] = ratio(r.get(f), base.get(f)) if base else None
            vm = r.get("vmcore") or []
            row["vmcore"] = {"pass": sum(v["result"] == "pass" for v in vm), "of": len(vm),
                             "none": sum(v["result"] == "none" for v in vm)}
            rows.append(row)
        if (b.get("events") or 0) < 8:
            continue
        for other in target_peers(data):
            o = res.get((other, b["id"]))
            if base is None or o is None or o.get("panic_only"):
                continue
            a, c = base.get("unprotected_s"), o.get("unprotected_s")
            ok = a is not None and c is not None and a <= c / 10
            checks.append({"burst": b["id"], "what": "%s no-kernel <= 1/10 of %s" % (bid, other), "ok": ok,
                           "detail": "%s s vs %s s" % (fmt(a), fmt(c))})
        for p in data["peers"]:
            r = res.get((p["id"], b["id"]))
            # A row of panic samples only traced nothing: no figure to check.
            if not p.get("daemon") or r is None or r.get("panic_only"):
                continue
            lo, hi = p.get("expect_reloads", [1, 1])
            n = r.get("reloads")
            checks.append({"burst": b["id"], "what": "%s reloads %s" % (p["id"], lo if lo == hi else "%d-%d" % (lo, hi)),
                           "ok": n is not None and lo <= n <= hi, "detail": "%s reloads" % fmt(n)})
            if not n:
                continue
            checks.append(protected_again(p["id"], b["id"], r, q))
    return rows, checks, bases


# The daemon's step from its quiet period's end to the load, as a share of the quiet period:
# the one allowance of the protected-again target (the module's docstring says why).
STEP_SHARE = 0.01


def protected_again(peer, burst, r, q):
    """The protected-again check of a crash-hotplugd row: from the daemon's receipt of the
    last event when the row has that figure, else from the kernel's uevent (said so). Allowed:
    the quiet period, the window, and STEP_SHARE of the quiet period for the daemon's step from
    its timer to the load system call, which is printed."""
    lp, ld, lw = r.get("last_event_to_protected_s"), r.get("daemon_event_to_reload_s"), r.get("longest_window_s")
    if ld is not None:
        frm, v = "daemon", ld
        said = "daemon %s s (kernel uevent %s s, udev delivery %s s)" % (
            fmt(ld), fmt(lp), fmt(lp - ld) if lp is not None else "-")
    else:
        frm, v = "kernel uevent", lp
        said = "kernel uevent %s s (no daemon figure)" % fmt(lp)
    ok = None not in (v, lw, q) and v <= q * (1 + STEP_SHARE) + lw + 1e-9
    # From the kernel's uevent the excess holds udev's delivery too: not the daemon's step.
    step = v - q - lw if None not in (v, q, lw) else None
    tail = "; %s: %s ms of %s allowed" % (
        "the daemon's step, timer to load and back" if frm == "daemon" else "beyond the quiet period and the window",
        "%.0f" % (step * 1000) if step is not None else "-", "%.0f" % (q * STEP_SHARE * 1000) if q is not None else "-")
    return {"burst": burst, "what": "%s protected again <= QuietPeriod x %.2f + one window" % (peer, 1 + STEP_SHARE),
            "ok": ok, "from": frm, "detail": "%s vs %s + %s s%s" % (said, fmt(q), fmt(lw), tail)}


def collapse_repeats(text):
    """"a,a,a,b" as "a x3,b": the reloaders running at a panic, one name per process."""
    def one(m):
        return "%s x%d" % (m.group(1), m.group(0).count(",") + 1)
    return re.sub(r"(?<![\w-])([\w-]+)(?:,\1(?![\w-]))+", one, text)


def json_safe(rows):
    """An infinite ratio (the baseline had 0 where the peer had more) as the string "inf"."""
    return [{k: ("inf" if v == float("inf") else v) for k, v in r.items()} for r in rows]


def fmt(v, nd=2):
    if v is None:
        return "-"
    if isinstance(v, int):
        return str(v)
    if v == float("inf"):
        return "inf"
    return "%.*f" % (nd, v)


def text_table(data, rows, checks, bases, baseline):
    peers = {p["id"]: p for p in data["peers"]}
    out = []
    if data.get("synthetic"):
        out.append("SYNTHETIC RESULTS (a test fixture, nothing was measured)")
    out.append("Crash kernel reloads across a hotplug burst, one guest, side by side.")
    out.append("x base: value / the baseline's in the same burst; baseline: %s" %
               ("the best crash-hotplugd loader of the burst" if baseline == "best" else baseline))
    out.append("no-kernel s: seconds with no crash kernel loaded (sum of the windows); last->ok s: the kernel's "
               "last uevent to the end of the last load (trace); rcvd->ok s: crash-hotplugd's own, the last event "
               "as udevd handed it over to the load's return (status.json); vmcore: panics at offsets into the "
               "burst with a right dump")
    out.append("protected again: from the daemon's receipt of the last event (rcvd->ok) where measured, else "
               "from the kernel's uevent (last->ok); their difference is udev's delivery, not the daemon's")
    # The peer column as wide as the longest id (kdump-tools-unfiltered).
    w = max([16] + [len(p["id"]) for p in data["peers"]])
    hdr = "%-*s %7s %11s %8s %9s %11s %11s %7s %8s %7s %8s %7s" % (
        w, "peer", "reloads", "no-kernel s", "x base", "longest s", "last->ok s", "rcvd->ok s", "cpu s", "x cpu",
        "spawned", "x spawn", "vmcore")
    for b in data["bursts"]:
        out.append("")
        bid = bases.get(b["id"])
        out.append("burst %s: %s (%s events); baseline %s" % (
            b["id"], b.get("label", ""), fmt(b.get("events")),
            "%s (%s)" % (bid, peers[bid].get("label", bid)) if bid else "-"))
        out.append(hdr)
        for r in rows:
            if r["burst"] != b["id"]:
                continue
            vm = r["vmcore"]
            out.append("%-*s %7s %11s %8s %9s %11s %11s %7s %8s %7s %8s %7s" % (
                w, r["peer"], fmt(r["reloads"]), fmt(r["unprotected_s"]), fmt(r["unprotected_s_ratio"], 1),
                fmt(r["longest_window_s"]), fmt(r["last_event_to_protected_s"]),
                fmt(r["daemon_event_to_reload_s"]), fmt(r["cpu_s"], 1),
                fmt(r["cpu_s_ratio"], 1), fmt(r["spawned"]), fmt(r["spawned_ratio"], 1),
                "%d/%d" % (vm["pass"], vm["of"]) if vm["of"] else "-"))
    notes = [r for r in data["results"] if r.get("note")]
    if notes:
        out.append("")
        out.extend("note: %s in %s: %s" % (r["peer"], r["burst"], r["note"]) for r in notes)
    samples = [(r, v) for r in data["results"] for v in r.get("vmcore") or []]
    if samples:
        out.append("")
        out.append("vmcore after a panic at an offset into the burst (one boot each):")
        out.extend("  %s in %s at %g s: %s%s%s" % (
            r["peer"], r["burst"], v["offset_s"], v["result"].upper(),
            ": " + collapse_repeats(v["why"]) if v.get("why") else "",
            " [dump %s MiB, boot %s s]" % (fmt(v.get("dump_mib"), 0), fmt(v.get("boot_s"), 0))
            if v.get("boot_s") is not None else "") for r, v in samples)
    if data.get("method"):
        out.append("")
        out.append("method: %s" % data["method"])
    if samples and data.get("panic_method"):
        out.append("method of the panics: %s" % data["panic_method"])
    for k, v in sorted((data.get("not_measured") or {}).items()):
        out.append("not measured: %s: %s" % (k, v))
    out.append("")
    out.append("targets (bursts of 8+ events)")
    for c in checks:
        out.append("%-4s %-10s %s (%s)" % ("PASS" if c["ok"] else "FAIL", c["burst"], c["what"], c["detail"]))
    if not checks:
        out.append("none checked: no burst of 8+ events with the peers needed")
    return out


def chart(data, rows, path):
    """A PNG: seconds without a crash kernel and reloads per burst, peer by peer. Returns an
    error message, or None."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as e:
        return "python3-matplotlib is not installed (%s)" % e
    bursts = [b["id"] for b in data["bursts"]]
    peers = [p["id"] for p in data["peers"]]
    fig, axes = plt.subplots(2, 1, figsize=(10, 7), sharex=True)
    width = 0.8 / max(1, len(peers))
    val = {(r["peer"], r["burst"]): r for r in rows}
    for ax, fig_key, title in ((axes[0], "unprotected_s", "seconds without a crash kernel (log; 0 drawn at 0.001)"),
                               (axes[1], "reloads", "reloads per burst (symlog)")):
        floor = 1e-3 if fig_key == "unprotected_s" else 0
        for i, p in enumerate(peers):
            xs, ys = [], []
            for j, b in enumerate(bursts):
                v = (val.get((p, b)) or {}).get(fig_key)
                if v is not None:
                    xs.append(j + (i - (len(peers) - 1) / 2) * width)
                    ys.append(max(v, floor))
            ax.bar(xs, ys, width, label=p)
        if floor:
            ax.set_yscale("log")
        else:
            ax.set_yscale("symlog", linthresh=1)
            ax.set_ylim(bottom=0)
        ax.set_title(title)
        ax.grid(axis="y", alpha=0.3)
    axes[1].set_xticks(range(len(bursts)))
    axes[1].set_xticklabels(bursts)
    axes[0].legend(fontsize=8, ncol=3)
    head = "crash-hotplugd vs distribution reloads"
    if data.get("synthetic"):
        head = "SYNTHETIC (nothing measured): " + head
    fig.suptitle(head)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return None


def readme_section(data, lines, results_name):
    body = []
    if data.get("synthetic"):
        body.append("**Synthetic results: a test fixture, nothing here was measured.**")
        body.append("")
    m = data.get("machine") or {}
    if data.get("date"):
        body.append("Measured %s: %s, %s host cores; %s; kernel %s%s; the boots took %s s. Every figure "
                    "below is of this run." % (
                        data["date"], str(m.get("accel", "?")).upper(), m.get("host_cores", "?"),
                        m.get("guest", "?") + ("; panic samples: %s" % m["guest_panic_boots"]
                                               if m.get("guest_panic_boots") else ""), m.get("kernel", "?"),
                        (" (and %s)" % m["kernel_6.12"]) if m.get("kernel_6.12") else "",
                        data.get("cost_s", "?")))
        body.append("")
    body.append("```")
    body.extend(lines)
    body.append("```")
    body.append("")
    body.append("Produced by `%s`, reported by `tests/bench/vm/peer_report.py %s --readme README.md`."
                % (data.get("command") or "(no command recorded)", results_name))
    return "\n".join(body)


def rewrite_readme(path, section):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    a, b = text.find(BEGIN), text.find(END)
    if a < 0 or b < a:
        raise SchemaError("%s: no peer-bench markers (%s ... %s)" % (path, BEGIN, END))
    new = text[:a + len(BEGIN)] + "\n" + section + "\n" + text[b:]
    if new != text:
        with open(path, "w", encoding="utf-8") as f:
            f.write(new)
    return new != text


def main(argv=None):
    ap = argparse.ArgumentParser(description="The peer benchmark's table, JSON, chart and README section.")
    ap.add_argument("results")
    ap.add_argument("--out", help="folder for peer-bench.{txt,json,png} (default: the results file's)")
    ap.add_argument("--readme", help="README to rewrite between the peer-bench markers")
    ap.add_argument("--baseline", default="best",
                    help="the peer of the ratios: best (the best crash-hotplugd loader per burst) or a peer id")
    ap.add_argument("--require-chart", action="store_true", help="exit 1 when no chart can be drawn")
    ap.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    ap.add_argument("--no-chart", action="store_true", help="do not draw the chart (and say nothing of it)")
    args = ap.parse_args(argv)
    try:
        with open(args.results, encoding="utf-8") as f:
            data = json.load(f)
        validate(data)
        rows, checks, bases = analyse(data, args.baseline)
    except (OSError, ValueError, KeyError, SchemaError) as e:
        print("peer_report: %s: %s" % (args.results, e), file=sys.stderr)
        return 2
    out = args.out or os.path.dirname(os.path.abspath(args.results))
    os.makedirs(out, exist_ok=True)
    lines = text_table(data, rows, checks, bases, args.baseline)
    with open(os.path.join(out, "peer-bench.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    report = {"schema": SCHEMA + "-report", "synthetic": bool(data.get("synthetic")), "baseline": args.baseline,
              "baselines": bases, "command": data.get("command"), "rows": json_safe(rows), "targets": checks,
              "all_targets_met": bool(checks) and all(c["ok"] for c in checks)}
    with open(os.path.join(out, "peer-bench.json"), "w", encoding="utf-8") as f:
        json.dump(report, f, indent=2, allow_nan=False)
        f.write("\n")
    print("\n".join(lines))
    rc = 0
    err = None if args.no_chart else chart(data, rows, os.path.join(out, "peer-bench.png"))
    if err:
        print("\n!!!!! CHART SKIPPED: %s; peer-bench.png not written !!!!!" % err, file=sys.stderr)
        if args.require_chart:
            rc = 1
    if args.readme:
        try:
            changed = rewrite_readme(args.readme, readme_section(data, lines, os.path.basename(args.results)))
        except (OSError, SchemaError) as e:
            print("peer_report: %s" % e, file=sys.stderr)
            return 2
        print("%s: %s" % (args.readme, "section rewritten" if changed else "unchanged"))
    if args.check and not report["all_targets_met"]:
        rc = 1
    return rc


if __name__ == "__main__":
    sys.exit(main())
