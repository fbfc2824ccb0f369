//! Starting the root server (mm0) from the first boot module.
//!
//! The kernel loads its ELF segments, gives it a stack, an IPC buffer and a
//! `BootInfo` page, and fills its capability table with everything: its
//! own space and thread, the factory, all I/O ports, IRQ lines 0..16, a
//! frame capability per free-memory range and one per boot module. After
//! this the kernel allocates no user memory.

use abi::Rights;
use abi::boot::{self, BootInfo, MemoryRegion, Module};
use goblin::elf::{Elf, program_header};

use crate::arena::Id;
use crate::bootinfo::BootData;
use crate::cap::{Cap, Object};
use crate::paging::phys_to_virt;
use crate::phys::PhysMemory;
use crate::space::Mapping;
use crate::state::Kernel;

const PAGE: u64 = abi::PAGE_SIZE;
/// Priority of the root server; it hands out equal or lower ones.
pub const ROOT_PRIORITY: u8 = 20;

fn zeroed_pages(mem: &mut PhysMemory, pages: u64) -> Result<u64, &'static str> {
    let phys = mem.take(pages, PAGE, u64::MAX).ok_or("out of memory loading the root server")?;
    // SAFETY: freshly taken free pages, reached through the direct map.
    unsafe { core::ptr::write_bytes(phys_to_virt(phys) as *mut u8, 0, (pages * PAGE) as usize) };
    Ok(phys)
}

fn map_new(
    k: &mut Kernel,
    space: Id,
    mem: &mut PhysMemory,
    vaddr: u64,
    pages: u64,
    flags: Rights,
) -> Result<u64, &'static str> {
    let phys = zeroed_pages(mem, pages)?;
    let frame = Cap { object: Object::Frame { phys, pages }, rights: Rights::ALL, badge: 0, id: 0, parent: 0 };
    k.map_frames(space, &frame, Mapping { first: 0, vaddr, pages, flags }).map_err(|_| "cannot map the root server")?;
    Ok(phys)
}

fn load_segments(k: &mut Kernel, space: Id, mem: &mut PhysMemory, image: &[u8]) -> Result<u64, &'static str> {
    let elf = Elf::parse(image).map_err(|_| "the root server is not an ELF file")?;
    if !elf.is_64 || elf.header.e_machine != goblin::elf::header::EM_X86_64 {
        return Err("the root server is not an x86_64 ELF file");
    }
    for ph in elf.program_headers.iter().filter(|ph| ph.p_type == program_header::PT_LOAD && ph.p_memsz > 0) {
        let start = ph.p_vaddr / PAGE * PAGE;
        let end = ph.p_vaddr.checked_add(ph.p_memsz).ok_or("bad segment")?.div_ceil(PAGE) * PAGE;
        let file_end = ph.p_offset.checked_add(ph.p_filesz).ok_or("bad segment")?;
        if !abi::is_user_range(start, end - start) || ph.p_filesz > ph.p_memsz || file_end > image.len() as u64 {
            return Err("root server segment out of range");
        }
        let mut flags = Rights::READ;
        if ph.p_flags & program_header::PF_W != 0 {
            flags = flags.union(Rights::WRITE);
        }
        if ph.p_flags & program_header::PF_X != 0 {
            flags = flags.union(Rights::EXEC);
        }
        let phys = map_new(k, space, mem, start, (end - start) / PAGE, flags)?;
        let bytes = &image[ph.p_offset as usize..file_end as usize];
        // SAFETY: the destination lies within the pages just taken and
        // zeroed: the segment fits in [start, end).
        unsafe {
            core::ptr::copy_nonoverlapping(
                bytes.as_ptr(),
                phys_to_virt(phys + (ph.p_vaddr - start)) as *mut u8,
                bytes.len(),
            )
        };
    }
    Ok(elf.entry)
}

fn copy_str(dst: &mut [u8], src: &str) -> u64 {
    let n = src.len().min(dst.len());
    dst[..n].copy_from_slice(&src.as_bytes()[..n]);
    n as u64
}

