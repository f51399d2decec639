//! Training: a [`Trainer`] (one step, whole epochs with seeded shuffling, validation) and
//! evaluation.
//!
//! The batch size is a type parameter, so one function covers every mode:
//! full-batch gradient descent (`B` = the number of samples), single-sample SGD (`B = 1`) and
//! mini-batches (`B = 32`, say). Every step checks the loss and the gradients; a NaN or an
//! infinity stops training with a [`TrainError`] that names the step, before any parameter
//! is changed with it.
//!
//! Nothing allocates: shuffling permutes an index buffer the caller provides (a
//! `[usize; n]` in a `static` on a microcontroller, a `Vec` on a PC).

pub use crate::error::EvalError;
use crate::init::Rng;
use crate::kernels;
use crate::loss::{Class, Loss};
use crate::nn::{Grads, Layer};
use crate::optim::Optimizer;
use crate::shape::{BatchOf, Port, Size, VectorOf};
use crate::{Batch, Real, TrainError, Vector};

/// A target that can say whether a prediction is correct (for accuracy).
pub trait Target<T> {
    /// `Some(true)` if `prediction` is correct for this target, `None` if the notion does not
    /// apply (regression).
    fn is_correct(&self, prediction: &[T]) -> Option<bool>;
}

impl<T: Real, const N: usize> Target<T> for Class<N> {
    /// Correct when the largest output is this class (the first of equal largest outputs
    /// counts). NaN outputs are never the largest: a prediction of NaNs only is never correct.
    /// A single output is a binary logit (for `Class<2>` with
    /// [`BinaryCrossEntropyWithLogits`](crate::loss::BinaryCrossEntropyWithLogits)): `z > 0`
    /// predicts class 1, otherwise class 0 (NaN predicts neither).
    fn is_correct(&self, prediction: &[T]) -> Option<bool> {
        if let ([z], 2) = (prediction, N) {
            return Some(if self.index() == 1 {
                *z > T::zero()
            } else {
                *z <= T::zero()
            });
        }
        let best = prediction
            .iter()
            .enumerate()
            .fold(None, |best: Option<(usize, T)>, (i, &p)| match best {
                _ if p.is_nan() => best,
                Some((_, b)) if b >= p => best,
                _ => Some((i, p)),
            });
        Some(best.is_some_and(|(i, _)| i == self.index()))
    }
}

impl<T: Real, const N: usize> Target<T> for Vector<T, N> {
    /// Regression targets have no accuracy.
    fn is_correct(&self, _prediction: &[T]) -> Option<bool> {
        None
    }
}

/// "A network from `I` features to `O` outputs" in the scalar type `T`: a trait alias for
/// `Layer<T, In = Size<I>, Out = Size<O>>`, so that code generic over networks writes
/// `Net: Network<f32, 4, 3>`.
pub trait Network<T: Real, const I: usize, const O: usize>:
    Layer<T, In = Size<I>, Out = Size<O>>
{
}

impl<T: Real, Net: Layer<T, In = Size<I>, Out = Size<O>>, const I: usize, const O: usize>
    Network<T, I, O> for Net
{
}

/// Samples and their targets, borrowed: `Data::new(&inputs, &targets)`.
#[derive(Debug)]
pub struct Data<'a, X, Tg> {
    /// One input per sample.
    pub inputs: &'a [X],
    /// One target per sample.
    pub targets: &'a [Tg],
}

impl<X, Tg> Clone for Data<'_, X, Tg> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<X, Tg> Copy for Data<'_, X, Tg> {}

impl<'a, X, Tg> Data<'a, X, Tg> {
    /// The samples `inputs[i]` with targets `targets[i]` (the lengths are checked where the
    /// data is used).
    pub const fn new(inputs: &'a [X], targets: &'a [Tg]) -> Self {
        Self { inputs, targets }
    }
}

