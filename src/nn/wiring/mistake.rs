//! A wiring mistake as data ([`Mistake`]), found by walking a network's types in a `const`,
//! and the sentence that reports it ([`Report`]), built at compile time from the mistake and
//! the layers' names as the user wrote them.
//!
//! Every layer and network has a [`Shape::MISTAKE`](super::Shape::MISTAKE) (none, for a layer
//! that fits where it is placed); a [`Chain`](crate::nn::Chain) adds the junction between its
//! two halves, a [`Residual`](crate::nn::Residual) the shape its block returns. The
//! [`network!`](crate::network) and [`seq!`](crate::seq) macros read the network's mistake in
//! a `const` and, if there is one, stop compilation with its report — one error, at the
//! definition, whatever else the program does with the network.

use crate::shape::Port;

/// How deep a mistake's position can be: a layer inside a block inside a block …
pub const DEPTH: usize = 4;

/// A port as numbers: `[elements, dimensions, d₀, d₁, d₂]`.
pub type Described = [usize; 5];

/// A port as numbers ([`Described`]).
pub const fn describe<P: Port>() -> Described {
    [P::N, P::RANK, P::DIMS[0], P::DIMS[1], P::DIMS[2]]
}

const fn same(a: Described, b: Described) -> bool {
    let mut i = 0;
    while i < 5 {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// What went wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Nothing: the layers fit.
    None,
    /// A layer takes something else than what reaches it (`given` reaches, it takes `taken`).
    Junction,
    /// A convolution or pooling window does not fit its padded input (`window`).
    Window,
    /// A residual block's block takes `given` but gives `taken`.
    Residual,
    /// A reshape of `given` into `taken` changes the number of values.
    Recount,
    /// A [`Projected`](crate::nn::Projected) block's shortcut takes `taken` but is given
    /// `given` (`taken` all zero: the shortcut's own layers do not fit together).
    Shortcut,
    /// A [`Projected`](crate::nn::Projected) block's block gives `given`, its shortcut
    /// `taken`.
    Branches,
    /// An activation that couples its inputs (softmax) is given more than flat features.
    NotElementwise,
    /// A pool with explicit padding (TFLite's pools pad `SAME` or not at all).
    PoolPadding,
}

/// A wiring mistake, as numbers: what it is, where (the positions, from 1, as listed), and
/// the sizes involved.
#[derive(Debug, Clone, Copy)]
pub struct Mistake {
    /// What went wrong.
    pub kind: Kind,
    /// Where: `path[0]` is the position in the list, `path[1]` the position inside that
    /// entry's block (for a residual block), and so on; `depth` of them are used.
    pub path: [usize; DEPTH],
    /// How many entries of `path` are used.
    pub depth: usize,
    /// What reaches the layer (for a residual: what its block takes).
    pub given: Described,
    /// What the layer takes (for a residual: what its block gives; for a reshape: its
    /// target).
    pub taken: Described,
    /// For a window: `[kernel, stride, steps, padding, axis]`, the axis being 0 for steps,
    /// 1 for rows, 2 for columns.
    pub window: [usize; 5],
}

impl Mistake {
    /// No mistake.
    pub const NONE: Mistake = Mistake {
        kind: Kind::None,
        path: [0; DEPTH],
        depth: 0,
        given: [0; 5],
        taken: [0; 5],
        window: [0; 5],
    };

    /// A mistake of `kind` at the layer itself (position 1 of a one-layer list).
    const fn here(kind: Kind, given: Described, taken: Described) -> Mistake {
        let mut path = [0; DEPTH];
        path[0] = 1;
        Mistake {
            kind,
            path,
            depth: 1,
            given,
            taken,
            window: [0; 5],
        }
    }

    /// Whether there is a mistake.
    pub const fn is_some(&self) -> bool {
        !matches!(self.kind, Kind::None)
    }

    /// `Out` reaches the layer at `at` (from 1), which takes `In`: a mistake unless they are
    /// the same port.
    pub const fn junction<Out: Port, In: Port>(at: usize) -> Mistake {
        let (given, taken) = (describe::<Out>(), describe::<In>());
        if same(given, taken) {
            return Mistake::NONE;
        }
        Mistake::here(Kind::Junction, given, taken).shifted(at - 1)
    }

    /// A window of `k` (stride `s`) over `l` padded by `p` on each side along `axis` (0
    /// steps, 1 rows, 2 columns): a mistake unless `1 ≤ k ≤ l + 2p` and `s ≥ 1`.
    pub const fn window(k: usize, s: usize, l: usize, p: usize, axis: usize) -> Mistake {
        if k != 0 && s != 0 && k <= l + 2 * p {
            return Mistake::NONE;
        }
        Mistake {
            window: [k, s, l, p, axis],
            ..Mistake::here(Kind::Window, [0; 5], [0; 5])
        }
    }

    /// A residual block taking `In` whose block gives `Out`: a mistake unless they are the
    /// same port.
    pub const fn residual<In: Port, Out: Port>() -> Mistake {
        let (given, taken) = (describe::<In>(), describe::<Out>());
        if same(given, taken) {
            return Mistake::NONE;
        }
        Mistake::here(Kind::Residual, given, taken)
    }

    /// A shortcut taking `In` given `Out`: a mistake if they differ, or if the shortcut's own
    /// layers do not fit (`inner`).
    pub const fn shortcut<Out: Port, In: Port>(inner: bool) -> Mistake {
        let (given, taken) = (describe::<Out>(), describe::<In>());
        if inner {
            return Mistake::here(Kind::Shortcut, given, [0; 5]);
        }
        if same(given, taken) {
            return Mistake::NONE;
        }
        Mistake::here(Kind::Shortcut, given, taken)
    }

    /// Two branches giving `A` and `B`, added: a mistake unless they are the same port.
    pub const fn branches<A: Port, B: Port>() -> Mistake {
        let (given, taken) = (describe::<A>(), describe::<B>());
        if same(given, taken) {
            return Mistake::NONE;
        }
        Mistake::here(Kind::Branches, given, taken)
    }

    /// A reshape of `In` into `Out`: a mistake unless they hold as many values.
    pub const fn recount<In: Port, Out: Port>() -> Mistake {
        if In::N == Out::N {
            return Mistake::NONE;
        }
        Mistake::here(Kind::Recount, describe::<In>(), describe::<Out>())
    }

    /// An activation that is element-wise or not (`elementwise`) given `In`: a mistake if it
    /// is not and `In` has more than one dimension.
    pub const fn coupled<In: Port>(elementwise: bool) -> Mistake {
        if elementwise || In::RANK == 1 {
            return Mistake::NONE;
        }
        Mistake::here(Kind::NotElementwise, describe::<In>(), [0; 5])
    }

    /// A pool given `In` with padding that is `SAME` or none (`fits`), or explicit.
    pub const fn pool_padding<In: Port>(fits: bool) -> Mistake {
        if fits {
            return Mistake::NONE;
        }
        Mistake::here(Kind::PoolPadding, describe::<In>(), [0; 5])
    }

    /// The same mistake `by` positions further down a list.
    pub const fn shifted(self, by: usize) -> Mistake {
        if !self.is_some() {
            return self;
        }
        let mut m = self;
        m.path[0] += by;
        m
    }

    /// The same mistake seen from outside the block it is in: the block is position 1.
    pub const fn inside(self) -> Mistake {
        if !self.is_some() || self.depth == DEPTH {
            return self;
        }
        let mut m = self;
        let mut i = DEPTH - 1;
        while i > 0 {
            m.path[i] = m.path[i - 1];
            i -= 1;
        }
        m.path[0] = 1;
        m.depth += 1;
        m
    }

    /// `self` if it is a mistake, else `then`.
    pub const fn or(self, then: Mistake) -> Mistake {
        if self.is_some() { self } else { then }
    }
}

/// The report of a mistake: a sentence of at most [`Report::CAPACITY`] bytes, built in a
/// `const`.
#[derive(Clone, Copy)]
pub struct Report {
    bytes: [u8; Report::CAPACITY],
    len: usize,
}

impl Report {
    /// The longest report, in bytes (longer ones end with `…`).
    pub const CAPACITY: usize = 1024;

    const fn new() -> Report {
        Report {
            bytes: [0; Report::CAPACITY],
            len: 0,
        }
    }

    /// Whether there is nothing to report.
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The sentence.
    pub const fn as_str(&self) -> &str {
        match core::str::from_utf8(self.bytes.split_at(self.len).0) {
            Ok(s) => s,
            Err(_) => "a wiring mistake (its report was cut inside a character)",
        }
    }

    const fn push(&mut self, s: &str) {
        let b = s.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if self.len == Report::CAPACITY {
                return;
            }
            self.bytes[self.len] = b[i];
            self.len += 1;
            i += 1;
        }
    }

    const fn num(&mut self, n: usize) {
        let mut digits = [0u8; 20];
        let (mut k, mut n) = (0, n);
        loop {
            digits[k] = b'0' + (n % 10) as u8;
            k += 1;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        while k > 0 {
            k -= 1;
            if self.len < Report::CAPACITY {
                self.bytes[self.len] = digits[k];
                self.len += 1;
            }
        }
    }

    /// `layer N (`name`)` on one line; a long name's `block![…]` shortened
    /// (`Projected<block![…], Conv2d<f32, 16, 32, Kernel<1>>>`).
    const fn layer(&mut self, names: Names, at: usize) {
        let name = names.get(at);
        if name.len() > 80 {
            return self.block_layer(names, at);
        }
        self.push("layer ");
        self.num(at);
        if !name.is_empty() {
            self.push(" (`");
            self.push_compact(name);
            self.push("`)");
        }
    }

    /// `layer N (`Residual<block![…]>`)`: a layer whose block is named entry by entry after.
    const fn block_layer(&mut self, names: Names, at: usize) {
        self.push("layer ");
        self.num(at);
        let name = names.get(at);
        let (open, close) = block_span(name);
        if !name.is_empty() {
            self.push(" (`");
            if open < close {
                let b = name.as_bytes();
                self.push_compact(trimmed(b, 0, open + 1));
                self.push("…");
                self.push_compact(trimmed(b, close, b.len()));
            } else {
                self.push_compact(name);
            }
            self.push("`)");
        }
    }

    /// `s` on one line: runs of spaces and line breaks as one space, none after `<` or `[`
    /// or before `>`, `]` or `,`, and no comma before a closing `>` or `]`.
    const fn push_compact(&mut self, s: &str) {
        let b = s.as_bytes();
        let (mut i, mut space) = (0, false);
        while i < b.len() && self.len < Report::CAPACITY {
            let c = b[i];
            i += 1;
            if c == b' ' || c == b'\n' || c == b'\t' || c == b'\r' {
                space = true;
                continue;
            }
            let last = if self.len > 0 {
                self.bytes[self.len - 1]
            } else {
                b'<'
            };
            if (c == b'>' || c == b']') && last == b',' {
                self.len -= 1;
            } else if space && !matches!(c, b'>' | b']' | b',') && !matches!(last, b'<' | b'[') {
                self.bytes[self.len] = b' ';
                self.len += 1;
                if self.len == Report::CAPACITY {
                    return;
                }
            }
            space = false;
            self.bytes[self.len] = c;
            self.len += 1;
        }
    }

    /// A port in words: `12 values` (`flat` decides between "outputs"/"inputs"/"flat …"),
    /// `32 channels × 23 steps`, `3 channels × 32 × 32`.
    const fn port(&mut self, d: Described, flat: &str) {
        match d[1] {
            1 => {
                self.num(d[0]);
                self.push(flat);
            }
            2 => {
                self.count(d[2], " channel", " channels");
                self.push(" × ");
                self.count(d[3], " step", " steps");
            }
            _ => {
                self.count(d[2], " channel", " channels");
                self.push(" × ");
                self.num(d[3]);
                self.push(" × ");
                self.num(d[4]);
            }
        }
    }

    const fn count(&mut self, n: usize, one: &str, many: &str) {
        self.num(n);
        self.push(if n == 1 { one } else { many });
    }

    /// What a layer takes, in words when it is another kind than what it is given (its
    /// sizes there are only a stand-in).
    const fn takes(&mut self, given: Described, taken: Described) {
        if given[1] == taken[1] || taken[1] == 1 {
            let flat = if given[1] == 1 {
                " inputs"
            } else {
                " flat inputs"
            };
            self.port(taken, flat);
        } else if taken[1] == 2 {
            self.push("channels × steps");
        } else {
            self.push("images (channels × height × width)");
        }
    }
}

/// The names of a list's entries, as written: the outermost list's (given by the macro), or
/// those inside one entry's `block![…]`.
#[derive(Clone, Copy)]
pub struct Names<'a> {
    /// The names of the outermost list.
    list: &'a [&'a str],
    /// The text of the entry whose block this is, when not the outermost list.
    block: Option<&'a str>,
    /// The entries before the first layer (1 when the list starts with `Input<…>`).
    before: usize,
}

