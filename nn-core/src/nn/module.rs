//! The `Module` trait: what torch's `nn.Module` gives every layer and model.
//!
//! A module is two things: its structure — a class name, its own parameters
//! and its child modules, in registration order — described by
//! [`ModuleInfo`] (written by `#[derive(Module)]` for your own structs), and
//! its computation, [`Module::forward`], which you write. Everything else
//! (`parameters`, `named_parameters`, `zero_grad`, `train`/`eval`,
//! `state_dict`, the printed tree) follows from those two.

use crate::tensor::Tensor;
use std::any::Any;
use std::fmt;

/// The structure of a module: what `#[derive(Module)]` writes for a struct
/// (fields in declaration order are its children and parameters; the struct's
/// name is its class name).
///
/// ```
/// use nn_core::prelude::*;
///
/// #[derive(Module)]
/// struct NeuralNetwork {
///     l1: Linear,
///     act1: ReLU,
/// }
///
/// impl Module for NeuralNetwork {
///     fn forward(&self, x: &Tensor) -> Tensor {
///         self.act1.forward(&self.l1.forward(x))
///     }
/// }
///
/// let model = NeuralNetwork { l1: Linear::new(2, 3), act1: ReLU::new() };
/// assert_eq!(
///     model.to_string(),
///     "NeuralNetwork(\n  (l1): Linear(in_features=2, out_features=3, bias=True)\n  (act1): ReLU()\n)"
/// );
/// assert_eq!(model.num_parameters(), 9);
/// ```
pub trait ModuleInfo: Any {
    /// The class name shown when printing, e.g. `"Linear"`.
    fn class_name(&self) -> String;

    /// The text inside the parentheses for a layer's settings, as torch's
    /// `extra_repr()` (e.g. `in_features=2, out_features=3, bias=True`).
    fn extra_repr(&self) -> String {
        String::new()
    }

    /// Direct children, in registration order, with their names.
    fn named_children(&self) -> Vec<(String, &dyn Module)> {
        Vec::new()
    }

    /// Parameters registered on this module itself (not its children), in
    /// registration order, e.g. `weight` then `bias`.
    fn own_parameters(&self) -> Vec<(String, Tensor)> {
        Vec::new()
    }

    /// Buffers registered on this module itself (not its children), in
    /// registration order: state kept in the state dict that is not a
    /// parameter, as `BatchNorm2d`'s `running_mean`, `running_var` and
    /// `num_batches_tracked`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let bn = BatchNorm2d::new(2);
    /// let names: Vec<String> = bn.own_buffers().into_iter().map(|(n, _)| n).collect();
    /// assert_eq!(names, ["running_mean", "running_var", "num_batches_tracked"]);
    /// assert!(Linear::new(2, 2).own_buffers().is_empty());
    /// ```
    fn own_buffers(&self) -> Vec<(String, Tensor)> {
        Vec::new()
    }

    /// Records training/evaluation mode on this module itself (built-in
    /// layers keep a flag; a derived struct's mode is its children's).
    fn set_own_training(&self, _training: bool) {}

    /// This module's own training flag, if it keeps one.
    fn own_training(&self) -> Option<bool> {
        None
    }

    /// Whether this module is in training mode (true until `eval()`), as
    /// `module.training`.
    fn is_training(&self) -> bool {
        match self.own_training() {
            Some(t) => t,
            None => self
                .named_children()
                .first()
                .is_none_or(|(_, c)| c.is_training()),
        }
    }

    /// The module as `Any`, for [`downcast_ref`](trait.Module.html#method.downcast_ref).
    fn as_any(&self) -> &dyn Any;
}

