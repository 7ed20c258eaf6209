#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# crash-hotplugctl end to end, on a copy of the small-vm fixture tree with the files `check`
# probes added, and on a fake daemon (a copy of sleep(1) named crash-hotplugd, also run as
# another user) and the daemon's test build beside CRASH-HOTPLUGCTL for status/reload. TAP
# output.
#   test-crash-hotplugctl.sh CRASH-HOTPLUGCTL [MKBZIMAGE]   (FIXTURES names tests/fixtures)
# MKBZIMAGE (x86_64 only) writes a kernel Loader=segments can plan with.
set -u

CTL=$1
MKBZIMAGE=${2:-}
# A cross build runs the target's programs through meson's exe_wrapper (qemu-user); the
# kernel cannot start them itself without binfmt_misc.
WRAP=${MESON_EXE_WRAPPER:-}
FIXTURES=${FIXTURES:-$(dirname "$0")/../fixtures}
WORK=$(mktemp -d)
FAKE_PID=
DAEMON_PID=
trap 'for p in $FAKE_PID $DAEMON_PID; do kill "$p" 2>/dev/null; done; rm -rf "$WORK"' EXIT

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; sed 's/^/# /' "$WORK/out" "$WORK/err" 2>/dev/null; }

# run EXPECTED-EXIT DESCRIPTION ARGS...: stdout in $WORK/out, stderr in $WORK/err.
run() {
	want=$1 desc=$2
	shift 2
	$WRAP "$CTL" "$@" >"$WORK/out" 2>"$WORK/err"
	got=$?
	if [ "$got" -eq "$want" ]; then ok "$desc"; else echo "# exit $got, expected $want"; not_ok "$desc"; fi
}
# has FILE PATTERN DESCRIPTION: grep -E.
has() {
	if grep -Eq -- "$2" "$1"; then ok "$3"; else echo "# no match for: $2"; not_ok "$3"; fi
}
hasnt() {
	if grep -Eq -- "$2" "$1"; then echo "# unexpected match for: $2"; not_ok "$3"; else ok "$3"; fi
}

ROOT=$WORK/tree
cp -R "$FIXTURES/small-vm" "$ROOT"
mkdir -p "$ROOT/proc/sys/kernel" "$ROOT/sys/kernel/security" "$ROOT/etc/udev/rules.d" \
	"$ROOT/usr/lib/udev/rules.d" "$ROOT/etc/crash-hotplugd.conf.d"
echo 0 >"$ROOT/proc/sys/kernel/kexec_load_disabled"
echo -1 >"$ROOT/proc/sys/kernel/kexec_load_limit_panic"
echo 1 >"$ROOT/sys/kernel/kexec_crash_loaded"
echo '[none] integrity confidentiality' >"$ROOT/sys/kernel/security/lockdown"
echo 0 >"$ROOT/sys/devices/system/cpu/crash_hotplug"
echo 0 >"$ROOT/sys/devices/system/memory/crash_hotplug"
echo 'BOOT_IMAGE=/boot/vmlinuz root=/dev/vda1 memhp_default_state=online_movable crashkernel=256M' \
	>"$ROOT/proc/cmdline"
# The default Kernel= and Initrd= for the running release (kdump-tools' initrd name).
mkdir -p "$ROOT/boot" "$ROOT/var/lib/kdump"
head -c 8192 /dev/zero >"$ROOT/boot/vmlinuz-$(uname -r)"
head -c 4096 /dev/zero >"$ROOT/var/lib/kdump/initrd.img-$(uname -r)"
# json FILE PYTHON-EXPRESSION DESCRIPTION: the expression over j, the parsed FILE, is true.
json() {
	if ! command -v python3 >/dev/null; then
		echo "ok $((n = n + 1)) - $3 # SKIP python3 not installed"
	elif python3 -c 'import json, sys; j = json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' \
		"$1" "$2" 2>"$WORK/json.err"; then
		ok "$3"
	else
		echo "# false: $2"
		sed 's/^/# /' "$WORK/json.err"
		not_ok "$3"
	fi
}

# --- usage -----------------------------------------------------------------------------
run 0 "--help" --help
has "$WORK/out" '^Exit status:' "--help documents the exit status"
has "$WORK/out" "^  7  check: no problem, but warnings" "--help documents check's exit status for warnings"
run 0 "--version" --version
has "$WORK/out" '^crash-hotplugctl [0-9]' "--version prints the version"
run 2 "no command is a usage error"
run 2 "unknown command" frobnicate
run 2 "--output does not apply to show" show -o x
run 2 "header needs -o" header --root "$ROOT"
run 2 "extra argument" show extra

# --- check: a healthy machine ----------------------------------------------------------
run 0 "check passes on a healthy tree" check --root "$ROOT"
hasnt "$WORK/out" '^(FAIL|warn)' "check: no FAIL or warn"
has "$WORK/out" '^ok +capacity +6 of 8198 program headers' "check reports the capacity"
has "$WORK/out" '^ok +capture cmdline +root=/dev/vda1 irqpoll nr_cpus=1 reset_devices acpi_no_memhotplug$' \
	"check shows the capture command line, hotplug-safe"
has "$WORK/out" '^ok +kernel map +from /proc/kcore' "check says where the kernel map comes from"
has "$WORK/out" "^ok +kernel +/boot/vmlinuz-$(uname -r) \\(8 KiB\\): owned by root" "check resolves the default kernel"
has "$WORK/out" "^ok +initrd +/var/lib/kdump/initrd.img-$(uname -r) \\(4 KiB\\)" "check resolves kdump-tools' initrd"
has "$WORK/out" '^ok +crash room +kernel 8 KiB \+ initrd 4 KiB \+ header 452 KiB \+ purgatory = .* of the 256 MiB reserved' \
	"check adds up what a load places in the crash region"
has "$WORK/out" '^info +crash estimate +.*below 2 GiB' "check: no estimate below 2 GiB"
has "$WORK/out" '^0 problems, 0 warnings\.$' "check: the totals"

# --- check --json ------------------------------------------------------------------------
run 0 "check --json on a healthy tree" check --root "$ROOT" --json
json "$WORK/out" 'j["verdict"] == "ok" and j["counts"]["fail"] == 0 and j["counts"]["warn"] == 0 and j["counts"]["ok"] == sum(i["level"] == "ok" for i in j["items"])' \
	"check --json: verdict ok, counts match the items"
json "$WORK/out" 'all(set(i) == {"level", "topic", "message", "fix"} for i in j["items"]) and j["complete"]' \
	"check --json: every item has level, topic, message and fix"
json "$WORK/out" 'any(i["topic"] == "capacity" and i["message"].startswith("6 of 8198") and i["fix"] is None for i in j["items"])' \
	"check --json: the capacity item"
[ "$(wc -l <"$WORK/out")" -eq 1 ] && ok "check --json: one line, nothing else on stdout" || not_ok "check --json: one line, nothing else on stdout"

# --- check: the files a load needs ---------------------------------------------------------
printf '[Daemon]\nKernel=/nonexistent\nInitrd=/nope\n' >"$ROOT/etc/crash-hotplugd.conf.d/50-missing.conf"
run 5 "check: a missing kernel and initrd are problems" check --root "$ROOT"
has "$WORK/out" '^FAIL +kernel +Kernel=/nonexistent does not exist' "check names the missing kernel"
has "$WORK/out" '^FAIL +initrd +Initrd=/nope does not exist' "check names the missing initrd"
has "$WORK/out" 'fix: +set Kernel= to an existing file' "check says how to fix the kernel"
run 5 "check --json: a missing kernel and initrd" check --root "$ROOT" --json
json "$WORK/out" 'j["verdict"] == "fail" and j["counts"]["fail"] == 2 and [i["message"] for i in j["items"] if i["level"] == "fail"] == ["Kernel=/nonexistent does not exist: no crash kernel can be loaded", "Initrd=/nope does not exist: no crash kernel can be loaded"]' \
	"check --json: two failures, each naming its file"
