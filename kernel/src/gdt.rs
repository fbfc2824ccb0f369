//! Segments: the GDT, the TSS with its I/O permission bitmap, and the
//! per-CPU block that the entry stubs reach through `gs`.
//!
//! The selector order is fixed by `syscall`/`sysret`: kernel code, kernel
//! data, then user data and user code.

use core::arch::asm;
use core::mem::size_of;
use core::ptr::addr_of;

pub const KERNEL_CODE: u16 = 0x08;
pub const KERNEL_DATA: u16 = 0x10;
pub const USER_DATA: u16 = 0x18 | 3;
pub const USER_CODE: u16 = 0x20 | 3;
const TSS_SELECTOR: u16 = 0x28;

/// I/O ports covered by the bitmap (all of them).
pub const IO_PORTS: usize = 65536;
const IOPB_BYTES: usize = IO_PORTS / 8;

/// Stack for interrupts and kernel calls: every kernel entry starts at its top.
pub const KERNEL_STACK_SIZE: usize = 64 * 1024;
const IST_STACK_SIZE: usize = 16 * 1024;

#[repr(C, align(16))]
struct Stack<const N: usize>([u8; N]);

static mut KERNEL_STACK: Stack<KERNEL_STACK_SIZE> = Stack([0; KERNEL_STACK_SIZE]);
static mut DOUBLE_FAULT_STACK: Stack<IST_STACK_SIZE> = Stack([0; IST_STACK_SIZE]);
static mut NMI_STACK: Stack<IST_STACK_SIZE> = Stack([0; IST_STACK_SIZE]);

#[repr(C, packed)]
struct TaskStateSegment {
    reserved0: u32,
    rsp: [u64; 3],
    reserved1: u64,
    ist: [u64; 7],
    reserved2: u64,
    reserved3: u16,
    iomap_base: u16,
}

/// The TSS followed by the I/O bitmap and the terminating 0xff byte.
#[repr(C, packed)]
struct Tss {
    tss: TaskStateSegment,
    iopb: [u8; IOPB_BYTES],
    end: u8,
}

static mut TSS: Tss = Tss {
    tss: TaskStateSegment {
        reserved0: 0,
        rsp: [0; 3],
        reserved1: 0,
        ist: [0; 7],
        reserved2: 0,
        reserved3: 0,
        iomap_base: NO_IOPB,
    },
    iopb: [0xff; IOPB_BYTES],
    end: 0xff,
};

/// An iomap base beyond the TSS limit: every port access faults.
const NO_IOPB: u16 = 0xffff;
const IOPB_OFFSET: u16 = size_of::<TaskStateSegment>() as u16;

static mut GDT: [u64; 7] = [0; 7];

/// What the entry stubs find at `gs:0` while in the kernel.
#[repr(C)]
pub struct PerCpu {
    /// User rsp, parked here by the `syscall` stub.
    pub scratch: u64,
    /// Register save area of the current thread.
    pub save_area: u64,
    /// Top of the kernel stack.
    pub kernel_stack_top: u64,
}

pub static mut PER_CPU: PerCpu = PerCpu { scratch: 0, save_area: 0, kernel_stack_top: 0 };

pub fn kernel_stack_top() -> u64 {
    addr_of!(KERNEL_STACK) as u64 + KERNEL_STACK_SIZE as u64
}

/// Load the GDT and TSS and point `gs` at the per-CPU block.
pub fn init() {
    let tss_addr = addr_of!(TSS) as u64;
    let tss_limit = (size_of::<Tss>() - 1) as u64;
    let tss_low = (tss_limit & 0xffff)
        | (tss_addr & 0xff_ffff) << 16
        | 0x89 << 40
        | ((tss_limit >> 16) & 0xf) << 48
        | ((tss_addr >> 24) & 0xff) << 56;
    let tss_high = tss_addr >> 32;
    let entries = [
        0,
        0x00af_9a00_0000_ffff, // kernel code
        0x00cf_9200_0000_ffff, // kernel data
        0x00cf_f200_0000_ffff, // user data
        0x00af_fa00_0000_ffff, // user code
        tss_low,
        tss_high,
    ];
    // SAFETY: init runs once on the boot CPU before interrupts are enabled,
    // so nothing else touches the GDT, TSS or per-CPU block meanwhile.
    unsafe {
        GDT = entries;
        TSS.tss.rsp = [kernel_stack_top(), 0, 0];
        TSS.tss.ist = [
            addr_of!(DOUBLE_FAULT_STACK) as u64 + IST_STACK_SIZE as u64,
            addr_of!(NMI_STACK) as u64 + IST_STACK_SIZE as u64,
            0,
            0,
            0,
            0,
            0,
        ];
        PER_CPU.kernel_stack_top = kernel_stack_top();
        #[repr(C, packed)]
        struct Pointer {
            limit: u16,
            base: u64,
        }
        let ptr = Pointer { limit: (size_of::<[u64; 7]>() - 1) as u16, base: addr_of!(GDT) as u64 };
        asm!(
            "lgdt [{ptr}]",
            "push {code}",
            "lea {tmp}, [rip + 2f]",
            "push {tmp}",
            "retfq",
            "2:",
            "mov ds, {data:x}",
            "mov es, {data:x}",
            "mov ss, {data:x}",
            "ltr {tss:x}",
            ptr = in(reg) &ptr,
            code = in(reg) KERNEL_CODE as u64,
            data = in(reg) KERNEL_DATA as u64,
            tss = in(reg) TSS_SELECTOR as u64,
            tmp = out(reg) _,
        );
        let zero: u64 = 0;
        asm!("mov fs, {0:x}", "mov gs, {0:x}", in(reg) zero);
        crate::cpu::wrmsr(crate::cpu::MSR_FS_BASE, 0);
        crate::cpu::wrmsr(crate::cpu::MSR_GS_BASE, addr_of!(PER_CPU) as u64);
        crate::cpu::wrmsr(crate::cpu::MSR_KERNEL_GS_BASE, 0);
    }
}

/// Install a task's I/O bitmap (or none) for the code about to run.
pub fn load_io_bitmap(bitmap: Option<&[u8; IOPB_BYTES]>) {
    // SAFETY: one CPU with interrupts off in the kernel: nothing else uses
    // the TSS now; the CPU reads the bitmap only in user mode.
    unsafe {
        match bitmap {
            Some(bits) => {
                TSS.iopb = *bits;
                TSS.tss.iomap_base = IOPB_OFFSET;
            }
            None => TSS.tss.iomap_base = NO_IOPB,
        }
    }
}

/// A task's I/O permission bitmap: a clear bit allows the port.
pub type IoBitmap = [u8; IOPB_BYTES];