/// With `std`, what a [`Trainer`] keeps that can be large (the gradient and the activations of
/// a batch) is on the heap; without, it is part of the trainer's value.
#[cfg(feature = "std")]
type Slot<V> = std::boxed::Box<V>;
#[cfg(not(feature = "std"))]
type Slot<V> = V;

/// `make()` in a [`Slot`]. With `std`, a value larger than [`ON_CALLERS_STACK`] is built on a
/// thread of its own whose stack is sized to it, then moved to the heap: debug builds keep
/// several copies of a value while they assemble it (each layer's part, then the whole), and a
/// cache of megabytes would overflow the caller's stack (8 MiB for a program's main thread).
#[inline(never)]
fn slot<V: Send>(make: impl FnOnce() -> V + Send) -> Slot<V> {
    #[cfg(feature = "std")]
    return on_a_stack_of_its_own(make);
    #[cfg(not(feature = "std"))]
    make()
}

/// Values up to this size are built on the caller's stack.
#[cfg(feature = "std")]
const ON_CALLERS_STACK: usize = 256 << 10;

/// `Box::new(make())`, built on a thread whose stack holds 64 copies of the value when it is
/// larger than [`ON_CALLERS_STACK`] (on the caller's stack if no thread can be started). A
/// debug build of a deep chain keeps a partial copy in every level's frame (DS-CNN, 23
/// layers, needed more than 8); the stack is reserved address space, touched only as used.
#[cfg(feature = "std")]
fn on_a_stack_of_its_own<V: Send>(make: impl FnOnce() -> V + Send) -> std::boxed::Box<V> {
    let size = core::mem::size_of::<V>();
    if size <= ON_CALLERS_STACK {
        return build_here(make);
    }
    // The thread borrows the job; if no thread can be started, it is still here.
    let mut job = Some(make);
    let built = std::thread::scope(|scope| {
        let thread = std::thread::Builder::new()
            .name("typegrad-trainer-state".into())
            .stack_size(size.saturating_mul(64).saturating_add(1 << 20))
            .spawn_scoped(scope, || job.take().map(build_here));
        match thread {
            Ok(thread) => match thread.join() {
                Ok(built) => built,
                Err(panic) => std::panic::resume_unwind(panic),
            },
            Err(_) => None,
        }
    });
    match (built, job) {
        (Some(value), _) => value,
        // No thread could be started: build it here.
        (None, Some(make)) => build_here(make),
        (None, None) => unreachable_state(),
    }
}

/// `Box::new(make())` in a frame of its own (a debug build reserves room for the value in the
/// frame that builds it, even on a path that does not run).
#[cfg(feature = "std")]
#[inline(never)]
fn build_here<V>(make: impl FnOnce() -> V) -> std::boxed::Box<V> {
    std::boxed::Box::new(make())
}

/// The job was taken by a thread that returned nothing: cannot happen (the thread either
/// returns the value or panics, and a panic is resumed above).
#[cfg(feature = "std")]
#[cold]
fn unreachable_state() -> ! {
    unreachable!("the trainer's state was neither built on its thread nor left to build here")
}