json "$WORK/out" 'all(i["fix"] for i in j["items"] if i["level"] == "fail")' "check --json: every failure has its fix"
printf '[Daemon]\nKernel=/boot\n' >"$ROOT/etc/crash-hotplugd.conf.d/50-missing.conf"
run 5 "check: a directory as the kernel" check --root "$ROOT"
has "$WORK/out" '^FAIL +kernel +Kernel=/boot is a directory' "check says the kernel is a directory"
rm "$ROOT/etc/crash-hotplugd.conf.d/50-missing.conf"
rm "$ROOT/var/lib/kdump/initrd.img-$(uname -r)"
run 0 "check: no initrd found is a load without one" check --root "$ROOT"
has "$WORK/out" "^info +initrd +no initrd: Initrd= unset and no kdump initrd for $(uname -r) found: the crash kernel is loaded without an initrd" \
	"check says the load has no initrd"
has "$WORK/out" '^ok +crash room +kernel 8 KiB \+ initrd 0 B \+' "the room check counts no initrd"
head -c 4096 /dev/zero >"$ROOT/var/lib/kdump/initrd.img-$(uname -r)"

# --- check: the crash region against what a load places and what the RAM needs -------------
truncate -s 300M "$ROOT/var/lib/kdump/initrd.img-$(uname -r)"
run 5 "check: kernel and initrd larger than the crash region" check --root "$ROOT"
has "$WORK/out" '^FAIL +crash room +kernel 8 KiB \+ initrd 300 MiB \+ header 452 KiB \+ purgatory = 300\.[0-9] MiB, more than the 256 MiB reserved' \
	"check says the load does not fit"
has "$WORK/out" 'fix: +.*crashkernel=640M' "the fix asks for room to run as well"
echo 536870912 >"$ROOT/sys/kernel/kexec_crash_size"
run 0 "check: /sys/kernel/kexec_crash_size is the reservation" check --root "$ROOT"
has "$WORK/out" '^ok +crash room +.* of the 512 MiB reserved' "check reads kexec_crash_size"
rm "$ROOT/sys/kernel/kexec_crash_size"
head -c 4096 /dev/zero >"$ROOT/var/lib/kdump/initrd.img-$(uname -r)"

EST=$WORK/est
cp -R "$FIXTURES/virtio-mem-fragmented" "$EST"
mkdir -p "$EST/sys/kernel" "$EST/etc"
echo 134217728 >"$EST/sys/kernel/kexec_crash_size"
$WRAP "$CTL" check --root "$EST" >"$WORK/out" 2>"$WORK/err"
has "$WORK/out" "^warn +crash estimate +128 MiB reserved, kdump-utils' estimate for the 59.6 GiB of RAM present now is 256 MiB" \
	"check: a reservation below kdump-utils' estimate is a warning"
has "$WORK/out" 'fix: +Debian/Ubuntu: set crashkernel=256M in GRUB_CMDLINE_LINUX_DEFAULT .*update-grub.*; Fedora/RHEL: grubby --update-kernel=ALL --args=crashkernel=256M' \
	"check: the fix for both families when the distribution is unknown"
: >"$EST/etc/debian_version"
$WRAP "$CTL" check --root "$EST" >"$WORK/out" 2>"$WORK/err"
has "$WORK/out" 'fix: +Debian/Ubuntu: set crashkernel=256M .*kdump-config show$' "check: Debian's fix on Debian"
hasnt "$WORK/out" 'grubby' "check: no grubby on Debian"
rm "$EST/etc/debian_version"
: >"$EST/etc/fedora-release"
$WRAP "$CTL" check --root "$EST" >"$WORK/out" 2>"$WORK/err"
has "$WORK/out" 'fix: +Fedora/RHEL: grubby --update-kernel=ALL --args=crashkernel=256M, reboot, then kdumpctl estimate$' \
	"check: Fedora's fix on Fedora"
echo 268435456 >"$EST/sys/kernel/kexec_crash_size"
$WRAP "$CTL" check --root "$EST" >"$WORK/out" 2>"$WORK/err"
has "$WORK/out" "^ok +crash estimate +256 MiB reserved, at least kdump-utils' estimate of 256 MiB" "check: a reservation at the estimate"
# Past 64 GiB the estimate doubles: what hot-added memory can do to a reservation made at boot.
BIG=$WORK/big
cp -R "$FIXTURES/server-crash-high-low" "$BIG"
mkdir -p "$BIG/sys/kernel"
echo 268435456 >"$BIG/sys/kernel/kexec_crash_size"
$WRAP "$CTL" check --root "$BIG" --json >"$WORK/out" 2>"$WORK/err"
json "$WORK/out" 'any(i["topic"] == "crash estimate" and i["level"] == "warn" and "447.7 GiB of RAM present now is 512 MiB" in i["message"] and "crashkernel=512M" in i["fix"] for i in j["items"])' \
	"check --json: above 64 GiB kdump-utils asks for 512 MiB"

# --- check: what leaves the daemon unprotected is a FAIL ---------------------------------
cp "$ROOT/proc/iomem" "$WORK/iomem.good"
printf 'zzzz-1 : System RAM\n' >"$ROOT/proc/iomem"
run 5 "check: an unreadable topology is a problem" check --root "$ROOT"
has "$WORK/out" '^FAIL +topology +cannot read: /proc/iomem:1: .*UNPROTECTED' "check fails on garbage iomem"
cp "$WORK/iomem.good" "$ROOT/proc/iomem"
cp "$ROOT/sys/devices/system/cpu/cpu1/crash_notes" "$WORK/notes.good"
echo ffffffffffffff00 >"$ROOT/sys/devices/system/cpu/cpu1/crash_notes"
run 5 "check: a header the daemon would refuse is a problem" check --root "$ROOT"
has "$WORK/out" '^FAIL +header +the header built from this topology is not valid: phdr 1: .*wraps past 2\^64' \
	"check fails on a header that does not validate"
cp "$WORK/notes.good" "$ROOT/sys/devices/system/cpu/cpu1/crash_notes"

# --- check: the capture kernel and hot-plugged memory ------------------------------------
mkdir -p "$ROOT/etc/default"
echo 'KDUMP_CMDLINE_APPEND="nr_cpus=1 systemd.unit=kdump-tools-dump.service"' >"$ROOT/etc/default/kdump-tools"
printf '[Daemon]\nCaptureMemoryHotplug=yes\n' >"$ROOT/etc/crash-hotplugd.conf.d/60-capture.conf"
run 7 "check: capture kernels that may hot-add memory are warnings" check --root "$ROOT"
has "$WORK/out" '^warn +capture cmdline +.*memhp_default_state=online_movable.*no acpi_no_memhotplug' \
	"check warns about CaptureMemoryHotplug=yes"
has "$WORK/out" '^warn +kdump-tools +KDUMP_CMDLINE_APPEND' "check warns about kdump-tools' command line"
has "$WORK/out" 'fix: +add acpi_no_memhotplug to KDUMP_CMDLINE_APPEND' "check says how to fix kdump-tools"
rm "$ROOT/etc/crash-hotplugd.conf.d/60-capture.conf" "$ROOT/etc/default/kdump-tools"

# --- check: each problem, with its fix ---------------------------------------------------
echo 1 >"$ROOT/proc/sys/kernel/kexec_load_disabled"
run 5 "check: kexec disabled" check --root "$ROOT"
has "$WORK/out" '^FAIL +kexec +disabled until reboot' "check names kexec_load_disabled"
echo 0 >"$ROOT/proc/sys/kernel/kexec_load_disabled"

echo 3 >"$ROOT/proc/sys/kernel/kexec_load_limit_panic"
run 7 "check: a low load limit is a warning" check --root "$ROOT"
has "$WORK/out" '^warn +kexec +only 3 more crash kernel loads' "check warns about kexec_load_limit_panic"
echo 0 >"$ROOT/proc/sys/kernel/kexec_load_limit_panic"
run 5 "check: no loads left is a problem" check --root "$ROOT"
has "$WORK/out" '^FAIL +kexec +no crash kernel loads left' "check fails without loads left"
echo 20 >"$ROOT/proc/sys/kernel/kexec_load_limit_panic"
mkdir -p "$WORK/check-run"
echo '{"pid":1,"state":"protected","reloads":4,"failures":1}' >"$WORK/check-run/status.json"
run 0 "check: enough loads left" check --root "$ROOT" --runtime-dir "$WORK/check-run"
has "$WORK/out" '^ok +kexec +20 more crash kernel loads allowed \(kernel.kexec_load_limit_panic\); the running daemon has made 5 load attempts' \
	"check sets the loads left against the daemon's reloads"
