//! Exchanging tensors and networks with other crates and with the Python ecosystem.
//!
//! Each part sits behind its own feature:
//! - `safetensors` (std): read and write `.safetensors` files with PyTorch's naming and layout.
//! - `serde` (no_std-compatible): `Serialize` / `Deserialize` for tensors, networks and
//!   optimizer state.
//! - `nalgebra`: conversions to and from nalgebra's statically sized `SMatrix` / `SVector`
//!   (`From` both ways and `to_nalgebra` / `from_nalgebra`; a copy, since nalgebra stores
//!   columns and typegrad rows; the sizes must match or it does not compile).
//!
//! # The serde format
//! `Vector<T, N>` is a tuple of exactly `N` elements (JSON `[1.0, 2.0, 3.0]`; in postcard the
//! elements back to back, no length prefix); `Matrix<T, R, C>` is `R` rows of `C` (JSON
//! `[[1.0, 2.0], [3.0, 4.0]]`); `Batch` is its matrix. There is no 32-element limit, and a
//! sequence of the wrong length (a short or long vector, a ragged or extra row) is an
//! `invalid_length` error, never a panic. Networks, activations, losses, `Class` (as its
//! label, checked on the way in), optimizers with their state and step counts, schedules,
//! `Init` and `Rng` derive their impls: a `Dense` is
//! `{"weights":[[0.5,-1.0]],"bias":[0.25],"activation":null}`, a `Chain` a pair.

#[cfg(feature = "nalgebra")]
pub mod nalgebra;
#[cfg(feature = "safetensors")]
pub mod safetensors;
#[cfg(feature = "serde")]
pub(crate) mod serde_impls;
