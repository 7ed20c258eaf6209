#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# chp-bench-panic on a fake /proc, /sys and /dev (CHP_BENCH_ROOT): it waits for the first
# uevent, then writes the expectation line to kmsg and "c" to sysrq-trigger, with the System
# RAM and Crash kernel ranges of any nesting level, the online CPUs, the crash kernel state
# and the reloaders running; the line is one the runner parses. TAP output.
set -u

here=$(cd "$(dirname "$0")" && pwd)
R=$(mktemp -d)
[ -n "$R" ] && [ -d "$R" ] || exit 1
trap 'rm -rf "$R"' EXIT
mkdir -p "$R/run/crash-hotplugd" "$R/proc/sys/kernel" "$R/sys/kernel" "$R/sys/devices/system/cpu/cpu1" \
	"$R/sys/devices/system/cpu/cpu2" "$R/dev" "$R/proc/412" "$R/proc/77"
: >"$R/proc/sys/kernel/printk_devkmsg"
echo 41 >"$R/sys/kernel/uevent_seqnum"
echo "52.25 90.00" >"$R/proc/uptime"
cat >"$R/proc/iomem" <<'EOF'
00000000-00000fff : Reserved
00001000-0009fbff : System RAM
00100000-3fffffff : System RAM
  01000000-01ffffff : Kernel code
  2f000000-3effffff : Crash kernel
100000000-11fffffff : hotplug
  100000000-11fffffff : System RAM
EOF
echo 0-1 >"$R/sys/devices/system/cpu/online"
# cpu1 online, cpu2 hot-added and offline (the CPU burst's state before the helper onlines it).
echo 1 >"$R/sys/devices/system/cpu/cpu1/online"
echo 0 >"$R/sys/devices/system/cpu/cpu2/online"
echo 1 >"$R/sys/kernel/kexec_crash_loaded"
echo kexec >"$R/proc/412/comm"
echo systemd >"$R/proc/77/comm"
: >"$R/dev/kmsg"
echo '{"version":1,"state":"pending","pid":412}' >"$R/run/crash-hotplugd/status.json"
: >"$R/proc/sysrq-trigger"

n=0
fails=0
ok() {
	n=$((n + 1))
	if "$@"; then echo "ok $n"; else echo "not ok $n - $*"; fails=$((fails + 1)); fi
}

echo "1..11"
CHP_BENCH_ROOT=$R "$here/chp-bench-panic" 0.1 >"$R/out" 2>&1 &
pid=$!
sleep 0.5
# Armed, and waiting: no panic before the first uevent.
ok grep -q '^CHP-PANIC-ARMED seq=41$' "$R/out"
ok test ! -s "$R/proc/sysrq-trigger"
echo 42 >"$R/sys/kernel/uevent_seqnum"
wait "$pid"
ok grep -q '^CHP-PANIC-FIRST seq=42 uptime=52.25$' "$R/out"
ok grep -qx c "$R/proc/sysrq-trigger"
ok grep -qx on "$R/proc/sys/kernel/printk_devkmsg"
want='<0>chp-panic: uptime=52.25 cpus=0-1 loaded=1 busy=kexec chpd=pending ram=00001000-0009fbff,00100000-3fffffff,100000000-11fffffff crash=2f000000-3effffff'
ok grep -qxF "$want" "$R/dev/kmsg"
# The runner reads that line as it comes off the console (printk's time stamp before it).
ok /usr/bin/python3 -c '
import sys
sys.path.insert(0, sys.argv[1])
import runner
p = runner.parse_panic_line("[   52.250001] " + sys.argv[2][3:])
assert p["cpus"] == 2 and p["loaded"] == "1" and p["busy"] == ["kexec"] and p["chpd"] == "pending", p
assert p["ram"] == [(0x1000, 0x9fc00), (0x100000, 0x40000000), (0x100000000, 0x120000000)], p
assert p["crash"] == [(0x2f000000, 0x3f000000)], p
' "$here" "$want"
# Without "cpus" it onlines nothing (the memory bursts: the guest's CPUs as they are).
ok grep -qx 0 "$R/sys/devices/system/cpu/cpu2/online"

# "cpus": the hot-added CPU is onlined while the helper sleeps, and the onlining loop is gone
# once the helper has panicked (nothing comes online after the read).
: >"$R/proc/sysrq-trigger"
echo 42 >"$R/sys/kernel/uevent_seqnum"
CHP_BENCH_ROOT=$R "$here/chp-bench-panic" 0.4 cpus >"$R/out" 2>&1 &
pid=$!
sleep 0.3
echo 43 >"$R/sys/kernel/uevent_seqnum"
wait "$pid"
ok grep -qx 1 "$R/sys/devices/system/cpu/cpu2/online"
ok grep -qx c "$R/proc/sysrq-trigger"
echo 0 >"$R/sys/devices/system/cpu/cpu2/online"
sleep 0.3
ok grep -qx 0 "$R/sys/devices/system/cpu/cpu2/online"
[ "$fails" = 0 ]
