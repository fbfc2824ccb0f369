//! Starting a program: a new space, its capabilities, its ELF image, its
//! stack and IPC buffer, and its first thread.
//!
//! Everything is prepared while the task cannot run: file pages are copied
//! into fresh frames, the info page or the POSIX initial stack is written,
//! and only then is the first thread resumed. Pages the program has not
//! touched yet (.bss beyond the file bytes, stack, heap) are backed on
//! demand by the pager. If any step fails, the half-built task is disposed
//! of and nothing of it remains.
//!
//! A POSIX process also gets libposix, loaded at its link address from the
//! `libposix` module, the personality that reflects its `syscall`
//! instructions (those outside libposix's text) to libposix's entry, and
//! its signal area (`mm0_proto::signal`), zeroed: no handlers, nothing
//! blocked or pending.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use abi::boot::SLOT_FACTORY;
use abi::regs::ThreadRegs;
use abi::{Error, PAGE_SIZE};
use libtern::{cap, factory, kthread, space};
use mm0::elf::{self, ElfError, Image, ProgramFile};
use mm0::layout::{TaskKind, page_down};
use mm0::process::NO_PARENT;
use mm0::stack::{self, at};
use mm0::vma::{Kind, Vma, VmaError, prot};
use mm0_proto::signal::{SIGNAL_AREA, SIGNAL_AREA_SIZE, slot_address};
use mm0_proto::{NATIVE_START_INFO, StartInfo};

use crate::roles::Role;
use crate::server::{Mm0, PAGER_BADGE};
use crate::task::{MapError, Task, Thread};
use crate::threads::init_slot;

/// Scheduling priority of ordinary tasks.
pub const PRIORITY_TASK: u64 = 10;
/// Scheduling priority of servers (fs0): above their clients.
const PRIORITY_SERVER: u64 = 12;
/// RFLAGS of a new thread (IF set, reserved bit 1).
pub const START_RFLAGS: u64 = 0x202;
/// Environment of every POSIX process.
const ENVIRONMENT: &[&str] = &["PATH=/bin", "HOME=/"];

/// libposix's image, parsed once at boot.
#[derive(Clone)]
pub struct LibPosix {
    pub bytes: &'static [u8],
    pub image: Image,
}

/// A program to start, read from `file` (a boot module in memory, or an
/// executed file).
pub struct Program<'a, F: ProgramFile + ?Sized = [u8]> {
    pub name: &'a str,
    pub kind: TaskKind,
    pub file: &'a F,
    /// Arguments after the name (argv[1..] or StartInfo.args).
    pub args: Vec<&'a [u8]>,
    /// The environment (POSIX programs; `None`: the default one).
    pub envp: Option<Vec<&'a [u8]>>,
    /// The path it was executed as, for AT_EXECFN (`None`: its name).
    pub path: Option<&'a [u8]>,
    pub role: Role,
    pub expected: Option<i64>,
    /// Whether the test run waits for this task.
    pub counted: bool,
    /// A task whose end also ends this one.
    pub companion_of: Option<u64>,
}

/// Most bytes of a command line kept for /proc/<pid>/cmdline.
const CMDLINE_MAX: usize = 4096;

impl<F: ProgramFile + ?Sized> Program<'_, F> {
    /// The path it was started from: as given to exec, else the boot
    /// module's `/bin/<name>`.
    pub fn exe(&self) -> String {
        match self.path {
            Some(path) => String::from_utf8_lossy(path).into_owned(),
            None => alloc::format!("{}{}", crate::exec::MODULE_DIR, self.name),
        }
    }

    /// Its arguments, argv[0] first, each ending in NUL (cut to
    /// [`CMDLINE_MAX`]), as /proc/<pid>/cmdline shows them.
    pub fn cmdline(&self) -> Vec<u8> {
        let mut line = Vec::new();
        for arg in core::iter::once(self.name.as_bytes()).chain(self.args.iter().copied()) {
            if line.len() + arg.len() + 1 > CMDLINE_MAX {
                break;
            }
            line.extend_from_slice(arg);
            line.push(0);
        }
        line
    }
}