/// Everything a training step needs besides the network: the gradient (a value of the
/// network's type), the cache of a batch of `B`, the optimizer and the loss. A step is
/// `trainer.step(&mut net, &inputs, &targets)`: the network is the only `&mut` argument, so
/// it cannot be swapped with the gradient.
///
/// With `std` the gradient and the cache live on the heap (a 30-1024-2 network trained
/// full-batch on 455 samples needs megabytes); without `std` the trainer is a plain value that
/// can live on the stack or in a `static` (through a cell such as `static_cell`), its size
/// known at compile time ([`Memory`](crate::nn::Memory)).
///
/// ```
/// use typegrad::activation::Relu;
/// use typegrad::loss::{Class, SoftmaxCrossEntropy};
/// use typegrad::nn::{Dense, Layer};
/// use typegrad::optim::{Settings, Sgd};
/// use typegrad::train::Trainer;
/// use typegrad::Batch;
/// typegrad::network! { type Net = [Dense<f32, 4, 8, Relu>, Dense<f32, 8, 3>]; }
/// let mut net = Net::default();
/// net.init(&mut typegrad::init::Rng::new(1), typegrad::init::Init::HeUniform);
/// let mut trainer = Trainer::<f32, Net, _, _, 2>::new(&net, Sgd::new(Settings::new(0.1)), SoftmaxCrossEntropy);
/// let x = Batch::<f32, 2, 4>::from_fn(|s, i| (s + i) as f32 * 0.1);
/// let t = [Class::new(0).unwrap(), Class::new(2).unwrap()];
/// let first = trainer.step(&mut net, &x, &t)?;
/// let mut last = first;
/// for _ in 0..50 {
///     last = trainer.step(&mut net, &x, &t)?;
/// }
/// assert!(last < first);
/// assert_eq!(trainer.optimizer().steps(), 51);
/// # Ok::<(), typegrad::TrainError>(())
/// ```
pub struct Trainer<T: Real, Net: Layer<T>, O, L, const B: usize> {
    grads: Slot<Net>,
    cache: Slot<Net::Cache<B>>,
    optimizer: O,
    loss: L,
}

impl<T: Real, Net: Layer<T>, O: Optimizer<T, Net>, L, const B: usize> Trainer<T, Net, O, L, B> {
    /// A trainer for `net` (only its type and hyper-parameters are used: the gradient and
    /// the cache are made for it) with the given optimizer and loss.
    ///
    /// With `std`, a cache larger than 256 KiB is built on a thread of its own, whose stack is
    /// sized to it (debug builds assemble several copies of a value while building it), then
    /// kept on the heap.
    pub fn new(net: &Net, optimizer: O, loss: L) -> Self {
        Self {
            grads: slot(|| net.zeros_like()),
            cache: slot(|| net.new_cache::<B>()),
            optimizer,
            loss,
        }
    }

    /// The optimizer (its step count: [`steps`](crate::optim::Sgd::steps)).
    pub fn optimizer(&self) -> &O {
        &self.optimizer
    }

    /// The optimizer, to change its settings between steps (a learning rate, say).
    pub fn optimizer_mut(&mut self) -> &mut O {
        &mut self.optimizer
    }

    /// The loss.
    pub fn loss(&self) -> &L {
        &self.loss
    }

    /// The gradient of the last step (a value of the network's type).
    pub fn gradient(&self) -> &Net {
        &self.grads
    }

    /// The optimizer, giving up the rest (to save its state, say).
    pub fn into_optimizer(self) -> O {
        self.optimizer
    }

    /// One training step on a batch: forward, loss, backward, optimizer update. Returns the
    /// batch's mean loss (before the update).
    ///
    /// # Errors
    /// [`TrainError::NonFiniteLoss`], or what the optimizer refuses
    /// ([`NonFiniteGradient`](TrainError::NonFiniteGradient),
    /// [`NonFiniteUpdate`](TrainError::NonFiniteUpdate),
    /// [`InvalidSetting`](TrainError::InvalidSetting)); the network is then unchanged.
    pub fn step<Tg, const K: usize>(
        &mut self,
        net: &mut Net,
        inputs: &BatchOf<T, B, Net::In>,
        targets: &[Tg; B],
    ) -> Result<T, TrainError>
    where
        Net: Layer<T, Out = Size<K>>,
        L: Loss<T, K, Tg>,
    {
        self.step_judged(net, inputs, targets, |_| {})
    }

