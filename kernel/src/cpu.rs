//! CPU feature set-up: NX, SMEP, SMAP, FSGSBASE, the FPU (xsave or fxsave),
//! and the model-specific registers the kernel uses.

use core::arch::{asm, x86_64::__cpuid_count};
use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

pub const MSR_EFER: u32 = 0xc000_0080;
pub const MSR_STAR: u32 = 0xc000_0081;
pub const MSR_LSTAR: u32 = 0xc000_0082;
pub const MSR_FMASK: u32 = 0xc000_0084;
pub const MSR_FS_BASE: u32 = 0xc000_0100;
pub const MSR_GS_BASE: u32 = 0xc000_0101;
pub const MSR_KERNEL_GS_BASE: u32 = 0xc000_0102;
pub const MSR_APIC_BASE: u32 = 0x1b;

static XSAVE: AtomicBool = AtomicBool::new(false);
/// CR0.TS as last written: set, the next FPU/SSE instruction traps (#NM).
static FPU_TRAP: AtomicBool = AtomicBool::new(false);
static FPU_SIZE: AtomicUsize = AtomicUsize::new(512);

pub fn rdmsr(msr: u32) -> u64 {
    let (lo, hi): (u32, u32);
    // SAFETY: the kernel reads only architectural MSRs it knows exist.
    unsafe { asm!("rdmsr", in("ecx") msr, out("eax") lo, out("edx") hi, options(nomem, nostack)) };
    (hi as u64) << 32 | lo as u64
}

pub fn wrmsr(msr: u32, value: u64) {
    // SAFETY: callers write architectural MSRs with values they checked.
    unsafe {
        asm!("wrmsr", in("ecx") msr, in("eax") value as u32, in("edx") (value >> 32) as u32, options(nomem, nostack))
    };
}

pub fn rdtsc() -> u64 {
    let (lo, hi): (u32, u32);
    // SAFETY: rdtsc has no side effects.
    unsafe { asm!("rdtsc", out("eax") lo, out("edx") hi, options(nomem, nostack)) };
    (hi as u64) << 32 | lo as u64
}

pub fn read_cr2() -> u64 {
    let v: u64;
    // SAFETY: reading CR2 has no side effects.
    unsafe { asm!("mov {}, cr2", out(reg) v, options(nomem, nostack)) };
    v
}

fn cpuid(leaf: u32, sub: u32) -> (u32, u32, u32, u32) {
    let r = __cpuid_count(leaf, sub);
    (r.eax, r.ebx, r.ecx, r.edx)
}

/// What the CPU offered, for the boot log.
pub struct Features {
    pub nx: bool,
    pub smep: bool,
    pub smap: bool,
    pub xsave: bool,
    pub fpu_bytes: usize,
}

/// Turn on the protections and the FPU state saving the kernel relies on.
pub fn init(max_fpu_bytes: usize) -> Features {
    let (_, _, ecx1, _) = cpuid(1, 0);
    let (_, ebx7, _, _) = cpuid(7, 0);
    let (_, _, _, edx81) = cpuid(0x8000_0001, 0);
    let nx = edx81 & (1 << 20) != 0;
    let smep = ebx7 & (1 << 7) != 0;
    let smap = ebx7 & (1 << 20) != 0;
    let has_xsave = ecx1 & (1 << 26) != 0;

    let mut cr4: u64;
    // SAFETY: reading CR4 has no side effects.
    unsafe { asm!("mov {}, cr4", out(reg) cr4, options(nomem, nostack)) };
    cr4 |= 1 << 9 | 1 << 10; // OSFXSR, OSXMMEXCPT
    if smep {
        cr4 |= 1 << 20;
    }
    // SMAP is safe to enable because the kernel never dereferences user
    // addresses: it copies through the direct map (usercopy.rs).
    if smap {
        cr4 |= 1 << 21;
    }
    if has_xsave {
        cr4 |= 1 << 18;
    }
    // SAFETY: the bits set are supported (checked above) and the kernel was
    // built for them (no user-address access, FPU state saved on switch).
    unsafe { asm!("mov cr4, {}", in(reg) cr4, options(nomem, nostack)) };

    let mut cr0: u64;
    // SAFETY: reading CR0 has no side effects.
    unsafe { asm!("mov {}, cr0", out(reg) cr0, options(nomem, nostack)) };
    cr0 &= !(1 << 2); // EM off: FPU present
    cr0 |= 1 << 1 | 1 << 5; // MP, NE
    // SAFETY: enabling the native FPU with exceptions reported natively.
    unsafe { asm!("mov cr0, {}", in(reg) cr0, options(nomem, nostack)) };

    let mut fpu_bytes = 512;
    let mut use_xsave = false;
    if has_xsave {
        let (xcr0_lo, _, _, _) = cpuid(0xd, 0);
        // x87 and SSE always; AVX when present. Wider state is left off so
        // the save area stays small.
        let xcr0 = (xcr0_lo as u64) & 0b111;
        // SAFETY: XCR0 bits come from what CPUID reports as supported.
        unsafe { asm!("xsetbv", in("ecx") 0, in("eax") xcr0 as u32, in("edx") 0, options(nomem, nostack)) };
        let (_, size, _, _) = cpuid(0xd, 0);
        if (size as usize) <= max_fpu_bytes {
            fpu_bytes = size as usize;
            use_xsave = true;
        }
    }
    XSAVE.store(use_xsave, Ordering::Relaxed);
    FPU_SIZE.store(fpu_bytes, Ordering::Relaxed);
    // SAFETY: the FPU is enabled above; fninit resets it to its default state.
    unsafe { asm!("fninit", options(nomem, nostack)) };
    Features { nx, smep, smap, xsave: use_xsave, fpu_bytes }
}

