//! `Sequential`: layers applied one after another.

use super::module::{Module, ModuleInfo, TrainingFlag};
use crate::tensor::Tensor;
use std::ops::Index;

/// Modules applied in order, as `nn.Sequential(...)`. Build it with the
/// [`sequential!`](crate::sequential!) macro or [`add`](Self::add); index it
/// like torch: `net[0].weight()`.
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
    layers: Vec<(String, Box<dyn Module>)>,
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

    /// Appends a module named by its position (`0`, `1`, …).
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
        self.layers.push((name.to_string(), Box::new(module)));
        self
    }

    /// Appends a module in place, as `net.append(module)`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let mut net = Sequential::new();
    /// net.push(ReLU::new());
    /// assert_eq!(net.len(), 1);
    /// ```
    pub fn push(&mut self, module: impl Module) {
        let name = self.layers.len().to_string();
        self.layers.push((name, Box::new(module)));
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
        let name = self.layers.len().to_string();
        self.layers.push((name, module));
    }

    /// The number of modules.
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

    /// The modules in order.
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
}

/// `net[i]` is the i-th module. It is a `Box<dyn Module>` rather than a
/// `dyn Module` so that it can be printed directly (`println!("{}", net[1])`:
/// formatting arguments must have a known size).
impl Index<usize> for Sequential {
    type Output = Box<dyn Module>;

    #[track_caller]
    fn index(&self, index: usize) -> &Box<dyn Module> {
        match self.layers.get(index) {
            Some((_, m)) => m,
            None => panic!("index {index} is out of range"),
        }
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
}

crate::impl_module_display!(Sequential);