impl<'a> Names<'a> {
    /// The name of the entry at `at` (from 1, counting what comes before the first layer),
    /// or `""` if unknown.
    const fn get(self, at: usize) -> &'a str {
        match self.block {
            None => {
                if at >= 1 && at <= self.list.len() {
                    self.list[at - 1]
                } else {
                    ""
                }
            }
            Some(text) => block_entry(text, at),
        }
    }

    /// The names inside the block of the entry at `at`.
    const fn inner(self, at: usize) -> Names<'a> {
        Names {
            list: self.list,
            block: Some(self.get(at)),
            before: 0,
        }
    }
}

/// Where the entries of the first `block![…]` in `text` are: the positions of its opening
/// and closing brackets, or `(0, 0)`.
const fn block_span(text: &str) -> (usize, usize) {
    let b = text.as_bytes();
    let open = block_open(b);
    if open == usize::MAX {
        return (0, 0);
    }
    let (mut depth, mut k) = (0usize, open + 1);
    while k < b.len() {
        let c = b[k];
        if c == b'[' || c == b'(' || c == b'{' || c == b'<' {
            depth += 1;
        } else if c == b']' || c == b')' || c == b'}' || c == b'>' {
            if depth == 0 {
                return (open, k);
            }
            depth -= 1;
        }
        k += 1;
    }
    (0, 0)
}

