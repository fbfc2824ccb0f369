//! Page tables: the kernel's direct map of physical memory and the
//! four-level tables of user address spaces.
//!
//! All physical memory (and the 3-4 GiB device hole, uncached) is mapped at
//! [`PHYS_OFFSET`] with 2 MiB pages, so the kernel reaches any frame or page
//! table through `phys_to_virt`. The kernel half (PML4 entries 256..512) is
//! built once at boot and shared by every address space, which copies those
//! entries when it is created.

use core::alloc::Layout;
use core::arch::asm;
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use crate::boot::KERNEL_VMA;
use crate::phys::PhysMemory;

pub const PHYS_OFFSET: u64 = 0xffff_8000_0000_0000;
const PAGE: u64 = abi::PAGE_SIZE;
const GIB: u64 = 1 << 30;
const MIB2: u64 = 2 << 20;

pub const PRESENT: u64 = 1;
pub const WRITABLE: u64 = 2;
pub const USER: u64 = 4;
const WRITE_THROUGH: u64 = 8;
const NO_CACHE: u64 = 0x10;
const HUGE: u64 = 0x80;
const GLOBAL: u64 = 0x100;
pub const NO_EXECUTE: u64 = 1 << 63;
const ADDR: u64 = 0x000f_ffff_ffff_f000;

static KERNEL_PML4: AtomicU64 = AtomicU64::new(0);
static NX: AtomicBool = AtomicBool::new(false);

pub fn phys_to_virt(phys: u64) -> u64 {
    phys + PHYS_OFFSET
}

/// The physical address of a direct-map (heap) virtual address.
pub fn virt_to_phys(virt: u64) -> u64 {
    virt - PHYS_OFFSET
}

/// The NX bit, or nothing when the CPU lacks it.
pub fn no_execute() -> u64 {
    if NX.load(Ordering::Relaxed) { NO_EXECUTE } else { 0 }
}

fn table_at(phys: u64) -> &'static mut [u64; 512] {
    // SAFETY: callers pass the physical address of a page-table page the
    // kernel owns; the direct map covers all physical memory; one CPU with
    // interrupts off means no concurrent access.
    unsafe { &mut *(phys_to_virt(phys) as *mut [u64; 512]) }
}

unsafe extern "C" {
    static __kernel_start: u8;
    static __rodata_start: u8;
    static __data_start: u8;
    static __kernel_end: u8;
}

/// Where the parts of the kernel image lie (from the linker script).
struct KernelImage {
    start: u64,
    rodata: u64,
    data: u64,
    end: u64,
}

impl KernelImage {
    fn get() -> KernelImage {
        KernelImage {
            start: core::ptr::addr_of!(__kernel_start) as u64,
            rodata: core::ptr::addr_of!(__rodata_start) as u64,
            data: core::ptr::addr_of!(__data_start) as u64,
            end: core::ptr::addr_of!(__kernel_end) as u64,
        }
    }

    /// Boot code and text are executable and read-only, read-only data is
    /// neither writable nor executable, data and bss are writable only.
    fn flags(&self, vaddr: u64, nx: u64) -> u64 {
        if vaddr < self.rodata {
            0
        } else if vaddr < self.data {
            nx
        } else {
            WRITABLE | nx
        }
    }
}

