//! What the boot loader told us, copied into memory the kernel owns.
//!
//! Multiboot2 (GRUB) and multiboot1 (QEMU `-kernel`) are parsed with the
//! `multiboot2` and `multiboot` crates into one [`BootData`], before anything
//! could overwrite the loader's structures.

use crate::boot::KERNEL_VMA;

pub const MB1_MAGIC: u32 = 0x2bad_b002;
pub const MB2_MAGIC: u32 = 0x36d7_6289;

/// The boot mapping covers this much physical memory at `KERNEL_VMA`.
const BOOT_MAPPED: u64 = 1 << 30;

pub const MAX_RANGES: usize = 64;
pub const MAX_MODULES: usize = abi::boot::MAX_MODULES;

/// A half-open physical address range.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Range {
    pub start: u64,
    pub end: u64,
}

#[derive(Clone, Copy)]
pub struct BootModule {
    pub range: Range,
    pub cmdline: [u8; abi::boot::MODULE_CMDLINE],
    pub cmdline_len: usize,
}

impl BootModule {
    pub fn cmdline(&self) -> &str {
        core::str::from_utf8(&self.cmdline[..self.cmdline_len]).unwrap_or("")
    }
    pub fn name(&self) -> &str {
        let first = self.cmdline().split_whitespace().next().unwrap_or("");
        first.rsplit('/').next().unwrap_or(first)
    }
}

pub struct BootData {
    pub loader: &'static str,
    pub cmdline: [u8; abi::boot::KERNEL_CMDLINE],
    pub cmdline_len: usize,
    pub memory: [Range; MAX_RANGES],
    pub memory_count: usize,
    pub modules: [BootModule; MAX_MODULES],
    pub module_count: usize,
}

impl BootData {
    const fn empty(loader: &'static str) -> BootData {
        BootData {
            loader,
            cmdline: [0; abi::boot::KERNEL_CMDLINE],
            cmdline_len: 0,
            memory: [Range { start: 0, end: 0 }; MAX_RANGES],
            memory_count: 0,
            modules: [BootModule {
                range: Range { start: 0, end: 0 },
                cmdline: [0; abi::boot::MODULE_CMDLINE],
                cmdline_len: 0,
            }; MAX_MODULES],
            module_count: 0,
        }
    }

    pub fn cmdline(&self) -> &str {
        core::str::from_utf8(&self.cmdline[..self.cmdline_len]).unwrap_or("")
    }
    pub fn memory(&self) -> &[Range] {
        &self.memory[..self.memory_count]
    }
    pub fn modules(&self) -> &[BootModule] {
        &self.modules[..self.module_count]
    }

    fn set_cmdline(&mut self, s: &str) {
        let n = s.len().min(self.cmdline.len());
        self.cmdline[..n].copy_from_slice(&s.as_bytes()[..n]);
        self.cmdline_len = n;
    }

    fn add_memory(&mut self, start: u64, end: u64) {
        if self.memory_count < MAX_RANGES && end > start {
            self.memory[self.memory_count] = Range { start, end };
            self.memory_count += 1;
        }
    }

    fn add_module(&mut self, start: u64, end: u64, cmdline: &str) {
        if self.module_count >= MAX_MODULES {
            crate::log!(Warn, "kernel: more than {MAX_MODULES} boot modules: '{cmdline}' is left out");
            return;
        }
        let m = &mut self.modules[self.module_count];
        m.range = Range { start, end };
        let n = cmdline.len().min(m.cmdline.len());
        m.cmdline[..n].copy_from_slice(&cmdline.as_bytes()[..n]);
        m.cmdline_len = n;
        self.module_count += 1;
    }
}

/// Boot-time view of low physical memory, for the multiboot1 parser.
struct BootMapped;

impl multiboot::information::MemoryManagement for BootMapped {
    unsafe fn paddr_to_slice(&self, addr: u64, length: usize) -> Option<&'static [u8]> {
        if addr.checked_add(length as u64)? > BOOT_MAPPED {
            return None;
        }
        // SAFETY: the boot page tables map the first GiB at KERNEL_VMA and
        // the loader's structures there stay intact until BootData is built.
        Some(unsafe { core::slice::from_raw_parts((KERNEL_VMA + addr) as *const u8, length) })
    }
    unsafe fn allocate(&mut self, _length: usize) -> Option<(u64, &mut [u8])> {
        None
    }
    unsafe fn deallocate(&mut self, _addr: u64) {}
}

/// Parse the loader's information. `None` when the magic is unknown or
/// the structure is unreadable.
pub fn parse(magic: u32, info_phys: u64) -> Option<BootData> {
    if info_phys >= BOOT_MAPPED {
        return None;
    }
    match magic {
        MB2_MAGIC => {
            let ptr = (KERNEL_VMA + info_phys) as *const multiboot2::BootInformationHeader;
            // SAFETY: the loader passed this address with the multiboot2
            // magic; it lies in the boot-mapped first GiB.
            let info = unsafe { multiboot2::BootInformation::load(ptr) }.ok()?;
            let mut data = BootData::empty("multiboot2");
            if let Some(Ok(line)) = info.command_line_tag().map(|t| t.cmdline()) {
                data.set_cmdline(line);
            }
            if let Some(map) = info.memory_map_tag() {
                for area in map.memory_areas() {
                    if area.typ() == multiboot2::MemoryAreaType::Available {
                        data.add_memory(area.start_address(), area.end_address());
                    }
                }
            }
            for module in info.module_tags() {
                let line = module.cmdline().unwrap_or("");
                data.add_module(module.start_address() as u64, module.end_address() as u64, line);
            }
            Some(data)
        }
        MB1_MAGIC => {
            let mut mm = BootMapped;
            // SAFETY: the loader passed this address with the multiboot1 magic.
            let info = unsafe { multiboot::information::Multiboot::from_ptr(info_phys, &mut mm) }?;
            let mut data = BootData::empty("multiboot1");
            if let Some(line) = info.command_line() {
                data.set_cmdline(line);
            }
            if let Some(regions) = info.memory_regions() {
                for r in regions {
                    if r.memory_type() == multiboot::information::MemoryType::Available {
                        data.add_memory(r.base_address(), r.base_address() + r.length());
                    }
                }
            }
            if let Some(modules) = info.modules() {
                for m in modules {
                    data.add_module(m.start, m.end, m.string.unwrap_or(""));
                }
            }
            Some(data)
        }
        _ => None,
    }
}