echo -1 >"$ROOT/proc/sys/kernel/kexec_load_limit_panic"

cp "$FIXTURES/../../conf/crash-hotplugd.conf" "$ROOT/etc/crash-hotplugd.conf"
printf '[Daemon]\nLoader=segments\n' >"$ROOT/etc/crash-hotplugd.conf.d/50-loader.conf"
echo 'none [integrity] confidentiality' >"$ROOT/sys/kernel/security/lockdown"
run 5 "check: lockdown refuses Loader=segments" check --root "$ROOT"
has "$WORK/out" '^FAIL +lockdown +integrity: kexec_load\(2\) is refused' "check explains lockdown"
has "$WORK/out" 'fix: +Loader=file' "check suggests Loader=file"
rm "$ROOT/etc/crash-hotplugd.conf.d/50-loader.conf"
run 0 "check: lockdown is fine for Loader=auto" check --root "$ROOT"
has "$WORK/out" '^info +lockdown' "lockdown is reported as info"

printf '[Daemon]\nLoader=kernel\n' >"$ROOT/etc/crash-hotplugd.conf.d/50-loader.conf"
run 5 "check: Loader=kernel without kernel support" check --root "$ROOT"
has "$WORK/out" '^FAIL +crash_hotplug .*Loader=kernel' "check explains crash_hotplug"
echo 1 >"$ROOT/sys/devices/system/cpu/crash_hotplug"
echo 1 >"$ROOT/sys/devices/system/memory/crash_hotplug"
run 0 "check: Loader=kernel with kernel support" check --root "$ROOT"
rm "$ROOT/etc/crash-hotplugd.conf.d/50-loader.conf"
echo 0 >"$ROOT/sys/devices/system/cpu/crash_hotplug"
echo 0 >"$ROOT/sys/devices/system/memory/crash_hotplug"

printf '[Daemon]\nMaxPhdrs=5\n' >"$ROOT/etc/crash-hotplugd.conf.d/60-small.conf"
run 5 "check: over capacity" check --root "$ROOT"
has "$WORK/out" '^FAIL +capacity +6 program headers needed' "check reports over capacity"
run 4 "show: over capacity exit code" show --root "$ROOT"
run 4 "header: over capacity writes nothing" header --root "$ROOT" -o "$WORK/never.bin"
[ ! -e "$WORK/never.bin" ] && ok "no file when over capacity" || not_ok "no file when over capacity"
rm "$ROOT/etc/crash-hotplugd.conf.d/60-small.conf"

# --- check: what root loads or writes must be root's alone -------------------------------
umask 022
printf '[Daemon]\nKernel=/tmp/x\n' >"$ROOT/etc/crash-hotplugd.conf.d/50-evil.conf"
chmod 0666 "$ROOT/etc/crash-hotplugd.conf.d/50-evil.conf"
run 3 "check: a world-writable drop-in is refused" check --root "$ROOT"
has "$WORK/out" '^FAIL +configuration +refused: /etc/crash-hotplugd.conf.d/50-evil.conf is writable by group and others \(mode 0666\)' \
	"check names the world-writable drop-in and why"
has "$WORK/out" 'fix: +chown root: /etc/crash-hotplugd.conf.d/50-evil.conf && chmod go-w /etc/crash-hotplugd.conf.d/50-evil.conf' \
	"check says how to fix the drop-in"
has "$WORK/err" '^error: /etc/crash-hotplugd.conf.d/50-evil.conf: is writable by group and others' \
	"the error names the drop-in"
rm "$ROOT/etc/crash-hotplugd.conf.d/50-evil.conf"
chmod 1777 "$ROOT/etc/crash-hotplugd.conf.d"
printf '[Daemon]\n' >"$ROOT/etc/crash-hotplugd.conf.d/50-ok.conf"
run 3 "check: a sticky world-writable drop-in directory is refused" check --root "$ROOT"
has "$WORK/out" '^FAIL +configuration +refused: /etc/crash-hotplugd.conf.d is writable by group and others \(mode 1777\)' \
	"check names the drop-in directory"
chmod 0755 "$ROOT/etc/crash-hotplugd.conf.d"
rm "$ROOT/etc/crash-hotplugd.conf.d/50-ok.conf"

mkdir -p "$ROOT/boot"
echo kernel >"$ROOT/boot/vmlinuz-test"
echo initrd >"$ROOT/boot/initrd-test"
printf '[Daemon]\nKernel=/boot/vmlinuz-test\nInitrd=/boot/initrd-test\n' >"$ROOT/etc/crash-hotplugd.conf.d/50-kernel.conf"
run 0 "check: a root-owned 0644 kernel is fine" check --root "$ROOT"
has "$WORK/out" '^ok +kernel +/boot/vmlinuz-test \(7 B\): owned by root' "check reports the kernel trusted"
chmod 0666 "$ROOT/boot/vmlinuz-test"
run 5 "check: a world-writable kernel is a problem" check --root "$ROOT"
has "$WORK/out" '^FAIL +kernel +kernel /boot/vmlinuz-test refused: /boot/vmlinuz-test is writable by group and others \(mode 0666\): the daemon would not load it' \
	"check names the writable kernel"
has "$WORK/out" 'fix: +chown root: /boot/vmlinuz-test && chmod go-w /boot/vmlinuz-test' "check says how to fix the kernel"
chmod 0644 "$ROOT/boot/vmlinuz-test"
chmod 0777 "$ROOT/boot"
run 5 "check: a kernel in a world-writable directory is a problem" check --root "$ROOT"
has "$WORK/out" '^FAIL +initrd +initrd /boot/initrd-test refused: /boot is writable by group and others \(mode 0777\)' \
	"check names the writable directory of the initrd"
has "$WORK/out" 'fix: +chown root: /boot && chmod go-w /boot' "check says how to fix the directory"
chmod 0755 "$ROOT/boot"
chown 1000 "$ROOT/boot/initrd-test"
run 5 "check: an initrd owned by a user is a problem" check --root "$ROOT"
has "$WORK/out" '^FAIL +initrd .*is owned by uid 1000, not root' "check names the initrd's owner"
chown 0 "$ROOT/boot/initrd-test"
rm "$ROOT/etc/crash-hotplugd.conf.d/50-kernel.conf"

mkdir -m 0700 "$WORK/secret"
printf "root's own\n" >"$WORK/secret/elfcorehdr"
chmod 0600 "$WORK/secret/elfcorehdr"
ln -s "$WORK/secret" "$WORK/out-link"
printf '[Daemon]\nLoader=dry-run\nDryRunOutput=%s\n' "$WORK/out-link" >"$ROOT/etc/crash-hotplugd.conf.d/50-dry.conf"
run 5 "check: a symlinked DryRunOutput is a problem" check --root "$ROOT"
has "$WORK/out" '^FAIL +dry-run output +DryRunOutput=.*/out-link is a symlink' "check refuses a symlinked DryRunOutput"
has "$WORK/out" 'fix: +rm .*/out-link && mkdir -m 0755 ' "check says how to fix the symlink"
rm "$WORK/out-link"
mkdir -m 0777 "$WORK/out-dir"
chmod 0777 "$WORK/out-dir"
printf '[Daemon]\nLoader=dry-run\nDryRunOutput=%s\n' "$WORK/out-dir" >"$ROOT/etc/crash-hotplugd.conf.d/50-dry.conf"
run 5 "check: a world-writable DryRunOutput is a problem" check --root "$ROOT"
has "$WORK/out" '^FAIL +dry-run output +DryRunOutput=.*/out-dir is writable by group and others \(mode 0777\)' \
	"check refuses a world-writable DryRunOutput"
has "$WORK/out" 'fix: +chown root: .*/out-dir && chmod go-w ' "check says how to fix DryRunOutput"
rm -r "$WORK/out-dir" "$ROOT/etc/crash-hotplugd.conf.d/50-dry.conf"
[ "$(cat "$WORK/secret/elfcorehdr")" = "root's own" ] && [ "$(stat -c %a "$WORK/secret/elfcorehdr")" = 600 ] &&
	ok "root's file behind the link is untouched" || not_ok "root's file behind the link is untouched"

