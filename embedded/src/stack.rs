//! Stack high-water mark: paint the free stack with a pattern, run, then find the lowest
//! address whose pattern was overwritten.
//!
//! The stack runs from `_stack_start` (its top, both cortex-m-rt and riscv-rt define it) down
//! to `__sheap` (the end of the static data; neither program has a heap). [`paint`] fills
//! the part below the caller's frame (at most [`MAX_PAINT`] bytes) with [`PATTERN`];
//! [`Probe::used_bytes`] then measures from the top of the stack down to the lowest word no
//! longer holding the pattern. This is a lower bound of the true use (a word that happens to
//! be written with the pattern itself looks untouched), good to a few bytes in practice.
//!
//! On the host there is nothing to measure: [`paint`] returns `None`.

/// The painted value.
pub const PATTERN: u32 = 0xCCCC_CCCC;
/// At most this many bytes below the caller are painted (the riscv32 board has 16 MiB of
/// RAM; painting it all would only cost time).
pub const MAX_PAINT: usize = 256 * 1024;

/// A painted stack, to measure later.
#[derive(Debug, Clone, Copy)]
pub struct Probe {
    /// Lowest painted address.
    low: usize,
    /// Top of the stack (`_stack_start`).
    top: usize,
}

/// Paints the free stack below the caller; call it first thing in `main`.
#[cfg(target_os = "none")]
#[inline(never)]
#[allow(unsafe_code)]
pub fn paint() -> Option<Probe> {
    unsafe extern "C" {
        // Linker-script symbols of cortex-m-rt 0.7 and riscv-rt 0.18: only their addresses
        // are used.
        static _stack_start: u32;
        static __sheap: u32;
    }
    let top = (&raw const _stack_start) as usize;
    let bottom = ((&raw const __sheap) as usize + 3) & !3;
    let marker = 0u32;
    // An address in this function's frame; everything 256 bytes below it is free stack
    // (this function calls nothing while painting).
    let here = core::hint::black_box(&marker) as *const u32 as usize;
    let high = (here - 256) & !3;
    let low = bottom.max(high.saturating_sub(MAX_PAINT));
    let mut addr = low;
    while addr < high {
        // SAFETY: `low..high` lies between the end of the static data and the current stack
        // pointer: memory that belongs to no Rust object now (it is the free part of the
        // stack that later calls will use). Writing it is the stack-painting technique that
        // cortex-m-rt's `paint-stack` feature also uses; volatile so it is not elided.
        unsafe { (addr as *mut u32).write_volatile(PATTERN) };
        addr += 4;
    }
    Some(Probe { low, top })
}

/// On the host there is no stack to paint.
#[cfg(not(target_os = "none"))]
pub fn paint() -> Option<Probe> {
    None
}

impl Probe {
    /// Bytes of stack used so far (the high-water mark, from the top of the stack).
    #[inline(never)]
    #[allow(unsafe_code)]
    pub fn used_bytes(&self) -> usize {
        let mut addr = self.low;
        // SAFETY: reads of the painted range only (see `paint`), which is RAM that stays
        // mapped; volatile because the compiler knows nothing of what the stack left there.
        while addr < self.top && unsafe { (addr as *const u32).read_volatile() } == PATTERN {
            addr += 4;
        }
        self.top - addr
    }

    /// Bytes from the lowest painted address to the top of the stack: a use this large
    /// may have gone beyond the paint.
    pub fn measurable_bytes(&self) -> usize {
        self.top - self.low
    }
}
