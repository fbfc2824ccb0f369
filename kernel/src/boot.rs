//! The first instructions: multiboot headers and the 32-bit to 64-bit switch.
//!
//! Both GRUB (multiboot2) and QEMU's `-kernel` (multiboot1) enter at
//! `_start32` in 32-bit protected mode without paging, with the magic in
//! `eax` and the boot-information address in `ebx`. Both headers use the
//! "a.out kludge" address fields, so neither loader needs to understand the
//! ELF64 file: the linker script makes the image one segment whose file
//! layout equals its memory layout.
//!
//! The boot page tables map the first GiB twice, at 0 (so the switch to
//! long mode survives) and at -2 GiB where the kernel is linked. `kmain`
//! replaces them with the final tables.

use core::arch::global_asm;

/// Where the kernel image is linked: virtual = physical + `KERNEL_VMA`.
pub const KERNEL_VMA: u64 = 0xffff_ffff_8000_0000;

global_asm!(
    r#"
    .set KERNEL_VMA, 0xffffffff80000000
    .set MB1_MAGIC, 0x1BADB002
    .set MB1_FLAGS, 0x00010003
    .set MB2_MAGIC, 0xE85250D6

    .section .multiboot1, "a"
    .balign 4
mb1_header:
    .long MB1_MAGIC
    .long MB1_FLAGS
    .long -(MB1_MAGIC + MB1_FLAGS)
    .long mb1_header - KERNEL_VMA
    .long __kernel_start - KERNEL_VMA
    .long __load_end - KERNEL_VMA
    .long __kernel_end - KERNEL_VMA
    .long _start32 - KERNEL_VMA

    .section .multiboot2, "a"
    .balign 8
mb2_header:
    .long MB2_MAGIC
    .long 0
    .long mb2_header_end - mb2_header
    .long -(MB2_MAGIC + (mb2_header_end - mb2_header))
    .balign 8
    /* address tag */
    .short 2
    .short 0
    .long 24
    .long mb2_header - KERNEL_VMA
    .long __kernel_start - KERNEL_VMA
    .long __load_end - KERNEL_VMA
    .long __kernel_end - KERNEL_VMA
    .balign 8
    /* entry address tag */
    .short 3
    .short 0
    .long 12
    .long _start32 - KERNEL_VMA
    .balign 8
    /* end tag */
    .short 0
    .short 0
    .long 8
mb2_header_end:

    .section .boot.text, "ax"
    .code32
    .global _start32
_start32:
    cli
    cld
    mov edi, eax
    mov esi, ebx
    mov esp, offset boot_stack_top - KERNEL_VMA

    /* 512 2 MiB pages cover the first GiB. */
    xor ecx, ecx
1:
    mov eax, ecx
    shl eax, 21
    or eax, 0x83
    mov [boot_pd - KERNEL_VMA + ecx * 8], eax
    mov dword ptr [boot_pd - KERNEL_VMA + ecx * 8 + 4], 0
    inc ecx
    cmp ecx, 512
    jne 1b

    mov eax, offset boot_pd - KERNEL_VMA
    or eax, 3
    mov [boot_pdpt_low - KERNEL_VMA], eax
    mov [boot_pdpt_high - KERNEL_VMA + 510 * 8], eax
    mov eax, offset boot_pdpt_low - KERNEL_VMA
    or eax, 3
    mov [boot_pml4 - KERNEL_VMA], eax
    mov eax, offset boot_pdpt_high - KERNEL_VMA
    or eax, 3
    mov [boot_pml4 - KERNEL_VMA + 511 * 8], eax
    mov eax, offset boot_pml4 - KERNEL_VMA
    mov cr3, eax

    /* PAE, then EFER: long mode, syscall, and NX when the CPU has it. */
    mov eax, cr4
    or eax, 1 << 5
    mov cr4, eax
    mov ebp, (1 << 8) | 1
    mov eax, 0x80000001
    cpuid
    test edx, 1 << 20
    jz 2f
    or ebp, 1 << 11
2:
    mov ecx, 0xC0000080
    rdmsr
    or eax, ebp
    wrmsr

    mov eax, cr0
    or eax, (1 << 31) | (1 << 16) | 1
    mov cr0, eax

    lgdt [boot_gdt_ptr - KERNEL_VMA]
    mov eax, 0x08
    push eax
    mov eax, offset boot_long_mode - KERNEL_VMA
    push eax
    retf

    .code64
boot_long_mode:
    movabs rax, offset boot_higher_half
    jmp rax
boot_higher_half:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    xor eax, eax
    mov fs, ax
    mov gs, ax
    movabs rsp, offset boot_stack_top
    xor ebp, ebp
    /* The upper halves of rdi and rsi are undefined after the mode switch. */
    mov edi, edi
    mov esi, esi
    call {kmain}
3:
    hlt
    jmp 3b

    .section .rodata
    .balign 8
boot_gdt:
    .quad 0
    .quad 0x00af9a000000ffff
    .quad 0x00cf92000000ffff
boot_gdt_end:
boot_gdt_ptr:
    .short boot_gdt_end - boot_gdt - 1
    .long boot_gdt - KERNEL_VMA

    .section .bss
    .balign 4096
boot_pml4:
    .skip 4096
boot_pdpt_low:
    .skip 4096
boot_pdpt_high:
    .skip 4096
boot_pd:
    .skip 4096
boot_stack:
    .skip 65536
boot_stack_top:
    .code64
    "#,
    kmain = sym crate::kmain,
);