printf '[Daemon]\nMaxPhdrs=65535\n' >"$WORK/bad.conf"
run 3 "check: invalid configuration" check --root "$ROOT" --config "$WORK/bad.conf"
has "$WORK/err" 'bad.conf:2: MaxPhdrs=65535: above 65534' "the config error names file:line"
printf '[Daemon]\nSpeed=11\n' >"$WORK/warn.conf"
run 7 "unknown key is only a warning" check --root "$ROOT" --config "$WORK/warn.conf"
has "$WORK/err" 'warning: .*warn.conf:2: Unknown key Speed=' "the warning names file:line"
has "$WORK/out" '^warn +configuration +.*warn.conf:2: Unknown key Speed=' "the warning is a line of the report"
has "$WORK/out" '^0 problems, 1 warning\.$' "the warning is counted"
has "$WORK/out" '^ok +configuration +valid, but see the warnings above: ' "the configuration line points at the warning"
printf 'Loader=dry-run\n[Daemon]\n' >"$WORK/warn.conf"
run 7 "a key outside [Daemon] is a warning" check --root "$ROOT" --config "$WORK/warn.conf" --json
json "$WORK/out" 'j["verdict"] == "warn" and j["counts"]["warn"] == 1 and any(i["topic"] == "configuration" and i["level"] == "warn" and "warn.conf:1: Loader= outside of a section" in i["message"] for i in j["items"])' \
	"check --json counts a key outside [Daemon] as a warning"
printf '[Daemon]\nMaxPhdrs=65535\n' >"$WORK/bad.conf"
run 3 "check --json: an invalid configuration" check --root "$ROOT" --config "$WORK/bad.conf" --json
json "$WORK/out" 'j["verdict"] == "fail" and j["items"][0]["level"] == "fail" and "bad.conf:2: MaxPhdrs=65535" in j["items"][0]["message"]' \
	"check --json: the configuration error as a failure"

echo 'ACTION=="add", SUBSYSTEM=="memory", RUN+="/usr/lib/kdump/kdump-udev-throttler"' \
	>"$ROOT/usr/lib/udev/rules.d/98-kexec.rules"
echo 'SUBSYSTEM=="cpu", ACTION=="add", PROGRAM="/usr/sbin/kdump-config try-reload"' \
	>"$ROOT/usr/lib/udev/rules.d/50-kdump-tools.rules"
echo 'SUBSYSTEM=="memory", RUN+="/usr/bin/kdumpctl reload"' >"$ROOT/usr/lib/udev/rules.d/40-custom.rules"
run 5 "check: conflicting distribution udev rules" check --root "$ROOT"
has "$WORK/out" '^FAIL +udev rule +/usr/lib/udev/rules.d/98-kexec.rules from kdump-utils' "kdump-utils rule found"
has "$WORK/out" '^FAIL +udev rule +/usr/lib/udev/rules.d/50-kdump-tools.rules from kdump-tools' "kdump-tools rule found"
has "$WORK/out" '^FAIL +udev rule +/usr/lib/udev/rules.d/40-custom.rules .*kdumpctl reload' "a reload in another rule found"
has "$WORK/out" 'fix: +ln -s /dev/null /etc/udev/rules.d/98-kexec.rules && udevadm control --reload' "the fix masks the rule"
has "$WORK/out" 'fix: +systemctl restart crash-hotplugd: its unit masks 50-kdump-tools.rules' "the fix names the unit's mask"
# The unit's ExecStartPre= masks the packaged rules under /run/udev/rules.d, ExecStopPost= gives them back.
DAEMON=$(dirname "$CTL")/crash-hotplugd-test
rm "$ROOT/usr/lib/udev/rules.d/40-custom.rules"
if $WRAP "$DAEMON" --root "$ROOT" --mask-rules --log-target=console >"$WORK/out" 2>"$WORK/err"; then ok "--mask-rules"; else not_ok "--mask-rules"; fi
has "$WORK/err" 'masked /usr/lib/udev/rules.d/50-kdump-tools.rules of kdump-tools' "--mask-rules says what it masked"
run 0 "check: rules masked by the daemon are fine" check --root "$ROOT"
has "$WORK/out" '^ok +udev rule +98-kexec.rules of kdump-utils .* is masked by crash-hotplugd while it runs' "the daemon's mask reported"
if $WRAP "$DAEMON" --root "$ROOT" --unmask-rules --log-target=console >"$WORK/out" 2>"$WORK/err"; then ok "--unmask-rules"; else not_ok "--unmask-rules"; fi
[ ! -e "$ROOT/run/udev/rules.d/50-kdump-tools.rules" ] && ok "the mask is gone" || not_ok "the mask is gone"
run 5 "check: the rules are active again" check --root "$ROOT"
ln -s /dev/null "$ROOT/etc/udev/rules.d/98-kexec.rules"
: >"$ROOT/etc/udev/rules.d/50-kdump-tools.rules"
run 0 "check: masked rules are fine" check --root "$ROOT"
has "$WORK/out" '^ok +udev rule +/etc/udev/rules.d/98-kexec.rules is masked' "masked rule reported"

# Debian's kdump-tools installed: its files and command line are taken, as kdump-config does.
mkdir -p "$ROOT/etc/default"
echo 'KDUMP_CMDLINE_APPEND="nr_cpus=1 irqpoll"' >"$ROOT/etc/default/kdump-tools"
run 7 "check: kdump-tools found (with warnings)" check --root "$ROOT"
has "$WORK/out" '^ok +kdump-tools +/etc/default/kdump-tools found: the daemon loads its kernel, initrd and capture command line' "kdump-tools reported"
has "$WORK/out" '^ok +capture cmdline +.* nr_cpus=1 irqpoll acpi_no_memhotplug$' "its append list is used"
has "$WORK/out" '^warn +kdump-tools +the capture command line lacks systemd.unit=kdump-tools-dump.service' "a capture that saves no dump is a warning"
has "$WORK/out" '^warn +kdump-tools +KDUMP_CMDLINE_APPEND in /etc/default/kdump-tools lacks acpi_no_memhotplug' "its own load lacks acpi_no_memhotplug"
echo 'KDUMP_KERNEL=$(ls /boot/vmlinuz-* | tail -1)' >"$ROOT/etc/default/kdump-tools"
run 5 "check: kdump-tools defaults only a shell could evaluate" check --root "$ROOT"
has "$WORK/out" '^FAIL +kdump-tools +/etc/default/kdump-tools:1: a command substitution' "the line and the reason"
rm "$ROOT/etc/default/kdump-tools"

# --- show and header ---------------------------------------------------------------------
run 0 "show" show --root "$ROOT"
has "$WORK/out" '^Header: 6 of 8198 program headers, 400 of 462848 bytes' "show: counts and capacity"
has "$WORK/out" ' 3  LOAD  0x000000000c800000  0xffffffff9ae00000 .* kernel text$' "show: every phdr"
run 0 "show --json" show --root "$ROOT" --json
has "$WORK/out" '"header":\{"fits":true,"max_phdrs":8198,"phdrs_needed":6,"capacity_bytes":462848' "show --json header"
if command -v python3 >/dev/null; then
	python3 -m json.tool "$WORK/out" >/dev/null 2>&1 && ok "show --json is JSON" || not_ok "show --json is JSON"
else
	echo "ok $((n = n + 1)) - show --json is JSON # SKIP python3 not installed"
fi
ln -s "$ROOT" "$WORK/a\"b\\c"
run 0 "show --json: a root with a quote and a backslash" show --root "$WORK/a\"b\\c" --json
json "$WORK/out" 'j["root"].endswith("/a\"b\\c") and j["topology"]["cpus_present"] == 2 and len(j["header"]["phdrs"]) == 6 and j["header"]["phdrs"][3]["what"] == "kernel text"' \
	"show --json (json-c) escapes the root and lists every phdr"
