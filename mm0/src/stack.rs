//! The initial stack of a POSIX process, in the Linux x86_64 layout.
//!
//! From `rsp` up: `argc`, the `argv` pointers and a NULL, the `envp`
//! pointers and a NULL, the auxiliary vector (type, value pairs ending with
//! `AT_NULL`), then the 16 `AT_RANDOM` bytes and the strings, up to the top
//! of the stack. `rsp` is 16-byte aligned, as the ABI requires at process
//! entry. The image is built in a buffer here and copied into the new
//! process's stack pages by the loader.

use alloc::vec;
use alloc::vec::Vec;

/// Auxiliary-vector types (Linux numbering).
pub mod at {
    pub const NULL: u64 = 0;
    pub const PHDR: u64 = 3;
    pub const PHENT: u64 = 4;
    pub const PHNUM: u64 = 5;
    pub const PAGESZ: u64 = 6;
    pub const ENTRY: u64 = 9;
    pub const UID: u64 = 11;
    pub const EUID: u64 = 12;
    pub const GID: u64 = 13;
    pub const EGID: u64 = 14;
    pub const SECURE: u64 = 23;
    pub const RANDOM: u64 = 25;
    pub const EXECFN: u64 = 31;
}

/// Most bytes of argument and environment strings, pointers included
/// (Linux's default ARG_MAX is 2 MiB; Tern's main stack is 8 MiB).
pub const ARG_MAX: u64 = 256 * 1024;

/// Whether `argv` and `envp` fit in [`ARG_MAX`] (each string with its NUL
/// and its pointer).
pub fn fits(argv: &[&[u8]], envp: &[&[u8]]) -> bool {
    let bytes: u64 = argv.iter().chain(envp).map(|s| s.len() as u64 + 1 + 8).sum();
    bytes <= ARG_MAX
}

/// The bytes of the initial stack: they go at `[rsp, top)`.
#[derive(Debug)]
pub struct StackImage {
    pub rsp: u64,
    pub bytes: Vec<u8>,
}

/// Builds the stack below `top` (16-aligned) for `argv` and `envp` (byte
/// strings without their NUL: a program's arguments need not be UTF-8);
/// `aux` holds the fixed auxiliary entries, to which `AT_RANDOM` (pointing
/// at `random`) and `AT_EXECFN` (pointing at a copy of `execfn`) are added.
pub fn build(
    top: u64,
    argv: &[&[u8]],
    envp: &[&[u8]],
    aux: &[(u64, u64)],
    random: [u8; 16],
    execfn: &[u8],
) -> StackImage {
    // Strings and random bytes, placed downwards from the top.
    let mut cursor = top - 16;
    let mut place = |len: u64| {
        cursor -= len;
        cursor
    };
    let execfn_at = place(execfn.len() as u64 + 1);
    let env_at: Vec<u64> = envp.iter().map(|s| place(s.len() as u64 + 1)).collect();
    let arg_at: Vec<u64> = argv.iter().map(|s| place(s.len() as u64 + 1)).collect();
    let random_at = place(16) & !15;

    let mut words = Vec::new();
    words.push(argv.len() as u64);
    words.extend(&arg_at);
    words.push(0);
    words.extend(&env_at);
    words.push(0);
    for &(kind, value) in aux {
        words.extend([kind, value]);
    }
    words.extend([at::RANDOM, random_at, at::EXECFN, execfn_at, at::NULL, 0]);

    let rsp = (random_at - words.len() as u64 * 8) & !15;
    let mut bytes = vec![0u8; (top - rsp) as usize];
    let mut put = |addr: u64, data: &[u8]| {
        let at = (addr - rsp) as usize;
        bytes[at..at + data.len()].copy_from_slice(data);
    };
    for (i, w) in words.iter().enumerate() {
        put(rsp + i as u64 * 8, &w.to_le_bytes());
    }
    put(random_at, &random);
    put(execfn_at, execfn);
    for (s, &at) in envp.iter().zip(&env_at) {
        put(at, s);
    }
    for (s, &at) in argv.iter().zip(&arg_at) {
        put(at, s);
    }
    StackImage { rsp, bytes }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Reader<'a>(&'a StackImage);

    impl Reader<'_> {
        fn word(&self, addr: u64) -> u64 {
            let at = (addr - self.0.rsp) as usize;
            u64::from_le_bytes(self.0.bytes[at..at + 8].try_into().unwrap())
        }
        fn string(&self, addr: u64) -> String {
            let at = (addr - self.0.rsp) as usize;
            let end = self.0.bytes[at..].iter().position(|&b| b == 0).unwrap();
            String::from_utf8(self.0.bytes[at..at + end].to_vec()).unwrap()
        }
    }

    #[test]
    fn argument_space_is_bounded() {
        let big = vec![b'x'; ARG_MAX as usize];
        assert!(fits(&[b"a", b"b"], &[b"HOME=/"]));
        assert!(!fits(&[&big], &[]));
        let many: Vec<&[u8]> = (0..ARG_MAX / 9 + 1).map(|_| &b""[..]).collect();
        assert!(!fits(&many, &[]), "pointers count too");
    }

    #[test]
    fn linux_layout_reads_back() {
        let top = 0x7ff0_0000_0000;
        let random = [7u8; 16];
        let image = build(
            top,
            &[b"hello", b"a", b"bc"],
            &[b"PATH=/bin", b"HOME=/"],
            &[(at::PAGESZ, 4096), (at::ENTRY, 0x40_1000)],
            random,
            b"hello",
        );
        assert_eq!(image.rsp % 16, 0);
        assert_eq!(image.rsp + image.bytes.len() as u64, top);
        let r = Reader(&image);
        let mut p = image.rsp;
        let mut next = || {
            let w = r.word(p);
            p += 8;
            w
        };
        assert_eq!(next(), 3);
        let args: Vec<String> = (0..3).map(|_| next()).map(|a| r.string(a)).collect();
        assert_eq!(args, ["hello", "a", "bc"]);
        assert_eq!(next(), 0);
        assert_eq!(r.string(next()), "PATH=/bin");
        assert_eq!(r.string(next()), "HOME=/");
        assert_eq!(next(), 0);
        let mut aux = Vec::new();
        loop {
            let (k, v) = (next(), next());
            if k == at::NULL {
                break;
            }
            aux.push((k, v));
        }
        assert_eq!(aux[0], (at::PAGESZ, 4096));
        assert_eq!(aux[1], (at::ENTRY, 0x40_1000));
        let random_at = aux.iter().find(|(k, _)| *k == at::RANDOM).unwrap().1;
        let at = (random_at - image.rsp) as usize;
        assert_eq!(image.bytes[at..at + 16], random);
        let execfn = aux.iter().find(|(k, _)| *k == at::EXECFN).unwrap().1;
        assert_eq!(r.string(execfn), "hello");
        // The vector ends below the random bytes and the strings.
        assert!(p <= random_at);
    }
}
