//! The core utilities of the Tern userland, one module per tool (a pair
//! of tools that differ in one thing shares one: test and [, true and
//! false, poweroff and reboot). Each tool's `run` takes the arguments after
//! the program name and returns the exit status; `src/bin/<tool>.rs` makes
//! it an executable of its own.
//!
//! Shared pieces: `common` (entry point, option parsing, error messages,
//! inputs), `sys` (the C library calls std lacks) and `dump` (what hexdump
//! and od have in common).

pub mod common;
mod dump;
mod sys;

pub mod cat;
pub mod chmod;
pub mod clear;
pub mod cp;
pub mod cut;
pub mod date;
pub mod df;
pub mod du;
pub mod echo;
pub mod env;
pub mod find;
pub mod free;
pub mod grep;
pub mod head;
pub mod hexdump;
pub mod kill;
pub mod ls;
pub mod mkdir;
pub mod mount;
pub mod mv;
pub mod od;
pub mod printf;
pub mod ps;
pub mod pwd;
pub mod reboot;
pub mod rm;
pub mod rmdir;
pub mod sleep;
pub mod sort;
pub mod stat;
pub mod sync;
pub mod tail;
pub mod tee;
pub mod test;
pub mod touch;
pub mod tr;
pub mod true_false;
pub mod uname;
pub mod uniq;
pub mod wc;
pub mod xargs;
