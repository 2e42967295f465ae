//! `Sequential`: layers applied one after another.

use super::module::{Module, ModuleInfo, TrainingFlag};
use crate::tensor::{Tensor, TensorIndex};
use std::ops::Index;
use std::sync::Arc;

/// Modules applied in order, as `nn.Sequential(...)`. Build it with the
/// [`sequential!`](crate::sequential!) macro or [`add`](Self::add); index it
/// like torch: `net[0].weight()`, `net[-1]`, `net.slice(1..3)` for `net[1:3]`.
///
/// The modules are shared, as Python objects are: a slice, or a module
/// taken out with [`pop`](Self::pop), holds the same parameters.
///
/// ```
/// use nn_core::prelude::*;
/// manual_seed(0);
/// let net = sequential![Linear::new(2, 3), ReLU::new()];
/// assert_eq!(
///     net.to_string(),
///     "Sequential(\n  (0): Linear(in_features=2, out_features=3, bias=True)\n  (1): ReLU()\n)"
/// );
/// assert_eq!(net[1].to_string(), "ReLU()");
/// println!("{}", net[1]);
/// assert_eq!(net[0].bias().to_string(), "Parameter containing:\ntensor([-0.0140,  0.5607, -0.0628], requires_grad=True)");
/// ```
#[derive(Default)]
pub struct Sequential {
    layers: Vec<(String, Arc<dyn Module>)>,
    training: TrainingFlag,
}

/// Builds a [`Sequential`] from modules, as `nn.Sequential(a, b, …)`.
///
/// ```
/// use nn_core::prelude::*;
/// let net = sequential![Linear::new(1, 10), ReLU::new(), Linear::new(10, 1)];
/// assert_eq!(net.len(), 3);
/// ```
#[macro_export]
macro_rules! sequential {
    ($($layer:expr),* $(,)?) => {
        $crate::nn::Sequential::new()$(.add($layer))*
    };
}

/// A Python index (negative counts from the end) as a position in `0..len`.
pub(crate) fn position(index: i64, len: usize) -> Option<usize> {
    let n = len as i64;
    let i = if index < 0 { index + n } else { index };
    (0..n).contains(&i).then_some(i as usize)
}

/// The positions a Python slice picks from `len` items: ranges and
/// [`Slice`](crate::tensor::Slice)s, as in [`Tensor::i`].
#[track_caller]
pub(crate) fn slice_positions(index: TensorIndex, len: usize) -> Vec<usize> {
    let slice = match index {
        TensorIndex::Slice(s) => s,
        _ => panic!(
            "a slice takes a range (`1..3`, `..2`, `-2..`) or a `Slice`; use `[i]` for one module"
        ),
    };
    if slice.step <= 0 {
        panic!("slice step must be positive");
    }
    let n = len as i64;
    let clamp = |v: i64| if v < 0 { (v + n).max(0) } else { v.min(n) };
    let start = slice.start.map_or(0, clamp);
    let stop = slice.stop.map_or(n, clamp);
    (start..stop)
        .step_by(slice.step as usize)
        .map(|i| i as usize)
        .collect()
}

impl Sequential {
    /// An empty container, as `nn.Sequential()`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(Sequential::new().to_string(), "Sequential()");
    /// ```
    pub fn new() -> Sequential {
        Sequential::default()
    }

    /// Appends a module named by its position (`0`, `1`, …), as a builder
    /// step.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let net = Sequential::new().add(Linear::new(2, 2)).add(Tanh::new());
    /// assert_eq!(net.len(), 2);
    /// ```
    #[allow(clippy::should_implement_trait)] // a builder step, named as in candle-nn
    pub fn add(mut self, module: impl Module) -> Sequential {
        self.push(module);
        self
    }

    /// Appends a module with a name, as an `OrderedDict` entry in torch.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let net = Sequential::new().add_named("fc1", Linear::new(2, 4)).add_named("act", ReLU::new());
    /// assert_eq!(net.named_parameters()[0].0, "fc1.weight");
    /// ```
    pub fn add_named(mut self, name: &str, module: impl Module) -> Sequential {
        self.layers.push((name.to_string(), Arc::new(module)));
        self
    }

    /// Appends a module in place, as `net.append(module)`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let mut net = sequential![Linear::new(2, 4)];
    /// net.append(ReLU::new()).append(Linear::new(4, 1));
    /// assert_eq!(net.state_dict().keys(), ["0.weight", "0.bias", "2.weight", "2.bias"]);
    /// ```
    pub fn append(&mut self, module: impl Module) -> &mut Sequential {
        self.push_shared(Arc::new(module));
        self
    }

