//! ELF loading decisions: which pages a program needs and what goes in them.
//!
//! mm0 loads static x86_64 executables by their PT_LOAD program headers
//! only; sections and symbols are never read. A static-PIE executable
//! (ET_DYN without an interpreter, what Rust and `musl-gcc -static-pie`
//! make) is placed at [`PIE_BASE`]: its start code relocates itself,
//! finding its base from AT_PHDR, so the loader adds the base to every
//! address and applies no relocations. [`parse`] checks every
//! segment (inside the user half, file bytes inside the file, no overflow)
//! so the loader can trust the [`Image`]. The file is read through
//! [`ProgramFile`], a piece at a time: a boot module lies in memory, an
//! executed file is the caller's buffer, which mm0 never copies whole (so
//! a program's size is not bounded by mm0's heap). [`Segment::pages`] splits a
//! segment into pages: a page holding file bytes is filled and mapped at
//! load time; a page of pure .bss is left to the page-fault path, which
//! gives it a zeroed frame on first touch.

use alloc::vec;
use alloc::vec::Vec;

use abi::PAGE_SIZE;
use goblin::container::{Container, Ctx};
use goblin::elf::header::{EM_X86_64, ET_DYN, ET_EXEC};
use goblin::elf::program_header::{PF_R, PF_W, PF_X, PT_INTERP, PT_LOAD, PT_PHDR, ProgramHeader};
use goblin::elf::{Elf, Header};

use crate::layout::{page_down, page_up};
use crate::vma::prot;

/// Why a file cannot be loaded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ElfError {
    /// Not a readable ELF64 little-endian file.
    Malformed,
    /// Not an x86_64 static executable (ET_EXEC, or ET_DYN without an
    /// interpreter).
    Unsupported,
    /// A segment lies outside the user half, wraps, or reads past the file.
    BadSegment,
    /// No PT_LOAD segment.
    Empty,
    /// The file's bytes could not be read ([`ProgramFile::read_at`]).
    Unreadable,
}

/// An executable's bytes, read by offset.
pub trait ProgramFile {
    /// The file's size in bytes.
    fn size(&self) -> u64;
    /// Fills `buf` with the bytes at `offset`; [`ElfError::Unreadable`] if
    /// they cannot be read.
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<(), ElfError>;
}

impl ProgramFile for [u8] {
    fn size(&self) -> u64 {
        <[u8]>::len(self) as u64
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<(), ElfError> {
        let start = usize::try_from(offset).map_err(|_| ElfError::Unreadable)?;
        let bytes = start.checked_add(buf.len()).and_then(|end| self.get(start..end)).ok_or(ElfError::Unreadable)?;
        buf.copy_from_slice(bytes);
        Ok(())
    }
}

/// Bytes of the ELF64 file header.
const EHDR_SIZE: usize = 64;

/// Where a position-independent executable's address 0 goes.
pub const PIE_BASE: u64 = 0x0000_5555_5555_4000 & !(abi::PAGE_SIZE - 1);

/// One PT_LOAD segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment {
    pub vaddr: u64,
    pub memsz: u64,
    pub offset: u64,
    pub filesz: u64,
    /// [`prot`] bits.
    pub prot: u64,
}

/// What goes into one page of a segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PagePlan {
    pub vaddr: u64,
    /// File bytes for this page: `(offset in page, offset in file, length)`;
    /// `None` for a page of pure .bss.
    pub copy: Option<(u64, u64, u64)>,
}

impl Segment {
    /// First page and end of the pages the segment covers.
    pub fn page_range(&self) -> (u64, u64) {
        // `parse` checked that the end does not overflow.
        (page_down(self.vaddr), page_up(self.vaddr + self.memsz).unwrap_or(abi::USER_TOP))
    }

    /// The pages the loader must visit: those holding file bytes, and the
    /// first page always (it may be shared with the previous segment,
    /// whose rights it then gains). The rest is .bss, zero-filled on
    /// first touch, so a huge `memsz` costs nothing here.
    pub fn pages(&self) -> impl Iterator<Item = PagePlan> + '_ {
        let (start, end) = self.page_range();
        let file_end = self.vaddr + self.filesz;
        let last = page_up(file_end).unwrap_or(abi::USER_TOP).clamp(start + PAGE_SIZE, end.max(start + PAGE_SIZE));
        (start..last).step_by(PAGE_SIZE as usize).map(move |page| {
            let from = page.max(self.vaddr);
            let to = (page + PAGE_SIZE).min(file_end);
            let copy = (from < to).then(|| (from - page, self.offset + (from - self.vaddr), to - from));
            PagePlan { vaddr: page, copy }
        })
    }
}

