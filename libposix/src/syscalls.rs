//! The Linux x86_64 system-call table and the dispatcher the entry stub calls.
//!
//! Every Linux x86_64 call number has an [`Entry`] with its name, so a call
//! libposix does not implement is logged by name (once per process) and
//! answered with `-ENOSYS`. Numbers are in two dense ranges: the classic
//! calls `0..=334` and the newer ones from 424 (Linux left 335..=423
//! unassigned on x86_64). A handler takes the six argument registers and
//! returns the result or a Linux errno; the dispatcher turns the errno into
//! the negative value Linux returns.

use crate::entry::SyscallFrame;
use crate::{
    credentials, exec, fd, fork, fs, limits, log, memory, path, poll, process, random, sched, shm, signal, system,
    thread, time, tty,
};
use fs0_proto::errno::ENOSYS;

/// The six argument registers of a call: `rdi, rsi, rdx, r10, r8, r9`.
pub type Args = [u64; 6];
/// A call's result: the value returned in `rax`, or a Linux errno.
pub type SysResult = Result<u64, u32>;
/// A call's implementation.
#[derive(Clone, Copy)]
pub enum Handler {
    /// Needs only the arguments.
    Plain(fn(&Args) -> SysResult),
    /// Needs the program's registers too (the entry stub's save area).
    Frame(fn(&Args, &SyscallFrame) -> SysResult),
}

/// Numbers of the calls whose handlers log about themselves.
pub mod nr {
    pub const MMAP: usize = 9;
    pub const MPROTECT: usize = 10;
    pub const PRCTL: usize = 157;
    pub const FUTEX: usize = 202;
}

/// One system call: its Linux name and libposix's handler, if any.
pub struct Entry {
    pub name: &'static str,
    pub handler: Option<Handler>,
}

impl Entry {
    const fn new(name: &'static str, handler: fn(&Args) -> SysResult) -> Entry {
        Entry { name, handler: Some(Handler::Plain(handler)) }
    }

    const fn with_frame(name: &'static str, handler: fn(&Args, &SyscallFrame) -> SysResult) -> Entry {
        Entry { name, handler: Some(Handler::Frame(handler)) }
    }

    const fn unimplemented(name: &'static str) -> Entry {
        Entry { name, handler: None }
    }
}

/// First number of the newer range of calls.
const HIGH_FIRST: usize = 424;

/// Called by the entry stub with the call number, argument registers and
/// its save area; returns the value for `rax`. A signal to deliver on the
/// way back makes the program continue in its handler instead
/// ([`signal::deliver_on_return`]).
pub extern "C" fn dispatch(nr: u64, a0: u64, a1: u64, a2: u64, a3: u64, a4: u64, a5: u64, frame: &SyscallFrame) -> i64 {
    let args = [a0, a1, a2, a3, a4, a5];
    let number = usize::try_from(nr).unwrap_or(usize::MAX);
    let result = match lookup(number) {
        Some(Entry { handler: Some(Handler::Plain(handler)), .. }) => handler(&args),
        Some(Entry { handler: Some(Handler::Frame(handler)), .. }) => handler(&args, frame),
        Some(Entry { name, handler: None }) => {
            log::once(number, format_args!("unimplemented system call {name} ({nr})"));
            Err(ENOSYS)
        }
        None => {
            log::once(number, format_args!("unknown system call number {nr}"));
            Err(ENOSYS)
        }
    };
    let value = match result {
        Ok(value) => value as i64,
        Err(errno) => -i64::from(errno),
    };
    signal::deliver_on_return(nr, value, frame)
}

/// The table entry of call `number`.
fn lookup(number: usize) -> Option<&'static Entry> {
    if number >= HIGH_FIRST { HIGH.get(number - HIGH_FIRST) } else { LOW.get(number) }
}

/// Byte-wise string equality usable in constant checks.
const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

const _: () = assert!(
    same(LOW[nr::MMAP].name, "mmap") && same(LOW[nr::MPROTECT].name, "mprotect") && same(LOW[nr::FUTEX].name, "futex")
);

