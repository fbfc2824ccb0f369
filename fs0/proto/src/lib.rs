//! The protocol between libposix and fs0.
#![no_std]
#![forbid(unsafe_code)]