/// A parsed executable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Image {
    pub entry: u64,
    pub segments: Vec<Segment>,
    /// Where the program headers are in memory (for AT_PHDR), if loaded.
    pub phdr: Option<u64>,
    pub phent: u64,
    pub phnum: u64,
}

impl Image {
    /// End of the highest segment, page-aligned: where the brk heap starts.
    pub fn end(&self) -> u64 {
        self.segments.iter().map(|s| s.page_range().1).max().unwrap_or(0)
    }

    /// The executable segment `[start, end)` (the first one, if several).
    pub fn exec_range(&self) -> Option<(u64, u64)> {
        self.segments.iter().find(|s| s.prot & prot::EXEC != 0).map(|s| (s.vaddr, s.vaddr + s.memsz))
    }
}

fn segment_prot(flags: u32) -> u64 {
    let mut p = 0;
    if flags & PF_R != 0 {
        p |= prot::READ;
    }
    if flags & PF_W != 0 {
        p |= prot::WRITE;
    }
    if flags & PF_X != 0 {
        p |= prot::EXEC;
    }
    p
}

fn check(ph: &ProgramHeader, file_len: u64, base: u64) -> Result<Segment, ElfError> {
    let seg = Segment {
        vaddr: ph.p_vaddr.checked_add(base).ok_or(ElfError::BadSegment)?,
        memsz: ph.p_memsz,
        offset: ph.p_offset,
        filesz: ph.p_filesz,
        prot: segment_prot(ph.p_flags),
    };
    let file_end = seg.offset.checked_add(seg.filesz).ok_or(ElfError::BadSegment)?;
    let mem_end = seg.vaddr.checked_add(seg.memsz).ok_or(ElfError::BadSegment)?;
    if seg.filesz > seg.memsz || file_end > file_len || seg.memsz == 0 {
        return Err(ElfError::BadSegment);
    }
    if seg.vaddr < abi::USER_BOTTOM || page_up(mem_end).is_none_or(|e| e > abi::USER_TOP) {
        return Err(ElfError::BadSegment);
    }
    Ok(seg)
}

/// Bytes of one ELF64 program header.
const PHDR_SIZE: u64 = 56;
/// Most program headers (Linux allows 64 KiB of them: 1,170).
const MAX_PHNUM: u64 = 65536 / PHDR_SIZE;

