/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Purgatory entry: from kexec's identity-mapped world to the kernel's 64-bit entry point.
 * See lib/x86/purgatory.h for the contract. Every memory reference is RIP-relative so the
 * blob runs wherever the loader places it; the build links it at two bases and refuses any
 * byte that differs. */
#include "purgatory.h"

	.section .text.entry, "ax", @progbits
	.code64
	.globl	purgatory_entry
purgatory_entry:
	/* Byte 0 is the kexec entry point; PurgatoryParams follows at PURGATORY_PARAMS_OFFSET,
	 * so only a short jump fits here. */
	jmp	purgatory_start

	.text
purgatory_start:
	cli
	cld
	/* relocate_kernel left %rsp in its control page; use our own stack, which lies inside
	 * our segment and so in memory the loader reserved. */
	leaq	purgatory_stack_end(%rip), %rsp
	call	purgatory_verify
	testl	%eax, %eax
	jnz	.Lrefuse

	/* The GDTR still holds the dead kernel's virtual address, which the identity page
	 * tables do not map: load our GDT before any segment register is touched. The
	 * descriptor's base must be absolute, so it is built on the stack at run time. */
	leaq	purgatory_gdt(%rip), %rax
	subq	$16, %rsp
	movw	$(purgatory_gdt_end - purgatory_gdt - 1), (%rsp)
	movq	%rax, 2(%rsp)
	lgdt	(%rsp)
	addq	$16, %rsp

	/* Reload %cs through a far return: the only way to change it in 64-bit mode. */
	leaq	.Lnew_cs(%rip), %rax
	pushq	$PURGATORY_BOOT_CS
	pushq	%rax
	lretq
.Lnew_cs:
	movl	$PURGATORY_BOOT_DS, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%eax, %fs
	movl	%eax, %gs

	movq	purgatory_params+PP_KERNEL_ENTRY(%rip), %rax
	movq	purgatory_params+PP_BOOT_PARAMS(%rip), %rsi
	xorl	%ebx, %ebx
	xorl	%ecx, %ecx
	xorl	%edx, %edx
	xorl	%edi, %edi
	xorl	%ebp, %ebp
	xorl	%r8d, %r8d
	xorl	%r9d, %r9d
	xorl	%r10d, %r10d
	xorl	%r11d, %r11d
	xorl	%r12d, %r12d
	xorl	%r13d, %r13d
	xorl	%r14d, %r14d
	xorl	%r15d, %r15d
	jmp	*%rax

.Lrefuse:
	/* A corrupted crash kernel must not run: stop this CPU for good. Interrupts are off,
	 * so only an NMI leaves hlt, and it lands back in this loop or in a triple fault
	 * (the IDT is the dead kernel's); either way nothing of the bad image runs. */
	cli
1:	hlt
	jmp	1b

	.section .rodata, "a", @progbits
	.balign	16
purgatory_gdt:
	.quad	0			/* null descriptor */
	.quad	0			/* 0x08: unused */
	.quad	0x00af9a000000ffff	/* 0x10: code, 64-bit (L=1), present, ring 0 */
	.quad	0x00cf92000000ffff	/* 0x18: data, read/write, flat 4 GiB */
purgatory_gdt_end:

	/* Not part of the blob: the loader's segment memsz covers it and the kernel
	 * zero-fills it. */
	.section .purgatory_stack, "aw", @nobits
	.balign	16
	.skip	PURGATORY_STACK_SIZE
	.globl	purgatory_stack_end
purgatory_stack_end:

	.section .note.GNU-stack, "", @progbits