/// Make the next FPU/SSE instruction trap (#NM), or stop trapping.
pub fn set_fpu_trap(on: bool) {
    if FPU_TRAP.swap(on, Ordering::Relaxed) == on {
        return;
    }
    // SAFETY: CR0.TS only controls #NM on FPU/SSE instructions; the kernel
    // itself uses them only through fpu_save/fpu_restore with TS clear.
    unsafe {
        if on {
            let mut cr0: u64;
            asm!("mov {}, cr0", out(reg) cr0, options(nomem, nostack));
            asm!("mov cr0, {}", in(reg) cr0 | 1 << 3, options(nomem, nostack));
        } else {
            asm!("clts", options(nomem, nostack));
        }
    }
}

/// Save the live FPU/SSE state into `area` (64-byte aligned, large enough).
/// The FPU trap must be off.
pub fn fpu_save(area: &mut [u8]) {
    debug_assert!(area.len() >= FPU_SIZE.load(Ordering::Relaxed));
    debug_assert!((area.as_ptr() as usize).is_multiple_of(64));
    if XSAVE.load(Ordering::Relaxed) {
        // SAFETY: area is 64-byte aligned and at least the xsave size.
        unsafe {
            asm!("xsave64 [{}]", in(reg) area.as_mut_ptr(), in("eax") u32::MAX, in("edx") u32::MAX, options(nostack))
        };
    } else {
        // SAFETY: area is 16-byte aligned and at least 512 bytes.
        unsafe { asm!("fxsave64 [{}]", in(reg) area.as_mut_ptr(), options(nostack)) };
    }
}

/// Load FPU/SSE state saved by [`fpu_save`]. The FPU trap must be off.
pub fn fpu_restore(area: &[u8]) {
    if XSAVE.load(Ordering::Relaxed) {
        // SAFETY: area holds a state written by xsave (or the initial state).
        unsafe {
            asm!("xrstor64 [{}]", in(reg) area.as_ptr(), in("eax") u32::MAX, in("edx") u32::MAX, options(nostack))
        };
    } else {
        // SAFETY: area holds a state written by fxsave.
        unsafe { asm!("fxrstor64 [{}]", in(reg) area.as_ptr(), options(nostack)) };
    }
}

/// Halt until the next interrupt, with interrupts enabled only while halted.
pub fn wait_for_interrupt() {
    // SAFETY: sti;hlt is atomic with respect to interrupt delivery; the
    // handler runs on this stack and returns here; cli restores kernel mode.
    unsafe { asm!("sti", "hlt", "cli", options(nomem, nostack)) };
}

/// Stop this CPU for good.
pub fn halt_forever() -> ! {
    loop {
        // SAFETY: halting with interrupts disabled has no side effects.
        unsafe { asm!("cli", "hlt", options(nomem, nostack)) };
    }
}