/// Reads the program headers of `file`.
pub fn parse<F: ProgramFile + ?Sized>(file: &F) -> Result<Image, ElfError> {
    let file_len = file.size();
    let mut ehdr = [0u8; EHDR_SIZE];
    if file_len < EHDR_SIZE as u64 {
        return Err(ElfError::Malformed);
    }
    file.read_at(0, &mut ehdr)?;
    let header: Header = Elf::parse_header(&ehdr).map_err(|_| ElfError::Malformed)?;
    let container = header.container().map_err(|_| ElfError::Malformed)?;
    let endian = header.endianness().map_err(|_| ElfError::Malformed)?;
    if container != Container::Big || !endian.is_little() {
        return Err(ElfError::Unsupported);
    }
    if header.e_machine != EM_X86_64 || (header.e_type != ET_EXEC && header.e_type != ET_DYN) {
        return Err(ElfError::Unsupported);
    }
    // The headers must lie in the file before any is read (so a bogus
    // count cannot make the parser allocate for 65,535 of them).
    let headers_len = header.e_phnum as u64 * PHDR_SIZE;
    let headers_end = header.e_phoff.checked_add(headers_len);
    if header.e_phnum as u64 > MAX_PHNUM || headers_end.is_none_or(|end| end > file_len) {
        return Err(ElfError::Malformed);
    }
    let mut headers = vec![0u8; headers_len as usize];
    file.read_at(header.e_phoff, &mut headers)?;
    let ctx = Ctx::new(container, endian);
    let phdrs = ProgramHeader::parse(&headers, 0, header.e_phnum as usize, ctx).map_err(|_| ElfError::Malformed)?;
    // A dynamically linked program needs its interpreter: not supported.
    if phdrs.iter().any(|ph| ph.p_type == PT_INTERP) {
        return Err(ElfError::Unsupported);
    }
    let base = if header.e_type == ET_DYN { PIE_BASE } else { 0 };
    let mut segments = Vec::new();
    for ph in phdrs.iter().filter(|ph| ph.p_type == PT_LOAD && ph.p_memsz != 0) {
        segments.push(check(ph, file_len, base)?);
    }
    if segments.is_empty() {
        return Err(ElfError::Empty);
    }
    let phdr = phdrs.iter().find(|ph| ph.p_type == PT_PHDR).map(|ph| ph.p_vaddr + base).or_else(|| {
        // Without PT_PHDR: the headers are in memory if a segment maps
        // their file offset.
        segments
            .iter()
            .find(|s| s.offset <= header.e_phoff && header.e_phoff < s.offset + s.filesz)
            .map(|s| s.vaddr + (header.e_phoff - s.offset))
    });
    Ok(Image {
        entry: header.e_entry.checked_add(base).ok_or(ElfError::BadSegment)?,
        segments,
        phdr,
        phent: u64::from(header.e_phentsize),
        phnum: u64::from(header.e_phnum),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PHOFF: u64 = 64;

    /// A minimal ELF64 x86_64 executable with the given PT_LOADs
    /// `(vaddr, memsz, offset, filesz, flags)`.
    fn elf(e_type: u16, segs: &[(u64, u64, u64, u64, u32)], len: usize) -> Vec<u8> {
        let mut b = vec![0u8; len];
        b[..4].copy_from_slice(b"\x7fELF");
        b[4] = 2; // ELFCLASS64
        b[5] = 1; // little endian
        b[6] = 1; // version
        b[16..18].copy_from_slice(&e_type.to_le_bytes());
        b[18..20].copy_from_slice(&EM_X86_64.to_le_bytes());
        b[20..24].copy_from_slice(&1u32.to_le_bytes());
        b[24..32].copy_from_slice(&0x40_1000u64.to_le_bytes()); // entry
        b[32..40].copy_from_slice(&PHOFF.to_le_bytes());
        b[52..54].copy_from_slice(&64u16.to_le_bytes()); // ehsize
        b[54..56].copy_from_slice(&56u16.to_le_bytes()); // phentsize
        b[56..58].copy_from_slice(&(segs.len() as u16).to_le_bytes());
        for (i, &(vaddr, memsz, offset, filesz, flags)) in segs.iter().enumerate() {
            let p = PHOFF as usize + i * 56;
            b[p..p + 4].copy_from_slice(&PT_LOAD.to_le_bytes());
            b[p + 4..p + 8].copy_from_slice(&flags.to_le_bytes());
            b[p + 8..p + 16].copy_from_slice(&offset.to_le_bytes());
            b[p + 16..p + 24].copy_from_slice(&vaddr.to_le_bytes());
            b[p + 24..p + 32].copy_from_slice(&vaddr.to_le_bytes());
            b[p + 32..p + 40].copy_from_slice(&filesz.to_le_bytes());
            b[p + 40..p + 48].copy_from_slice(&memsz.to_le_bytes());
        }
        b
    }

    #[test]
    fn parses_segments_and_headers_location() {
        let bytes = elf(
            ET_EXEC,
            &[(0x40_0000, 0x1800, 0, 0x1800, PF_R | PF_X), (0x40_2000, 0x3000, 0x1800, 0x100, PF_R | PF_W)],
            0x2000,
        );
        let image = parse(&bytes[..]).unwrap();
        assert_eq!(image.entry, 0x40_1000);
        assert_eq!(image.segments.len(), 2);
        assert_eq!(image.segments[0].prot, prot::READ | prot::EXEC);
        assert_eq!(image.segments[1].prot, prot::READ | prot::WRITE);
        assert_eq!(image.phdr, Some(0x40_0000 + PHOFF));
        assert_eq!((image.phent, image.phnum), (56, 2));
        assert_eq!(image.end(), 0x40_5000);
        assert_eq!(image.exec_range(), Some((0x40_0000, 0x40_1800)));
    }

    #[test]
    fn rejects_what_it_cannot_load() {
        assert_eq!(parse(&b"not an elf"[..]).unwrap_err(), ElfError::Malformed);
        let relocatable = elf(1, &[(0x40_0000, 0x1000, 0, 0x1000, PF_R)], 0x1000);
        assert_eq!(parse(&relocatable[..]).unwrap_err(), ElfError::Unsupported);
        let mut dynamic = elf(ET_DYN, &[(0, 0x1000, 0, 0x1000, PF_R), (0x1000, 0x10, 0x100, 0x10, PF_R)], 0x1000);
        let second = PHOFF as usize + 56;
        dynamic[second..second + 4].copy_from_slice(&PT_INTERP.to_le_bytes());
        assert_eq!(parse(&dynamic[..]).unwrap_err(), ElfError::Unsupported, "a program needing ld.so");
        let past_file = elf(ET_EXEC, &[(0x40_0000, 0x2000, 0, 0x2000, PF_R)], 0x1000);
        assert_eq!(parse(&past_file[..]).unwrap_err(), ElfError::BadSegment);
        let kernel = elf(ET_EXEC, &[(0xffff_8000_0000_0000, 0x1000, 0, 0x100, PF_R)], 0x1000);
        assert_eq!(parse(&kernel[..]).unwrap_err(), ElfError::BadSegment);
        let null_page = elf(ET_EXEC, &[(0, 0x1000, 0, 0x100, PF_R)], 0x1000);
        assert_eq!(parse(&null_page[..]).unwrap_err(), ElfError::BadSegment);
        let wraps = elf(ET_EXEC, &[(u64::MAX - 0xfff, 0x2000, 0, 0x100, PF_R)], 0x1000);
        assert_eq!(parse(&wraps[..]).unwrap_err(), ElfError::BadSegment);
        let file_bigger = elf(ET_EXEC, &[(0x40_0000, 0x100, 0, 0x200, PF_R)], 0x1000);
        assert_eq!(parse(&file_bigger[..]).unwrap_err(), ElfError::BadSegment);
        let empty = elf(ET_EXEC, &[], 0x1000);
        assert_eq!(parse(&empty[..]).unwrap_err(), ElfError::Empty);
    }

    /// A file of which only the first bytes can be read: parsing reads
    /// the headers alone, however big the file is.
    struct HeadersOnly {
        head: Vec<u8>,
        len: u64,
    }

    impl ProgramFile for HeadersOnly {
        fn size(&self) -> u64 {
            self.len
        }

        fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<(), ElfError> {
            self.head[..].read_at(offset, buf)
        }
    }

    #[test]
    fn parsing_reads_only_the_headers() {
        let head = elf(ET_EXEC, &[(0x40_0000, 0x4000_0000, 0, 0x4000_0000, PF_R | PF_X)], 0x200);
        let big = HeadersOnly { head, len: 0x4000_0000 };
        assert_eq!(parse(&big).unwrap().segments[0].filesz, 0x4000_0000);
        let unreadable = HeadersOnly { head: big.head[..EHDR_SIZE].to_vec(), len: big.len };
        assert_eq!(parse(&unreadable).unwrap_err(), ElfError::Unreadable);
    }

    #[test]
    fn static_pie_is_placed_at_the_pie_base() {
        let pie =
            elf(ET_DYN, &[(0, 0x1000, 0, 0x1000, PF_R | PF_X), (0x2000, 0x3000, 0x1000, 0x10, PF_R | PF_W)], 0x2000);
        let image = parse(&pie[..]).unwrap();
        assert_eq!(image.entry, PIE_BASE + 0x40_1000);
        assert_eq!(image.segments[0].vaddr, PIE_BASE);
        assert_eq!(image.segments[1].vaddr, PIE_BASE + 0x2000);
        assert_eq!(image.phdr, Some(PIE_BASE + PHOFF), "the headers are read where they are mapped");
        assert_eq!(image.end(), PIE_BASE + 0x5000);
    }

    #[test]
    fn pages_split_file_bytes_and_bss() {
        // Data at 0x40_2100..0x40_2300 from file offset 0x1100, .bss to 0x40_4010.
        let seg = Segment { vaddr: 0x40_2100, memsz: 0x1f10, offset: 0x1100, filesz: 0x200, prot: prot::READ };
        let pages: Vec<_> = seg.pages().collect();
        assert_eq!(
            pages,
            [PagePlan { vaddr: 0x40_2000, copy: Some((0x100, 0x1100, 0x200)) }],
            "bss pages are not visited"
        );

        // A segment of pure .bss, however large: only its first page.
        let bss = Segment { vaddr: 0x40_5000, memsz: 1 << 46, offset: 0, filesz: 0, prot: prot::READ };
        assert_eq!(bss.pages().collect::<Vec<_>>(), [PagePlan { vaddr: 0x40_5000, copy: None }]);

        let big = Segment { vaddr: 0x40_0000, memsz: 0x2800, offset: 0, filesz: 0x2800, prot: prot::READ };
        let copies: Vec<_> = big.pages().map(|p| p.copy.unwrap()).collect();
        assert_eq!(copies, [(0, 0, 0x1000), (0, 0x1000, 0x1000), (0, 0x2000, 0x800)]);
    }
}
