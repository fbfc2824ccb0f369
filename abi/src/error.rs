//! Error codes returned by kernel calls in `rax` (0 is success).

/// Why a kernel call failed.
#[repr(u64)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
    /// Unknown call number.
    InvalidCall = 1,
    /// The slot is out of range or empty.
    InvalidCap = 2,
    /// The capability is of the wrong type for this call.
    WrongType = 3,
    /// The capability lacks a right this call needs.
    NoRights = 4,
    /// An argument is out of range or inconsistent.
    InvalidArgument = 5,
    /// A user pointer is not mapped with the needed access, or not in the user half.
    BadAddress = 6,
    /// The kernel could not allocate the object.
    NoMemory = 7,
    /// A call with a zero timeout found no partner.
    WouldBlock = 8,
    /// The capability table is full.
    NoSlots = 9,
    /// The partner or the object has been destroyed.
    Dead = 10,
    /// The object is in a state that does not allow the call.
    Busy = 11,
    /// There is no caller to reply to.
    NoCaller = 12,
    /// The thread was suspended while it waited in this call (signals use
    /// this to interrupt blocking calls).
    Interrupted = 13,
    /// The memory a grant names is not mapped with the access it promises:
    /// the granter's fault, not the copier's (that is `BadAddress`).
    PeerFault = 14,
    /// The deadline passed before a message or signal arrived.
    TimedOut = 15,
}

impl Error {
    /// Decode `rax` after a kernel call.
    pub fn check(rax: u64) -> Result<(), Error> {
        match rax {
            0 => Ok(()),
            1 => Err(Error::InvalidCall),
            2 => Err(Error::InvalidCap),
            3 => Err(Error::WrongType),
            4 => Err(Error::NoRights),
            5 => Err(Error::InvalidArgument),
            6 => Err(Error::BadAddress),
            7 => Err(Error::NoMemory),
            8 => Err(Error::WouldBlock),
            9 => Err(Error::NoSlots),
            10 => Err(Error::Dead),
            11 => Err(Error::Busy),
            12 => Err(Error::NoCaller),
            13 => Err(Error::Interrupted),
            14 => Err(Error::PeerFault),
            15 => Err(Error::TimedOut),
            _ => Err(Error::InvalidCall),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        assert_eq!(Error::check(0), Ok(()));
        for code in 1..=15u64 {
            assert_eq!(Error::check(code).unwrap_err() as u64, code);
        }
    }
}