/// A neural-network module, as `torch.nn.Module`: you write `forward`; the
/// rest is provided.
///
/// ```
/// use nn_core::prelude::*;
/// manual_seed(0);
/// let net = sequential![Linear::new(2, 3), ReLU::new()];
/// let y = net.forward(&tensor![1.0, -1.0]);
/// assert_eq!(y.to_string(), "tensor([0.0000, 0.4991, 0.0000], grad_fn=<ReluBackward0>)");
/// assert_eq!(net.named_parameters()[1].0, "0.bias");
/// ```
/// No method of this trait (or of [`ModuleInfo`]) may be `#[track_caller]`:
/// the kernel loads nn-core as a dynamic library, and calling such a method
/// through `dyn Module` from a notebook cell fails to link (the vtable shim
/// refers to a symbol the library does not export).
pub trait Module: ModuleInfo {
    /// Computes the module's output for `input`.
    fn forward(&self, input: &Tensor) -> Tensor;

    /// All parameters, depth first in registration order, as `model.parameters()`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let net = sequential![Linear::new(1, 4), Sigmoid::new(), Linear::new(4, 6)];
    /// let sizes: Vec<usize> = net.parameters().iter().map(|p| p.numel()).collect();
    /// assert_eq!(sizes, vec![4, 4, 24, 6]);
    /// ```
    fn parameters(&self) -> Vec<Tensor> {
        self.named_parameters()
            .into_iter()
            .map(|(_, p)| p)
            .collect()
    }

    /// Parameters with their dotted names (`l1.weight`, `net.0.bias`), as
    /// `model.named_parameters()`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let lin = Linear::new(2, 3);
    /// let names: Vec<String> = lin.named_parameters().into_iter().map(|(n, _)| n).collect();
    /// assert_eq!(names, vec!["weight", "bias"]);
    /// ```
    fn named_parameters(&self) -> Vec<(String, Tensor)> {
        let mut out = self.own_parameters();
        for (name, child) in self.named_children() {
            out.extend(
                child
                    .named_parameters()
                    .into_iter()
                    .map(|(n, p)| (format!("{name}.{n}"), p)),
            );
        }
        out
    }

    /// Buffers with their dotted names, depth first, as `model.named_buffers()`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let net = sequential![Conv2d::new(1, 4, 3), BatchNorm2d::new(4)];
    /// let names: Vec<String> = net.named_buffers().into_iter().map(|(n, _)| n).collect();
    /// assert_eq!(names, ["1.running_mean", "1.running_var", "1.num_batches_tracked"]);
    /// ```
    fn named_buffers(&self) -> Vec<(String, Tensor)> {
        let mut out = self.own_buffers();
        for (name, child) in self.named_children() {
            out.extend(
                child
                    .named_buffers()
                    .into_iter()
                    .map(|(n, b)| (format!("{name}.{n}"), b)),
            );
        }
        out
    }

    /// All buffers, depth first, as `model.buffers()`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let bn = BatchNorm1d::new(3);
    /// assert_eq!(bn.buffers()[1].to_vec::<f32>(), vec![1.0; 3]); // running_var
    /// ```
    fn buffers(&self) -> Vec<Tensor> {
        self.named_buffers().into_iter().map(|(_, b)| b).collect()
    }

    /// The total number of parameter elements, as
    /// `sum(p.numel() for p in model.parameters())`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let ffn = sequential![Linear::new(1, 4), Sigmoid::new(), Linear::new(4, 6), Sigmoid::new(), Linear::new(6, 1)];
    /// assert_eq!(ffn.num_parameters(), 45);
    /// ```
    fn num_parameters(&self) -> usize {
        self.parameters().iter().map(|p| p.numel()).sum()
    }

    /// The number of elements of parameters that require grad (the seed
    /// notebook's `count_parameters`).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(Linear::new(2, 3).num_trainable_parameters(), 9);
    /// ```
    fn num_trainable_parameters(&self) -> usize {
        self.parameters()
            .iter()
            .filter(|p| p.requires_grad())
            .map(|p| p.numel())
            .sum()
    }

    /// Direct children, as `model.children()`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let net = sequential![Linear::new(2, 3), ReLU::new()];
    /// assert_eq!(net.children()[1].to_string(), "ReLU()");
    /// ```
    fn children(&self) -> Vec<&dyn Module> {
        self.named_children().into_iter().map(|(_, c)| c).collect()
    }