    /// [`step`](Trainer::step), where `on_outputs` also sees the network's outputs for the
    /// batch (before the update).
    fn step_judged<Tg, const K: usize>(
        &mut self,
        net: &mut Net,
        inputs: &BatchOf<T, B, Net::In>,
        targets: &[Tg; B],
        on_outputs: impl FnOnce(&Batch<T, B, K>),
    ) -> Result<T, TrainError>
    where
        Net: Layer<T, Out = Size<K>>,
        L: Loss<T, K, Tg>,
    {
        let cache: &mut Net::Cache<B> = &mut self.cache;
        net.forward_train(inputs, cache);
        let outputs = Net::output(cache);
        let (value, d_outputs) = self.loss.batch_value_and_gradient(outputs, targets);
        if !value.is_finite() {
            return Err(TrainError::NonFiniteLoss {
                step: self.optimizer.steps().saturating_add(1),
            });
        }
        on_outputs(outputs);
        net.backward_params(inputs, cache, &d_outputs, &mut self.grads, Grads::Overwrite);
        self.optimizer.step(net, &self.grads)?;
        net.update_buffers(&self.cache);
        Ok(value)
    }

    /// Mean loss and accuracy of `net` on `data` with this trainer's loss (see [`evaluate`]).
    ///
    /// # Errors
    /// As [`evaluate`].
    pub fn evaluate<Tg, const K: usize>(
        &self,
        net: &Net,
        data: Data<'_, VectorOf<T, Net::In>, Tg>,
    ) -> Result<Evaluation<T>, EvalError>
    where
        Net: Layer<T, Out = Size<K>>,
        L: Loss<T, K, Tg>,
        Tg: Target<T>,
    {
        evaluate(net, &self.loss, data.inputs, data.targets)
    }
}

/// What one epoch of [`Trainer::fit`] measured.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EpochReport<T> {
    /// The epoch, counting from 1.
    pub epoch: usize,
    /// Mean of the batch losses of this epoch (each measured before its update).
    pub loss: T,
    /// Fraction of correctly predicted training samples during the epoch, if the targets
    /// define correctness (classification).
    pub accuracy: Option<f64>,
    /// Optimizer steps taken so far, over all epochs.
    pub steps: u64,
    /// The global gradient norm `‖g‖₂` (over every parameter) of this epoch's steps: mean and
    /// largest. A norm that keeps growing is the usual sign that training will explode.
    pub gradient_norm: GradientNorm,
    /// Loss and accuracy on the validation set after this epoch, if [`Trainer::fit`] was
    /// given one.
    pub validation: Option<Evaluation<T>>,
}

/// The global gradient norm `‖g‖₂ = √(Σ g²)` over an epoch's steps.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct GradientNorm {
    /// The mean over the steps.
    pub mean: f64,
    /// The largest.
    pub max: f64,
}

/// What the epoch callback of [`Trainer::fit`] asks for next. A callback that returns `()` always
/// continues.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Control {
    /// Train the next epoch.
    #[default]
    Continue,
    /// Stop after this epoch: [`Trainer::fit`] returns `Ok`.
    Stop,
}

impl From<()> for Control {
    fn from((): ()) -> Self {
        Control::Continue
    }
}

/// How [`Trainer::fit`] runs, including the batch size `B`: `FitConfig::<32> { .. }`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FitConfig<const B: usize> {
    /// Number of passes over the data.
    pub epochs: usize,
    /// Shuffle the sample order every epoch (with `seed`); `false` keeps the given order.
    pub shuffle: bool,
    /// Seed of the shuffling.
    pub seed: u64,
    /// Stop with [`TrainError::Diverged`] when the loss keeps growing (`None`: never).
    pub divergence: Option<Divergence>,
}

/// A divergence guard for [`Trainer::fit`]: an epoch whose mean loss is more than `factor` times the
/// best loss so far — the lowest of the first batch's loss (measured before any update, at
/// initialization) and every earlier epoch's mean — counts as diverging; `patience` such
/// epochs in a row stop training with [`TrainError::Diverged`] (after that epoch's report).
///
/// A learning rate far too large often does not overflow at once: the weights grow to `1e7`,
/// the loss to `1e4` and stays there, and every step is finite. This guard turns that into an
/// error. `Divergence { factor: 10.0, patience: 3 }` is a reasonable start.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Divergence {
    /// How many times the best epoch loss so far an epoch's loss may reach (e.g. `10.0`).
    pub factor: f64,
    /// How many diverging epochs in a row stop training (`1`: the first one does).
    pub patience: usize,
}

