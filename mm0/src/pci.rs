//! Just enough PCI for the IDE driver's bus-master DMA: find the IDE
//! controller on bus 0, switch on its bus mastering, and say where its
//! bus-master registers are, so that mm0 can hand the driver exactly those
//! ports (the driver itself never touches configuration space, which would
//! let it reprogram any device).
//!
//! Configuration space is reached by the legacy mechanism: the address at
//! port 0xcf8, the data at 0xcfc.

use libtern::{device, println};

const CONFIG_ADDRESS: u16 = 0xcf8;
const CONFIG_DATA: u16 = 0xcfc;

/// Class and subclass of an IDE controller.
const CLASS_IDE: u32 = 0x0101;
/// Configuration registers.
const VENDOR: u8 = 0x00;
const COMMAND: u8 = 0x04;
const CLASS: u8 = 0x08;
/// Its third byte is the header type.
const HEADER_TYPE: u8 = 0x0c;
const BAR4: u8 = 0x20;
/// Command register bits: I/O space, bus master.
const IO_SPACE: u32 = 0x1;
const BUS_MASTER: u32 = 0x4;

fn read(device: u8, function: u8, register: u8) -> u32 {
    let address = 0x8000_0000 | u32::from(device) << 11 | u32::from(function) << 8 | u32::from(register & 0xfc);
    device::outl(CONFIG_ADDRESS, address);
    device::inl(CONFIG_DATA)
}

fn write(device: u8, function: u8, register: u8, value: u32) {
    let address = 0x8000_0000 | u32::from(device) << 11 | u32::from(function) << 8 | u32::from(register & 0xfc);
    device::outl(CONFIG_ADDRESS, address);
    device::outl(CONFIG_DATA, value);
}

/// The first port of the IDE controller's bus-master registers (8 for the
/// primary channel), with bus mastering switched on; `None` without one.
pub fn ide_bus_master() -> Option<u16> {
    if let Err(e) = crate::ports::enable_ports(CONFIG_ADDRESS, CONFIG_DATA + 3) {
        println!("mm0: cannot reach PCI configuration space: {e:?}");
        return None;
    }
    for device in 0..32u8 {
        // Functions past 0 only on a multi-function device (header type
        // bit 7).
        let functions = if read(device, 0, HEADER_TYPE) >> 16 & 0x80 != 0 { 8 } else { 1 };
        for function in 0..functions {
            if read(device, function, VENDOR) & 0xffff == 0xffff {
                continue;
            }
            if read(device, function, CLASS) >> 16 != CLASS_IDE {
                continue;
            }
            let bar = read(device, function, BAR4);
            // An I/O BAR (bit 0) with an address; else look further.
            if bar & 1 == 0 || bar & 0xfffc == 0 {
                continue;
            }
            let command = read(device, function, COMMAND) & 0xffff;
            write(device, function, COMMAND, command | IO_SPACE | BUS_MASTER);
            return Some((bar & 0xfffc) as u16);
        }
    }
    None
}
