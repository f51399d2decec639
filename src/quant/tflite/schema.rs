//! TFLite's schema (`tensorflow/lite/schema/schema.fbs`) as far as typegrad reads and writes
//! it: builtin operators, fused activations, paddings, options and tensor types with their
//! codes. Shared by the writer ([`Graph`](super::Graph)) and the reader ([`Model`](super::Model)).

/// TFLite's builtin operators typegrad reads and writes, with their codes (`BuiltinOperator`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Builtin {
    /// `ADD` (0).
    Add,
    /// `AVERAGE_POOL_2D` (1).
    AveragePool2d,
    /// `CONV_2D` (3).
    Conv2d,
    /// `DEPTHWISE_CONV_2D` (4).
    DepthwiseConv2d,
    /// `FULLY_CONNECTED` (9).
    FullyConnected,
    /// `MAX_POOL_2D` (17).
    MaxPool2d,
    /// `RELU` (19).
    Relu,
    /// `RELU6` (21).
    Relu6,
    /// `RESHAPE` (22).
    Reshape,
    /// `SOFTMAX` (25).
    Softmax,
    /// `PAD` (34).
    Pad,
}

impl Builtin {
    /// The code in `BuiltinOperator`.
    pub const fn code(self) -> i32 {
        match self {
            Builtin::Add => 0,
            Builtin::AveragePool2d => 1,
            Builtin::Conv2d => 3,
            Builtin::DepthwiseConv2d => 4,
            Builtin::FullyConnected => 9,
            Builtin::MaxPool2d => 17,
            Builtin::Relu => 19,
            Builtin::Relu6 => 21,
            Builtin::Reshape => 22,
            Builtin::Softmax => 25,
            Builtin::Pad => 34,
        }
    }

    /// The operator of a `BuiltinOperator` code, if typegrad reads it.
    pub const fn from_code(code: i32) -> Option<Builtin> {
        Some(match code {
            0 => Builtin::Add,
            1 => Builtin::AveragePool2d,
            3 => Builtin::Conv2d,
            4 => Builtin::DepthwiseConv2d,
            9 => Builtin::FullyConnected,
            17 => Builtin::MaxPool2d,
            19 => Builtin::Relu,
            21 => Builtin::Relu6,
            22 => Builtin::Reshape,
            25 => Builtin::Softmax,
            34 => Builtin::Pad,
            _ => return None,
        })
    }

    /// Its name in the schema (`DEPTHWISE_CONV_2D`).
    pub const fn name(self) -> &'static str {
        match self {
            Builtin::Add => "ADD",
            Builtin::AveragePool2d => "AVERAGE_POOL_2D",
            Builtin::Conv2d => "CONV_2D",
            Builtin::DepthwiseConv2d => "DEPTHWISE_CONV_2D",
            Builtin::FullyConnected => "FULLY_CONNECTED",
            Builtin::MaxPool2d => "MAX_POOL_2D",
            Builtin::Relu => "RELU",
            Builtin::Relu6 => "RELU6",
            Builtin::Reshape => "RESHAPE",
            Builtin::Softmax => "SOFTMAX",
            Builtin::Pad => "PAD",
        }
    }

    /// The operator version that introduced int8 (and per-channel) support, as the
    /// converter writes it.
    pub const fn version(self) -> i32 {
        match self {
            Builtin::Conv2d | Builtin::DepthwiseConv2d => 3,
            Builtin::FullyConnected => 5,
            Builtin::Reshape => 1,
            _ => 2,
        }
    }
}

/// A fused activation (`ActivationFunctionType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activation {
    /// None (0).
    None,
    /// ReLU (1).
    Relu,
    /// ReLU6 (3).
    Relu6,
}

impl Activation {
    /// The fused activation an int8 layer's output clamp `[act_min, act_max]` stands for.
    /// ReLU6 calibrated on [0, 6] clamps at the int8 range itself, so it is written as the
    /// identity or ReLU: the same arithmetic.
    pub fn of_clamp(act_min: i8, act_max: i8) -> Activation {
        if act_max < 127 {
            Activation::Relu6
        } else if act_min > -128 {
            Activation::Relu
        } else {
            Activation::None
        }
    }

    /// The activation of an `ActivationFunctionType` code, if typegrad computes it.
    pub const fn from_code(code: u8) -> Option<Activation> {
        Some(match code {
            0 => Activation::None,
            1 => Activation::Relu,
            3 => Activation::Relu6,
            _ => return None,
        })
    }

    /// Its code in `ActivationFunctionType`.
    pub const fn code(self) -> u8 {
        match self {
            Activation::None => 0,
            Activation::Relu => 1,
            Activation::Relu6 => 3,
        }
    }
}