rm "$WORK/a\"b\\c"
run 0 "header -o FILE" header --root "$ROOT" -o "$WORK/h.bin"
[ "$(wc -c <"$WORK/h.bin")" -eq 462848 ] && ok "header is exactly the capacity" || not_ok "header is exactly the capacity"
if command -v readelf >/dev/null; then
	readelf -h "$WORK/h.bin" >"$WORK/out" 2>&1
	has "$WORK/out" 'Number of program headers: +6$' "readelf reads the header file"
else
	echo "ok $((n = n + 1)) - readelf reads the header file # SKIP binutils not installed"
fi
$WRAP "$CTL" header --root "$ROOT" -o - >"$WORK/h2.bin" 2>"$WORK/err"
cmp -s "$WORK/h.bin" "$WORK/h2.bin" && ok "header -o - writes the same bytes" || not_ok "header -o - writes the same bytes"
run 1 "show on a broken tree" show --root "$FIXTURES/broken-garbage-hex"
has "$WORK/err" 'proc/iomem:[0-9]+: ' "the parse error names file:line"

# --- plan ----------------------------------------------------------------------------------
echo 268435456 >"$ROOT/sys/kernel/kexec_crash_size"
echo 'none [integrity] confidentiality' >"$ROOT/sys/kernel/security/lockdown"
# x86_64 (where mkbzimage is built) tries segments before file, arm64 after it.
if [ -n "$MKBZIMAGE" ]; then auto_order="kernel, segments, file" tried='["kernel", "segments", "file"]'
else auto_order="kernel, file, segments" tried='["kernel", "file"]'; fi
run 0 "plan: Loader=auto under lockdown" plan --root "$ROOT"
has "$WORK/out" "^Loader: +file \\(Loader=auto: the first in the order $auto_order, kexec-tools that works here\\)\$" \
	"plan: auto picks file under lockdown"
has "$WORK/out" '^  kernel +/sys/devices/system/cpu/crash_hotplug reads 0' "plan: why not kernel"
if [ -n "$MKBZIMAGE" ]; then
	has "$WORK/out" '^  segments +kernel lockdown "integrity" forbids kexec_load' "plan: why not segments"
else
	hasnt "$WORK/out" '^  segments ' "plan: auto does not try segments (not x86_64)"
fi
has "$WORK/out" '^  file +works here: chosen$' "plan: file works"
has "$WORK/out" "^Kernel: +/boot/vmlinuz-$(uname -r) \\(8 KiB\\)$" "plan: the kernel"
has "$WORK/out" "^Initrd: +/var/lib/kdump/initrd.img-$(uname -r) \\(4 KiB\\)$" "plan: the initrd"
has "$WORK/out" '^Command line: root=/dev/vda1 irqpoll nr_cpus=1 reset_devices acpi_no_memhotplug$' "plan: the capture command line"
has "$WORK/out" '^Header: +6 of 8198 program headers: 2 CPU notes, 1 VMCOREINFO, 1 kernel text, 2 RAM \(766.9 MiB\); 400 of 462848 bytes$' \
	"plan: the header's program headers and capacity"
hasnt "$WORK/out" '^Segments:' "plan: no segments for Loader=file"
run 0 "plan --json: Loader=auto under lockdown" plan --root "$ROOT" --json
json "$WORK/out" 'j["loader"] == "file" and j["configured"] == "auto" and [t["loader"] for t in j["tried"]] == '"$tried"' and [t["works"] for t in j["tried"]][-1] and not any(t["works"] for t in j["tried"][:-1]) and all("why" in t for t in j["tried"][:-1])' \
	"plan --json: the loaders tried and why"
json "$WORK/out" 'j["header"] == {"fits": True, "max_phdrs": 8198, "phdrs": 6, "cpu_notes": 2, "vmcoreinfo": 1, "kernel_text": 1, "ram": 2, "capacity_bytes": 462848, "used_bytes": 400} and j["kernel"]["bytes"] == 8192 and j["initrd"]["bytes"] == 4096 and "segments" not in j' \
	"plan --json: header, kernel and initrd"
printf '[Daemon]\nMaxPhdrs=5\n' >"$ROOT/etc/crash-hotplugd.conf.d/60-small.conf"
run 4 "plan: over capacity" plan --root "$ROOT"
has "$WORK/out" '^Header: +does not fit: 6 program headers needed, MaxPhdrs=5' "plan says the header does not fit"
rm "$ROOT/etc/crash-hotplugd.conf.d/60-small.conf"
echo 0 >"$ROOT/sys/kernel/kexec_crash_size"
run 5 "plan: no loader works without a crash region" plan --root "$ROOT"
has "$WORK/out" '^Loader: +none ' "plan: no loader"
has "$WORK/out" '^  Does: +nothing can be loaded' "plan says nothing can be loaded"
echo 268435456 >"$ROOT/sys/kernel/kexec_crash_size"
echo '[none] integrity confidentiality' >"$ROOT/sys/kernel/security/lockdown"
if [ -z "$MKBZIMAGE" ]; then
	# arm64 (the only other build): its Loader=segments refuses the zero-filled kernel here;
	# its plan is tested on an arm64 tree below.
	printf '[Daemon]\nLoader=segments\n' >"$ROOT/etc/crash-hotplugd.conf.d/50-kernel.conf"
	run 5 "plan: Loader=segments with a kernel that is no arm64 Image" plan --root "$ROOT"
	has "$WORK/out" "^  segments +/boot/vmlinuz-$(uname -r): not an arm64 Image: no \"ARM\\\\x64\" magic at 0x38$" \
		"plan: arm64's segments loader says why"
	has "$WORK/out" '^Loader: +none \(Loader=segments\)$' "plan: no loader for Loader=segments with a bad kernel"
	rm "$ROOT/etc/crash-hotplugd.conf.d/50-kernel.conf"
	for t in "plan: Loader=segments" "plan --json: Loader=segments"; do
		echo "ok $((n = n + 1)) - $t # SKIP no mkbzimage (not x86_64)"
	done
else
	"$MKBZIMAGE" "$ROOT/boot/bzImage-test" 65536
	printf '[Daemon]\nKernel=/boot/bzImage-test\n' >"$ROOT/etc/crash-hotplugd.conf.d/50-kernel.conf"
	run 0 "plan: Loader=auto picks segments" plan --root "$ROOT"
	has "$WORK/out" '^Loader: +segments \(Loader=auto' "plan: segments where kexec_load is allowed"
	has "$WORK/out" '^Segments: +5 in the crash region 0x2f000000-0x3effffff \(256 MiB\), entry 0x[0-9a-f]+ \(purgatory\), kernel entry 0x2f000200$' \
		"plan: the segments' region and entry points"
	has "$WORK/out" '^  kernel +0x000000002f000000  0x0000000030[0-9a-f]{6}  +24 MiB +64 KiB$' "plan: the kernel segment"
	has "$WORK/out" '^  initrd +0x0000000030800000  ' "plan: the initrd segment follows the kernel's memory"
	has "$WORK/out" '^  elfcorehdr +0x000000003ef8f000  0x000000003effffff  +452 KiB +400 B$' \
		"plan: the header segment at the top of the region, with the bytes built now"
	printf '[Daemon]\nLoader=segments\nKernel=/boot/bzImage-test\n' >"$ROOT/etc/crash-hotplugd.conf.d/50-kernel.conf"
	run 0 "plan --json: Loader=segments" plan --root "$ROOT" --json
	json "$WORK/out" 'j["loader"] == "segments" and j["configured"] == "segments" and [g["what"] for g in j["segments"]] == ["kernel", "initrd", "purgatory", "boot_params", "elfcorehdr"] and j["segments"][4] == {"what": "elfcorehdr", "mem": "0x3ef8f000", "memsz": 462848, "bufsz": 400} and j["kernel_entry"] == "0x2f000200" and j["crash_region"] == {"start": "0x2f000000", "end": "0x3effffff"}' \
		"plan --json: every segment with its address and size"
	json "$WORK/out" 'all(int(a["mem"], 16) + a["memsz"] <= int(b["mem"], 16) for a, b in zip(j["segments"], j["segments"][1:]))' \
		"plan --json: the segments ascend without overlap"
	head -c 4096 /dev/zero >"$ROOT/boot/bzImage-test"
	run 5 "plan: Loader=segments with a kernel it cannot plan" plan --root "$ROOT"
	has "$WORK/out" '^  segments +.*bzImage-test' "plan: the segments loader says why"
	rm "$ROOT/etc/crash-hotplugd.conf.d/50-kernel.conf" "$ROOT/boot/bzImage-test"