/// Build the final kernel tables from early pages and switch to them.
pub fn init(mem: &mut PhysMemory, max_phys: u64) {
    NX.store(crate::cpu::rdmsr(crate::cpu::MSR_EFER) & (1 << 11) != 0, Ordering::Relaxed);
    let nx = no_execute();
    let mut early_table = || {
        let phys = mem.take(1, PAGE, GIB).expect("no memory below 1 GiB for page tables");
        // SAFETY: the boot tables map the first GiB at KERNEL_VMA; this page
        // was just taken from free memory.
        unsafe { core::ptr::write_bytes((KERNEL_VMA + phys) as *mut u8, 0, PAGE as usize) };
        phys
    };
    let early = |phys: u64| -> &'static mut [u64; 512] {
        // SAFETY: as above, an early table page in the boot-mapped first GiB.
        unsafe { &mut *((KERNEL_VMA + phys) as *mut [u64; 512]) }
    };

    let pml4 = early_table();
    let gibs = max_phys.div_ceil(GIB).max(4);
    let direct_pdpt = early_table();
    for g in 0..gibs.min(512) {
        let pd = early_table();
        let cache = if (3..4).contains(&g) { NO_CACHE | WRITE_THROUGH } else { 0 };
        for i in 0..512 {
            early(pd)[i as usize] = (g * GIB + i * MIB2) | PRESENT | WRITABLE | HUGE | GLOBAL | cache | nx;
        }
        early(direct_pdpt)[g as usize] = pd | PRESENT | WRITABLE;
    }
    early(pml4)[256] = direct_pdpt | PRESENT | WRITABLE;

    let kernel_pdpt = early_table();
    let kernel_pd = early_table();
    let image = KernelImage::get();
    let mut page = image.start;
    while page < image.end {
        let pd_slot = index(page, 1);
        if early(kernel_pd)[pd_slot] & PRESENT == 0 {
            early(kernel_pd)[pd_slot] = early_table() | PRESENT | WRITABLE;
        }
        let pt = early(kernel_pd)[pd_slot] & ADDR;
        early(pt)[index(page, 0)] = (page - KERNEL_VMA) | PRESENT | GLOBAL | image.flags(page, nx);
        page += PAGE;
    }
    early(kernel_pdpt)[510] = kernel_pd | PRESENT | WRITABLE;
    early(pml4)[511] = kernel_pdpt | PRESENT | WRITABLE;
    // The other kernel-half slots get empty tables now, so every address
    // space shares them and nothing needs syncing later.
    for slot in 257..511 {
        early(pml4)[slot] = early_table() | PRESENT | WRITABLE;
    }

    KERNEL_PML4.store(pml4, Ordering::Relaxed);
    // SAFETY: the new tables map the kernel image where it runs and the
    // direct map; enabling global pages keeps kernel TLB entries across
    // address-space switches.
    unsafe {
        asm!("mov cr3, {}", in(reg) pml4, options(nostack));
        let mut cr4: u64;
        asm!("mov {}, cr4", out(reg) cr4, options(nomem, nostack));
        asm!("mov cr4, {}", in(reg) cr4 | 1 << 7, options(nomem, nostack));
    }
}

/// The leaf entry mapping kernel address `vaddr` in the current tables
/// (for the self-tests), or `None` if it is not mapped by a 4 KiB page.
pub fn kernel_leaf_entry(vaddr: u64) -> Option<u64> {
    let mut table = current_pml4();
    for level in [3, 2, 1] {
        let entry = table_at(table)[index(vaddr, level)];
        if entry & PRESENT == 0 || entry & HUGE != 0 {
            return None;
        }
        table = entry & ADDR;
    }
    Some(table_at(table)[index(vaddr, 0)])
}

/// Switch to the given top-level table.
pub fn activate(pml4: u64) {
    // SAFETY: every PML4 shares the kernel half, so the kernel keeps running.
    unsafe { asm!("mov cr3, {}", in(reg) pml4, options(nostack)) };
}

pub fn current_pml4() -> u64 {
    let v: u64;
    // SAFETY: reading CR3 has no side effects.
    unsafe { asm!("mov {}, cr3", out(reg) v, options(nomem, nostack)) };
    v & ADDR
}

fn flush(vaddr: u64) {
    // SAFETY: invlpg only drops a TLB entry.
    unsafe { asm!("invlpg [{}]", in(reg) vaddr, options(nostack)) };
}

/// A zeroed page from the kernel heap, or `None` when the heap is exhausted.
fn alloc_table() -> Option<u64> {
    let layout = Layout::from_size_align(PAGE as usize, PAGE as usize).ok()?;
    // SAFETY: the layout has a non-zero size.
    let ptr = unsafe { alloc::alloc::alloc_zeroed(layout) };
    (!ptr.is_null()).then(|| virt_to_phys(ptr as u64))
}

fn free_table(phys: u64) {
    let layout = Layout::from_size_align(PAGE as usize, PAGE as usize).expect("page layout");
    // SAFETY: `phys` came from alloc_table with this layout and is no
    // longer referenced by any table.
    unsafe { alloc::alloc::dealloc(phys_to_virt(phys) as *mut u8, layout) };
}

fn index(vaddr: u64, level: u32) -> usize {
    ((vaddr >> (12 + 9 * level)) & 511) as usize
}

/// The page tables of one user address space.
pub struct PageTables {
    pml4: u64,
}

impl PageTables {
    pub fn new() -> Option<PageTables> {
        let pml4 = alloc_table()?;
        let kernel = table_at(KERNEL_PML4.load(Ordering::Relaxed));
        table_at(pml4)[256..].copy_from_slice(&kernel[256..]);
        Some(PageTables { pml4 })
    }