/// Why a program could not be started.
#[derive(Clone, Copy, Debug)]
pub enum StartError {
    Elf(ElfError),
    Kernel(Error),
    Memory(MapError),
    Region(VmaError),
    /// A capability landed in the wrong slot of the new task.
    Slot {
        want: u64,
        got: u64,
    },
    /// A POSIX program, but no usable libposix module.
    NoLibposix,
    /// The arguments do not fit.
    TooLong,
    /// The process table is full.
    TooManyProcesses,
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            StartError::Elf(e) => write!(f, "bad ELF file ({e:?})"),
            StartError::Kernel(e) => write!(f, "kernel call failed ({e:?})"),
            StartError::Memory(e) => write!(f, "no memory ({e:?})"),
            StartError::Region(e) => write!(f, "bad memory layout ({e:?})"),
            StartError::Slot { want, got } => write!(f, "capability landed in slot {got}, not {want}"),
            StartError::NoLibposix => write!(f, "no usable libposix module"),
            StartError::TooLong => write!(f, "arguments too long"),
            StartError::TooManyProcesses => write!(f, "the process table is full"),
        }
    }
}

impl From<Error> for StartError {
    fn from(e: Error) -> StartError {
        StartError::Kernel(e)
    }
}

impl From<MapError> for StartError {
    fn from(e: MapError) -> StartError {
        StartError::Memory(e)
    }
}

impl From<VmaError> for StartError {
    fn from(e: VmaError) -> StartError {
        StartError::Region(e)
    }
}

/// A pseudo-random 16 bytes for AT_RANDOM, from TSC readings.
fn random_bytes() -> [u8; 16] {
    let mut out = [0u8; 16];
    let mut x = libtern::time::rdtsc();
    for chunk in out.chunks_mut(8) {
        // splitmix64 over the TSC, re-read each round.
        x = x.wrapping_add(0x9e37_79b9_7f4a_7c15) ^ libtern::time::rdtsc().rotate_left(17);
        let mut z = x;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        chunk.copy_from_slice(&z.to_le_bytes());
    }
    out
}

impl Mm0 {
    /// Starts `p`; returns the new task's id.
    pub fn start<F: ProgramFile + ?Sized>(&mut self, p: &Program<F>) -> Result<u64, StartError> {
        let image = elf::parse(p.file).map_err(StartError::Elf)?;
        // POSIX processes number from 1 (init, started first, is pid 1);
        // native tasks from NATIVE_IDS up, never a pid.
        let next = if p.kind == TaskKind::Native { &mut self.next_native } else { &mut self.next_task };
        let id = *next;
        self.processes.add(id, NO_PARENT).map_err(|_| StartError::TooManyProcesses)?;
        *next += 1;
        let space = match factory::space(SLOT_FACTORY) {
            Ok(space) => space,
            Err(e) => {
                self.processes.forget(id);
                return Err(e.into());
            }
        };
        let mut task = Task::new(id, p.name, p.kind, space);
        task.exe = p.exe();
        task.cmdline = p.cmdline();
        task.expected = p.expected;
        task.counted = p.counted;
        task.companion_of = p.companion_of;
        match self.build(&mut task, p, &image) {
            Ok(tid) => {
                self.threads.insert(tid, id);
                self.tasks.insert(id, task);
                Ok(id)
            }
            Err(e) => {
                self.dispose(&mut task);
                self.processes.forget(id);
                Err(e)
            }
        }
    }

