//! EXEC: a process runs a new program.
//!
//! The request carries, through one read grant, the path and the argument
//! and environment strings, each NUL-terminated, one after the other; the
//! program is either a boot module (`/bin/<name>`, until there is a root
//! file system on disk) or, read from a file by libposix, the bytes of a
//! second grant (mm0 never calls fs0), which mm0 reads a page at a time
//! as it loads them ([`GrantedFile`]), so a program may be any size.
//! Everything that can fail is checked first (path, ELF, argument space),
//! so a failed exec leaves the caller running with an errno. Then the new
//! program is built in a new address space, exactly as mm0 starts one,
//! under the same process id; only then is the old image (its space,
//! threads and memory) destroyed, with no reply: the calling thread is
//! gone.
//!
//! What survives, as on Linux: the pid, parent, process group and session,
//! the interval timer, ignored signals, the calling thread's signal mask
//! and the pending signals. Handled signals go back to their defaults
//! (the new program has no handlers), other threads end, SysV attachments
//! are detached.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use abi::boot::SLOT_FACTORY;
use libtern::grant;
use libtern::ipc::Message;
use libtern::{factory, println};
use mm0::elf::{self, ElfError, ProgramFile};
use mm0::layout::TaskKind;
use mm0::stack;
use mm0_proto::signal::{SIGRTMAX, bit, offset};
use mm0_proto::{errno, event, exec_source};

use crate::loader::{Program, StartError};
use crate::roles::Role;
use crate::server::{Mm0, fail};
use crate::signal::{area_word, set_area_word};
use crate::task::Task;

/// Longest path (Linux's PATH_MAX).
const PATH_MAX: usize = 4096;
/// Where boot modules appear until there is a root file system on disk.
pub const MODULE_DIR: &str = "/bin/";
/// The executable file of an EXEC request: the bytes of the caller's
/// grant 1, valid while the caller waits for the answer.
struct GrantedFile {
    len: u64,
}

impl ProgramFile for GrantedFile {
    fn size(&self) -> u64 {
        self.len
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<(), ElfError> {
        let end = offset.checked_add(buf.len() as u64).ok_or(ElfError::Unreadable)?;
        if end > self.len {
            return Err(ElfError::Unreadable);
        }
        grant::read(abi::call::NONE, 1, offset, buf).map_err(|_| ElfError::Unreadable)
    }
}

/// An exec request: the path, then the arguments and the environment.
struct Request<'a> {
    path: &'a [u8],
    argv: Vec<&'a [u8]>,
    envp: Vec<&'a [u8]>,
}

/// Splits the request bytes into `1 + argc + envc` NUL-terminated strings.
fn parse(bytes: &[u8], argc: usize, envc: usize) -> Option<Request<'_>> {
    let mut strings = bytes.split(|&b| b == 0);
    let path = strings.next()?;
    let argv: Vec<&[u8]> = strings.by_ref().take(argc).collect();
    let envp: Vec<&[u8]> = strings.by_ref().take(envc).collect();
    // Exactly the strings announced, the last one NUL-terminated.
    let complete =
        argv.len() == argc && envp.len() == envc && strings.next() == Some(&[][..]) && strings.next().is_none();
    complete.then_some(Request { path, argv, envp })
}

impl Mm0 {
    /// EXEC (length, argc, envc, slot, source): see the module
    /// documentation.
    pub fn exec(&mut self, id: u64, [len, argc, envc, slot, source]: [u64; 5], grants: usize) -> Option<Message> {
        let old = self.tasks.get(&id)?;
        if old.kind != TaskKind::Posix || slot >= mm0::layout::MAX_THREADS as u64 {
            return fail(errno::EINVAL);
        }
        let limit = stack::ARG_MAX + PATH_MAX as u64 + 1;
        if len > limit || argc > stack::ARG_MAX || envc > stack::ARG_MAX {
            return fail(errno::E2BIG);
        }
        let mut bytes = vec![0u8; len as usize];
        if grant::read(abi::call::NONE, 0, 0, &mut bytes).is_err() {
            return fail(errno::EFAULT);
        }
        let Some(request) = parse(&bytes, argc as usize, envc as usize) else {
            return fail(errno::EINVAL);
        };
        if request.path.len() >= PATH_MAX {
            return fail(errno::ENAMETOOLONG);
        }
        if !stack::fits(&request.argv, &request.envp) {
            return fail(errno::E2BIG);
        }
        match source {
            exec_source::MODULE => {
                let name =
                    request.path.strip_prefix(MODULE_DIR.as_bytes()).filter(|n| !n.is_empty() && !n.contains(&b'/'));
                let Some(name) = name else { return fail(errno::ENOENT) };
                let Some((name, program)) = self.modules.iter().find(|(n, _)| n.as_bytes() == name) else {
                    return fail(errno::ENOENT);
                };
                let (name, program) = (name.clone(), *program);
                self.exec_image(id, slot as usize, &request, name, program)
            }
            exec_source::FILE if grants == 2 => {
                let file = GrantedFile { len: libtern::ipc::received_grants()[1].len };
                let base = request.path.rsplit(|&b| b == b'/').next().unwrap_or(request.path);
                let name = String::from(core::str::from_utf8(base).unwrap_or("program"));
                self.exec_image(id, slot as usize, &request, name, &file)
            }
            _ => fail(errno::EINVAL),
        }
    }

