#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The kdump-utils throttler reproduction (kdump-udev-throttler-repro + kdumpctl-reload-repro)
# against a fake `kexec` and `udevadm` on PATH: N events of a burst give the number of
# loads the real throttler would. TAP output. Takes about 10 s (the throttler's sleep 1 is
# kept: it is what makes the count).
#
# The number: the first throttler of a burst takes the throttle lock and holds it for 1 s
# plus udevadm settle (until udev's queue is empty, at most 3 s); every throttler started
# meanwhile finds the lock taken and exits. So a burst whose events all come within that
# second, or back to back (settle waits for the queue), gives 1 unload + 1 load, whatever N. An event that comes after the holder let the
# lock go (it does so before reloading) starts a new holder and one more reload, which waits
# for the running kdumpctl (its lock) and so never overlaps it: loads = 1 + the number of
# events that find the lock free, about one per second of burst for a steady stream.
set -u

here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/bin" "$work/lock"

# The fake kexec: one line per call (monotonic-ish time from date, the arguments); a load
# takes FAKE_LOAD_S seconds, as a real kexec_file_load does.
cat >"$work/bin/kexec" <<'EOF'
#!/bin/sh
echo "$(date +%s.%N) start $*" >>"$FAKE_LOG"
case " $* " in
*" -u "*) ;;
*) sleep "${FAKE_LOAD_S:-0.2}" ;;
esac
echo "$(date +%s.%N) end $*" >>"$FAKE_LOG"
EOF
# The fake udevadm settle returns when the fake udev queue is empty (no FAKE_BUSY file: the
# burst below keeps it while it starts back-to-back events), after at most 3 s as --timeout 3.
cat >"$work/bin/udevadm" <<'EOF'
#!/bin/sh
echo "$(date +%s.%N) udevadm $*" >>"$FAKE_LOG"
i=0
while [ -e "$FAKE_BUSY" ] && [ "$i" -lt 30 ]; do
	sleep 0.1
	i=$((i + 1))
done
EOF
chmod +x "$work/bin/kexec" "$work/bin/udevadm"

export PATH="$work/bin:$PATH"
export CHP_REPRO_LOCKDIR="$work/lock"
export CHP_REPRO_RELOAD="$here/kdumpctl-reload-repro"
export CHP_REPRO_DEFAULTS=/nonexistent
export CHP_REPRO_KERNEL=/boot/vmlinuz CHP_REPRO_INITRD=/boot/initrd.img CHP_REPRO_CMDLINE="console=ttyS0"

n=0
failed=0
check() {
	n=$((n + 1))
	if [ "$1" = "$2" ]; then
		echo "ok $n - $3"
	else
		failed=$((failed + 1))
		echo "not ok $n - $3 (got $1, want $2)"
	fi
}

# burst LOG SPACING N: N throttlers, SPACING seconds apart (what the rule's systemd-run
# --no-block does per uevent), then wait for all of them. The udev queue counts as busy
# while events are being started, and empty during the pauses between spaced events.
export FAKE_BUSY="$work/udev-queue-busy"
burst() {
	FAKE_LOG=$1
	export FAKE_LOG
	: >"$FAKE_LOG"
	i=0
	while [ "$i" -lt "$3" ]; do
		: >"$FAKE_BUSY"
		"$here/kdump-udev-throttler-repro" >/dev/null &
		i=$((i + 1))
		if [ "$i" -lt "$3" ] && [ "$2" != 0 ]; then
			rm -f "$FAKE_BUSY"
			sleep "$2"
		fi
	done
	rm -f "$FAKE_BUSY"
	wait
}

loads() { grep -c ' end -s -p --command-line' "$1"; }
unloads() { grep -c ' end -p -u' "$1"; }

# 16 memory blocks online back to back (one 2 GiB DIMM): one reload.
FAKE_LOAD_S=0.2 burst "$work/a.log" 0 16
check "$(loads "$work/a.log")" 1 "16 events back to back: 1 load"
check "$(unloads "$work/a.log")" 1 "16 events back to back: 1 unload"
check "$(grep -c 'udevadm settle --timeout 3' "$work/a.log")" 1 "one udevadm settle --timeout 3"

# Two events 1.6 s apart: the second finds the lock free again: two reloads.
FAKE_LOAD_S=0.2 burst "$work/b.log" 1.6 2
check "$(loads "$work/b.log")" 2 "2 events 1.6 s apart: 2 loads"

# Three events 0.7 s apart (one DIMM per 0.7 s), a load of 1 s: the third comes at 1.4 s,
# after the first holder let the lock go at about 1.0 s: 2 reloads, the second waits for the
# first kdumpctl, and the second unload comes after the first load ended.
FAKE_LOAD_S=1 burst "$work/c.log" 0.7 3
check "$(loads "$work/c.log")" 2 "3 events 0.7 s apart: 2 loads"
first_load_end=$(grep ' end -s -p --command-line' "$work/c.log" | head -n 1 | cut -d' ' -f1)
second_unload=$(grep ' start -p -u' "$work/c.log" | sed -n 2p | cut -d' ' -f1)
check "$(awk -v a="$first_load_end" -v b="$second_unload" 'BEGIN { print (b >= a) ? "serial" : "overlap" }')" \
	serial "the second reload starts after the first load ended (kdumpctl's lock)"

# The capture command line: kdumpctl appends KDUMP_COMMANDLINE_APPEND to the base line, and
# kdump-utils' x86_64 default has acpi_no_memhotplug (without it the capture kernel adds the
# pc-dimms ACPI still lists as its own RAM, over memory the header it was loaded with lists).
# The base line comes from the benchmark's set-up (kdump-config's, which has no such option).
cmdline_of() { grep ' start -s -p --command-line' "$1" | head -n 1 | sed 's/.*--command-line=\(.*\) --initrd=.*/\1/'; }
FAKE_LOG="$work/d.log" CHP_REPRO_CMDLINE="console=ttyS0 nr_cpus=1" "$here/kdumpctl-reload-repro"
check "$(cmdline_of "$work/d.log")" "console=ttyS0 nr_cpus=1 acpi_no_memhotplug" \
	"reload: kdump-utils' x86_64 acpi_no_memhotplug appended to the base command line"
FAKE_LOG="$work/e.log" CHP_REPRO_CMDLINE="console=ttyS0 acpi_no_memhotplug" "$here/kdumpctl-reload-repro"
check "$(cmdline_of "$work/e.log")" "console=ttyS0 acpi_no_memhotplug" "reload: an option the base line has is not added twice"
FAKE_LOG="$work/f.log" CHP_REPRO_CMDLINE="console=ttyS0" CHP_REPRO_CMDLINE_APPEND="" "$here/kdumpctl-reload-repro"
check "$(cmdline_of "$work/f.log")" "console=ttyS0" "reload: CHP_REPRO_CMDLINE_APPEND empty appends nothing"

# The rule reproduction names the throttler for exactly the four actions.
rules="$here/98-kexec-repro.rules"
check "$(grep -c '^SUBSYSTEM=="cpu", ACTION=="add|remove", RUN+="/usr/bin/systemd-run --no-block ' "$rules")" 1 "rule: cpu add|remove"
check "$(grep -c '^SUBSYSTEM=="memory", ACTION=="online|offline", RUN+="/usr/bin/systemd-run --no-block ' "$rules")" 1 \
	"rule: memory online|offline"

echo "1..$n"
[ "$failed" -eq 0 ]
