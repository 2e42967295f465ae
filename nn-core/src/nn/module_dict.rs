//! `ModuleDict`: modules by name, in insertion order.

use super::module::{Module, ModuleInfo, TrainingFlag};
use crate::tensor::Tensor;
use std::ops::Index;
use std::sync::Arc;

/// Modules by name, in insertion order, as `nn.ModuleDict({...})`: its
/// modules are registered (`parameters()`, `state_dict()` keys
/// `heads.cls.weight`, `train()`/`eval()` reach them), but it has no
/// `forward` of its own — pick a module by name: `self.heads["cls"]`.
///
/// ```
/// use nn_core::prelude::*;
///
/// #[derive(Module)]
/// struct Net {
///     body: Linear,
///     heads: ModuleDict,
/// }
///
/// impl Module for Net {
///     fn forward(&self, x: &Tensor) -> Tensor {
///         self.heads["cls"].forward(&self.body.forward(x).relu())
///     }
/// }
///
/// let net = Net {
///     body: Linear::new(3, 4),
///     heads: module_dict! { "cls" => Linear::new(4, 2), "reg" => Linear::new(4, 1) },
/// };
/// assert_eq!(
///     net.to_string(),
///     "Net(\n  (body): Linear(in_features=3, out_features=4, bias=True)\n  (heads): ModuleDict(\n    (cls): Linear(in_features=4, out_features=2, bias=True)\n    (reg): Linear(in_features=4, out_features=1, bias=True)\n  )\n)"
/// );
/// assert_eq!(net.state_dict().keys()[2..4], ["heads.cls.weight", "heads.cls.bias"]);
/// assert_eq!(net.forward(&Tensor::ones([5, 3])).shape(), [5, 2]);
/// ```
#[derive(Default)]
pub struct ModuleDict {
    entries: Vec<(String, Arc<dyn Module>)>,
    training: TrainingFlag,
}

/// Builds a [`ModuleDict`], as `nn.ModuleDict({"name": module, …})`.
///
/// ```
/// use nn_core::prelude::*;
/// let acts = module_dict! { "relu" => ReLU::new(), "tanh" => Tanh::new() };
/// assert_eq!(acts.keys(), ["relu", "tanh"]);
/// ```
#[macro_export]
macro_rules! module_dict {
    ($($key:expr => $module:expr),* $(,)?) => {
        $crate::nn::ModuleDict::new()$(.add($key, $module))*
    };
}

impl ModuleDict {
    /// An empty dict, as `nn.ModuleDict()`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(ModuleDict::new().to_string(), "ModuleDict()");
    /// ```
    pub fn new() -> ModuleDict {
        ModuleDict::default()
    }

    /// Adds (or replaces) a module, as a builder step.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let d = ModuleDict::new().add("fc", Linear::new(2, 2)).add("act", ReLU::new());
    /// assert_eq!(d.len(), 2);
    /// ```
    #[allow(clippy::should_implement_trait)] // a builder step, as Sequential::add
    pub fn add(mut self, key: &str, module: impl Module) -> ModuleDict {
        self.insert(key, module);
        self
    }

    /// Sets `key` to `module`, as `d[key] = module`: a new key goes last, an
    /// existing one keeps its place.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let mut d = module_dict! { "a" => Linear::new(2, 2), "b" => ReLU::new() };
    /// d.insert("a", Tanh::new());
    /// d.insert("c", Sigmoid::new());
    /// assert_eq!(d.keys(), ["a", "b", "c"]);
    /// assert_eq!(d["a"].to_string(), "Tanh()");
    /// ```
    pub fn insert(&mut self, key: &str, module: impl Module) -> &mut ModuleDict {
        self.insert_shared(key, Arc::new(module));
        self
    }

    /// [`insert`](Self::insert) for a module that may also live elsewhere:
    /// both share its parameters.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let net = sequential![Linear::new(2, 2)];
    /// let mut d = ModuleDict::new();
    /// d.insert_shared("first", net[0].clone());
    /// assert!(d["first"].weight().is_same(&net[0].weight()));
    /// ```
    pub fn insert_shared(&mut self, key: &str, module: Arc<dyn Module>) {
        match self.entries.iter_mut().find(|(k, _)| k == key) {
            Some(entry) => entry.1 = module,
            None => self.entries.push((key.to_string(), module)),
        }
    }