/// Create the root server and make it runnable.
pub fn start(k: &mut Kernel, boot_data: &BootData, mem: &mut PhysMemory) -> Result<(), &'static str> {
    let root = boot_data.modules().first().ok_or("no boot modules: the root server (mm0) must be the first")?;
    let len = root.range.end - root.range.start;
    // SAFETY: modules are reserved physical memory, mapped in the direct map.
    let image = unsafe { core::slice::from_raw_parts(phys_to_virt(root.range.start) as *const u8, len as usize) };
    let space = k.create_space().map_err(|_| "no memory for the root space")?;
    let entry = load_segments(k, space, mem, image)?;

    let stack_pages = boot::ROOT_STACK_SIZE / PAGE;
    map_new(
        k,
        space,
        mem,
        boot::ROOT_STACK_TOP - boot::ROOT_STACK_SIZE,
        stack_pages,
        Rights::READ.union(Rights::WRITE),
    )?;
    map_new(k, space, mem, boot::ROOT_IPC_BUFFER, 1, Rights::READ.union(Rights::WRITE))?;
    let info_phys = map_new(k, space, mem, boot::BOOT_INFO_ADDR, 1, Rights::READ)?;

    let thread = k.create_thread(space).map_err(|_| "no memory for the root thread")?;
    let caps_failed = "cannot fill the root capability table";
    k.install(space, Object::Space(space), Rights::ALL, 0, 0).map_err(|_| caps_failed)?;
    k.install(space, Object::Thread(thread), Rights::ALL, 0, 0).map_err(|_| caps_failed)?;
    k.install(space, Object::Factory, Rights::ALL, 0, 0).map_err(|_| caps_failed)?;
    k.install(space, Object::IoPorts { first: 0, last: u16::MAX }, Rights::ALL, 0, 0).map_err(|_| caps_failed)?;
    for line in 0..boot::IRQ_LINES as u8 {
        k.install(space, Object::IrqLine(line), Rights::ALL, 0, 0).map_err(|_| caps_failed)?;
    }

    // SAFETY: info_phys is the zeroed page just mapped for BootInfo, which fits in a page.
    let info = unsafe { &mut *(phys_to_virt(info_phys) as *mut BootInfo) };
    info.magic = boot::BOOT_INFO_MAGIC;
    info.tsc_hz = crate::apic::tsc_hz();
    info.cmdline_len = copy_str(&mut info.cmdline, boot_data.cmdline());
    let memory_rights = Rights::READ.union(Rights::WRITE).union(Rights::EXEC).union(Rights::CONTROL);
    for r in mem.ranges().iter().take(boot::MAX_MEMORY) {
        let pages = (r.end - r.start) / PAGE;
        let slot =
            k.install(space, Object::Frame { phys: r.start, pages }, memory_rights, 0, 0).map_err(|_| caps_failed)?;
        info.memory[info.memory_count as usize] = MemoryRegion { slot, phys: r.start, pages };
        info.memory_count += 1;
    }
    if mem.ranges().len() > boot::MAX_MEMORY {
        crate::log!(
            Warn,
            "kernel: {} free ranges beyond the first {} are unused",
            mem.ranges().len() - boot::MAX_MEMORY,
            boot::MAX_MEMORY
        );
    }
    for m in boot_data.modules() {
        let pages = (m.range.end - m.range.start).div_ceil(PAGE);
        let object = Object::Frame { phys: m.range.start / PAGE * PAGE, pages: pages.max(1) };
        let slot = k.install(space, object, Rights::READ.union(Rights::EXEC), 0, 0).map_err(|_| caps_failed)?;
        let mut module = Module {
            slot,
            phys: m.range.start,
            size: m.range.end - m.range.start,
            cmdline_len: 0,
            cmdline: [0; boot::MODULE_CMDLINE],
        };
        module.cmdline_len = copy_str(&mut module.cmdline, m.cmdline());
        info.modules[info.module_count as usize] = module;
        info.module_count += 1;
    }
    // Device memory, not RAM: never in the free ranges above.
    let vga = Object::Frame { phys: boot::VGA_TEXT_PHYS, pages: boot::VGA_TEXT_PAGES };
    let slot = k.install(space, vga, Rights::READ.union(Rights::WRITE), 0, 0).map_err(|_| caps_failed)?;
    info.vga_text = MemoryRegion { slot, phys: boot::VGA_TEXT_PHYS, pages: boot::VGA_TEXT_PAGES };

    let th = k.threads.get_mut(thread).ok_or("root thread vanished")?;
    th.priority = ROOT_PRIORITY;
    th.ipc_buffer = boot::ROOT_IPC_BUFFER;
    th.saved.regs.rip = entry;
    th.saved.regs.rsp = boot::ROOT_STACK_TOP;
    th.saved.regs.rdi = boot::BOOT_INFO_ADDR;
    k.wake(thread);
    crate::log!(
        Info,
        "kernel: root server {} started, {} MiB given to it",
        root.name(),
        (mem.total_pages() * PAGE) >> 20
    );
    Ok(())
}
