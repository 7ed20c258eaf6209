#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# chp-kexec-trace against a fake tracefs (a folder laid out as the kernel lays out an
# instance, and mkdir/rmdir on PATH that do in it what the kernel does: a new instance comes
# with its files and goes with them), so the guest script's logic is checked without a VM:
# the clock chosen, the events enabled, the markers, the header, the clean-up, and a dump the
# parser reads. TAP output.
set -u

here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
[ -n "$work" ] && [ -d "$work" ] || exit 1
trap 'rm -rf "$work"' EXIT
fake="$work/tracefs"
tmpl="$work/template"
/bin/mkdir -p "$fake/instances" "$work/bin" "$work/run"

# template CLOCKS EVENTS...: what a new instance holds (CLOCKS "" for the usual list).
template() {
	rm -rf "$tmpl"
	/bin/mkdir -p "$tmpl/per_cpu/cpu0" "$tmpl/per_cpu/cpu1"
	echo "${1:-[local] global counter uptime perf mono mono_raw boot x86-tsc}" >"$tmpl/trace_clock"
	shift
	echo 1408 >"$tmpl/buffer_size_kb"
	echo 0 >"$tmpl/tracing_on"
	: >"$tmpl/trace_marker"
	printf 'entries: 0\noverrun: 0\n' >"$tmpl/per_cpu/cpu0/stats"
	printf 'entries: 4\noverrun: 2\n' >"$tmpl/per_cpu/cpu1/stats"
	for e in "$@"; do
		/bin/mkdir -p "$tmpl/events/$e"
		echo 0 >"$tmpl/events/$e/enable"
	done
	{
		echo '# tracer: nop'
		echo '#'
		echo '# entries-in-buffer/entries-written: 4/4   #P:2'
		echo '#'
		echo '              sh-300     [000] .....    10.000000: tracing_mark_write: chp-trace-start'
		echo '  crash-hotplugd-412     [001] .....    20.000000: sys_kexec_file_load(kernel_fd: 3, initrd_fd: 4, cmdline_len: 5b, cmdline_ptr: 55d0c8a4b2a0, flags: 2)'
		echo '  crash-hotplugd-412     [001] .....    20.750000: sys_kexec_file_load -> 0x0'
		echo '              sh-300     [000] .....    30.000000: tracing_mark_write: chp-trace-end'
	} >"$tmpl/trace"
}
ALL="syscalls/sys_enter_kexec_load syscalls/sys_exit_kexec_load syscalls/sys_enter_kexec_file_load
syscalls/sys_exit_kexec_file_load sched/sched_process_fork sched/sched_process_exec"

# The fake mkdir and rmdir act on the fake instances folder only.
{
	echo '#!/bin/sh'
	echo '/bin/mkdir "$@" || exit'
	echo 'for a; do'
	echo "	case \"\$a\" in \"$fake/instances/\"*) cp -R \"$tmpl/.\" \"\$a/\" ;; esac"
	echo 'done'
} >"$work/bin/mkdir"
{
	echo '#!/bin/sh'
	echo 'for a; do'
	echo "	case \"\$a\" in \"$fake/instances/\"*) rm -rf \"\$a\" ;; *) /bin/rmdir \"\$a\" || exit ;; esac"
	echo 'done'
} >"$work/bin/rmdir"
chmod +x "$work/bin/mkdir" "$work/bin/rmdir"
echo 1 >"$work/crash_loaded"
export PATH="$work/bin:$PATH" CHP_TRACEFS="$fake" CHP_TRACE_STATE="$work/run/state" \
	CHP_TRACE_CRASH_LOADED="$work/crash_loaded"
tr="$here/chp-kexec-trace"
inst="$fake/instances/chp-kexec"

n=0
failed=0
ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		failed=$((failed + 1))
		echo "not ok $n - $2"
	fi
}
is() {
	[ "$1" = "$2" ]
	ok $? "$3 (got '$1', want '$2')"
}

# shellcheck disable=SC2086 # the event list is words
template "" $ALL
"$tr" start >/dev/null
ok $? "start"
is "$(cat "$inst/trace_clock")" mono "clock mono"
is "$(cat "$inst/buffer_size_kb")" 8192 "8 MiB per CPU"
is "$(cat "$inst/tracing_on")" 1 "tracing on"
is "$(cat "$inst/trace_marker")" chp-trace-start "start marker"
on=0
for e in $ALL; do
	[ "$(cat "$inst/events/$e/enable")" = 1 ] && on=$((on + 1))
done
is "$on" 6 "the six events enabled"
"$tr" start >/dev/null 2>&1
is $? 1 "a second start is refused"

"$tr" mark chp-burst-begin dimm1
is "$(cat "$inst/trace_marker")" "chp-burst-begin dimm1" "mark writes its words"

echo 0 >"$work/crash_loaded"
"$tr" dump >"$work/dump.txt"
ok $? "dump"
grep -qx '# chp: clock=mono' "$work/dump.txt"
ok $? "dump header: clock"
grep -qx '# chp: crash_loaded_start=1' "$work/dump.txt" && grep -qx '# chp: crash_loaded_end=0' "$work/dump.txt"
ok $? "dump header: kexec_crash_loaded at start and at the dump"
grep -qx '# chp: overrun=2' "$work/dump.txt"
ok $? "dump header: overruns summed over the CPUs"
grep -q '^# chp: proc_stat_start=cpu [0-9]' "$work/dump.txt" && grep -q '^# chp: proc_stat_end=cpu [0-9]' "$work/dump.txt"
ok $? "dump header: /proc/stat cpu lines"
is "$(cat "$inst/tracing_on")" 1 "dump leaves tracing on"

echo 1 >"$work/crash_loaded"
"$tr" stop >"$work/stop.txt"
ok $? "stop"
[ ! -e "$inst" ] && [ ! -e "$work/run/state" ]
ok $? "stop removes the instance and its state"
summary=$(cd "$here" && python3 -c '
import sys
sys.dont_write_bytecode = True
import kexec_trace
t = kexec_trace.Trace(open(sys.argv[1]).read())
s = t.summary()
print(t.header["clock"], s["reloads"], s["unprotected_s"], len(t.warnings))
' "$work/stop.txt")
is "$summary" "mono 1 0.75 0" "the parser reads the dump: one reload, 0.75 s"

# shellcheck disable=SC2086
template "[local] global counter uptime perf" $ALL
"$tr" start >/dev/null
is "$(cat "$inst/trace_clock")" global "no mono: global"
"$tr" stop >/dev/null

template "" syscalls/sys_enter_kexec_load syscalls/sys_exit_kexec_load
"$tr" start >/dev/null 2>"$work/err"
is $? 1 "a kernel without an event: start fails"
grep -q 'no event syscalls/sys_enter_kexec_file_load' "$work/err"
ok $? "and names the event"
[ ! -e "$inst" ]
ok $? "and leaves no instance behind"

echo "1..$n"
[ "$failed" -eq 0 ]