    /// Replaces process `id`'s image with the program in `program_file`
    /// (called `module_name`), or fails leaving it as it was.
    fn exec_image<F: ProgramFile + ?Sized>(
        &mut self,
        id: u64,
        slot: usize,
        request: &Request,
        module_name: String,
        program_file: &F,
    ) -> Option<Message> {
        let old = self.tasks.get(&id)?;
        let image = match elf::parse(program_file) {
            Ok(image) => image,
            Err(ElfError::Malformed | ElfError::Unsupported | ElfError::Empty | ElfError::BadSegment) => {
                return fail(errno::ENOEXEC);
            }
            Err(ElfError::Unreadable) => return fail(errno::EFAULT),
        };
        // The new program's arguments are all of argv; Program wants argv[0]
        // apart (its name), so it gets the module name and argv[1..], and
        // argv[0] itself when the caller gave one.
        let (argv0, rest) = match request.argv.split_first() {
            Some((first, rest)) => (*first, rest.to_vec()),
            None => (module_name.as_bytes(), Vec::new()),
        };
        let Ok(argv0) = core::str::from_utf8(argv0) else {
            return fail(errno::EINVAL);
        };
        let program = Program {
            name: argv0,
            kind: TaskKind::Posix,
            file: program_file,
            args: rest,
            envp: Some(request.envp.clone()),
            path: Some(request.path),
            role: Role::Plain,
            expected: old.expected,
            counted: old.counted,
            companion_of: old.companion_of,
        };
        let Ok(space) = factory::space(SLOT_FACTORY) else {
            return fail(errno::ENOMEM);
        };
        let mut new = Task::new(id, &module_name, TaskKind::Posix, space);
        new.exe = program.exe();
        new.cmdline = program.cmdline();
        new.expected = old.expected;
        new.counted = old.counted;
        new.companion_of = old.companion_of;
        new.itimer = old.itimer;
        let tid = match self.build(&mut new, &program, &image) {
            Ok(tid) => tid,
            Err(e) => {
                println!("mm0: exec of {module_name} by task {id} failed: {e}");
                self.dispose(&mut new);
                return fail(match e {
                    StartError::Elf(ElfError::Unreadable) => errno::EFAULT,
                    StartError::Memory(_) | StartError::Region(_) => errno::ENOMEM,
                    StartError::TooLong => errno::E2BIG,
                    _ => errno::EAGAIN,
                });
            }
        };
        self.carry_over_signals(id, slot, &new);
        let mut old = self.tasks.insert(id, new).expect("checked above");
        self.threads.insert(tid, id);
        self.dispose(&mut old);
        self.drop_waits_of(id);
        self.drop_futex_waits_of(id);
        self.shm_exited(id);
        self.collect_objects();
        self.fs0_event(event::EXEC, id, 0);
        if self.verdict.is_testing() {
            self.audit();
        }
        None
    }

    /// Copies from process `id`'s current signal area what survives exec
    /// into `new`'s: ignored signals, the mask of the thread in `slot`,
    /// what is pending for the process and that thread, and where each
    /// pending signal came from.
    fn carry_over_signals(&mut self, id: u64, slot: usize, new: &Task) {
        let Some(old) = self.tasks.get(&id) else { return };
        let ignored = area_word(&self.phys, old, offset::IGNORED);
        let blocked = area_word(&self.phys, old, offset::thread(slot, offset::BLOCKED));
        let pending = area_word(&self.phys, old, offset::PENDING)
            | area_word(&self.phys, old, offset::thread(slot, offset::THREAD_PENDING));
        let origins: Vec<(u32, u64)> = (1..=SIGRTMAX)
            .filter(|&sig| pending & bit(sig) != 0)
            .map(|sig| (sig, area_word(&self.phys, old, offset::origin(sig))))
            .collect();
        set_area_word(&mut self.phys, new, offset::IGNORED, ignored);
        set_area_word(&mut self.phys, new, offset::thread(0, offset::BLOCKED), blocked);
        set_area_word(&mut self.phys, new, offset::PENDING, pending);
        for (sig, origin) in origins {
            set_area_word(&mut self.phys, new, offset::origin(sig), origin);
        }
    }
}