/// The running state of a [`Divergence`] guard, in the network's scalar type (no `f64`
/// arithmetic: on a microcontroller without an FPU that would link soft-`f64` routines).
#[derive(Debug, Clone, Copy)]
struct Guard<T> {
    best: T,
    strikes: usize,
}

impl<T: Real> Guard<T> {
    fn new() -> Self {
        Self {
            best: T::infinity(),
            strikes: 0,
        }
    }

    /// Records the loss of the first step, before any update.
    fn start(&mut self, loss: T) {
        if self.best == T::infinity() {
            self.best = loss;
        }
    }

    /// Records epoch `epoch`'s mean loss; `Err` when the guard trips.
    fn record(
        &mut self,
        rule: Option<Divergence>,
        epoch: usize,
        loss: T,
    ) -> Result<(), TrainError> {
        let Some(rule) = rule else {
            return Ok(());
        };
        let factor = crate::scalar::constant::<T>(rule.factor);
        if self.best.is_finite() && loss > factor * self.best {
            self.strikes += 1;
            if self.strikes >= rule.patience.max(1) {
                return Err(TrainError::Diverged {
                    epoch,
                    loss: loss.to_f64().unwrap_or(f64::NAN),
                    best: self.best.to_f64().unwrap_or(f64::NAN),
                });
            }
        } else {
            self.strikes = 0;
        }
        self.best = self.best.min(loss);
        Ok(())
    }
}