    /// Removes and returns the module under `key`, as `d.pop(key)`.
    ///
    /// # Panics
    /// If there is none: `KeyError: 'key'`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let mut d = module_dict! { "a" => ReLU::new(), "b" => Tanh::new() };
    /// assert_eq!(d.pop("a").to_string(), "ReLU()");
    /// assert_eq!(d.keys(), ["b"]);
    /// ```
    pub fn pop(&mut self, key: &str) -> Arc<dyn Module> {
        match self.entries.iter().position(|(k, _)| k == key) {
            Some(i) => self.entries.remove(i).1,
            None => panic!("KeyError: '{key}'"),
        }
    }

    /// Removes every module, as `d.clear()`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let mut d = module_dict! { "a" => ReLU::new() };
    /// d.clear();
    /// assert!(d.is_empty());
    /// ```
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// Whether there is a module under `key`, as `key in d`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let d = module_dict! { "a" => ReLU::new() };
    /// assert!(d.contains("a") && !d.contains("b"));
    /// ```
    pub fn contains(&self, key: &str) -> bool {
        self.entries.iter().any(|(k, _)| k == key)
    }

    /// The keys in order, as `d.keys()`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let d = module_dict! { "x" => ReLU::new(), "y" => ReLU::new() };
    /// assert_eq!(d.keys(), ["x", "y"]);
    /// ```
    pub fn keys(&self) -> Vec<&str> {
        self.entries.iter().map(|(k, _)| k.as_str()).collect()
    }

    /// The modules in order, as `d.values()`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let d = module_dict! { "x" => Linear::new(1, 1), "y" => ReLU::new() };
    /// assert_eq!(d.values()[1].to_string(), "ReLU()");
    /// ```
    pub fn values(&self) -> Vec<&dyn Module> {
        self.entries.iter().map(|(_, m)| m.as_ref()).collect()
    }

    /// `(key, module)` pairs in order, as `d.items()`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let d = module_dict! { "x" => Linear::new(1, 1) };
    /// for (name, m) in d.items() {
    ///     assert_eq!((name, m.class_name().as_str()), ("x", "Linear"));
    /// }
    /// ```
    pub fn items(&self) -> Vec<(&str, &dyn Module)> {
        self.entries
            .iter()
            .map(|(k, m)| (k.as_str(), m.as_ref()))
            .collect()
    }

    /// The number of modules, as `len(d)`.
    ///
    /// ```
    /// assert_eq!(nn_core::nn::ModuleDict::new().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no modules.
    ///
    /// ```
    /// assert!(nn_core::nn::ModuleDict::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The module under `key` as its concrete type.
    ///
    /// # Panics
    /// If there is none, or it is another type.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let d = module_dict! { "fc" => Linear::new(2, 3) };
    /// let fc: &Linear = d.get("fc");
    /// assert_eq!(fc.out_features, 3);
    /// ```
    #[track_caller]
    pub fn get<T: Module>(&self, key: &str) -> &T {
        let m = &self[key];
        match m.downcast_ref::<T>() {
            Some(t) => t,
            None => panic!(
                "module '{key}' is a {}, not a {}",
                m.class_name(),
                std::any::type_name::<T>()
            ),
        }
    }
}

/// `d["name"]`, the module under a key.
///
/// # Panics
/// If there is none: `KeyError: 'name'`.
///
/// ```
/// use nn_core::prelude::*;
/// let d = module_dict! { "act" => ReLU::new() };
/// assert_eq!(d["act"].forward(&tensor![-1.0, 2.0]).to_vec::<f32>(), vec![0.0, 2.0]);
/// ```
impl Index<&str> for ModuleDict {
    type Output = Arc<dyn Module>;

    #[track_caller]
    fn index(&self, key: &str) -> &Arc<dyn Module> {
        match self.entries.iter().find(|(k, _)| k == key) {
            Some((_, m)) => m,
            None => panic!("KeyError: '{key}'"),
        }
    }
}

impl ModuleInfo for ModuleDict {
    fn class_name(&self) -> String {
        "ModuleDict".into()
    }
    fn named_children(&self) -> Vec<(String, &dyn Module)> {
        self.entries
            .iter()
            .map(|(k, m)| (k.clone(), m.as_ref()))
            .collect()
    }
    super::module::builtin_layer_state!();
}

impl Module for ModuleDict {
    /// A `ModuleDict` is not callable, as in torch: call one of its modules.
    ///
    /// # Panics
    /// Always: `Module [ModuleDict] is missing the required "forward" function`.
    fn forward(&self, _input: &Tensor) -> Tensor {
        panic!("Module [ModuleDict] is missing the required \"forward\" function")
    }
    super::module::compiled_module_methods!();
}

crate::impl_module_display!(ModuleDict);
