//! The activation memory of an int8 inference ([`QLayer::predict_in`]): a few buffers of the
//! network's largest activation, which the layers write in turn ([`Buffers`]), and what goes
//! wrong with a caller's arena ([`ArenaError`]).
//!
//! A chain of layers reads one buffer and writes another, so two buffers hold any chain (the
//! input of a layer is dead once its output is written); a residual block keeps its input
//! for the shortcut while the block runs, one buffer more per nesting level
//! ([`QLayer::BUFFERS`]). This is TFLite Micro's arena plan for these networks, and what
//! CMSIS-NN's callers allocate.

use super::layer::QLayer;
use core::fmt;

/// The most buffers an arena is split into (a residual block inside a residual block needs
/// four).
pub const MAX_BUFFERS: usize = 6;

/// A caller's arena that cannot hold the network's activations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArenaError {
    /// The arena has fewer bytes than [`QLayer::ARENA_BYTES`].
    TooSmall {
        /// The bytes the network needs.
        needed: usize,
        /// The bytes the arena has.
        given: usize,
    },
    /// Residual blocks nested deeper than [`MAX_BUFFERS`] buffers allow.
    TooDeep {
        /// The buffers the network needs.
        buffers: usize,
    },
    /// A layer found no buffer to write (the network's [`QLayer::BUFFERS`] undercounts: a
    /// layer implementation's mistake).
    NoFreeBuffer,
}

impl fmt::Display for ArenaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ArenaError::TooSmall { needed, given } => write!(
                f,
                "the arena has {given} bytes; the network's activations need {needed} \
                 (QLayer::ARENA_BYTES)"
            ),
            ArenaError::TooDeep { buffers } => write!(
                f,
                "the network needs {buffers} activation buffers; at most {MAX_BUFFERS} are \
                 supported (residual blocks nested too deep)"
            ),
            ArenaError::NoFreeBuffer => f.write_str(
                "no activation buffer left to write: a layer's BUFFERS constant undercounts",
            ),
        }
    }
}

impl core::error::Error for ArenaError {}

/// The activation buffers of one inference, each [`QLayer::BUFFER_BYTES`] long, holding
/// values in TFLite's NHWC order; a layer reads one and writes another
/// ([`QLayer::run`]).
pub struct Buffers<'a> {
    bufs: [&'a mut [i8]; MAX_BUFFERS],
    count: usize,
}

impl<'a> Buffers<'a> {
    /// `arena` split into `Q`'s [`BUFFERS`](QLayer::BUFFERS) buffers of
    /// [`BUFFER_BYTES`](QLayer::BUFFER_BYTES).
    ///
    /// # Errors
    /// [`ArenaError::TooSmall`] for an arena shorter than [`QLayer::ARENA_BYTES`],
    /// [`ArenaError::TooDeep`] for more than [`MAX_BUFFERS`] buffers.
    pub fn for_network<Q: QLayer + ?Sized>(arena: &'a mut [i8]) -> Result<Self, ArenaError> {
        if Q::BUFFERS > MAX_BUFFERS {
            return Err(ArenaError::TooDeep {
                buffers: Q::BUFFERS,
            });
        }
        if arena.len() < Q::ARENA_BYTES {
            return Err(ArenaError::TooSmall {
                needed: Q::ARENA_BYTES,
                given: arena.len(),
            });
        }
        let mut bufs: [&'a mut [i8]; MAX_BUFFERS] = Default::default();
        let mut rest = arena;
        for b in bufs.iter_mut().take(Q::BUFFERS) {
            let (head, tail) = rest.split_at_mut(Q::BUFFER_BYTES);
            *b = head;
            rest = tail;
        }
        Ok(Buffers {
            bufs,
            count: Q::BUFFERS,
        })
    }

    /// Buffer `k`, to read.
    pub fn get(&self, k: usize) -> &[i8] {
        self.bufs.get(k).map_or(&[], |b| &b[..])
    }

    /// Buffer `k`, for as long as the arena is borrowed.
    pub fn into_buffer(self, k: usize) -> &'a [i8] {
        match self.bufs.into_iter().nth(k) {
            Some(b) => b,
            None => &[],
        }
    }

    /// Buffer `k`, to write.
    pub fn get_mut(&mut self, k: usize) -> &mut [i8] {
        match self.bufs.get_mut(k) {
            Some(b) => b,
            None => &mut [],
        }
    }

    /// The first buffer that is neither `from` nor marked in `keep` (bit `k` for buffer `k`).
    ///
    /// # Errors
    /// [`ArenaError::NoFreeBuffer`] when every buffer is taken.
    pub fn free(&self, from: usize, keep: u32) -> Result<usize, ArenaError> {
        (0..self.count)
            .find(|&k| k != from && keep & (1 << k) == 0)
            .ok_or(ArenaError::NoFreeBuffer)
    }

    /// The first `n` values of buffer `from` to read and the first `m` of buffer `to` to
    /// write (two different buffers; shorter slices if a buffer is shorter).
    pub fn pair(&mut self, from: usize, n: usize, to: usize, m: usize) -> (&[i8], &mut [i8]) {
        let split = from.max(to);
        let (lo, hi) = self.bufs.split_at_mut(split.min(MAX_BUFFERS));
        let (low, high): (&mut [i8], &mut [i8]) = match (lo.get_mut(from.min(to)), hi.first_mut()) {
            (Some(a), Some(b)) if from != to => (a, b),
            _ => (&mut [], &mut []),
        };
        let (x, y) = if from < to { (low, high) } else { (high, low) };
        let n = n.min(x.len());
        let m = m.min(y.len());
        (&x[..n], &mut y[..m])
    }
}
