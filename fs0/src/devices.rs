//! The character devices of /dev: the console (also /dev/tty), null, zero,
//! full, random and urandom. They appear as device nodes in the file
//! system (fs0 makes them at start); opening a node opens its device.

use fs0_proto::errno::{EIO, ENOSPC};

use crate::console::Console;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Device {
    Console,
    Tty,
    Null,
    Zero,
    Full,
    Random,
    Urandom,
}

impl Device {
    /// Every device, with its name in /dev.
    pub const ALL: [(Device, &'static [u8]); 7] = [
        (Device::Console, b"console"),
        (Device::Tty, b"tty"),
        (Device::Null, b"null"),
        (Device::Zero, b"zero"),
        (Device::Full, b"full"),
        (Device::Random, b"random"),
        (Device::Urandom, b"urandom"),
    ];

    /// The device with device number `rdev`.
    pub fn from_rdev(rdev: u64) -> Option<Device> {
        Device::ALL.iter().map(|&(d, _)| d).find(|d| d.rdev() == rdev)
    }

    /// Linux's device number (major << 8 | minor, the old encoding that
    /// `makedev` also gives for small numbers).
    pub fn rdev(self) -> u64 {
        let (major, minor) = match self {
            Device::Console => (5, 1),
            Device::Tty => (5, 0),
            Device::Null => (1, 3),
            Device::Zero => (1, 5),
            Device::Full => (1, 7),
            Device::Random => (1, 8),
            Device::Urandom => (1, 9),
        };
        (major << 8) | minor
    }

    /// A terminal (isatty).
    pub fn is_terminal(self) -> bool {
        matches!(self, Device::Console | Device::Tty)
    }

    /// Fills `out` as a read would; `Ok(0)` is the end of file. Terminals
    /// are read through the console's line discipline (`files.rs`), never
    /// here: EIO.
    pub fn read(self, out: &mut [u8]) -> Result<usize, u32> {
        match self {
            Device::Console | Device::Tty => Err(EIO),
            Device::Null => Ok(0),
            Device::Zero | Device::Full => {
                out.fill(0);
                Ok(out.len())
            }
            Device::Random | Device::Urandom => {
                libtern::random::fill(out);
                Ok(out.len())
            }
        }
    }

    /// Writes `bytes`; returns how many it took.
    pub fn write(self, console: &mut Console, bytes: &[u8]) -> Result<usize, u32> {
        match self {
            Device::Console | Device::Tty => {
                console.write(bytes);
                Ok(bytes.len())
            }
            Device::Full => Err(ENOSPC),
            Device::Null | Device::Zero | Device::Random | Device::Urandom => Ok(bytes.len()),
        }
    }
}
