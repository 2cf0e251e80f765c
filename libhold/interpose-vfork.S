/* SPDX-License-Identifier: MIT */
/*
 * interpose-vfork.S - vfork() for x86-64.
 *
 * A vfork child runs on its parent's stack until it execs, so a wrapper
 * that keeps its return address on the stack is broken: the child returns
 * through it, the caller's execve() overwrites it, and the parent later
 * returns to garbage.  As glibc does, keep the return address in a register
 * across the system call (each side has its own registers) and push it back
 * afterwards.  Binding and the decision are a C call made before the pop;
 * the rule index waits in %esi, which the syscall instruction preserves.  While the child
 * runs, hold_in_vfork tells fdclass.c not to store what the child's (own)
 * fd table says into the cache the two share.
 */
#if defined(__x86_64__)
#include <sys/syscall.h>

	.text
	.globl	vfork
	.type	vfork, @function
	.p2align 4
vfork:
	.cfi_startproc
	sub	$8, %rsp			/* align for the call */
	.cfi_adjust_cfa_offset 8
	call	hold_vfork_prepare
	add	$8, %rsp
	.cfi_adjust_cfa_offset -8
	mov	%eax, %esi			/* rule index, or -1 */
	pop	%rdi				/* return address off the shared stack */
	.cfi_adjust_cfa_offset -8
	.cfi_register 16, 5
	mov	$SYS_vfork, %eax
	syscall
	push	%rdi
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset 16, 0
	cmp	$-4095, %rax
	jae	.Lfailed
	test	%rax, %rax
	jnz	.Lparent			/* parent: the child's pid */
	movl	$1, hold_in_vfork(%rip)		/* child: keep out of shared caches */
	test	%esi, %esi
	js	.Lreturn			/* child, no rule: return 0 */
	sub	$8, %rsp			/* child: park, below the parent's frame */
	.cfi_adjust_cfa_offset 8
	mov	%esi, %edi
	call	hold_vfork_child
	add	$8, %rsp
	.cfi_adjust_cfa_offset -8
	xor	%eax, %eax
.Lreturn:
	ret
.Lparent:					/* the child has exec'd or exited */
	movl	$0, hold_in_vfork(%rip)
	ret
.Lfailed:
	movl	$0, hold_in_vfork(%rip)
	mov	%esi, %edi
	mov	%rax, %rsi
	jmp	hold_vfork_failed
	.cfi_endproc
	.size	vfork, .-vfork
#endif
	.section .note.GNU-stack,"",@progbits