impl<T: Real, Net: Layer<T>, O: Optimizer<T, Net>, L, const B: usize> Trainer<T, Net, O, L, B> {
    /// Trains for `config.epochs` epochs on `train` in batches of `B`, calling `report` with
    /// the epoch's figures and the network after every epoch. With a `validation` set, each
    /// report also carries the network's loss and accuracy on it
    /// ([`EpochReport::validation`]) — what [`EarlyStopping`] watches. `report` may return
    /// `()` or a [`Control`]: [`Control::Stop`] ends training after that epoch.
    ///
    /// Each epoch visits the samples in a (seeded, if `shuffle`) random order, in
    /// `⌊n / B⌋` batches; the last `n mod B` samples of that order wait for a later epoch, as
    /// with `drop_last` in PyTorch (with `B = n` this is full-batch gradient descent).
    /// `order` is scratch space of `n` indices.
    ///
    /// # Errors
    /// [`TrainError::Lengths`] or [`TrainError::TooFewSamples`] for data that does not fit,
    /// [`TrainError::Validation`] for a validation set that cannot be evaluated, what a step
    /// returns ([`step`](Trainer::step)), or [`TrainError::Diverged`] from the divergence
    /// guard.
    pub fn fit<Tg, R, const K: usize>(
        &mut self,
        net: &mut Net,
        train: Data<'_, VectorOf<T, Net::In>, Tg>,
        validation: Option<Data<'_, VectorOf<T, Net::In>, Tg>>,
        order: &mut [usize],
        config: FitConfig<B>,
        mut report: impl FnMut(&EpochReport<T>, &Net) -> R,
    ) -> Result<(), TrainError>
    where
        R: Into<Control>,
        Net: Layer<T, Out = Size<K>>,
        L: Loss<T, K, Tg>,
        Tg: Target<T> + Copy,
    {
        let Data { inputs, targets } = train;
        let n = inputs.len();
        if targets.len() != n || order.len() != n {
            return Err(TrainError::Lengths {
                inputs: n,
                targets: targets.len(),
                order: order.len(),
            });
        }
        if n < B || B == 0 {
            return Err(TrainError::TooFewSamples {
                samples: n,
                batch: B,
            });
        }
        if let Some(v) = validation {
            if v.inputs.len() != v.targets.len() {
                let error = EvalError::Lengths {
                    inputs: v.inputs.len(),
                    targets: v.targets.len(),
                };
                return Err(TrainError::Validation { epoch: 0, error });
            }
            if v.inputs.is_empty() {
                let error = EvalError::Empty;
                return Err(TrainError::Validation { epoch: 0, error });
            }
        }
        for (i, o) in order.iter_mut().enumerate() {
            *o = i;
        }
        let mut rng = Rng::new(config.seed);
        let mut guard = Guard::new();
        for epoch in 1..=config.epochs {
            if config.shuffle {
                rng.shuffle(order);
            }
            let (mut total, mut batches) = (T::zero(), 0usize);
            let (mut correct, mut judged) = (0usize, 0usize);
            let (mut norm_sum, mut norm_max) = (T::zero(), T::zero());
            for chunk in order.chunks_exact(B) {
                let x = gather::<T, B, Net::In>(inputs, chunk);
                let t: [Tg; B] = core::array::from_fn(|s| targets[chunk[s]]);
                let judge = |outputs: &Batch<T, B, K>| {
                    for (s, target) in t.iter().enumerate() {
                        if let Some(ok) = target.is_correct(outputs.sample_array(s)) {
                            judged += 1;
                            correct += usize::from(ok);
                        }
                    }
                };
                let value = self.step_judged(net, &x, &t, judge)?;
                guard.start(value);
                let mut sum_sq = T::zero();
                self.grads
                    .visit(&mut |g| sum_sq = sum_sq + kernels::sum_of_squares(g));
                let step_norm = sum_sq.sqrt();
                norm_sum = norm_sum + step_norm;
                norm_max = norm_max.max(step_norm);
                total = total + value;
                batches += 1;
            }
            let norm = GradientNorm {
                mean: (norm_sum / T::from_count(batches))
                    .to_f64()
                    .unwrap_or(f64::NAN),
                max: norm_max.to_f64().unwrap_or(f64::NAN),
            };
            let loss = total / T::from_count(batches);
            let validation = match validation {
                Some(v) => Some(
                    self.evaluate(net, v)
                        .map_err(|error| TrainError::Validation { epoch, error })?,
                ),
                None => None,
            };
            let control = report(
                &EpochReport {
                    epoch,
                    loss,
                    accuracy: (judged > 0)
                        .then(|| crate::scalar::ratio_f64(correct as u64, judged as u64)),
                    steps: self.optimizer.steps(),
                    gradient_norm: norm,
                    validation,
                },
                net,
            );
            guard.record(config.divergence, epoch, loss)?;
            if control.into() == Control::Stop {
                break;
            }
        }
        Ok(())
    }
}

/// Early stopping with restore-best, for [`Trainer::fit`]'s callback: feed it each epoch's validation
/// loss; it keeps a copy of the best network so far (heap-free: a value of the network's
/// type) and says [`Control::Stop`] once `patience` epochs in a row did not improve on it.
///
/// ```
/// use typegrad::train::{Control, EarlyStopping};
/// let mut stop = EarlyStopping::new(2);
/// let (mut net, best) = (0u8, 7u8); // any `Copy` value stands for a network here
/// assert_eq!(stop.observe(0.9, &1), Control::Continue);
/// assert_eq!(stop.observe(0.5, &best), Control::Continue); // the best so far
/// assert_eq!(stop.observe(0.6, &3), Control::Continue); // 1 epoch without improvement
/// assert_eq!(stop.observe(0.7, &4), Control::Stop); // 2: stop
/// assert!(stop.restore(&mut net));
/// assert_eq!((net, stop.best_loss()), (best, Some(0.5)));
/// ```
#[derive(Debug, Clone, Copy)]
pub struct EarlyStopping<Net> {
    patience: usize,
    best: Option<(f64, Net)>,
    waited: usize,
}

impl<Net: Copy> EarlyStopping<Net> {
    /// Stops after `patience` epochs without a lower validation loss (at least 1).
    pub const fn new(patience: usize) -> Self {
        Self {
            patience,
            best: None,
            waited: 0,
        }
    }

