//! The `Module` trait: what torch's `nn.Module` gives every layer and model.
//!
//! A module is two things: its structure — a class name, its own parameters
//! and its child modules, in registration order — described by
//! [`ModuleInfo`] (written by `#[derive(Module)]` for your own structs), and
//! its computation, [`Module::forward`], which you write. Everything else
//! (`parameters`, `named_parameters`, `zero_grad`, `train`/`eval`,
//! `state_dict`, the printed tree) follows from those two.

use crate::tensor::Tensor;
use provided::*;
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
    /// torch's `module.training` attribute.
    ///
    /// A built-in layer or container keeps its own flag; a
    /// `#[derive(Module)]` struct reports its first child's (it has no flag
    /// of its own, and `train()`/`eval()` always reach every child).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let net = sequential![Linear::new(2, 2), Dropout::new(0.5)];
    /// assert!(net.training());
    /// net.eval();
    /// assert!(!net.training() && !net[1].training());
    /// ```
    fn training(&self) -> bool {
        training_of(self.own_training(), self.named_children())
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
pub trait Module: ModuleInfo + AsModule {
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
        parameters_of(self.as_module())
    }

    /// Parameters with their dotted names (`l1.weight`, `net.0.bias`), as
    /// `model.named_parameters()`: each parameter once, even when a module is
    /// shared (`state_dict()` keeps every name, as torch's does).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let lin = Linear::new(2, 3);
    /// let names: Vec<String> = lin.named_parameters().into_iter().map(|(n, _)| n).collect();
    /// assert_eq!(names, vec!["weight", "bias"]);
    /// ```
    fn named_parameters(&self) -> Vec<(String, Tensor)> {
        named_parameters_of(self.as_module())
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
        named_buffers_of(self.as_module())
    }

    /// All buffers, depth first, as `model.buffers()`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let bn = BatchNorm1d::new(3);
    /// assert_eq!(bn.buffers()[1].to_vec::<f32>(), vec![1.0; 3]); // running_var
    /// ```
    fn buffers(&self) -> Vec<Tensor> {
        buffers_of(self.as_module())
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
        count_parameters_of(self.as_module(), false)
    }

    /// The number of elements of parameters that require grad (the seed
    /// notebook's `count_parameters`).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(Linear::new(2, 3).num_trainable_parameters(), 9);
    /// ```
    fn num_trainable_parameters(&self) -> usize {
        count_parameters_of(self.as_module(), true)
    }

    /// Direct children, as `model.children()`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let net = sequential![Linear::new(2, 3), ReLU::new()];
    /// assert_eq!(net.children()[1].to_string(), "ReLU()");
    /// ```
    fn children(&self) -> Vec<&dyn Module> {
        children_of(self.named_children())
    }

    /// Clears every parameter's gradient, as `model.zero_grad()` (torch ≥ 2
    /// sets them to `None`).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let lin = Linear::new(2, 1);
    /// lin.forward(&tensor![1.0, 2.0]).sum().backward();
    /// assert!(lin.weight().grad().is_some());
    /// lin.zero_grad();
    /// assert!(lin.weight().grad().is_none());
    /// ```
    fn zero_grad(&self) {
        zero_grad_of(self.as_module());
    }

    /// Training mode for this module and every descendant, as torch's
    /// `model.train()`: [`Dropout`](super::Dropout) drops again.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let net = sequential![Linear::new(2, 2), Dropout::new(0.5)];
    /// net.eval();
    /// net.train();
    /// assert!(net[1].training());
    /// ```
    fn train(&self) {
        self.set_training(true);
    }

    /// Evaluation mode for this module and every descendant, as torch's
    /// `model.eval()`: [`Dropout`](super::Dropout) passes its input through.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let d = Dropout::new(0.5);
    /// d.eval();
    /// let x = Tensor::ones([4]);
    /// assert_eq!(d.forward(&x).to_vec::<f32>(), vec![1.0; 4]);
    /// ```
    fn eval(&self) {
        self.set_training(false);
    }

    /// Training (`true`) or evaluation mode for this module and every
    /// descendant, as torch's `model.train(mode)`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let net = sequential![Linear::new(2, 2), Dropout::new(0.5)];
    /// net.set_training(false);
    /// assert!(!net.training());
    /// ```
    fn set_training(&self, mode: bool) {
        set_training_of(self.as_module(), mode);
    }

    /// This module and all its descendants, depth first, each with its
    /// dotted name (`""` for this module itself), as `model.named_modules()`.
    /// (On a `&dyn Module`, walk [`named_children`](ModuleInfo::named_children).)
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let net = sequential![Linear::new(2, 2), sequential![ReLU::new()]];
    /// let names: Vec<String> = net.named_modules().into_iter().map(|(n, _)| n).collect();
    /// assert_eq!(names, ["", "0", "1", "1.0"]);
    /// ```
    fn named_modules(&self) -> Vec<(String, &dyn Module)>
    where
        Self: Sized,
    {
        collect_modules(self)
    }

    /// This module and all its descendants, depth first, as
    /// `model.modules()`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let net = sequential![Linear::new(2, 2), ReLU::new(), Linear::new(2, 1)];
    /// let linears = net.modules().iter().filter(|m| m.class_name() == "Linear").count();
    /// assert_eq!(linears, 2);
    /// ```
    fn modules(&self) -> Vec<&dyn Module>
    where
        Self: Sized,
    {
        collect_modules(self).into_iter().map(|(_, m)| m).collect()
    }

    /// Calls `f` on every descendant and then on this module (children
    /// first, as torch's `model.apply(fn)`): the usual way to initialise a
    /// model's layers with [`nn::init`](super::init).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// use nn_core::nn::init;
    ///
    /// fn init_weights(m: &dyn Module) {
    ///     if let Some(lin) = m.downcast_ref::<Linear>() {
    ///         init::xavier_uniform_(&lin.weight(), 1.0);
    ///         init::constant_(&lin.bias(), 0.01);
    ///     }
    /// }
    ///
    /// let net = sequential![Linear::new(2, 4), ReLU::new(), Linear::new(4, 1)];
    /// net.apply(&init_weights);
    /// assert_eq!(net[2].bias().to_vec::<f32>(), vec![0.01]);
    /// ```
    fn apply(&self, f: &dyn Fn(&dyn Module))
    where
        Self: Sized,
    {
        apply_to(self, f);
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
        param_of(self.as_module(), name)
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
        param_of(self.as_module(), "weight")
    }

    /// This module's `bias` parameter, as torch's `net[0].bias`.
    ///
    /// # Panics
    /// If the module has no bias (`Linear::with_bias(.., false)`, whose
    /// torch `bias` is `None`), with Python's message; use
    /// [`get_parameter`](Self::get_parameter) to ask.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let net = sequential![Linear::new(2, 3)];
    /// assert_eq!(net[0].bias().shape(), [3]);
    /// ```
    fn bias(&self) -> Tensor {
        param_of(self.as_module(), "bias")
    }

    /// The parameter at a dotted path (`"weight"`, `"l1.bias"`,
    /// `"net.0.weight"`), or `None` if there is none, as
    /// `model.get_parameter(target)` (which raises where this returns `None`).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let net = sequential![Linear::new(2, 3), Linear::with_bias(3, 1, false)];
    /// assert_eq!(net.get_parameter("0.weight").unwrap().shape(), [3, 2]);
    /// assert!(net.get_parameter("1.bias").is_none()); // bias=False
    /// ```
    fn get_parameter(&self, target: &str) -> Option<Tensor> {
        get_parameter_of(self.as_module(), target)
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
        state_dict_of(self.as_module())
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
    /// assert_eq!(b.weight().to_vec::<f32>(), a.weight().to_vec::<f32>());
    /// ```
    fn load_state_dict(&self, state_dict: &super::StateDict) {
        load_state_dict_of(self.as_module(), state_dict);
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
        try_load_state_dict_of(self.as_module(), state_dict, strict)
    }

    /// torch's `repr(module)`: the class name, `extra_repr` and the children,
    /// nested with two-space indents.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(Linear::new(2, 3).repr(), "Linear(in_features=2, out_features=3, bias=True)");
    /// ```
    fn repr(&self) -> String {
        module_repr(self.as_module())
    }
}

/// `&self` as `&dyn Module`, for [`Module`]'s provided methods: they call
/// nn-core's compiled code through it instead of being compiled again for
/// every module type, which is what a notebook cell defining a model would
/// otherwise do (about a hundred functions per `#[derive(Module)]` struct,
/// in every cell that uses it).
#[doc(hidden)]
pub trait AsModule {
    /// This module as a trait object.
    fn as_module(&self) -> &dyn Module;
}

impl<T: Module> AsModule for T {
    fn as_module(&self) -> &dyn Module {
        self
    }
}

/// The provided methods of [`Module`], written out for one of nn-core's own
/// layers (inside its `impl Module`). A trait's provided method is compiled
/// for each type where its vtable is made, and a notebook cell that writes
/// `sequential![Linear::new(2, 3)]` makes `Linear`'s: written out here,
/// they are ordinary functions of nn-core, which the cell links to instead.
macro_rules! compiled_module_methods {
    () => {
        $crate::nn::module::compiled_module_methods!(custom_repr);
        fn repr(&self) -> String {
            $crate::nn::module::provided::module_repr(self)
        }
    };
    (custom_repr) => {
        fn parameters(&self) -> Vec<$crate::Tensor> {
            $crate::nn::module::provided::parameters_of(self)
        }
        fn named_parameters(&self) -> Vec<(String, $crate::Tensor)> {
            $crate::nn::module::provided::named_parameters_of(self)
        }
        fn named_buffers(&self) -> Vec<(String, $crate::Tensor)> {
            $crate::nn::module::provided::named_buffers_of(self)
        }
        fn buffers(&self) -> Vec<$crate::Tensor> {
            $crate::nn::module::provided::buffers_of(self)
        }
        fn num_parameters(&self) -> usize {
            $crate::nn::module::provided::count_parameters_of(self, false)
        }
        fn num_trainable_parameters(&self) -> usize {
            $crate::nn::module::provided::count_parameters_of(self, true)
        }
        fn children(&self) -> Vec<&dyn $crate::nn::Module> {
            $crate::nn::module::provided::children_of($crate::nn::ModuleInfo::named_children(self))
        }
        fn zero_grad(&self) {
            $crate::nn::module::provided::zero_grad_of(self)
        }
        fn train(&self) {
            $crate::nn::module::provided::set_training_of(self, true)
        }
        fn eval(&self) {
            $crate::nn::module::provided::set_training_of(self, false)
        }
        fn set_training(&self, mode: bool) {
            $crate::nn::module::provided::set_training_of(self, mode)
        }
        fn param(&self, name: &str) -> $crate::Tensor {
            $crate::nn::module::provided::param_of(self, name)
        }
        fn weight(&self) -> $crate::Tensor {
            $crate::nn::module::provided::param_of(self, "weight")
        }
        fn bias(&self) -> $crate::Tensor {
            $crate::nn::module::provided::param_of(self, "bias")
        }
        fn get_parameter(&self, target: &str) -> Option<$crate::Tensor> {
            $crate::nn::module::provided::get_parameter_of(self, target)
        }
        fn state_dict(&self) -> $crate::nn::StateDict {
            $crate::nn::module::provided::state_dict_of(self)
        }
        fn load_state_dict(&self, state_dict: &$crate::nn::StateDict) {
            $crate::nn::module::provided::load_state_dict_of(self, state_dict)
        }
        fn try_load_state_dict(
            &self,
            state_dict: &$crate::nn::StateDict,
            strict: bool,
        ) -> $crate::Result<$crate::nn::IncompatibleKeys> {
            $crate::nn::module::provided::try_load_state_dict_of(self, state_dict, strict)
        }
    };
}
pub(crate) use compiled_module_methods;

// The provided methods' bodies, compiled once in nn-core.
pub(crate) mod provided {
    pub(crate) use super::module_repr;
    use super::{Module, Tensor, every_entry, every_parameter};

    pub(crate) fn training_of(own: Option<bool>, children: Vec<(String, &dyn Module)>) -> bool {
        match own {
            Some(t) => t,
            None => children.first().is_none_or(|(_, c)| c.training()),
        }
    }

    pub(crate) fn parameters_of(m: &dyn Module) -> Vec<Tensor> {
        named_parameters_of(m).into_iter().map(|(_, p)| p).collect()
    }

    pub(crate) fn named_parameters_of(m: &dyn Module) -> Vec<(String, Tensor)> {
        // A module shared by two parents (weight sharing) is listed once,
        // under its first name, as torch's `remove_duplicate=True`.
        let mut out: Vec<(String, Tensor)> = Vec::new();
        for (name, p) in every_parameter(m.own_parameters(), m.named_children()) {
            if !out.iter().any(|(_, q)| q.is_same(&p)) {
                out.push((name, p));
            }
        }
        out
    }

    pub(crate) fn buffers_of(m: &dyn Module) -> Vec<Tensor> {
        named_buffers_of(m).into_iter().map(|(_, b)| b).collect()
    }

    pub(crate) fn named_buffers_of(m: &dyn Module) -> Vec<(String, Tensor)> {
        let mut out = m.own_buffers();
        for (name, child) in m.named_children() {
            out.extend(
                named_buffers_of(child)
                    .into_iter()
                    .map(|(n, b)| (format!("{name}.{n}"), b)),
            );
        }
        out
    }

    pub(crate) fn count_parameters_of(m: &dyn Module, trainable_only: bool) -> usize {
        parameters_of(m)
            .iter()
            .filter(|p| !trainable_only || p.requires_grad())
            .map(|p| p.numel())
            .sum()
    }

    pub(crate) fn children_of(children: Vec<(String, &dyn Module)>) -> Vec<&dyn Module> {
        children.into_iter().map(|(_, c)| c).collect()
    }

    pub(crate) fn zero_grad_of(m: &dyn Module) {
        for p in parameters_of(m) {
            p.set_grad(None);
        }
    }

    pub(crate) fn set_training_of(m: &dyn Module, mode: bool) {
        m.set_own_training(mode);
        for (_, child) in m.named_children() {
            child.set_training(mode);
        }
    }

    pub(crate) fn param_of(m: &dyn Module, name: &str) -> Tensor {
        match m.own_parameters().into_iter().find(|(n, _)| n == name) {
            Some((_, p)) => p,
            None => panic!("'{}' object has no attribute '{name}'", m.class_name()),
        }
    }

    pub(crate) fn get_parameter_of(m: &dyn Module, target: &str) -> Option<Tensor> {
        named_parameters_of(m)
            .into_iter()
            .find(|(n, _)| n == target)
            .map(|(_, p)| p)
    }

    pub(crate) fn state_dict_of(m: &dyn Module) -> crate::nn::StateDict {
        crate::nn::state_dict::state_dict_of(every_entry(m))
    }

    pub(crate) fn load_state_dict_of(m: &dyn Module, state_dict: &crate::nn::StateDict) {
        if let Err(e) = try_load_state_dict_of(m, state_dict, true) {
            panic!("{e}");
        }
    }

    pub(crate) fn try_load_state_dict_of(
        m: &dyn Module,
        state_dict: &crate::nn::StateDict,
        strict: bool,
    ) -> crate::Result<crate::nn::IncompatibleKeys> {
        // Every tensor or none (see `notebook::interrupt`).
        let _whole = crate::notebook::Uninterruptible::new();
        crate::nn::state_dict::load_into(&m.class_name(), every_entry(m), state_dict, strict)
    }
}

/// Every parameter under its dotted name, depth first, own parameters first,
/// shared ones under each of their names (what `state_dict()` lists).
fn every_parameter(
    own: Vec<(String, Tensor)>,
    children: Vec<(String, &dyn Module)>,
) -> Vec<(String, Tensor)> {
    let mut out = own;
    for (name, child) in children {
        out.extend(
            every_parameter(child.own_parameters(), child.named_children())
                .into_iter()
                .map(|(n, p)| (format!("{name}.{n}"), p)),
        );
    }
    out
}

/// What `state_dict()` holds, in torch's order: a module's own parameters,
/// its own buffers, then each child's entries under its name (shared ones
/// under each of their names).
fn every_entry(m: &dyn Module) -> Vec<(String, Tensor)> {
    let mut out = m.own_parameters();
    out.extend(m.own_buffers());
    for (name, child) in m.named_children() {
        out.extend(
            every_entry(child)
                .into_iter()
                .map(|(n, t)| (format!("{name}.{n}"), t)),
        );
    }
    out
}

/// `model.named_modules()` of any module, depth first.
fn collect_modules(root: &dyn Module) -> Vec<(String, &dyn Module)> {
    let mut out = vec![(String::new(), root)];
    for (name, child) in root.named_children() {
        for (sub, m) in collect_modules(child) {
            let full = if sub.is_empty() {
                name.clone()
            } else {
                format!("{name}.{sub}")
            };
            out.push((full, m));
        }
    }
    out
}

/// `model.apply(f)`: children first, then the module.
fn apply_to(module: &dyn Module, f: &dyn Fn(&dyn Module)) {
    for (_, child) in module.named_children() {
        apply_to(child, f);
    }
    f(module);
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

/// torch's `Module.__repr__` (printing.md §9).
pub(crate) fn module_repr(m: &dyn Module) -> String {
    let mut lines: Vec<String> = Vec::new();
    let extra = m.extra_repr();
    if !extra.is_empty() {
        lines.extend(extra.split('\n').map(str::to_string));
    }
    let children = m.named_children();
    let child_count = children.len();
    for (name, child) in children {
        lines.push(format!("({name}): {}", add_indent(&child.repr())));
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

/// torch's `_addindent(s, 2)`: every line after the first gets two more
/// spaces, except blank lines, which stay empty.
pub(crate) fn add_indent(text: &str) -> String {
    let mut lines = text.split('\n');
    let mut out = lines.next().unwrap_or_default().to_string();
    for line in lines {
        out.push('\n');
        if !line.trim().is_empty() {
            out.push_str("  ");
            out.push_str(line);
        }
    }
    out
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
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a module, a parameter or a plain setting, so `#[derive(Module)]` cannot register it",
    note = "a list of layers is a `ModuleList` (in torch too: a Python list hides its layers from `parameters()`), a dict of layers a `ModuleDict`",
    note = "mark a field that holds no parameters `#[module(skip)]`"
)]
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

impl ModuleField for std::sync::Arc<dyn Module> {
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

#[cfg(test)]
mod tests {
    /// Every provided method of `Module` that a vtable holds (all but
    /// `forward` and those `where Self: Sized`) is written out by
    /// `compiled_module_methods!`: one left out is compiled again in every
    /// notebook cell that boxes a layer (`buffers` was, with its iterator
    /// chain: ~40 more functions per cell, measured with
    /// `bench/cell_items.py`).
    #[test]
    fn every_vtable_method_is_compiled_in_nn_core() {
        let source = include_str!("module.rs");
        let start = source.find("pub trait Module:").unwrap();
        let body = &source[start..];
        let body = &body[..body.find("\n}\n").unwrap()];
        let macro_start = source.find("macro_rules! compiled_module_methods").unwrap();
        let macro_text = &source[macro_start..];
        let macro_text = &macro_text[..macro_text.find("\n}\n").unwrap()];
        let mut checked = 0;
        for (at, _) in body.match_indices("\n    fn ") {
            let signature = &body[at + 8..];
            let name = &signature[..signature.find(['(', '<']).unwrap()];
            let head = &signature[..signature.find('{').unwrap_or(signature.len())];
            if name == "forward" || head.contains("Self: Sized") {
                continue;
            }
            assert!(
                macro_text.contains(&format!("fn {name}(")),
                "Module::{name} is not in compiled_module_methods!"
            );
            checked += 1;
        }
        assert!(checked >= 15, "found only {checked} provided methods");
    }
}