    /// Clears every parameter's gradient, as `model.zero_grad()` (torch ≥ 2
    /// sets them to `None`).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let lin = Linear::new(2, 1);
    /// lin.forward(&tensor![1.0, 2.0]).sum().backward();
    /// assert!(lin.weight.grad().is_some());
    /// lin.zero_grad();
    /// assert!(lin.weight.grad().is_none());
    /// ```
    fn zero_grad(&self) {
        for p in self.parameters() {
            p.set_grad(None);
        }
    }

    /// Sets training mode (`true`) or evaluation mode on this module and
    /// every descendant, as `model.train(mode)`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let net = sequential![Linear::new(2, 2), Dropout::new(0.5)];
    /// net.train(false);
    /// assert!(!net.is_training());
    /// ```
    fn train(&self, mode: bool) {
        self.set_own_training(mode);
        for (_, child) in self.named_children() {
            child.train(mode);
        }
    }

    /// Evaluation mode, as `model.eval()` (the same as `train(false)`).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let d = Dropout::new(0.5);
    /// d.eval();
    /// let x = Tensor::ones([4]);
    /// assert_eq!(d.forward(&x).to_vec::<f32>(), vec![1.0; 4]);
    /// ```
    fn eval(&self) {
        self.train(false);
    }

    /// The parameter named `name` on this module itself, as `getattr(m, name)`.
    ///
    /// # Panics
    /// If there is none, with Python's message.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let net = sequential![Linear::new(2, 3), ReLU::new()];
    /// assert_eq!(net[0].param("weight").shape(), [3, 2]);
    /// ```
    fn param(&self, name: &str) -> Tensor {
        match self.own_parameters().into_iter().find(|(n, _)| n == name) {
            Some((_, p)) => p,
            None => panic!("'{}' object has no attribute '{name}'", self.class_name()),
        }
    }

    /// This module's `weight` parameter, so that `net[0].weight()` reads like
    /// torch's `net[0].weight`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// manual_seed(0);
    /// let net = sequential![Linear::new(2, 3), ReLU::new()];
    /// assert_eq!(net[0].weight().shape(), [3, 2]);
    /// ```
    fn weight(&self) -> Tensor {
        self.param("weight")
    }

    /// This module's `bias` parameter, as torch's `net[0].bias`.
    ///
    /// # Panics
    /// If the module has no bias, with Python's message.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let net = sequential![Linear::new(2, 3)];
    /// assert_eq!(net[0].bias().shape(), [3]);
    /// ```
    fn bias(&self) -> Tensor {
        self.param("bias")
    }

    /// The parameters and buffers by their dotted names, as
    /// `model.state_dict()` (each module's parameters, then its buffers,
    /// then its children's): see [`StateDict`](super::StateDict) for its
    /// files (JSON, `.safetensors`).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let net = sequential![Linear::new(2, 3), ReLU::new(), Linear::new(3, 1)];
    /// assert_eq!(net.state_dict().keys(), vec!["0.weight", "0.bias", "2.weight", "2.bias"]);
    /// ```
    fn state_dict(&self) -> super::StateDict {
        super::state_dict::state_dict_of(state_entries(self))
    }

    /// Copies a state dict's values into the parameters of the same names,
    /// as `model.load_state_dict(sd)` (strict: every key must match).
    ///
    /// # Panics
    /// With torch's message when keys are missing or unexpected, or shapes
    /// differ (the entries that fit are copied first, as in torch):
    /// `Error(s) in loading state_dict for Sequential:\n\tMissing key(s) in state_dict: "0.bias". `
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let a = Linear::new(2, 2);
    /// let b = Linear::new(2, 2);
    /// b.load_state_dict(&a.state_dict());
    /// assert_eq!(b.weight.to_vec::<f32>(), a.weight.to_vec::<f32>());
    /// ```
    fn load_state_dict(&self, state_dict: &super::StateDict) {
        if let Err(e) = self.try_load_state_dict(state_dict, true) {
            panic!("{e}");
        }
    }