/// Calls 0..=334.
static LOW: [Entry; 335] = [
    /*   0 */ Entry::new("read", fs::read),
    /*   1 */ Entry::new("write", fs::write),
    /*   2 */ Entry::new("open", path::open),
    /*   3 */ Entry::new("close", fd::close),
    /*   4 */ Entry::new("stat", path::stat),
    /*   5 */ Entry::new("fstat", path::fstat),
    /*   6 */ Entry::new("lstat", path::lstat),
    /*   7 */ Entry::new("poll", poll::poll),
    /*   8 */ Entry::new("lseek", fd::lseek),
    /*   9 */ Entry::new("mmap", memory::mmap),
    /*  10 */ Entry::new("mprotect", memory::mprotect),
    /*  11 */ Entry::new("munmap", memory::munmap),
    /*  12 */ Entry::new("brk", memory::brk),
    /*  13 */ Entry::new("rt_sigaction", signal::rt_sigaction),
    /*  14 */ Entry::new("rt_sigprocmask", signal::rt_sigprocmask),
    /*  15 */ Entry::with_frame("rt_sigreturn", signal::rt_sigreturn),
    /*  16 */ Entry::new("ioctl", tty::ioctl),
    /*  17 */ Entry::new("pread64", fs::pread64),
    /*  18 */ Entry::new("pwrite64", fs::pwrite64),
    /*  19 */ Entry::new("readv", fs::readv),
    /*  20 */ Entry::new("writev", fs::writev),
    /*  21 */ Entry::new("access", path::access),
    /*  22 */ Entry::new("pipe", fd::pipe),
    /*  23 */ Entry::new("select", poll::select),
    /*  24 */ Entry::new("sched_yield", time::sched_yield),
    /*  25 */ Entry::new("mremap", memory::mremap),
    /*  26 */ Entry::new("msync", memory::msync),
    /*  27 */ Entry::unimplemented("mincore"),
    /*  28 */ Entry::new("madvise", memory::madvise),
    /*  29 */ Entry::new("shmget", shm::shmget),
    /*  30 */ Entry::new("shmat", shm::shmat),
    /*  31 */ Entry::new("shmctl", shm::shmctl),
    /*  32 */ Entry::new("dup", fd::dup),
    /*  33 */ Entry::new("dup2", fd::dup2),
    /*  34 */ Entry::new("pause", signal::pause),
    /*  35 */ Entry::new("nanosleep", time::nanosleep),
    /*  36 */ Entry::new("getitimer", time::getitimer),
    /*  37 */ Entry::new("alarm", time::alarm),
    /*  38 */ Entry::new("setitimer", time::setitimer),
    /*  39 */ Entry::new("getpid", process::getpid),
    /*  40 */ Entry::new("sendfile", fs::sendfile),
    /*  41 */ Entry::unimplemented("socket"),
    /*  42 */ Entry::unimplemented("connect"),
    /*  43 */ Entry::unimplemented("accept"),
    /*  44 */ Entry::unimplemented("sendto"),
    /*  45 */ Entry::unimplemented("recvfrom"),
    /*  46 */ Entry::unimplemented("sendmsg"),
    /*  47 */ Entry::unimplemented("recvmsg"),
    /*  48 */ Entry::unimplemented("shutdown"),
    /*  49 */ Entry::unimplemented("bind"),
    /*  50 */ Entry::unimplemented("listen"),
    /*  51 */ Entry::unimplemented("getsockname"),
    /*  52 */ Entry::unimplemented("getpeername"),
    /*  53 */ Entry::unimplemented("socketpair"),
    /*  54 */ Entry::unimplemented("setsockopt"),
    /*  55 */ Entry::unimplemented("getsockopt"),
    /*  56 */ Entry::with_frame("clone", thread::clone),
    /*  57 */ Entry::new("fork", fork::fork),
    /*  58 */ Entry::new("vfork", fork::vfork),
    /*  59 */ Entry::new("execve", exec::execve),
    /*  60 */ Entry::new("exit", thread::exit_thread),
    /*  61 */ Entry::new("wait4", process::wait4),
    /*  62 */ Entry::new("kill", signal::kill),
    /*  63 */ Entry::new("uname", system::uname),
    /*  64 */ Entry::unimplemented("semget"),
    /*  65 */ Entry::unimplemented("semop"),
    /*  66 */ Entry::unimplemented("semctl"),
    /*  67 */ Entry::new("shmdt", shm::shmdt),
    /*  68 */ Entry::unimplemented("msgget"),
    /*  69 */ Entry::unimplemented("msgsnd"),
    /*  70 */ Entry::unimplemented("msgrcv"),
    /*  71 */ Entry::unimplemented("msgctl"),
    /*  72 */ Entry::new("fcntl", fd::fcntl),
    /*  73 */ Entry::unimplemented("flock"),
    /*  74 */ Entry::new("fsync", path::fsync),
    /*  75 */ Entry::new("fdatasync", path::fsync),
    /*  76 */ Entry::new("truncate", path::truncate),
    /*  77 */ Entry::new("ftruncate", path::ftruncate),
    /*  78 */ Entry::unimplemented("getdents"),
    /*  79 */ Entry::new("getcwd", path::getcwd),
    /*  80 */ Entry::new("chdir", path::chdir),
    /*  81 */ Entry::new("fchdir", path::fchdir),
    /*  82 */ Entry::new("rename", path::rename),
    /*  83 */ Entry::new("mkdir", path::mkdir),
    /*  84 */ Entry::new("rmdir", path::rmdir),
    /*  85 */ Entry::new("creat", path::creat),
    /*  86 */ Entry::new("link", path::link),
    /*  87 */ Entry::new("unlink", path::unlink),
    /*  88 */ Entry::new("symlink", path::symlink),
    /*  89 */ Entry::new("readlink", path::readlink),
    /*  90 */ Entry::new("chmod", path::chmod),
    /*  91 */ Entry::new("fchmod", path::fchmod),
    /*  92 */ Entry::unimplemented("chown"),
    /*  93 */ Entry::unimplemented("fchown"),
    /*  94 */ Entry::unimplemented("lchown"),
    /*  95 */ Entry::new("umask", path::umask),
    /*  96 */ Entry::new("gettimeofday", time::gettimeofday),
    /*  97 */ Entry::new("getrlimit", limits::getrlimit),
    /*  98 */ Entry::unimplemented("getrusage"),
    /*  99 */ Entry::new("sysinfo", system::sysinfo),
    /* 100 */ Entry::unimplemented("times"),
    /* 101 */ Entry::unimplemented("ptrace"),
    /* 102 */ Entry::new("getuid", credentials::getuid),
    /* 103 */ Entry::unimplemented("syslog"),
    /* 104 */ Entry::new("getgid", credentials::getgid),
    /* 105 */ Entry::unimplemented("setuid"),
    /* 106 */ Entry::unimplemented("setgid"),
    /* 107 */ Entry::new("geteuid", credentials::geteuid),
    /* 108 */ Entry::new("getegid", credentials::getegid),
    /* 109 */ Entry::new("setpgid", process::setpgid),
    /* 110 */ Entry::new("getppid", process::getppid),
    /* 111 */ Entry::new("getpgrp", process::getpgrp),
    /* 112 */ Entry::new("setsid", process::setsid),
    /* 113 */ Entry::unimplemented("setreuid"),
    /* 114 */ Entry::unimplemented("setregid"),
    /* 115 */ Entry::new("getgroups", credentials::getgroups),
    /* 116 */ Entry::unimplemented("setgroups"),
    /* 117 */ Entry::unimplemented("setresuid"),
    /* 118 */ Entry::new("getresuid", credentials::getresuid),
    /* 119 */ Entry::unimplemented("setresgid"),
    /* 120 */ Entry::new("getresgid", credentials::getresgid),
    /* 121 */ Entry::new("getpgid", process::getpgid),
    /* 122 */ Entry::unimplemented("setfsuid"),
    /* 123 */ Entry::unimplemented("setfsgid"),
    /* 124 */ Entry::new("getsid", process::getsid),
    /* 125 */ Entry::unimplemented("capget"),
    /* 126 */ Entry::unimplemented("capset"),
    /* 127 */ Entry::new("rt_sigpending", signal::rt_sigpending),
    /* 128 */ Entry::unimplemented("rt_sigtimedwait"),
    /* 129 */ Entry::unimplemented("rt_sigqueueinfo"),
    /* 130 */ Entry::new("rt_sigsuspend", signal::rt_sigsuspend),
    /* 131 */ Entry::with_frame("sigaltstack", signal::sigaltstack),
    /* 132 */ Entry::unimplemented("utime"),
    /* 133 */ Entry::unimplemented("mknod"),
    /* 134 */ Entry::unimplemented("uselib"),
    /* 135 */ Entry::unimplemented("personality"),
    /* 136 */ Entry::unimplemented("ustat"),
    /* 137 */ Entry::new("statfs", path::statfs),
    /* 138 */ Entry::new("fstatfs", path::fstatfs),
    /* 139 */ Entry::unimplemented("sysfs"),
    /* 140 */ Entry::unimplemented("getpriority"),
    /* 141 */ Entry::unimplemented("setpriority"),
    /* 142 */ Entry::unimplemented("sched_setparam"),
    /* 143 */ Entry::new("sched_getparam", sched::sched_getparam),
    /* 144 */ Entry::unimplemented("sched_setscheduler"),
    /* 145 */ Entry::new("sched_getscheduler", sched::sched_getscheduler),
    /* 146 */ Entry::new("sched_get_priority_max", sched::sched_get_priority_max),
    /* 147 */ Entry::new("sched_get_priority_min", sched::sched_get_priority_min),
    /* 148 */ Entry::unimplemented("sched_rr_get_interval"),
    /* 149 */ Entry::unimplemented("mlock"),
    /* 150 */ Entry::unimplemented("munlock"),
    /* 151 */ Entry::unimplemented("mlockall"),
    /* 152 */ Entry::unimplemented("munlockall"),
    /* 153 */ Entry::unimplemented("vhangup"),
    /* 154 */ Entry::unimplemented("modify_ldt"),
    /* 155 */ Entry::unimplemented("pivot_root"),
    /* 156 */ Entry::unimplemented("_sysctl"),
    /* 157 */ Entry::new("prctl", process::prctl),
    /* 158 */ Entry::new("arch_prctl", thread::arch_prctl),
    /* 159 */ Entry::unimplemented("adjtimex"),
    /* 160 */ Entry::new("setrlimit", limits::setrlimit),
    /* 161 */ Entry::unimplemented("chroot"),
    /* 162 */ Entry::new("sync", path::sync),
    /* 163 */ Entry::unimplemented("acct"),
    /* 164 */ Entry::unimplemented("settimeofday"),
    /* 165 */ Entry::unimplemented("mount"),
    /* 166 */ Entry::unimplemented("umount2"),
    /* 167 */ Entry::unimplemented("swapon"),
    /* 168 */ Entry::unimplemented("swapoff"),
    /* 169 */ Entry::new("reboot", system::reboot),
    /* 170 */ Entry::unimplemented("sethostname"),
    /* 171 */ Entry::unimplemented("setdomainname"),
    /* 172 */ Entry::unimplemented("iopl"),
    /* 173 */ Entry::unimplemented("ioperm"),
    /* 174 */ Entry::unimplemented("create_module"),
    /* 175 */ Entry::unimplemented("init_module"),
    /* 176 */ Entry::unimplemented("delete_module"),
    /* 177 */ Entry::unimplemented("get_kernel_syms"),
    /* 178 */ Entry::unimplemented("query_module"),
    /* 179 */ Entry::unimplemented("quotactl"),
    /* 180 */ Entry::unimplemented("nfsservctl"),
    /* 181 */ Entry::unimplemented("getpmsg"),
    /* 182 */ Entry::unimplemented("putpmsg"),
    /* 183 */ Entry::unimplemented("afs_syscall"),
    /* 184 */ Entry::unimplemented("tuxcall"),
    /* 185 */ Entry::unimplemented("security"),
    /* 186 */ Entry::new("gettid", thread::gettid),
    /* 187 */ Entry::unimplemented("readahead"),
    /* 188 */ Entry::unimplemented("setxattr"),
    /* 189 */ Entry::unimplemented("lsetxattr"),
    /* 190 */ Entry::unimplemented("fsetxattr"),
    /* 191 */ Entry::unimplemented("getxattr"),
    /* 192 */ Entry::unimplemented("lgetxattr"),
    /* 193 */ Entry::unimplemented("fgetxattr"),
    /* 194 */ Entry::unimplemented("listxattr"),
    /* 195 */ Entry::unimplemented("llistxattr"),
    /* 196 */ Entry::unimplemented("flistxattr"),
    /* 197 */ Entry::unimplemented("removexattr"),
    /* 198 */ Entry::unimplemented("lremovexattr"),
    /* 199 */ Entry::unimplemented("fremovexattr"),
    /* 200 */ Entry::new("tkill", signal::tkill),
    /* 201 */ Entry::new("time", time::time),
    /* 202 */ Entry::new("futex", thread::futex),
    /* 203 */ Entry::new("sched_setaffinity", sched::sched_setaffinity),
    /* 204 */ Entry::new("sched_getaffinity", sched::sched_getaffinity),
    /* 205 */ Entry::unimplemented("set_thread_area"),
    /* 206 */ Entry::unimplemented("io_setup"),
    /* 207 */ Entry::unimplemented("io_destroy"),
    /* 208 */ Entry::unimplemented("io_getevents"),
    /* 209 */ Entry::unimplemented("io_submit"),
    /* 210 */ Entry::unimplemented("io_cancel"),
    /* 211 */ Entry::unimplemented("get_thread_area"),
    /* 212 */ Entry::unimplemented("lookup_dcookie"),
    /* 213 */ Entry::unimplemented("epoll_create"),
    /* 214 */ Entry::unimplemented("epoll_ctl_old"),
    /* 215 */ Entry::unimplemented("epoll_wait_old"),
    /* 216 */ Entry::unimplemented("remap_file_pages"),
    /* 217 */ Entry::new("getdents64", path::getdents64),
    /* 218 */ Entry::new("set_tid_address", thread::set_tid_address),
    /* 219 */ Entry::unimplemented("restart_syscall"),
    /* 220 */ Entry::unimplemented("semtimedop"),
    /* 221 */ Entry::unimplemented("fadvise64"),
    /* 222 */ Entry::unimplemented("timer_create"),
    /* 223 */ Entry::unimplemented("timer_settime"),
    /* 224 */ Entry::unimplemented("timer_gettime"),
    /* 225 */ Entry::unimplemented("timer_getoverrun"),
    /* 226 */ Entry::unimplemented("timer_delete"),
    /* 227 */ Entry::unimplemented("clock_settime"),
    /* 228 */ Entry::new("clock_gettime", time::clock_gettime),
    /* 229 */ Entry::new("clock_getres", time::clock_getres),
    /* 230 */ Entry::new("clock_nanosleep", time::clock_nanosleep),
    /* 231 */ Entry::new("exit_group", process::exit_group),
    /* 232 */ Entry::unimplemented("epoll_wait"),
    /* 233 */ Entry::unimplemented("epoll_ctl"),
    /* 234 */ Entry::new("tgkill", signal::tgkill),
    /* 235 */ Entry::unimplemented("utimes"),
    /* 236 */ Entry::unimplemented("vserver"),
    /* 237 */ Entry::unimplemented("mbind"),
    /* 238 */ Entry::unimplemented("set_mempolicy"),
    /* 239 */ Entry::unimplemented("get_mempolicy"),
    /* 240 */ Entry::unimplemented("mq_open"),
    /* 241 */ Entry::unimplemented("mq_unlink"),
    /* 242 */ Entry::unimplemented("mq_timedsend"),
    /* 243 */ Entry::unimplemented("mq_timedreceive"),
    /* 244 */ Entry::unimplemented("mq_notify"),
    /* 245 */ Entry::unimplemented("mq_getsetattr"),
    /* 246 */ Entry::unimplemented("kexec_load"),
    /* 247 */ Entry::new("waitid", process::waitid),
    /* 248 */ Entry::unimplemented("add_key"),
    /* 249 */ Entry::unimplemented("request_key"),
    /* 250 */ Entry::unimplemented("keyctl"),
    /* 251 */ Entry::unimplemented("ioprio_set"),
    /* 252 */ Entry::unimplemented("ioprio_get"),
    /* 253 */ Entry::unimplemented("inotify_init"),
    /* 254 */ Entry::unimplemented("inotify_add_watch"),
    /* 255 */ Entry::unimplemented("inotify_rm_watch"),
    /* 256 */ Entry::unimplemented("migrate_pages"),
    /* 257 */ Entry::new("openat", path::openat),
    /* 258 */ Entry::new("mkdirat", path::mkdirat),
    /* 259 */ Entry::unimplemented("mknodat"),
    /* 260 */ Entry::unimplemented("fchownat"),
    /* 261 */ Entry::unimplemented("futimesat"),
    /* 262 */ Entry::new("newfstatat", path::newfstatat),
    /* 263 */ Entry::new("unlinkat", path::unlinkat),
    /* 264 */ Entry::new("renameat", path::renameat),
    /* 265 */ Entry::new("linkat", path::linkat),
    /* 266 */ Entry::new("symlinkat", path::symlinkat),
    /* 267 */ Entry::new("readlinkat", path::readlinkat),
    /* 268 */ Entry::new("fchmodat", path::fchmodat),
    /* 269 */ Entry::new("faccessat", path::faccessat),
    /* 270 */ Entry::new("pselect6", poll::pselect6),
    /* 271 */ Entry::new("ppoll", poll::ppoll),
    /* 272 */ Entry::unimplemented("unshare"),
    /* 273 */ Entry::unimplemented("set_robust_list"),
    /* 274 */ Entry::unimplemented("get_robust_list"),
    /* 275 */ Entry::unimplemented("splice"),
    /* 276 */ Entry::unimplemented("tee"),
    /* 277 */ Entry::unimplemented("sync_file_range"),
    /* 278 */ Entry::unimplemented("vmsplice"),
    /* 279 */ Entry::unimplemented("move_pages"),
    /* 280 */ Entry::new("utimensat", path::utimensat),
    /* 281 */ Entry::unimplemented("epoll_pwait"),
    /* 282 */ Entry::unimplemented("signalfd"),
    /* 283 */ Entry::unimplemented("timerfd_create"),
    /* 284 */ Entry::unimplemented("eventfd"),
    /* 285 */ Entry::unimplemented("fallocate"),
    /* 286 */ Entry::unimplemented("timerfd_settime"),
    /* 287 */ Entry::unimplemented("timerfd_gettime"),
    /* 288 */ Entry::unimplemented("accept4"),
    /* 289 */ Entry::unimplemented("signalfd4"),
    /* 290 */ Entry::unimplemented("eventfd2"),
    /* 291 */ Entry::unimplemented("epoll_create1"),
    /* 292 */ Entry::new("dup3", fd::dup3),
    /* 293 */ Entry::new("pipe2", fd::pipe2),
    /* 294 */ Entry::unimplemented("inotify_init1"),
    /* 295 */ Entry::unimplemented("preadv"),
    /* 296 */ Entry::unimplemented("pwritev"),
    /* 297 */ Entry::unimplemented("rt_tgsigqueueinfo"),
    /* 298 */ Entry::unimplemented("perf_event_open"),
    /* 299 */ Entry::unimplemented("recvmmsg"),
    /* 300 */ Entry::unimplemented("fanotify_init"),
    /* 301 */ Entry::unimplemented("fanotify_mark"),
    /* 302 */ Entry::new("prlimit64", limits::prlimit64),
    /* 303 */ Entry::unimplemented("name_to_handle_at"),
    /* 304 */ Entry::unimplemented("open_by_handle_at"),
    /* 305 */ Entry::unimplemented("clock_adjtime"),
    /* 306 */ Entry::new("syncfs", path::syncfs),
    /* 307 */ Entry::unimplemented("sendmmsg"),
    /* 308 */ Entry::unimplemented("setns"),
    /* 309 */ Entry::new("getcpu", sched::getcpu),
    /* 310 */ Entry::unimplemented("process_vm_readv"),
    /* 311 */ Entry::unimplemented("process_vm_writev"),
    /* 312 */ Entry::unimplemented("kcmp"),
    /* 313 */ Entry::unimplemented("finit_module"),
    /* 314 */ Entry::unimplemented("sched_setattr"),
    /* 315 */ Entry::unimplemented("sched_getattr"),
    /* 316 */ Entry::new("renameat2", path::renameat2),
    /* 317 */ Entry::unimplemented("seccomp"),
    /* 318 */ Entry::new("getrandom", random::getrandom),
    /* 319 */ Entry::unimplemented("memfd_create"),
    /* 320 */ Entry::unimplemented("kexec_file_load"),
    /* 321 */ Entry::unimplemented("bpf"),
    /* 322 */ Entry::unimplemented("execveat"),
    /* 323 */ Entry::unimplemented("userfaultfd"),
    /* 324 */ Entry::unimplemented("membarrier"),
    /* 325 */ Entry::unimplemented("mlock2"),
    /* 326 */ Entry::new("copy_file_range", fs::copy_file_range),
    /* 327 */ Entry::unimplemented("preadv2"),
    /* 328 */ Entry::unimplemented("pwritev2"),
    /* 329 */ Entry::unimplemented("pkey_mprotect"),
    /* 330 */ Entry::unimplemented("pkey_alloc"),
    /* 331 */ Entry::unimplemented("pkey_free"),
    /* 332 */ Entry::new("statx", path::statx),
    /* 333 */ Entry::unimplemented("io_pgetevents"),
    /* 334 */ Entry::unimplemented("rseq"),
];