fi
rm "$ROOT/sys/kernel/kexec_crash_size"

# --- status and reload -------------------------------------------------------------------
RUN=$WORK/run
mkdir -p "$RUN"
run 6 "status without a daemon" status --runtime-dir "$RUN"
run 6 "status --json without a daemon" status --runtime-dir "$RUN" --json
has "$WORK/out" "^\\{\"running\":false,\"protected\":false,\"reason\":\"no $RUN/status.json\"\\}$" \
	"status --json without a daemon still prints an object, with the reason"
run 6 "status --format=prometheus without a daemon" status --runtime-dir "$RUN" --format=prometheus
has "$WORK/out" '^crash_hotplugd_protected 0$' "status --format=prometheus without a daemon: not protected"
run 2 "status --format=yaml is a usage error" status --runtime-dir "$RUN" --format=yaml
run 2 "--format does not apply to show" show --format=json
run 6 "reload without a daemon" reload --runtime-dir "$RUN"
echo '{"pid":' >"$RUN/status.json"
run 1 "status: malformed file" status --runtime-dir "$RUN"
has "$WORK/err" 'malformed' "status says the file is malformed"
run 1 "status --json: malformed file" status --runtime-dir "$RUN" --json
has "$WORK/out" '^\{"running":false,"protected":false,"reason":".*malformed' "status --json says why, as an object"

# start_time PID: field 22 of /proc/PID/stat, counted after the last ')' (comm may hold any).
start_time() { sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f20; }
# status_file PID START-TIME-MEMBER [STATE [MESSAGE]]: status.json as the daemon writes it;
# START-TIME-MEMBER is '"start_time":N,' or empty (a daemon before start_time).
status_file() {
	cat >"$RUN/status.json" <<EOF
{"pid":$1,$2"state":"${3:-protected}","loader":"file","reloads":2,"failures":0,"events_total":16,
 "last_burst_events":16,"last_reload_realtime_usec":1700000000000000,"last_reload_syscall_usec":38000,
 "last_event_to_reload_usec":1040000,"cpus":2,"ram_ranges":2,"ram_bytes":804126720,"phdrs_used":6,
 "max_phdrs":8198,"repairs":1,"kernel_map":"kcore","last_repair":"memory removed (128 MiB, first at 0x138000000)",
 "fingerprint":"e89b9098eb0a37a2","message":"${4:-protected: 2 CPUs, 2 RAM ranges (767 MiB)}"}
EOF
}
# fake_start [COMMAND...]: the fake daemon, run by COMMAND (e.g. setpriv) if given, in
# FAKE_PID once it runs under its name; fake_stop ends it. Each case has its own, so a signal
# sent by mistake fails that case only.
fake_start() {
	# SIGHUP back to its default: a test run under nohup would have the fake ignore it.
	"$@" env --default-signal=HUP "$WORK/crash-hotplugd" 60 &
	FAKE_PID=$!
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		[ "$(cat "/proc/$FAKE_PID/comm" 2>/dev/null)" = crash-hotplugd ] && return
		sleep 0.1
	done
}
fake_stop() {
	kill "$FAKE_PID" 2>/dev/null
	wait "$FAKE_PID" 2>/dev/null # without the shell's "Terminated"
	FAKE_PID=
}
# not_signalled PID DESCRIPTION: PID is alive and not a zombie (a fake that got SIGHUP dies).
not_signalled() {
	sleep 0.3
	if [ -r "/proc/$1/stat" ] && ! sed 's/.*) //' "/proc/$1/stat" | grep -q '^[ZX]'; then ok "$2"; else not_ok "$2"; fi
}

# A process named crash-hotplugd that dies of SIGHUP: what reload must reach, and only it.
# $WORK is traversable so that a fake of another user can run the copy too.
chmod 711 "$WORK"
cp "$(command -v sleep)" "$WORK/crash-hotplugd"
chmod 755 "$WORK/crash-hotplugd"
status_file $$ "\"start_time\":$(start_time $$),"
run 6 "status: the pid is not crash-hotplugd" status --runtime-dir "$RUN"
has "$WORK/out" 'not running; the status file is stale' "status says stale"
run 6 "reload refuses to signal another program" reload --runtime-dir "$RUN"

# The right process, but a status file without start_time (an older daemon): no proof the pid
# is still the daemon that wrote it, so no verdict "running" and no signal.
fake_start
status_file "$FAKE_PID" ""
run 6 "status: no start_time is 'cannot verify'" status --runtime-dir "$RUN"
has "$WORK/out" "^crash-hotplugd \\(pid $FAKE_PID\\): cannot verify" "status says it cannot verify the pid"
hasnt "$WORK/out" '^crash-hotplugd \(pid [0-9]+\): protected' "status does not call an unverified pid protected"
run 6 "status --json: no start_time is not running" status --runtime-dir "$RUN" --json
has "$WORK/out" "^\\{\"pid\":$FAKE_PID,\"running\":false," "status --json says running false"
run 6 "reload refuses without start_time" reload --runtime-dir "$RUN"
has "$WORK/err" 'cannot verify' "reload says it cannot verify the pid"
not_signalled "$FAKE_PID" "reload without start_time sends no signal"
fake_stop

# Pid reuse: same pid, name and owner, but started at another time than the daemon that
# wrote the file.
fake_start
status_file "$FAKE_PID" "\"start_time\":$(($(start_time "$FAKE_PID") + 1)),"
run 6 "status: another start time is not running" status --runtime-dir "$RUN"
has "$WORK/out" "^crash-hotplugd \\(pid $FAKE_PID\\): not running; the status file is stale.*started at" \
	"status says the pid was reused"
run 6 "reload refuses a reused pid" reload --runtime-dir "$RUN"
has "$WORK/err" 'started at' "reload says the pid was reused"
not_signalled "$FAKE_PID" "reload sends no signal to a reused pid"
fake_stop

# check says what the daemon says: UNPROTECTED is a problem (as status's exit 3), a refused
# configuration a warning.
fake_start
status_file "$FAKE_PID" "\"start_time\":$(start_time "$FAKE_PID")," unprotected \
	'UNPROTECTED: no loader could load a crash kernel: kexec_file_load of /boot/vmlinuz: Invalid argument'
run 5 "check fails while the daemon reports UNPROTECTED" check --root "$ROOT" --runtime-dir "$RUN"
has "$WORK/out" '^FAIL  daemon +pid [0-9]+ reports UNPROTECTED: no loader could load' "check quotes the daemon's UNPROTECTED"
status_file "$FAKE_PID" "\"start_time\":$(start_time "$FAKE_PID")," protected
sed -i 's|"fingerprint"|"config_error":"/etc/crash-hotplugd.conf:3: MaxPhdrs=x: not a number",&|' "$RUN/status.json"
run 7 "check warns while the daemon protects with a refused configuration" check --root "$ROOT" --runtime-dir "$RUN"
has "$WORK/out" '^ok    daemon +pid [0-9]+: protected: 2 CPUs' "check shows that the daemon protects"
has "$WORK/out" '^warn  daemon config +the last reload .* refused.*crash-hotplugd.conf:3: MaxPhdrs=x' \
	"check shows a refused configuration"
printf '[Daemon]\nMaxPhdrs=x\n' >"$WORK/bad.conf"
run 3 "check with a bad configuration" check --root "$ROOT" --config "$WORK/bad.conf" --runtime-dir "$RUN"
has "$WORK/out" '^ok    daemon +pid [0-9]+: protected' "check with a bad configuration still shows the daemon"
run 0 "status with a refused configuration" status --runtime-dir "$RUN"
has "$WORK/out" '^  Config: +REFUSED at the last reload.*crash-hotplugd.conf:3: MaxPhdrs=x' \
	"status shows a refused configuration"
fake_stop
run 0 "check without a daemon" check --root "$ROOT" --runtime-dir "$RUN"
has "$WORK/out" '^info  daemon +not running' "check notes that no daemon runs"

