//! Which boot modules run, in which order, with which role.
//!
//! Module command lines are `<path> <kind> [args...]`. mm0 skips itself and
//! `data` modules, starts `fs0` first (the other tasks' files go to it),
//! then every `native` and `posix` module in boot order. The first POSIX
//! module with `role=init` is init: the process orphans go to. A module
//! named `ide` is the disk driver (a server, like fs0), and fs0 and
//! `ktest disk` its clients. fs0's arguments get the `root=` word of the
//! kernel command line: the file system it mounts as the root.
//!
//! ktest needs a partner in another address space for its IPC tests and
//! benchmarks: for each `ktest` module (unless its args already start with
//! `peer`), mm0 starts the module twice, as `ktest` with the module's args
//! and as `ktest-peer` with the single arg `peer`, and gives both the same
//! test endpoint. The peer serves ktest's messages until ktest tells it to
//! exit, so both end with status 0 when all is well; should ktest end
//! without telling it (a crash), mm0 stops the peer with it.

use alloc::string::String;

use abi::boot::{BootInfo, SLOT_FACTORY};
use libtern::{factory, println};
use mm0::cmdline::{ModuleKind, ModuleLine};
use mm0::elf;
use mm0::layout::TaskKind;

use crate::loader::{LibPosix, Program};
use crate::roles::Role;
use crate::server::Mm0;

/// A boot module as a [`Program`].
#[allow(clippy::too_many_arguments)]
fn boot_program<'a>(
    name: &'a str,
    kind: TaskKind,
    bytes: &'static [u8],
    args: &[&'a str],
    role: Role,
    expected: Option<i64>,
    counted: bool,
    companion_of: Option<u64>,
) -> Program<'a> {
    Program {
        name,
        kind,
        file: bytes,
        args: args.iter().map(|a| a.as_bytes()).collect(),
        envp: None,
        path: None,
        role,
        expected,
        counted,
        companion_of,
    }
}

impl Mm0 {
    /// Parses the `libposix` module, if there is one.
    pub fn find_libposix(&mut self, boot: &BootInfo) {
        let Some((index, module)) = boot.modules().iter().enumerate().find(|(_, m)| m.name() == "libposix") else {
            return;
        };
        let Some(bytes) = self.phys.module_bytes(index, module) else {
            println!("mm0: libposix module is not mapped");
            return;
        };
        match elf::parse(bytes) {
            Ok(image) if image.exec_range().is_some() => self.libposix = Some(LibPosix { bytes, image }),
            Ok(_) => println!("mm0: libposix has no executable segment"),
            Err(e) => println!("mm0: libposix is not loadable: {e:?}"),
        }
    }

    /// Starts every module that is a task, fs0 first; keeps every module
    /// by name for exec (`/bin/<name>`, until there are files).
    pub fn start_boot_modules(&mut self, boot: &BootInfo) {
        let modules = boot.modules();
        for (index, module) in modules.iter().enumerate() {
            if let Some(bytes) = self.phys.module_bytes(index, module)
                && !self.modules.iter().any(|(name, _)| name == module.name())
            {
                self.modules.push((String::from(module.name()), bytes));
            }
        }
        let fs0 = modules.iter().position(|m| m.name() == "fs0");
        let order = fs0.into_iter().chain((0..modules.len()).filter(|&i| Some(i) != fs0));
        for index in order {
            let module = &modules[index];
            let name = module.name();
            let line = ModuleLine::parse(module.cmdline());
            let kind = match line.kind {
                _ if name == "mm0" => continue,
                Some(ModuleKind::Data) => continue,
                Some(ModuleKind::Native) => TaskKind::Native,
                Some(ModuleKind::Posix) => TaskKind::Posix,
                None => {
                    println!("mm0: module `{}` is not `<path> native|posix|data [args...]`; skipped", module.cmdline());
                    self.verdict.failed_to_start();
                    continue;
                }
            };
            let Some(bytes) = self.phys.module_bytes(index, module) else {
                println!("mm0: module {name} is not mapped; skipped");
                self.verdict.failed_to_start();
                continue;
            };
            let args = line.program_args();
            let native_default = (kind == TaskKind::Native).then_some(0);
            let expected = line.expected_status(native_default);
            if Some(index) == fs0 {
                // fs0 mounts the root the kernel command line names.
                let mut args = args;
                args.extend(boot.cmdline().split_whitespace().filter(|w| w.starts_with("root=")));
                let has_disk = modules.iter().any(|m| m.name() == "ide");
                let disk = if has_disk { self.disk_endpoint() } else { None };
                self.launch(&boot_program(name, kind, bytes, &args, Role::Fs0 { disk }, expected, false, None));
            } else if name == "ktest" && args.first() == Some(&"disk") && !modules.iter().any(|m| m.name() == "ide") {
                // A client without a driver would wait on the endpoint forever.
                println!("mm0: `ktest disk` needs the `ide` module; skipped");
                self.verdict.failed_to_start();
            } else if name == "ide" || (name == "ktest" && args.first() == Some(&"disk")) {
                match self.disk_endpoint() {
                    Some(endpoint) => {
                        // The driver is a server: like fs0, it does not count
                        // among the tasks a test run waits for.
                        let (role, counted) = match name {
                            "ide" => (Role::Ide { endpoint }, false),
                            _ => (Role::DiskClient { endpoint }, true),
                        };
                        self.launch(&boot_program(name, kind, bytes, &args, role, expected, counted, None));
                    }
                    None => self.verdict.failed_to_start(),
                }
            } else if name == "ktest" && args.first() != Some(&"peer") {
                match factory::endpoint(SLOT_FACTORY) {
                    Ok(endpoint) => {
                        let role = Role::Ktest { endpoint };
                        if let Some(main) =
                            self.launch(&boot_program(name, kind, bytes, &args, role, expected, true, None))
                        {
                            let peer =
                                boot_program("ktest-peer", kind, bytes, &["peer"], role, expected, true, Some(main));
                            self.launch(&peer);
                        }
                    }
                    Err(e) => {
                        println!("mm0: no endpoint for ktest: {e:?}");
                        self.verdict.failed_to_start();
                    }
                }
            } else {
                let id = self.launch(&boot_program(name, kind, bytes, &args, Role::Plain, expected, true, None));
                if let Some(id) = id.filter(|_| line.is_init() && kind == TaskKind::Posix)
                    && self.processes.reaper().is_none()
                {
                    self.processes.set_reaper(id);
                    if self.verbose {
                        println!("mm0: {name} is init: orphans go to it");
                    }
                }
            }
        }
        self.end_run_if_over();
    }

    /// The endpoint between the IDE driver and its clients, made at the
    /// first need.
    fn disk_endpoint(&mut self) -> Option<u64> {
        if self.disk_endpoint.is_none() {
            match factory::endpoint(SLOT_FACTORY) {
                Ok(endpoint) => self.disk_endpoint = Some(endpoint),
                Err(e) => println!("mm0: no endpoint for the disk: {e:?}"),
            }
        }
        self.disk_endpoint
    }

    /// Starts `program`; returns its task id.
    fn launch(&mut self, program: &Program) -> Option<u64> {
        match self.start(program) {
            Ok(id) => {
                if self.verbose {
                    println!("mm0: started {} as task {id}", program.name);
                }
                if program.counted {
                    self.verdict.started();
                }
                Some(id)
            }
            Err(e) => {
                println!("mm0: cannot start {}: {e}", program.name);
                if program.counted {
                    self.verdict.failed_to_start();
                }
                None
            }
        }
    }
}