/// Calls 424..=450.
static HIGH: [Entry; 27] = [
    /* 424 */ Entry::unimplemented("pidfd_send_signal"),
    /* 425 */ Entry::unimplemented("io_uring_setup"),
    /* 426 */ Entry::unimplemented("io_uring_enter"),
    /* 427 */ Entry::unimplemented("io_uring_register"),
    /* 428 */ Entry::unimplemented("open_tree"),
    /* 429 */ Entry::unimplemented("move_mount"),
    /* 430 */ Entry::unimplemented("fsopen"),
    /* 431 */ Entry::unimplemented("fsconfig"),
    /* 432 */ Entry::unimplemented("fsmount"),
    /* 433 */ Entry::unimplemented("fspick"),
    /* 434 */ Entry::unimplemented("pidfd_open"),
    /* 435 */ Entry::unimplemented("clone3"),
    /* 436 */ Entry::unimplemented("close_range"),
    /* 437 */ Entry::unimplemented("openat2"),
    /* 438 */ Entry::unimplemented("pidfd_getfd"),
    /* 439 */ Entry::new("faccessat2", path::faccessat2),
    /* 440 */ Entry::unimplemented("process_madvise"),
    /* 441 */ Entry::unimplemented("epoll_pwait2"),
    /* 442 */ Entry::unimplemented("mount_setattr"),
    /* 443 */ Entry::unimplemented("quotactl_fd"),
    /* 444 */ Entry::unimplemented("landlock_create_ruleset"),
    /* 445 */ Entry::unimplemented("landlock_add_rule"),
    /* 446 */ Entry::unimplemented("landlock_restrict_self"),
    /* 447 */ Entry::unimplemented("memfd_secret"),
    /* 448 */ Entry::unimplemented("process_mrelease"),
    /* 449 */ Entry::unimplemented("futex_waitv"),
    /* 450 */ Entry::unimplemented("set_mempolicy_home_node"),
];