    pub fn root(&self) -> u64 {
        self.pml4
    }

    /// The leaf entry for `vaddr`, creating intermediate tables if `create`.
    fn leaf(&mut self, vaddr: u64, create: bool) -> Option<&'static mut u64> {
        let mut table = self.pml4;
        for level in [3, 2, 1] {
            let entry = &mut table_at(table)[index(vaddr, level)];
            if *entry & PRESENT == 0 {
                // Tables come from the kernel heap: keep its reserve, so a
                // task mapping sparse addresses gets NoMemory, not a kernel
                // out of memory.
                if !create || !crate::heap::has_room() {
                    return None;
                }
                *entry = alloc_table()? | PRESENT | WRITABLE | USER;
            }
            table = *entry & ADDR;
        }
        Some(&mut table_at(table)[index(vaddr, 0)])
    }

    /// Map one user page. `flags` are PRESENT/WRITABLE/USER/NO_EXECUTE bits.
    pub fn map(&mut self, vaddr: u64, phys: u64, flags: u64) -> Result<(), abi::Error> {
        let entry = self.leaf(vaddr, true).ok_or(abi::Error::NoMemory)?;
        let was_present = *entry & PRESENT != 0;
        *entry = (phys & ADDR) | flags;
        if was_present && current_pml4() == self.pml4 {
            flush(vaddr);
        }
        Ok(())
    }

    /// Remove the mappings of `pages` pages from `vaddr`, and free the
    /// tables left empty, so unmapped address space costs no kernel memory.
    pub fn unmap(&mut self, vaddr: u64, pages: u64) {
        let flush_each = current_pml4() == self.pml4;
        for i in 0..pages {
            let at = vaddr + i * PAGE;
            if let Some(entry) = self.leaf(at, false)
                && *entry & PRESENT != 0
            {
                *entry = 0;
                if flush_each {
                    flush(at);
                }
            }
        }
        let end = vaddr + pages * PAGE;
        let mut region = vaddr / MIB2 * MIB2;
        while region < end {
            self.prune(region);
            region += MIB2;
        }
    }

    /// Free the page table covering `vaddr` if it is empty, then its
    /// parents while they are empty too.
    fn prune(&mut self, vaddr: u64) {
        let mut chain = [(self.pml4, 0usize); 4];
        let mut table = self.pml4;
        for (depth, level) in [3, 2, 1].into_iter().enumerate() {
            let slot = index(vaddr, level);
            chain[depth] = (table, slot);
            let entry = table_at(table)[slot];
            if entry & PRESENT == 0 {
                return;
            }
            table = entry & ADDR;
        }
        chain[3] = (table, 0);
        for depth in (1..4).rev() {
            let (child, _) = chain[depth];
            if table_at(child).iter().any(|&e| e & PRESENT != 0) {
                return;
            }
            let (parent, slot) = chain[depth - 1];
            table_at(parent)[slot] = 0;
            free_table(child);
        }
    }

    /// The physical address behind a user address, if a user-mode access
    /// of that kind (write or not) would succeed without a fault.
    pub fn translate(&self, vaddr: u64, write: bool) -> Option<u64> {
        if vaddr >= abi::USER_TOP {
            return None;
        }
        let need = PRESENT | USER | if write { WRITABLE } else { 0 };
        let mut table = self.pml4;
        for level in [3, 2, 1, 0] {
            let entry = table_at(table)[index(vaddr, level)];
            if entry & need != need {
                return None;
            }
            table = entry & ADDR;
        }
        Some(table + (vaddr & (PAGE - 1)))
    }
}

impl Drop for PageTables {
    /// Free every user-half table (the frames they map belong to the pager).
    fn drop(&mut self) {
        fn free_level(table: u64, level: u32) {
            if level > 0 {
                for &entry in table_at(table).iter() {
                    if entry & PRESENT != 0 {
                        free_level(entry & ADDR, level - 1);
                    }
                }
            }
            free_table(table);
        }
        for slot in 0..256 {
            let entry = table_at(self.pml4)[slot];
            if entry & PRESENT != 0 {
                free_level(entry & ADDR, 2);
            }
        }
        if current_pml4() == self.pml4 {
            activate(KERNEL_PML4.load(Ordering::Relaxed));
        }
        free_table(self.pml4);
    }
}
