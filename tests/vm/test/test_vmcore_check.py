#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""vmcore-check on dumps written here: a dump whose PT_LOAD lies past what a file offset can
reach (as when Debian 12's kexec-tools gives the arm64 kernel text segment a size near
2^64, so the capture kernel's /proc/vmcore puts every RAM segment after it at an offset
around 2^64 - 2^46) must fail its checks and name the load, not stop as if it could not run.

  test_vmcore_check.py VMCORE-CHECK
"""
import os
import struct
import subprocess
import sys
import tempfile

EM_NATIVE = {"x86_64": 62, "aarch64": 183}


def core(path, machine, loads):
    """An ELF64 core with an empty PT_NOTE and one PT_LOAD per (offset, paddr, size)."""
    phnum = 1 + len(loads)
    eh = b"\x7fELF" + bytes([2, 1, 1]) + bytes(9)
    eh += struct.pack("<HHIQQQIHHHHHH", 4, machine, 1, 0, 64, 0, 0, 64, 56, phnum, 0, 0, 0)
    ph = struct.pack("<IIQQQQQQ", 4, 0, 0x1000, 0, 0, 0, 0, 4)
    for off, pa, size in loads:
        ph += struct.pack("<IIQQQQQQ", 1, 7, off, 0xffff000000000000 + pa, pa, size, size, 0x1000)
    with open(path, "wb") as f:
        f.write(eh + ph)
        f.truncate(0x3000)


def main():
    prog = sys.argv[1]
    arch = subprocess.run(["file", "-L", prog], capture_output=True, text=True).stdout
    target = "aarch64" if "aarch64" in arch else "x86_64"
    machine = EM_NATIVE[target]
    # The cross build's static helper runs under qemu-user on an x86_64 host.
    cmd = ["qemu-aarch64", prog] if target != os.uname().machine else [prog]
    failures = 0
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "vmcore")
        # One readable page, then a load at an offset mmap cannot take (off_t overflows).
        core(path, machine, [(0x2000, 0x40000000, 0x1000), (0xffffbbd88cc13000, 0x41000000, 0x1000)])
        r = subprocess.run(cmd + ["-f", path, "-n", "1", "-m", "1"], capture_output=True, text=True)
        out = r.stdout + r.stderr
        for what, ok in (("exit status 1 (a check failed), not 2 (could not run): %d" % r.returncode,
                          r.returncode == 1),
                         ("CHECK loads-readable FAIL", "CHECK loads-readable FAIL" in out),
                         ("the unreadable load named", "UNREADABLE-LOAD paddr=0x41000000" in out),
                         ("the verdict line", "VMCORE-CHECK FAIL" in out)):
            print("%s: %s" % ("ok" if ok else "FAIL", what))
            failures += not ok
        if failures:
            print(out)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