    /// Appends a module in place (the same as [`append`](Self::append)).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let mut net = Sequential::new();
    /// net.push(ReLU::new());
    /// assert_eq!(net.len(), 1);
    /// ```
    pub fn push(&mut self, module: impl Module) {
        self.push_shared(Arc::new(module));
    }

    /// Appends an already boxed module.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let mut net = Sequential::new();
    /// net.push_boxed(Box::new(Sigmoid::new()));
    /// assert_eq!(net[0].to_string(), "Sigmoid()");
    /// ```
    pub fn push_boxed(&mut self, module: Box<dyn Module>) {
        self.push_shared(Arc::from(module));
    }

    /// Appends a module that may also live elsewhere (`net[0]` of another
    /// container, a [`pop`](Self::pop)ped module): both share its parameters.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let a = sequential![Linear::new(2, 2)];
    /// let mut b = Sequential::new();
    /// b.push_shared(a[0].clone());
    /// assert!(b[0].weight().is_same(&a[0].weight()));
    /// ```
    pub fn push_shared(&mut self, module: Arc<dyn Module>) {
        let name = self.layers.len().to_string();
        self.layers.push((name, module));
    }

    /// Inserts a module before position `index` (negative counts from the
    /// end), as `net.insert(index, module)`; the modules are numbered again.
    ///
    /// # Panics
    /// Outside `-len..=len`, with torch's message: `Index out of range: 3`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let mut net = sequential![Linear::new(2, 4), Linear::new(4, 1)];
    /// net.insert(1, ReLU::new());
    /// assert_eq!(net[1].to_string(), "ReLU()");
    /// assert_eq!(net.state_dict().keys(), ["0.weight", "0.bias", "2.weight", "2.bias"]);
    /// ```
    pub fn insert(&mut self, index: i64, module: impl Module) -> &mut Sequential {
        let n = self.layers.len() as i64;
        if !(-n..=n).contains(&index) {
            panic!("Index out of range: {index}");
        }
        let at = if index < 0 { index + n } else { index } as usize;
        self.layers.insert(at, (String::new(), Arc::new(module)));
        self.renumber();
        self
    }

    /// Appends every module of `other`, as `net.extend(other)`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let mut net = sequential![Linear::new(2, 4)];
    /// net.extend(sequential![ReLU::new(), Linear::new(4, 1)]);
    /// assert_eq!(net.len(), 3);
    /// ```
    pub fn extend(&mut self, other: Sequential) -> &mut Sequential {
        for (_, m) in other.layers {
            self.push_shared(m);
        }
        self
    }

    /// Removes and returns the module at `index` (negative counts from the
    /// end), as `net.pop(index)`; the rest are numbered again.
    ///
    /// # Panics
    /// If the index is out of range: `index 5 is out of range`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let mut net = sequential![Linear::new(2, 4), ReLU::new(), Linear::new(4, 1)];
    /// let relu = net.pop(1);
    /// assert_eq!(relu.to_string(), "ReLU()");
    /// assert_eq!(net.state_dict().keys(), ["0.weight", "0.bias", "1.weight", "1.bias"]);
    /// ```
    pub fn pop(&mut self, index: i64) -> Arc<dyn Module> {
        let Some(at) = position(index, self.layers.len()) else {
            panic!("index {index} is out of range");
        };
        let (_, m) = self.layers.remove(at);
        self.renumber();
        m
    }

    /// A `Sequential` of some of the modules, as `net[1:3]`: a range
    /// (`1..3`, `..2`, `-2..`) or a [`Slice`](crate::tensor::Slice) with a
    /// step. The modules keep their names (`net[1:3]` prints `(1)` and
    /// `(2)`, as in torch) and are shared with `self`.
    ///
    /// # Panics
    /// If given one integer (use `net[i]`), or a step that is not positive.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let net = sequential![Linear::new(2, 4), ReLU::new(), Linear::new(4, 1), Sigmoid::new()];
    /// let body = net.slice(..2);
    /// assert_eq!(body.len(), 2);
    /// let tail = net.slice(-2..);
    /// assert_eq!(tail.state_dict().keys(), ["2.weight", "2.bias"]);
    /// assert!(tail[0].weight().is_same(&net[2].weight()));
    /// ```
    #[track_caller]
    pub fn slice(&self, index: impl Into<TensorIndex>) -> Sequential {
        self.slice_at(index.into())
    }

    #[track_caller]
    fn slice_at(&self, index: TensorIndex) -> Sequential {
        let layers = slice_positions(index, self.layers.len())
            .into_iter()
            .map(|i| self.layers[i].clone())
            .collect();
        Sequential {
            layers,
            // A new container, as torch's `self.__class__(...)`: in
            // training mode whatever the modules' modes are.
            training: TrainingFlag::default(),
        }
    }