/// The position of the bracket that opens the first `block!` in `b`, or `usize::MAX`.
const fn block_open(b: &[u8]) -> usize {
    let key = b"block!";
    let mut i = 0;
    let mut open = usize::MAX;
    while i + key.len() < b.len() {
        let mut j = 0;
        while j < key.len() && b[i + j] == key[j] {
            j += 1;
        }
        if j == key.len() {
            let mut k = i + key.len();
            while k < b.len() && b[k] == b' ' {
                k += 1;
            }
            if k < b.len() && (b[k] == b'[' || b[k] == b'(' || b[k] == b'{') {
                open = k;
            }
            break;
        }
        i += 1;
    }
    open
}

/// The `n`-th entry (from 1) of the first `block![…]` in `text`, trimmed, or `""`.
const fn block_entry(text: &str, n: usize) -> &str {
    let b = text.as_bytes();
    let open = block_open(b);
    if open == usize::MAX || n == 0 {
        return "";
    }
    let (mut depth, mut entry, mut start, mut k) = (0usize, 1usize, open + 1, open + 1);
    while k < b.len() {
        let c = b[k];
        let closes = c == b']' || c == b')' || c == b'}' || c == b'>';
        if depth == 0 && (closes || c == b',') {
            if entry == n {
                return trimmed(b, start, k);
            }
            if closes {
                return "";
            }
            entry += 1;
            start = k + 1;
        } else if c == b'[' || c == b'(' || c == b'{' || c == b'<' {
            depth += 1;
        } else if closes {
            depth -= 1;
        }
        k += 1;
    }
    ""
}