# A hostile status file: control characters in its strings reach the terminal escaped.
fake_start
status_file "$FAKE_PID" "\"start_time\":$(start_time "$FAKE_PID")," 'protected\u001b[2J' \
	'protected\u001b]0;owned\u0007 \u001b[31mred\r\n\u007f\u009b6n back\\slash'
run 3 "status: a file with control characters (an unknown state: not protected)" status --runtime-dir "$RUN"
# Every C0 control but tab and newline, and DEL (CR and ESC among them), as raw bytes.
if LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" "$WORK/out"; then
	not_ok "status prints no raw control character"
else
	ok "status prints no raw control character"
fi
has "$WORK/out" "^crash-hotplugd \\(pid $FAKE_PID\\): protected\\\\x1b\\[2J$" "status escapes the state"
has "$WORK/out" '^  protected\\x1b]0;owned\\x07 \\x1b\[31mred\\x0d\\x0a\\x7f\\xc2\\x9b6n back\\\\slash$' \
	"status escapes the message (C0, DEL, C1 and the backslash)"
run 3 "status --json: a file with control characters" status --runtime-dir "$RUN" --json
has "$WORK/out" '"message":"protected\\u001b]0;owned\\u0007 \\u001b\[31mred\\r\\n' \
	"status --json escapes them as JSON"
if LC_ALL=C grep -q "$(printf '[\001-\010\013-\037]')" "$WORK/out"; then
	not_ok "status --json prints no raw C0 control character"
else
	ok "status --json prints no raw C0 control character"
fi

# Whatever this machine's /sys/kernel/kexec_crash_loaded says: a root without one (unknown).
NOKROOT=$WORK/nokernel
mkdir -p "$NOKROOT"
status_file "$FAKE_PID" "\"start_time\":$(start_time "$FAKE_PID"),"
run 0 "status of a running daemon" status --runtime-dir "$RUN" --root "$NOKROOT"
has "$WORK/out" "^crash-hotplugd \\(pid $FAKE_PID\\): protected$" "status first line"
has "$WORK/out" 'Header: +6 of 8198 program headers' "status header line"
has "$WORK/out" 'Repairs: +1 of the kernel.s own header; last: memory removed \(128 MiB' "status says why it repaired"
has "$WORK/out" 'Kernel map: +kcore' "status says where the kernel map came from"
run 0 "status --json" status --runtime-dir "$RUN" --json --root "$NOKROOT"
has "$WORK/out" "^\\{\"pid\":$FAKE_PID,\"start_time\":$(start_time "$FAKE_PID"),\"running\":true,\"protected\":true,\"state\":\"protected\"" \
	"status --json"
has "$WORK/out" '"repairs":1,' "status --json has the repairs"
run 0 "status --format=prometheus" status --runtime-dir "$RUN" --format=prometheus --root "$NOKROOT"
has "$WORK/out" '^crash_hotplugd_protected 1$' "status --format=prometheus: protected"
has "$WORK/out" '^crash_hotplugd_state\{state="protected"\} 1$' "status --format=prometheus: the state"
has "$WORK/out" '^crash_hotplugd_repairs_total 1$' "status --format=prometheus: the repairs"
# Running, but not protected: 3, for every state but protected and kernel-managed.
for state in starting reloading unprotected dry-run; do
	status_file "$FAKE_PID" "\"start_time\":$(start_time "$FAKE_PID")," "$state" "$state: test"
	run 3 "status: a running daemon in state $state is not protected" status --runtime-dir "$RUN"
	run 3 "status --json: state $state" status --runtime-dir "$RUN" --json
	has "$WORK/out" '"running":true,"protected":false,' "status --json: $state is not protected"
done
status_file "$FAKE_PID" "\"start_time\":$(start_time "$FAKE_PID")," kernel-managed "kernel-managed: test"
run 0 "status: kernel-managed is protected" status --runtime-dir "$RUN" --root "$NOKROOT"
# The kernel's word: protected, but nothing loaded.
status_file "$FAKE_PID" "\"start_time\":$(start_time "$FAKE_PID"),"
KROOT=$WORK/kroot
mkdir -p "$KROOT/sys/kernel"
echo 1 >"$KROOT/sys/kernel/kexec_crash_loaded"
run 0 "status: protected, and the kernel has a crash kernel loaded" status --runtime-dir "$RUN" --root "$KROOT"
hasnt "$WORK/out" 'NOT PROTECTED' "status: no warning when the kernel agrees"
run 0 "status --json: the kernel agrees" status --runtime-dir "$RUN" --root "$KROOT" --json
has "$WORK/out" '"running":true,"protected":true,"kernel_loaded":true,"state":"protected"' "status --json: kernel_loaded true"
echo 0 >"$KROOT/sys/kernel/kexec_crash_loaded"
run 3 "status: protected, but the kernel has nothing loaded" status --runtime-dir "$RUN" --root "$KROOT"
has "$WORK/out" '^  NOT PROTECTED: the daemon says protected, but the kernel has no crash kernel loaded \(/sys/kernel/kexec_crash_loaded is 0\)' \
	"status says loudly that nothing is loaded"
has "$WORK/err" 'NOT PROTECTED' "status says it on stderr too"
run 3 "status --json: protected, but the kernel has nothing loaded" status --runtime-dir "$RUN" --root "$KROOT" --json
has "$WORK/out" '"running":true,"protected":false,"kernel_loaded":false,"warning":"NOT PROTECTED: ' \
	"status --json: not protected, with the kernel's word and the warning"
run 3 "status --format=prometheus: the exit status says it too" status --runtime-dir "$RUN" --root "$KROOT" --format=prometheus
status_file "$FAKE_PID" "\"start_time\":$(start_time "$FAKE_PID")," kernel-managed "kernel-managed: test"
run 3 "status: kernel-managed, but the kernel has nothing loaded" status --runtime-dir "$RUN" --root "$KROOT"
status_file "$FAKE_PID" "\"start_time\":$(start_time "$FAKE_PID")," dry-run "dry-run: test"
run 3 "status: dry-run with nothing loaded is only not protected" status --runtime-dir "$RUN" --root "$KROOT"
hasnt "$WORK/out" 'NOT PROTECTED' "status: dry-run claims nothing, no warning"
status_file "$FAKE_PID" "\"start_time\":$(start_time "$FAKE_PID"),"
run 0 "reload" reload --runtime-dir "$RUN"
wait "$FAKE_PID"
[ $? -eq 129 ] && ok "the daemon got SIGHUP" || not_ok "the daemon got SIGHUP"
FAKE_PID=

# A process named crash-hotplugd with the right start time, of another user: not the daemon.
if [ "$(id -u)" -ne 0 ]; then
	for t in "status: a fake of another user" "reload refuses a fake of another user"; do
		echo "ok $((n = n + 1)) - $t # SKIP not root: cannot start a process as another user"
	done
elif ! command -v setpriv >/dev/null; then
	for t in "status: a fake of another user" "reload refuses a fake of another user"; do
		echo "ok $((n = n + 1)) - $t # SKIP setpriv (util-linux) not installed"
	done
else
	fake_start setpriv --reuid=65534 --regid=65534 --clear-groups
	status_file "$FAKE_PID" "\"start_time\":$(start_time "$FAKE_PID"),"
	run 6 "status: a fake of another user" status --runtime-dir "$RUN"
	has "$WORK/out" "^crash-hotplugd \\(pid $FAKE_PID\\): not running: .*uid 65534" "status names the other user"
	hasnt "$WORK/out" '^crash-hotplugd \(pid [0-9]+\): protected' "status does not call it protected"
	run 6 "reload refuses a fake of another user" reload --runtime-dir "$RUN"
	has "$WORK/err" 'uid 65534' "reload names the other user"
	not_signalled "$FAKE_PID" "reload sends no signal to a fake of another user"
	fake_stop
fi

