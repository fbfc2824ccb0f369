//! What the kernel hands the root server (mm0) at boot.
//!
//! The kernel maps one [`BootInfo`] page read-only at [`BOOT_INFO_ADDR`] in
//! the root server's address space and fills the root server's capability
//! table with the slots named here.

/// Where the root server finds its [`BootInfo`].
pub const BOOT_INFO_ADDR: u64 = 0x0000_0000_0010_0000;
/// Where the kernel puts the root server's IPC buffer.
pub const ROOT_IPC_BUFFER: u64 = 0x0000_0000_0011_0000;
/// Top of the root server's initial stack (the stack grows down from here).
pub const ROOT_STACK_TOP: u64 = 0x0000_0000_0080_0000;
/// Size of the root server's initial stack.
pub const ROOT_STACK_SIZE: u64 = 256 * 1024;

/// Root-server slot of its own address space.
pub const SLOT_SPACE: u64 = 0;
/// Root-server slot of its own first thread.
pub const SLOT_THREAD: u64 = 1;
/// Root-server slot of the object factory.
pub const SLOT_FACTORY: u64 = 2;
/// Root-server slot of the I/O port capability over all ports.
pub const SLOT_IOPORTS: u64 = 3;
/// Root-server slots of IRQ lines 0..16.
pub const SLOT_IRQ_FIRST: u64 = 4;
/// Number of IRQ lines handed to the root server.
pub const IRQ_LINES: u64 = 16;
/// First slot of the free-memory and module frame capabilities.
pub const SLOT_FRAMES_FIRST: u64 = SLOT_IRQ_FIRST + IRQ_LINES;

/// Most free-memory regions described.
pub const MAX_MEMORY: usize = 32;
/// Most boot modules described.
pub const MAX_MODULES: usize = 28;
/// Bytes of a module's command line kept.
pub const MODULE_CMDLINE: usize = 72;
/// Bytes of the kernel command line kept.
pub const KERNEL_CMDLINE: usize = 256;
/// Magic value at the start of [`BootInfo`].
pub const BOOT_INFO_MAGIC: u64 = 0x5445_524e_424f_4f54; // "TERNBOOT"

/// A range of physical memory and the frame capability that covers it.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct MemoryRegion {
    pub slot: u64,
    pub phys: u64,
    pub pages: u64,
}

/// A boot module: its bytes are in a read-only frame capability.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct Module {
    pub slot: u64,
    pub phys: u64,
    /// Length in bytes (the frame covers whole pages).
    pub size: u64,
    pub cmdline_len: u64,
    pub cmdline: [u8; MODULE_CMDLINE],
}

impl Module {
    /// The module's command line: `<path> <kind> [args...]`.
    pub fn cmdline(&self) -> &str {
        let n = (self.cmdline_len as usize).min(MODULE_CMDLINE);
        core::str::from_utf8(&self.cmdline[..n]).unwrap_or("")
    }

    /// The module's name: the last path component of the first word.
    pub fn name(&self) -> &str {
        let first = self.cmdline().split_whitespace().next().unwrap_or("");
        first.rsplit('/').next().unwrap_or(first)
    }
}

/// The root server's view of the machine at boot.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct BootInfo {
    pub magic: u64,
    /// TSC ticks per second, as the kernel calibrated it.
    pub tsc_hz: u64,
    pub cmdline_len: u64,
    pub cmdline: [u8; KERNEL_CMDLINE],
    pub memory_count: u64,
    pub memory: [MemoryRegion; MAX_MEMORY],
    pub module_count: u64,
    pub modules: [Module; MAX_MODULES],
    /// The VGA text buffer ([`VGA_TEXT_PHYS`], [`VGA_TEXT_PAGES`] pages) as a
    /// read-write frame capability, for the console.
    pub vga_text: MemoryRegion,
}

/// Where the VGA text buffer is (80x25 cells of character and colour
/// bytes at its start; 32 KiB in all).
pub const VGA_TEXT_PHYS: u64 = 0xb8000;
pub const VGA_TEXT_PAGES: u64 = 8;

impl BootInfo {
    pub fn cmdline(&self) -> &str {
        let n = (self.cmdline_len as usize).min(KERNEL_CMDLINE);
        core::str::from_utf8(&self.cmdline[..n]).unwrap_or("")
    }
    pub fn memory(&self) -> &[MemoryRegion] {
        &self.memory[..(self.memory_count as usize).min(MAX_MEMORY)]
    }
    pub fn modules(&self) -> &[Module] {
        &self.modules[..(self.module_count as usize).min(MAX_MODULES)]
    }
}

const _: () = assert!(core::mem::size_of::<BootInfo>() <= crate::PAGE_SIZE as usize);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_name_is_basename_of_first_word() {
        let mut m = Module { slot: 0, phys: 0, size: 0, cmdline_len: 0, cmdline: [0; MODULE_CMDLINE] };
        let line = b"build/mods/hello posix a b";
        m.cmdline[..line.len()].copy_from_slice(line);
        m.cmdline_len = line.len() as u64;
        assert_eq!(m.name(), "hello");
        assert_eq!(m.cmdline(), "build/mods/hello posix a b");
    }
}