/// A window's padding (`Padding`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Padding {
    /// `SAME` (0): the output has `⌈in / stride⌉` positions.
    Same,
    /// `VALID` (1): no padding.
    Valid,
}

impl Padding {
    /// The padding of a `Padding` code.
    pub const fn from_code(code: u8) -> Option<Padding> {
        Some(match code {
            0 => Padding::Same,
            1 => Padding::Valid,
            _ => return None,
        })
    }

    /// Its code in `Padding`.
    pub const fn code(self) -> u8 {
        match self {
            Padding::Same => 0,
            Padding::Valid => 1,
        }
    }
}

/// An operator's builtin options.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Options {
    /// No options table.
    None,
    /// `Conv2DOptions` (union type 1).
    Conv2d {
        /// Padding.
        padding: Padding,
        /// Stride along the columns and along the rows.
        stride: [i32; 2],
        /// Fused activation.
        activation: Activation,
    },
    /// `DepthwiseConv2DOptions` (union type 2), channel multiplier 1.
    DepthwiseConv2d {
        /// Padding.
        padding: Padding,
        /// Stride along the columns and along the rows.
        stride: [i32; 2],
        /// Fused activation.
        activation: Activation,
    },
    /// `Pool2DOptions` (union type 5).
    Pool2d {
        /// Padding.
        padding: Padding,
        /// Stride along the columns and along the rows.
        stride: [i32; 2],
        /// Window width and height.
        filter: [i32; 2],
        /// Fused activation.
        activation: Activation,
    },
    /// `AddOptions` (union type 11).
    Add {
        /// Fused activation.
        activation: Activation,
    },
    /// `FullyConnectedOptions` (union type 8).
    FullyConnected {
        /// Fused activation.
        activation: Activation,
    },
    /// `ReshapeOptions` (union type 17), empty: the shape is the operator's second input.
    Reshape,
    /// `SoftmaxOptions` (union type 9).
    Softmax {
        /// `β` in `exp(β·xᵢ) / Σ exp(β·xⱼ)`.
        beta: f32,
    },
}

impl Options {
    /// A convolution's padding, strides `[w, h]` and fused activation (`None` for other
    /// options).
    pub fn conv_window(&self) -> Option<(Padding, [i32; 2], Activation)> {
        match *self {
            Options::Conv2d {
                padding,
                stride,
                activation,
            }
            | Options::DepthwiseConv2d {
                padding,
                stride,
                activation,
            } => Some((padding, stride, activation)),
            _ => None,
        }
    }
}

/// A pool's window in TFLite's order: `[width, height]` filter and strides, and whether it
/// pads `SAME` (else `VALID`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolWindow {
    /// Width and height.
    pub filter: [usize; 2],
    /// Along the columns and along the rows.
    pub stride: [usize; 2],
    /// `SAME` padding.
    pub same: bool,
}

impl PoolWindow {
    /// The window `K` moved by `S` with padding `P` (`Pad<0>` or `Same`).
    pub const fn of<K, S, P>() -> Self
    where
        K: crate::shape::window::KernelSize,
        S: crate::shape::window::Strides,
        P: crate::shape::window::Padding,
    {
        Self {
            filter: [K::W, K::H],
            stride: [S::W, S::H],
            same: P::SAME,
        }
    }

    /// `1 × k` windows moved by `s` steps (1-D pooling), no padding.
    pub const fn steps(k: usize, s: usize) -> Self {
        Self {
            filter: [k, 1],
            stride: [s, 1],
            same: false,
        }
    }

    /// One window over a whole `h × w` image (global pooling).
    pub const fn whole(h: usize, w: usize) -> Self {
        Self {
            filter: [w, h],
            stride: [1, 1],
            same: false,
        }
    }

    /// Its padding.
    pub const fn padding(&self) -> Padding {
        if self.same {
            Padding::Same
        } else {
            Padding::Valid
        }
    }
}

/// A tensor's element type (`TensorType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TensorType {
    /// `FLOAT32` (0).
    Float32,
    /// `INT32` (2).
    Int32,
    /// `INT8` (9).
    Int8,
}

impl TensorType {
    /// The type of a `TensorType` code, if typegrad reads it.
    pub const fn from_code(code: u8) -> Option<TensorType> {
        Some(match code {
            0 => TensorType::Float32,
            2 => TensorType::Int32,
            9 => TensorType::Int8,
            _ => return None,
        })
    }

    /// Its code in `TensorType`.
    pub const fn code(self) -> u8 {
        match self {
            TensorType::Float32 => 0,
            TensorType::Int32 => 2,
            TensorType::Int8 => 9,
        }
    }
}