# The real daemon (its test build: fake kexec calls, Loader=dry-run) on a fixture tree: the
# start time it records is the one crash-hotplugctl checks, and reload reaches it.
DAEMON=$(dirname "$CTL")/crash-hotplugd-test
if [ ! -x "$DAEMON" ] || [ "$(id -u)" -ne 0 ] || [ -n "$WRAP" ]; then
	if [ -n "$WRAP" ]; then
		why="under $WRAP the daemon's /proc entry is the emulator's, which status rightly refuses"
	elif [ -x "$DAEMON" ]; then
		why="not root: the daemon would run as another user"
	else
		why="no $DAEMON"
	fi
	for t in "status of the real daemon (dry-run: not protected)" "reload of the real daemon"; do
		echo "ok $((n = n + 1)) - $t # SKIP $why"
	done
else
	mkdir -p "$WORK/real/run"
	cp -R "$FIXTURES/small-vm" "$WORK/real/root"
	cp "$DAEMON" "$WORK/real/crash-hotplugd" # named as the daemon is installed
	# No DryRunOutput=: the plan goes under --runtime-dir.
	printf '[Daemon]\nLoader=dry-run\n' >"$WORK/real/conf"
	"$WORK/real/crash-hotplugd" --root="$WORK/real/root" --config="$WORK/real/conf" --monitor=kernel \
		--runtime-dir="$WORK/real/run" --log-target=console >"$WORK/real/log" 2>&1 &
	DAEMON_PID=$!
	for _ in $(seq 50); do
		grep -qs '"state":"dry-run"' "$WORK/real/run/status.json" && break
		sleep 0.1
	done
	has "$WORK/real/run/status.json" "^\\{\"pid\":$DAEMON_PID,\"start_time\":$(start_time "$DAEMON_PID")," \
		"the daemon records its pid and start time"
	run 3 "status of the real daemon (dry-run: not protected)" status --runtime-dir "$WORK/real/run"
	has "$WORK/out" "^crash-hotplugd \\(pid $DAEMON_PID\\): dry-run$" "status verifies the real daemon"
	has "$WORK/out" '^  Since: ' "status shows since when"
	[ -f "$WORK/real/run/dry-run/plan" ] && ok "dry-run writes its plan under --runtime-dir" ||
		not_ok "dry-run writes its plan under --runtime-dir"
	has "$WORK/real/run/metrics.prom" '^crash_hotplugd_state\{state="dry-run"\} 1$' "the daemon writes metrics.prom"
	has "$WORK/real/run/metrics.prom" '^crash_hotplugd_protected 0$' "metrics.prom: dry-run is not protected"
	run 3 "status --format=prometheus of the real daemon" status --runtime-dir "$WORK/real/run" --format=prometheus
	if cmp -s "$WORK/out" "$WORK/real/run/metrics.prom"; then
		ok "status --format=prometheus prints what the daemon wrote"
	else
		diff "$WORK/out" "$WORK/real/run/metrics.prom" | sed 's/^/# /'
		not_ok "status --format=prometheus prints what the daemon wrote"
	fi
	run 0 "reload of the real daemon" reload --runtime-dir "$WORK/real/run"
	for _ in $(seq 50); do
		grep -q 'SIGHUP' "$WORK/real/log" && break
		sleep 0.1
	done
	has "$WORK/real/log" 'SIGHUP: reloading the configuration' "the real daemon got SIGHUP"
	kill "$DAEMON_PID"
	wait "$DAEMON_PID"
	DAEMON_PID=
fi

# --- check on arm64 with virtio-mem RAM: kexec-tools would leave it out ---------------------
# A real arm64 guest's tree (its kcore says EM_AARCH64, so the arm64 rules apply on any host)
# with 512 MiB of virtio-mem plugged, and a stand-in kexec in PATH for the kexec-tools probe.
A64=$WORK/a64
cp -R "$FIXTURES/arm64-qemu-virt-virtio-mem" "$A64"
mkdir -p "$A64/proc/sys/kernel" "$A64/etc/crash-hotplugd.conf.d" "$A64/boot" "$WORK/bin"
echo 268435456 >"$A64/sys/kernel/kexec_crash_size"
echo 'BOOT_IMAGE=/boot/vmlinuz root=/dev/vda1 crashkernel=256M' >"$A64/proc/cmdline"
head -c 8192 /dev/zero >"$A64/boot/vmlinuz-$(uname -r)"
printf '#!/bin/sh\nexit 0\n' >"$WORK/bin/kexec"
chmod 755 "$WORK/bin/kexec"
printf '[Daemon]\nLoader=kexec-tools\n' >"$A64/etc/crash-hotplugd.conf.d/50-loader.conf"
PATH="$WORK/bin:$PATH" $WRAP "$CTL" check --root "$A64" >"$WORK/out" 2>"$WORK/err"
has "$WORK/out" '^warn +ram left out +512 MiB of driver-managed RAM .*Loader=kexec-tools resolves to kexec-tools, whose arm64 header leaves it out' \
	"check on arm64: Loader=kexec-tools leaves the virtio-mem RAM out"
PATH="$WORK/bin:$PATH" $WRAP "$CTL" show --root "$A64" >"$WORK/out" 2>"$WORK/err"
has "$WORK/out" '^ram 0xc0000000-0xdfffffff 512 MiB$' "show on arm64: the virtio-mem RAM is in the header's RAM"
hasnt "$WORK/out" '^ram-left-out' "show on arm64: nothing left out"
printf '[Daemon]\nLoader=dry-run\n' >"$A64/etc/crash-hotplugd.conf.d/50-loader.conf"
PATH="$WORK/bin:$PATH" $WRAP "$CTL" check --root "$A64" >"$WORK/out" 2>"$WORK/err"
hasnt "$WORK/out" 'ram left out' "check on arm64: no warning when the header is crash-hotplugd's own"

# --- plan on arm64: Loader=segments on the real tree (its sys/firmware/fdt), a fake Image ---
# e_machine of crash-hotplugctl itself: 183 (EM_AARCH64) in the arm64 cross build.
if [ "$(od -An -tu2 -j18 -N2 "$CTL" | tr -d ' ')" = 183 ]; then
	python3 -c '
import struct, sys
hdr = struct.pack("<IIQQQQQQ4sI", 0x91005a4d, 0x14000000, 0, 0x2010000, 0xa, 0, 0, 0, b"ARM\x64", 0x40)
open(sys.argv[1], "wb").write(hdr + bytes(0x20000 - len(hdr)))' "$A64/boot/vmlinuz-$(uname -r)"
	# Loader=segments, not auto: under qemu-user kexec_file_load is the host kernel's, so
	# auto's file probe would pass.
	printf '[Daemon]\nLoader=segments\n' >"$A64/etc/crash-hotplugd.conf.d/50-loader.conf"
	run 0 "plan on arm64: Loader=segments" plan --root "$A64"
	has "$WORK/out" '^Loader: +segments \(Loader=segments\)$' "plan on arm64: segments works here"
	has "$WORK/out" '^  Does: +kexec_load\(2\) of the segments below' "plan on arm64: what segments does"
	has "$WORK/out" '^Segments: +4 in the crash region 0xa9a00000-0xb99fffff \(256 MiB\), entry 0x[0-9a-f]+ \(purgatory\), kernel entry 0xa9a00000$' \
		"plan on arm64: the region and the entry points"
	has "$WORK/out" '^  dtb +0x00000000ab[0-9a-f]{6}  ' "plan on arm64: the device tree segment"
	has "$WORK/out" '^  elfcorehdr +0x00000000b9980000  0x00000000b99fffff +512 KiB +456 B$' "plan on arm64: the header at the top of the region (452 KiB in 64 KiB pages)"
	run 0 "plan --json on arm64" plan --root "$A64" --json
	json "$WORK/out" '[g["what"] for g in j["segments"]] == ["kernel", "dtb", "purgatory", "elfcorehdr"] and j["segments"][3]["bufsz"] == 456' \
		"plan --json on arm64: the segments in order"
	json "$WORK/out" 'all(int(a["mem"], 16) + a["memsz"] <= int(b["mem"], 16) for a, b in zip(j["segments"], j["segments"][1:]))' \
		"plan --json on arm64: the segments ascend without overlap"
else
	for t in "plan on arm64: Loader=segments"; do
		echo "ok $((n = n + 1)) - $t # SKIP not the arm64 build (its segments loader is tested by test-arm64-segments here)"
	done
fi

echo "1..$n"
[ "$failed" -eq 0 ]