/// `b[start..end]` without surrounding spaces, as text.
const fn trimmed(b: &[u8], mut start: usize, mut end: usize) -> &str {
    while start < end && b[start] == b' ' {
        start += 1;
    }
    while end > start && b[end - 1] == b' ' {
        end -= 1;
    }
    let (_, tail) = b.split_at(start);
    let (mid, _) = tail.split_at(end - start);
    match core::str::from_utf8(mid) {
        Ok(s) => s,
        Err(_) => "",
    }
}

/// The report of a network's wiring: empty when `first` (what reaches the first layer) and
/// the network's [`Shape::MISTAKE`](super::Shape::MISTAKE) show no mistake, else one
/// sentence that names the layers by position and by the `names` they were written with
/// (`before` of them come before the first layer: 1 for `Input<…>`).
pub const fn report(mistake: Mistake, names: &[&str], before: usize) -> Report {
    let mut r = Report::new();
    if !mistake.is_some() {
        return r;
    }
    let mut names = Names {
        list: names,
        block: None,
        before,
    };
    // Blocks around the layer at fault: "layer 2 (`Residual<…>`), inside its block: ".
    let mut level = 0;
    while level + 1 < mistake.depth {
        let at = mistake.path[level] + names.before;
        r.block_layer(names, at);
        r.push(", inside its block: ");
        names = names.inner(at);
        level += 1;
    }
    let at = mistake.path[level] + names.before;
    let (given, taken) = (mistake.given, mistake.taken);
    match mistake.kind {
        Kind::None => {}
        Kind::Junction => {
            if at == 1 {
                r.push("the block's input is ");
                r.port(given, " values");
            } else {
                r.layer(names, at - 1);
                r.push(" gives ");
                let flat = if taken[1] == 1 && given[1] == 1 {
                    " outputs"
                } else {
                    " flat features"
                };
                r.port(given, flat);
            }
            r.push(" but ");
            r.layer(names, at);
            r.push(" takes ");
            r.takes(given, taken);
            if given[1] > 1 && taken[1] == 1 {
                r.push(": a `Flatten` between them turns ");
                r.port(given, "");
                r.push(" into ");
                r.num(given[0]);
                r.push(" flat features");
            } else if given[1] == 1 && taken[1] > 1 {
                r.push(": a `Reshape<…>` between them turns flat features into channels × steps or an image");
            } else if given[1] != taken[1] {
                r.push(": `BatchNorm1d` takes channels × steps, `BatchNorm2d` images (convolutions and pools take either)");
            }
        }
        Kind::Window if mistake.window[4] == 3 => {
            r.layer(names, at);
            r.push(" slides a window ");
            r.count(mistake.window[0], " row", " rows");
            r.push(" high (with its padding) over a signal, which is one row of steps: a 1-D layer's window is one row, unpadded (`Kernel1d<K>`, `Stride<1, S>`, `Pad<0, P>`; `Conv1d`, `MaxPool1d`)");
        }
        Kind::Window => {
            let [k, s, l, p, axis] = mistake.window;
            let (one, many) = match axis {
                0 => (" step", " steps"),
                1 => (" row", " rows"),
                _ => (" column", " columns"),
            };
            r.layer(names, at);
            r.push(" slides a window of ");
            r.count(k, one, many);
            r.push(" (stride ");
            r.num(s);
            r.push(") over ");
            r.count(l, one, many);
            r.push(" padded by ");
            r.num(p);
            r.push(" on each side: it does not fit (a window needs 1 ≤ kernel ≤ length + 2·padding and a stride of at least 1)");
        }
        Kind::Residual => {
            r.layer(names, at);
            r.push(" is a residual block whose block takes ");
            r.port(given, " values");
            r.push(" but gives ");
            r.port(taken, " values");
            r.push(": `x + F(x)` needs them shaped alike");
            if given[1] == 2 && taken[1] == 2 && given[2] == taken[2] {
                r.push(" (pad its convolutions to keep the length: P = (K − 1) / 2 at stride 1)");
            } else if given[1] > 1 && taken[1] > 1 && given[2] != taken[2] {
                r.push(" (end the block with as many channels as it starts with)");
            }
        }
        Kind::Shortcut => {
            r.layer(names, at);
            if taken[0] == 0 {
                r.push(" has a shortcut whose own layers do not fit together");
            } else {
                r.push(" is given ");
                r.port(given, " values");
                r.push(" but its shortcut takes ");
                r.takes(given, taken);
            }
        }
        Kind::Branches => {
            r.layer(names, at);
            r.push(" adds its block's output, ");
            r.port(given, " values");
            r.push(", to its shortcut's, ");
            r.port(taken, " values");
            r.push(": `F(x) + S(x)` needs them shaped alike");
        }
        Kind::Recount => {
            r.layer(names, at);
            r.push(" reshapes ");
            r.port(given, " values");
            if given[1] > 1 {
                r.push(" (");
                r.num(given[0]);
                r.push(" values)");
            }
            r.push(" into ");
            r.port(taken, " values");
            if taken[1] > 1 {
                r.push(" (");
                r.num(taken[0]);
                r.push(" values)");
            }
            r.push(": a reshape must keep the number of values");
        }
        Kind::NotElementwise => {
            r.layer(names, at);
            r.push(" is not element-wise: it normalizes flat features, but is given ");
            r.port(given, " values");
            r.push("; put a `Flatten` (or a global pooling layer) before it");
        }
        Kind::PoolPadding => {
            r.layer(names, at);
            r.push(" pads with explicit zeros: a pool pads `Same` (TensorFlow's, the padding");
            r.push(" left out of each window) or not at all, as TFLite's pools do");
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shape::{Image, Signal, Size};

    const NAMES: [&str; 4] = [
        "Input<Signal<16, 50>>",
        "Residual<block![Conv1d<f32, 16, 32, 3, 1, 1>, Relu, Conv1d<f32, 16, 16, 3, 1, 1>]>",
        "GlobalAvgPool1d",
        "Dense<f32, 16, 2>",
    ];

    #[test]
    fn block_entries_are_found_by_position() {
        let text = NAMES[1];
        assert_eq!(block_entry(text, 1), "Conv1d<f32, 16, 32, 3, 1, 1>");
        assert_eq!(block_entry(text, 2), "Relu");
        assert_eq!(block_entry(text, 3), "Conv1d<f32, 16, 16, 3, 1, 1>");
        assert_eq!(block_entry(text, 4), "");
        assert_eq!(block_entry(text, 0), "");
        assert_eq!(block_entry("Residual<MyBlock>", 1), "");
        assert_eq!(block_span("Residual<block![A, B]>"), (15, 20));
    }

    #[test]
    fn a_junction_names_both_layers_and_sizes() {
        let m = Mistake::junction::<Size<12>, Size<10>>(3);
        let r = report(m, &["Dense<f32, 4, 12>", "Relu", "Dense<f32, 10, 3>"], 0);
        assert_eq!(
            r.as_str(),
            "layer 2 (`Relu`) gives 12 outputs but layer 3 (`Dense<f32, 10, 3>`) takes 10 inputs"
        );
        assert!(!Mistake::junction::<Size<4>, Size<4>>(2).is_some());
    }

    #[test]
    fn a_mistake_inside_a_block_names_the_block_and_the_inner_junction() {
        let inner = Mistake::junction::<Signal<32, 50>, Signal<16, 50>>(3);
        let m = inner.inside().shifted(0);
        let r = report(m, &NAMES, 1);
        assert_eq!(
            r.as_str(),
            "layer 2 (`Residual<block![…]>`), inside its block: layer 2 (`Relu`) gives 32 \
             channels × 50 steps but layer 3 (`Conv1d<f32, 16, 16, 3, 1, 1>`) takes 16 channels \
             × 50 steps"
        );
    }

    #[test]
    fn kinds_of_ports_are_named_in_words() {
        let m = Mistake::junction::<Signal<8, 8>, Image<1, 1, 1>>(2);
        let r = report(
            m,
            &["Input<Signal<8, 8>>", "Conv2d<f32, 1, 8, Kernel<3>>"],
            0,
        );
        assert!(r.as_str().starts_with(
            "layer 1 (`Input<Signal<8, 8>>`) gives 8 channels × 8 steps but layer 2 \
             (`Conv2d<f32, 1, 8, Kernel<3>>`) takes images (channels × height × width)"
        ));
        let m = Mistake::junction::<Signal<2, 4>, Size<8>>(2);
        let r = report(m, &["A", "Dense<f32, 8, 3>"], 0);
        assert!(r.as_str().ends_with(
            "takes 8 flat inputs: a `Flatten` between them turns 2 channels × 4 steps into 8 \
             flat features"
        ));
    }

    #[test]
    fn windows_reshapes_residuals_and_softmax_are_reported() {
        let w = Mistake::window(31, 1, 20, 0, 0);
        let r = report(w, &["Input<Signal<3, 20>>", "Conv1d<f32, 3, 8, 31>"], 1);
        assert!(r.as_str().starts_with(
            "layer 2 (`Conv1d<f32, 3, 8, 31>`) slides a window of 31 steps (stride 1) over 20 \
             steps padded by 0 on each side: it does not fit"
        ));
        assert!(!Mistake::window(3, 1, 1, 1, 0).is_some());
        assert!(Mistake::window(3, 0, 10, 0, 0).is_some());
        let rows = Mistake::window(5, 1, 4, 0, 1);
        assert!(
            report(rows, &["C"], 0)
                .as_str()
                .contains("a window of 5 rows")
        );

        let q = Mistake::recount::<Size<60>, Image<1, 8, 8>>();
        assert_eq!(
            report(q, &["Reshape<Image<1, 8, 8>>"], 0).as_str(),
            "layer 1 (`Reshape<Image<1, 8, 8>>`) reshapes 60 values into 1 channel × 8 × 8 (64 \
             values): a reshape must keep the number of values"
        );
        let res = Mistake::residual::<Signal<8, 50>, Signal<8, 46>>();
        assert!(
            report(res, &["R"], 0)
                .as_str()
                .contains("takes 8 channels × 50 steps but gives 8 channels × 46 steps")
        );
        let s = Mistake::coupled::<Signal<8, 23>>(false);
        assert!(
            report(s, &["Softmax"], 0)
                .as_str()
                .contains("is not element-wise: it normalizes flat features, but is given 8")
        );
        assert!(!Mistake::coupled::<Size<8>>(false).is_some());
        assert!(!Mistake::coupled::<Signal<8, 23>>(true).is_some());
    }

    #[test]
    fn a_long_report_is_cut_not_overflowed() {
        let long = [
            "X".repeat(2000).leak() as &str,
            "Y".repeat(2000).leak() as &str,
        ];
        let r = report(Mistake::junction::<Size<1>, Size<2>>(2), &long, 0);
        assert_eq!(r.as_str().len(), Report::CAPACITY);
        assert!(report(Mistake::NONE, &long, 0).is_empty());
    }
}