    /// Fallible form of [`load_state_dict`](Self::load_state_dict), with
    /// torch's `strict` flag; returns the keys that did not match, as torch's
    /// `_IncompatibleKeys` (empty when `strict`).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let small = sequential![Linear::new(2, 2)];
    /// let big = sequential![Linear::new(2, 3)];
    /// let err = small.try_load_state_dict(&big.state_dict(), true).unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     "Error(s) in loading state_dict for Sequential:\n\tsize mismatch for 0.weight: copying a param with shape torch.Size([3, 2]) from checkpoint, the shape in current model is torch.Size([2, 2]).\n\tsize mismatch for 0.bias: copying a param with shape torch.Size([3]) from checkpoint, the shape in current model is torch.Size([2])."
    /// );
    /// assert_eq!(small.try_load_state_dict(&small.state_dict(), true).unwrap().to_string(), "<All keys matched successfully>");
    /// ```
    fn try_load_state_dict(
        &self,
        state_dict: &super::StateDict,
        strict: bool,
    ) -> crate::Result<super::IncompatibleKeys> {
        super::state_dict::load_into(&self.class_name(), state_entries(self), state_dict, strict)
    }

    /// torch's `repr(module)`: the class name, `extra_repr` and the children,
    /// nested with two-space indents.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(Linear::new(2, 3).repr(), "Linear(in_features=2, out_features=3, bias=True)");
    /// ```
    fn repr(&self) -> String {
        module_repr(self)
    }
}

impl dyn Module {
    /// The module as its concrete type, if it is one (`net[0]` as a `Linear`).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let net = sequential![Linear::new(2, 3), ReLU::new()];
    /// let lin: &Linear = net[0].downcast_ref().unwrap();
    /// assert_eq!(lin.out_features, 3);
    /// assert!(net[1].downcast_ref::<Linear>().is_none());
    /// ```
    pub fn downcast_ref<T: Module>(&self) -> Option<&T> {
        self.as_any().downcast_ref::<T>()
    }
}

/// What `state_dict()` holds, in torch's order: a module's own parameters,
/// its own buffers, then each child's entries under its name.
fn state_entries<M: Module + ?Sized>(m: &M) -> Vec<(String, Tensor)> {
    let mut out = m.own_parameters();
    out.extend(m.own_buffers());
    for (name, child) in m.named_children() {
        out.extend(
            state_entries(child)
                .into_iter()
                .map(|(n, t)| (format!("{name}.{n}"), t)),
        );
    }
    out
}

/// torch's `Module.__repr__` (printing.md §9).
fn module_repr<M: Module + ?Sized>(m: &M) -> String {
    let mut lines: Vec<String> = Vec::new();
    let extra = m.extra_repr();
    if !extra.is_empty() {
        lines.extend(extra.split('\n').map(str::to_string));
    }
    let children = m.named_children();
    let child_count = children.len();
    for (name, child) in children {
        let text = child.repr();
        // Every line after the first is indented by two more spaces.
        let indented = text.replace('\n', "\n  ");
        lines.push(format!("({name}): {indented}"));
    }
    let name = m.class_name();
    if lines.is_empty() {
        format!("{name}()")
    } else if lines.len() == 1 && child_count == 0 {
        format!("{name}({})", lines[0])
    } else {
        format!("{name}(\n  {}\n)", lines.join("\n  "))
    }
}

impl fmt::Display for dyn Module {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.repr())
    }
}

impl fmt::Debug for dyn Module {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.repr())
    }
}

/// Implements `Display` and `Debug` as torch's module repr, for a module type.
#[macro_export]
#[doc(hidden)]
macro_rules! impl_module_display {
    ($t:ty) => {
        impl ::std::fmt::Display for $t {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&$crate::nn::Module::repr(self))
            }
        }
        impl ::std::fmt::Debug for $t {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&$crate::nn::Module::repr(self))
            }
        }
    };
}

