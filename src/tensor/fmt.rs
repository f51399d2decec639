//! `Debug` and `Display` for tensors.
//!
//! `Display` prints a matrix as aligned columns in a box and honours the precision flag
//! (`{:.2}`), without allocating:
//!
//! ```
//! use typegrad::Matrix;
//! let m = Matrix::new([[1.0_f32, -2.5], [10.0, 0.25]]);
//! assert_eq!(
//!     format!("{m:.2}"),
//!     "┌             ┐\n│  1.00 -2.50 │\n│ 10.00  0.25 │\n└             ┘"
//! );
//! ```

use core::fmt::{self, Display, Write};

use crate::{Batch, Matrix, Vector};

/// Counts the characters written to it.
struct Width(usize);

impl Write for Width {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0 += s.chars().count();
        Ok(())
    }
}

fn write_elem<W: Write, T: Display>(w: &mut W, x: &T, precision: Option<usize>) -> fmt::Result {
    match precision {
        Some(p) => write!(w, "{x:.p$}"),
        None => write!(w, "{x}"),
    }
}

fn width_of<T: Display>(x: &T, precision: Option<usize>) -> usize {
    let mut w = Width(0);
    // Writing to `Width` cannot fail; a failing `Display` impl only shortens the count.
    let _ = write_elem(&mut w, x, precision);
    w.0
}

fn display_rows<T: Display, const C: usize>(
    rows: &[[T; C]],
    f: &mut fmt::Formatter<'_>,
) -> fmt::Result {
    let p = f.precision();
    let mut widths = [0usize; C];
    for row in rows {
        for (w, x) in widths.iter_mut().zip(row) {
            *w = (*w).max(width_of(x, p));
        }
    }
    let inner: usize = widths.iter().map(|w| w + 1).sum::<usize>() + 1;
    f.write_char('┌')?;
    pad(f, inner)?;
    f.write_str("┐\n")?;
    for row in rows {
        f.write_char('│')?;
        for (w, x) in widths.iter().zip(row) {
            pad(f, 1 + w - width_of(x, p))?;
            write_elem(f, x, p)?;
        }
        f.write_str(" │\n")?;
    }
    f.write_char('└')?;
    pad(f, inner)?;
    f.write_char('┘')
}

fn pad(f: &mut fmt::Formatter<'_>, n: usize) -> fmt::Result {
    (0..n).try_for_each(|_| f.write_char(' '))
}

impl<T: Display, const R: usize, const C: usize> Display for Matrix<T, R, C> {
    /// Aligned columns in a box; `{:.N}` sets the precision of every element.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        display_rows(self.as_rows(), f)
    }
}

impl<T: Display, const B: usize, const N: usize> Display for Batch<T, B, N> {
    /// One sample per row, as for [`Matrix`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        display_rows(self.as_matrix().as_rows(), f)
    }
}

impl<T: Display, const N: usize> Display for Vector<T, N> {
    /// `[x₀, x₁, …]`; `{:.N}` sets the precision of every element.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = f.precision();
        f.write_char('[')?;
        for (i, x) in self.as_array().iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write_elem(f, x, p)?;
        }
        f.write_char(']')
    }
}

impl<T: fmt::Debug, const N: usize> fmt::Debug for Vector<T, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Vector").field(self.as_array()).finish()
    }
}

impl<T: fmt::Debug, const R: usize, const C: usize> fmt::Debug for Matrix<T, R, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Matrix").field(self.as_rows()).finish()
    }
}

impl<T: fmt::Debug, const B: usize, const N: usize> fmt::Debug for Batch<T, B, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Batch")
            .field(self.as_matrix().as_rows())
            .finish()
    }
}