    /// Names the modules by their positions again, as torch does after
    /// `del net[i]` and `insert`.
    fn renumber(&mut self) {
        for (i, (name, _)) in self.layers.iter_mut().enumerate() {
            *name = i.to_string();
        }
    }

    /// The number of modules, as `len(net)`.
    ///
    /// ```
    /// assert_eq!(nn_core::nn::Sequential::new().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.layers.len()
    }

    /// Whether there are no modules.
    ///
    /// ```
    /// assert!(nn_core::nn::Sequential::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.layers.is_empty()
    }

    /// The module at `index` as its concrete type.
    ///
    /// # Panics
    /// If the index is out of range or the module is another type.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let net = sequential![Linear::new(2, 3), ReLU::new()];
    /// let lin: &Linear = net.get(0);
    /// assert_eq!(lin.in_features, 2);
    /// ```
    #[track_caller]
    pub fn get<T: Module>(&self, index: usize) -> &T {
        let m = &self[index];
        match m.downcast_ref::<T>() {
            Some(t) => t,
            None => panic!(
                "module {index} is a {}, not a {}",
                m.class_name(),
                std::any::type_name::<T>()
            ),
        }
    }

    /// The modules in order, as `for m in net`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let net = sequential![Linear::new(2, 3), ReLU::new()];
    /// let names: Vec<String> = net.iter().map(|m| m.class_name()).collect();
    /// assert_eq!(names, vec!["Linear", "ReLU"]);
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = &dyn Module> {
        self.layers.iter().map(|(_, m)| m.as_ref())
    }

    /// The module at a Python index (negative counts from the end).
    #[track_caller]
    fn at(&self, index: i64) -> &Arc<dyn Module> {
        match position(index, self.layers.len()) {
            Some(i) => &self.layers[i].1,
            None => panic!("index {index} is out of range"),
        }
    }
}

/// An integer that indexes a container as Python does: `net[0]`, `net[-1]`
/// (counting from the end), `net[i]` for a `usize` `i`.
///
/// One generic `Index` impl over this trait (rather than one impl per
/// integer type) keeps `net[0].weight()` compiling: the output type is known
/// before the literal's type is.
///
/// ```
/// use nn_core::nn::PyIndex;
/// assert_eq!((-1).py_index(), -1);
/// assert_eq!(3usize.py_index(), 3);
/// ```
pub trait PyIndex {
    /// The index as an `i64` (negative counts from the end).
    fn py_index(self) -> i64;
}

macro_rules! py_index {
    ($($t:ty),*) => {$(
        impl PyIndex for $t {
            fn py_index(self) -> i64 {
                self as i64
            }
        }
    )*};
}
py_index!(usize, isize, i32, i64, u32);

/// `net[i]` is the i-th module; `net[-1]` the last. It is an
/// `Arc<dyn Module>` rather than a `dyn Module` so that it can be printed
/// directly (`println!("{}", net[1])`: formatting arguments must have a known
/// size) and shared.
///
/// ```
/// use nn_core::prelude::*;
/// let net = sequential![Linear::new(2, 3), ReLU::new()];
/// assert_eq!(net[-1].to_string(), "ReLU()");
/// assert_eq!(net[0].weight().shape(), [3, 2]);
/// let i: usize = 0;
/// assert_eq!(net[i].class_name(), "Linear");
/// ```
impl<I: PyIndex> Index<I> for Sequential {
    type Output = Arc<dyn Module>;

    #[track_caller]
    fn index(&self, index: I) -> &Arc<dyn Module> {
        self.at(index.py_index())
    }
}

impl<'a> IntoIterator for &'a Sequential {
    type Item = &'a dyn Module;
    type IntoIter = Box<dyn Iterator<Item = &'a dyn Module> + 'a>;

    /// `for layer in &net`.
    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

impl ModuleInfo for Sequential {
    fn class_name(&self) -> String {
        "Sequential".into()
    }
    fn named_children(&self) -> Vec<(String, &dyn Module)> {
        self.layers
            .iter()
            .map(|(n, m)| (n.clone(), m.as_ref()))
            .collect()
    }
    super::module::builtin_layer_state!();
}

impl Module for Sequential {
    /// Each module's output is the next one's input.
    fn forward(&self, input: &Tensor) -> Tensor {
        let mut x = input.clone();
        for (_, m) in &self.layers {
            x = m.forward(&x);
        }
        x
    }
    super::module::compiled_module_methods!();
}

crate::impl_module_display!(Sequential);