/// How `#[derive(Module)]` registers a field: modules become children,
/// parameters (tensors made with [`Tensor::parameter`]) become parameters,
/// and plain settings (numbers, strings, non-parameter tensors) are ignored,
/// as attributes are in torch.
///
/// Every field of a `#[derive(Module)]` struct must implement it.
///
/// ```
/// use nn_core::prelude::*;
///
/// #[derive(Module)]
/// struct Scaled { fc: Linear, scale: Tensor, label: String } // child, parameter, setting
///
/// impl Module for Scaled {
///     fn forward(&self, x: &Tensor) -> Tensor { &self.fc.forward(x) * &self.scale }
/// }
///
/// let m = Scaled { fc: Linear::new(2, 2), scale: Tensor::parameter(Tensor::ones([2])), label: "s".into() };
/// let names: Vec<String> = m.named_parameters().into_iter().map(|(n, _)| n).collect();
/// assert_eq!(names, ["scale", "fc.weight", "fc.bias"]); // own parameters first, as in torch
/// ```
pub trait ModuleField {
    /// Registers this field under `name`.
    #[doc(hidden)]
    fn register<'a>(&'a self, name: &str, registry: &mut Registry<'a>);
}

/// What a module registered: filled by [`ModuleField::register`].
#[doc(hidden)]
#[derive(Default)]
pub struct Registry<'a> {
    pub children: Vec<(String, &'a dyn Module)>,
    pub parameters: Vec<(String, Tensor)>,
}

impl<M: Module> ModuleField for M {
    fn register<'a>(&'a self, name: &str, registry: &mut Registry<'a>) {
        registry.children.push((name.to_string(), self));
    }
}

impl ModuleField for Tensor {
    fn register<'a>(&'a self, name: &str, registry: &mut Registry<'a>) {
        if self.is_parameter() {
            registry.parameters.push((name.to_string(), self.clone()));
        }
    }
}

impl<T: ModuleField> ModuleField for Option<T> {
    fn register<'a>(&'a self, name: &str, registry: &mut Registry<'a>) {
        if let Some(v) = self {
            v.register(name, registry);
        }
    }
}

impl ModuleField for Box<dyn Module> {
    fn register<'a>(&'a self, name: &str, registry: &mut Registry<'a>) {
        registry.children.push((name.to_string(), self.as_ref()));
    }
}

macro_rules! plain_fields {
    ($($t:ty),*) => {$(
        impl ModuleField for $t {
            fn register<'a>(&'a self, _name: &str, _registry: &mut Registry<'a>) {}
        }
    )*};
}
plain_fields!(
    f32,
    f64,
    i32,
    i64,
    u32,
    u64,
    usize,
    isize,
    bool,
    String,
    &'static str
);

/// The [`ModuleInfo`] methods of a built-in layer that keeps its mode in a
/// `training: TrainingFlag` field.
macro_rules! builtin_layer_state {
    () => {
        fn set_own_training(&self, training: bool) {
            self.training.set(training);
        }
        fn own_training(&self) -> Option<bool> {
            Some(self.training.get())
        }
        fn as_any(&self) -> &dyn std::any::Any {
            self
        }
    };
}
pub(crate) use builtin_layer_state;

/// The training flag built-in layers keep (`module.training`); starts true.
#[doc(hidden)]
#[derive(Debug)]
pub struct TrainingFlag(std::sync::atomic::AtomicBool);

impl TrainingFlag {
    pub fn get(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }
    pub fn set(&self, training: bool) {
        self.0.store(training, std::sync::atomic::Ordering::Relaxed)
    }
}

impl Default for TrainingFlag {
    fn default() -> Self {
        TrainingFlag(std::sync::atomic::AtomicBool::new(true))
    }
}

impl Clone for TrainingFlag {
    fn clone(&self) -> Self {
        TrainingFlag(std::sync::atomic::AtomicBool::new(self.get()))
    }
}