    /// Fills `task` and starts its first thread; returns the thread's id.
    pub fn build<F: ProgramFile + ?Sized>(
        &mut self,
        task: &mut Task,
        p: &Program<F>,
        image: &Image,
    ) -> Result<u64, StartError> {
        self.install_caps(task, &p.role)?;
        task.pager = cap::derive(self.endpoint, abi::Rights::SEND, task.id | PAGER_BADGE)?;
        self.load_image(task, p.file, image, Kind::Image)?;
        task.brk_start = image.end();
        task.brk = task.brk_start;

        let ipc_index = task.alloc_ipc_index().ok_or(StartError::Memory(MapError::OutOfFrames))?;
        let ipc = task.kind.ipc_buffer(ipc_index);
        self.system_page(task, ipc, prot::READ | prot::WRITE)?;
        let (stack_start, stack_end) = task.kind.stack();
        task.vmas.insert(Vma {
            start: stack_start,
            end: stack_end,
            prot: prot::READ | prot::WRITE,
            kind: Kind::Stack,
        })?;

        if matches!(p.role, Role::Fs0 { .. }) {
            self.wire(task)?;
        }
        let (slot, tid) = factory::thread(SLOT_FACTORY, task.space)?;
        if matches!(p.role, Role::Fs0 { .. }) {
            let got = cap::copy_to(task.space, slot, abi::Rights::CONTROL, 0)?;
            if got != mm0_proto::SLOT_FS0_THREAD {
                return Err(StartError::Slot { want: mm0_proto::SLOT_FS0_THREAD, got });
            }
            // After the thread: the slots come in order.
            if let Role::Fs0 { disk: Some(endpoint) } = p.role {
                let rights = abi::Rights::SEND.union(abi::Rights::GRANT);
                crate::roles::give(task, endpoint, rights, task.id, mm0_proto::SLOT_FS0_DISK)?;
            }
        }
        let posix_tid = if task.kind == TaskKind::Posix { task.id } else { 0 };
        task.threads.insert(
            tid,
            Thread {
                slot,
                ipc_index,
                ended: None,
                joiner: None,
                posix_tid,
                notification: task.notification,
                started: true,
                name: None,
            },
        );
        let priority = if matches!(p.role, Role::Fs0 { .. }) { PRIORITY_SERVER } else { PRIORITY_TASK };
        kthread::configure(slot, task.pager, ipc, priority)?;

        let regs = match task.kind {
            TaskKind::Native => self.native_start(task, p, tid, image)?,
            TaskKind::Posix => {
                let regs = self.posix_start(task, p, image)?;
                init_slot(&mut self.phys, task, ipc_index, task.id, tid, 0);
                ThreadRegs { gs_base: slot_address(ipc_index), ..regs }
            }
        };
        // SAFETY: the thread belongs to the new task, not to mm0.
        unsafe { kthread::write_regs(slot, &regs) }?;
        kthread::resume(slot)?;
        Ok(tid)
    }

    /// Backs every page of `task`'s image and stack now: a server's memory
    /// is wired, so it never waits for a page (and its use of memory shows
    /// at once in mm0's figures, not as it grows).
    fn wire(&mut self, task: &mut Task) -> Result<(), StartError> {
        let regions: Vec<Vma> =
            task.vmas.iter().filter(|v| matches!(v.kind, Kind::Image | Kind::Stack)).copied().collect();
        for v in regions {
            for page in (v.start..v.end).step_by(PAGE_SIZE as usize) {
                if !task.pages.contains_key(&page) {
                    task.map_new(&mut self.phys, page, v.prot)?;
                }
            }
        }
        Ok(())
    }

    /// Backs `vaddr` with a zeroed page of mm0's plumbing (not unmappable by
    /// the task); returns the frame's physical address.
    pub fn system_page(&mut self, task: &mut Task, vaddr: u64, p: u64) -> Result<u64, StartError> {
        task.vmas.insert(Vma { start: vaddr, end: vaddr + PAGE_SIZE, prot: p, kind: Kind::System })?;
        Ok(task.map_new(&mut self.phys, vaddr, p)?.phys)
    }

    /// Maps the file bytes of `image`'s segments into `task` and records its
    /// regions as `kind`.
    fn load_image<F: ProgramFile + ?Sized>(
        &mut self,
        task: &mut Task,
        file: &F,
        image: &Image,
        kind: Kind,
    ) -> Result<(), StartError> {
        let mut buffer = [0u8; PAGE_SIZE as usize];
        for seg in &image.segments {
            let (start, end) = seg.page_range();
            // Segments of one image may share a boundary page; two images
            // (program and libposix) or mm0's own regions may not overlap.
            if task.vmas.iter().any(|v| v.kind != kind && v.start < end && start < v.end) {
                return Err(StartError::Region(VmaError::Overlap));
            }
            task.vmas.insert_uncovered(Vma { start, end, prot: seg.prot, kind })?;
            for plan in seg.pages() {
                let data = match plan.copy {
                    Some((offset, file_offset, len)) => {
                        let bytes = &mut buffer[..len as usize];
                        file.read_at(file_offset, bytes).map_err(StartError::Elf)?;
                        Some((offset, &*bytes))
                    }
                    None => None,
                };
                if let Some(page) = task.pages.get(&plan.vaddr).copied() {
                    // A page shared with the previous segment: add our
                    // bytes, and our rights.
                    if let Some((offset, data)) = data {
                        self.phys.write(page.phys, offset, data);
                    }
                    if page.prot | seg.prot != page.prot {
                        task.remap(&mut self.phys, plan.vaddr, page.prot | seg.prot)?;
                    }
                } else if let Some((offset, data)) = data {
                    let frame = self.phys.alloc_zeroed().ok_or(MapError::OutOfFrames)?;
                    self.phys.write(frame.phys, offset, data);
                    if let Err(e) = task.map_frame(frame, plan.vaddr, seg.prot) {
                        self.phys.free(frame.phys);
                        return Err(e.into());
                    }
                }
            }
        }
        Ok(())
    }

