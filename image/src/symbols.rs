//! The kernel symbol file (`build/kernel.sym`), handed to the kernel as a
//! `data` module so it can name addresses in backtraces.
//!
//! Format: one line per function symbol of the kernel ELF, sorted by
//! address: `<start address, 16 hex digits> <size in hex> <demangled name>`,
//! Rust names demangled without their hash suffix.

use std::fs;
use std::path::Path;

use anyhow::{Context, Result};
use goblin::elf::{Elf, sym};

#[derive(Debug, PartialEq)]
pub struct Symbol {
    pub addr: u64,
    pub size: u64,
    pub name: String,
}

/// The function symbols of an ELF image, demangled, sorted by address.
pub fn functions(elf: &[u8]) -> Result<Vec<Symbol>> {
    let elf = Elf::parse(elf).context("not an ELF file")?;
    let mut symbols: Vec<Symbol> = elf
        .syms
        .iter()
        .filter(|symbol| symbol.st_type() == sym::STT_FUNC && symbol.st_value != 0)
        .filter_map(|symbol| {
            let name = elf.strtab.get_at(symbol.st_name)?;
            Some(Symbol { addr: symbol.st_value, size: symbol.st_size, name: demangle(name) })
        })
        .collect();
    symbols.sort_by(|a, b| (a.addr, &a.name).cmp(&(b.addr, &b.name)));
    symbols.dedup();
    Ok(symbols)
}

/// A Rust symbol name demangled without its hash; other names unchanged.
fn demangle(name: &str) -> String {
    format!("{:#}", rustc_demangle::demangle(name))
}

/// The symbol file's text.
pub fn format(symbols: &[Symbol]) -> String {
    symbols.iter().map(|s| format!("{:016x} {:x} {}\n", s.addr, s.size, s.name)).collect()
}

/// Writes the symbol file for `kernel` to `out`; returns how many symbols.
pub fn write(kernel: &Path, out: &Path) -> Result<usize> {
    let bytes = fs::read(kernel).with_context(|| format!("reading {}", kernel.display()))?;
    let symbols = functions(&bytes).with_context(|| format!("reading symbols of {}", kernel.display()))?;
    fs::write(out, format(&symbols)).with_context(|| format!("writing {}", out.display()))?;
    Ok(symbols.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demangles_without_hash() {
        assert_eq!(demangle("_ZN4core3fmt5write17h0123456789abcdefE"), "core::fmt::write");
        assert_eq!(demangle("_RNvCs1234_5tests4main"), "tests::main");
        assert_eq!(demangle("memcpy"), "memcpy");
    }

    #[test]
    fn formats_one_line_per_symbol() {
        let symbols = [
            Symbol { addr: 0x100000, size: 0x2a, name: "start".into() },
            Symbol { addr: 0xffff_8000_0010_0000, size: 0, name: "kernel::main".into() },
        ];
        assert_eq!(format(&symbols), "0000000000100000 2a start\nffff800000100000 0 kernel::main\n");
    }

    #[test]
    fn reads_function_symbols_of_an_elf() {
        // This test binary is an ELF with a symbol table.
        let bytes = fs::read(std::env::current_exe().unwrap()).unwrap();
        let symbols = functions(&bytes).unwrap();
        assert!(symbols.windows(2).all(|pair| pair[0].addr <= pair[1].addr));
        assert!(symbols.iter().any(|s| { s.name.ends_with("symbols::tests::reads_function_symbols_of_an_elf") }));
        assert!(symbols.iter().all(|s| !s.name.starts_with("_ZN")));
    }

    #[test]
    fn rejects_non_elf() {
        assert!(functions(b"not an elf").is_err());
    }
}