    /// Records an epoch's validation `loss` and the network it was measured on. A NaN loss
    /// never counts as an improvement.
    pub fn observe(&mut self, loss: f64, net: &Net) -> Control {
        let improved = match self.best {
            Some((best, _)) => loss < best,
            None => !loss.is_nan(),
        };
        if improved {
            self.best = Some((loss, *net));
            self.waited = 0;
            return Control::Continue;
        }
        self.waited += 1;
        if self.waited >= self.patience.max(1) {
            Control::Stop
        } else {
            Control::Continue
        }
    }

    /// The lowest validation loss seen, if any.
    pub fn best_loss(&self) -> Option<f64> {
        self.best.map(|(loss, _)| loss)
    }

    /// Writes the best network seen into `net`; `false` (and `net` unchanged) if none was.
    pub fn restore(&self, net: &mut Net) -> bool {
        match &self.best {
            Some((_, best)) => {
                *net = *best;
                true
            }
            None => false,
        }
    }
}

/// What [`evaluate`] measured.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Evaluation<T> {
    /// The mean loss over the samples.
    pub loss: T,
    /// The fraction of correctly predicted samples, if the targets define correctness
    /// (classification).
    pub accuracy: Option<f64>,
    /// The number of samples evaluated.
    pub samples: usize,
}

/// The samples `inputs[i]` for `i` in `chunk` (`B` of them) as one batch.
fn gather<T: Real, const B: usize, P: Port>(
    inputs: &[P::Sample<T>],
    chunk: &[usize],
) -> P::Batch<T, B> {
    let mut x = P::batch(|_, _| T::zero());
    let n = P::N;
    let xs = P::batch_slice_mut(&mut x);
    for (s, &i) in chunk.iter().enumerate().take(B) {
        xs[s * n..(s + 1) * n].copy_from_slice(P::sample_slice(&inputs[i]));
    }
    x
}

/// Mean loss and accuracy (if defined by the targets) of a network on a data set, one sample
/// at a time.
///
/// # Errors
/// [`EvalError::Empty`] for no samples, [`EvalError::Lengths`] when inputs and targets differ
/// in length, [`EvalError::NonFinite`] for the first sample whose output or loss is NaN or
/// infinite (no loss or accuracy is reported that a NaN went into).
pub fn evaluate<T, Net, L, Tg, const K: usize>(
    net: &Net,
    loss: &L,
    inputs: &[VectorOf<T, Net::In>],
    targets: &[Tg],
) -> Result<Evaluation<T>, EvalError>
where
    T: Real,
    Net: Layer<T, Out = Size<K>>,
    L: Loss<T, K, Tg>,
    Tg: Target<T>,
{
    if inputs.len() != targets.len() {
        return Err(EvalError::Lengths {
            inputs: inputs.len(),
            targets: targets.len(),
        });
    }
    if inputs.is_empty() {
        return Err(EvalError::Empty);
    }
    let n = T::from_count(inputs.len());
    let (mut total, mut correct, mut judged) = (T::zero(), 0usize, 0usize);
    for (sample, (x, t)) in inputs.iter().zip(targets).enumerate() {
        let y = net.predict(x);
        let value = loss.value(&y, t);
        if !value.is_finite() || !y.iter().all(|v| v.is_finite()) {
            return Err(EvalError::NonFinite { sample });
        }
        // Each term divided by n: the mean stays finite where the sum would overflow.
        total = total + value / n;
        if let Some(ok) = t.is_correct(y.as_slice()) {
            judged += 1;
            correct += usize::from(ok);
        }
    }
    Ok(Evaluation {
        loss: total,
        accuracy: (judged > 0).then(|| crate::scalar::ratio_f64(correct as u64, judged as u64)),
        samples: inputs.len(),
    })
}

/// `docs/reliability.md`, whose Rust code is compiled as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../docs/reliability.md")]
pub struct ReliabilityGuide;