    /// A native task: StartInfo page; registers for `_start`.
    fn native_start(
        &mut self,
        task: &mut Task,
        p: &Program<impl ProgramFile + ?Sized>,
        tid: u64,
        image: &Image,
    ) -> Result<ThreadRegs, StartError> {
        let args = p.args.join(&b' ');
        let mut info = StartInfo { task_id: task.id, tsc_hz: self.tsc_hz, args_len: 0, args: [0; 256], thread_id: tid };
        if args.len() > info.args.len() {
            return Err(StartError::TooLong);
        }
        info.args[..args.len()].copy_from_slice(&args);
        info.args_len = args.len() as u64;
        let page = self.system_page(task, NATIVE_START_INFO, prot::READ)?;
        self.phys.write_start_info(page, &info);
        Ok(ThreadRegs {
            rip: image.entry,
            rsp: task.kind.stack().1,
            rdi: NATIVE_START_INFO,
            rflags: START_RFLAGS,
            ..ThreadRegs::default()
        })
    }

    /// A POSIX process: libposix, the personality, the initial stack;
    /// registers for the program's entry.
    fn posix_start(
        &mut self,
        task: &mut Task,
        p: &Program<impl ProgramFile + ?Sized>,
        image: &Image,
    ) -> Result<ThreadRegs, StartError> {
        let lib = self.libposix.clone().ok_or(StartError::NoLibposix)?;
        self.load_image(task, lib.bytes, &lib.image, Kind::System)?;
        let (gate_start, gate_end) = lib.image.exec_range().ok_or(StartError::NoLibposix)?;
        space::personality(task.space, lib.image.entry, gate_start, gate_end)?;
        for page in (SIGNAL_AREA..SIGNAL_AREA + SIGNAL_AREA_SIZE).step_by(PAGE_SIZE as usize) {
            self.system_page(task, page, prot::READ | prot::WRITE)?;
        }

        let mut argv: Vec<&[u8]> = Vec::with_capacity(p.args.len() + 1);
        argv.push(p.name.as_bytes());
        argv.extend(&p.args);
        let default_env: Vec<&[u8]> = ENVIRONMENT.iter().map(|e| e.as_bytes()).collect();
        let envp = p.envp.as_deref().unwrap_or(&default_env);
        let aux = [
            (at::PHDR, image.phdr.unwrap_or(0)),
            (at::PHENT, image.phent),
            (at::PHNUM, image.phnum),
            (at::PAGESZ, PAGE_SIZE),
            (at::ENTRY, image.entry),
            (at::UID, 0),
            (at::EUID, 0),
            (at::GID, 0),
            (at::EGID, 0),
            (at::SECURE, 0),
        ];
        let (stack_start, top) = task.kind.stack();
        let execfn = p.path.unwrap_or(p.name.as_bytes());
        let stack = stack::build(top, &argv, envp, &aux, random_bytes(), execfn);
        if stack.rsp < stack_start + PAGE_SIZE {
            return Err(StartError::TooLong);
        }
        for page in (page_down(stack.rsp)..top).step_by(PAGE_SIZE as usize) {
            let frame = task.map_new(&mut self.phys, page, prot::READ | prot::WRITE)?;
            let from = page.max(stack.rsp);
            let to = page + PAGE_SIZE;
            let bytes = &stack.bytes[(from - stack.rsp) as usize..(to - stack.rsp) as usize];
            self.phys.write(frame.phys, from - page, bytes);
        }
        Ok(ThreadRegs { rip: image.entry, rsp: stack.rsp, rflags: START_RFLAGS, ..ThreadRegs::default() })
    }
}
