//! `ModuleList`: a list of modules whose length is a parameter of the model.

use super::module::{Module, ModuleInfo, TrainingFlag};
use super::sequential::{PyIndex, position, slice_positions};
use crate::tensor::{Tensor, TensorIndex};
use std::ops::Index;
use std::sync::Arc;

/// A list of modules, as `nn.ModuleList([...])`: its modules are registered
/// (`parameters()`, `state_dict()` keys `layers.0.weight`, `train()`/`eval()`
/// reach them), but it has no `forward` of its own — your model's `forward`
/// loops over it.
///
/// It prints as torch prints it, with runs of identical modules compressed:
///
/// ```
/// use nn_core::prelude::*;
///
/// #[derive(Module)]
/// struct MLP {
///     layers: ModuleList,
///     act: ReLU,
/// }
///
/// impl MLP {
///     fn new(sizes: &[usize]) -> MLP {
///         let layers = sizes.windows(2).map(|w| Linear::new(w[0], w[1])).collect();
///         MLP { layers, act: ReLU::new() }
///     }
/// }
///
/// impl Module for MLP {
///     fn forward(&self, x: &Tensor) -> Tensor {
///         let mut x = x.clone();
///         for (i, layer) in self.layers.iter().enumerate() {
///             x = layer.forward(&x);
///             if i + 1 < self.layers.len() {
///                 x = self.act.forward(&x);
///             }
///         }
///         x
///     }
/// }
///
/// let model = MLP::new(&[2, 2, 2, 2, 1]);
/// assert_eq!(
///     model.to_string(),
///     "MLP(\n  (layers): ModuleList(\n    (0-2): 3 x Linear(in_features=2, out_features=2, bias=True)\n    (3): Linear(in_features=2, out_features=1, bias=True)\n  )\n  (act): ReLU()\n)"
/// );
/// assert_eq!(model.state_dict().keys()[..2], ["layers.0.weight", "layers.0.bias"]);
/// assert_eq!(model.forward(&Tensor::ones([5, 2])).shape(), [5, 1]);
/// ```
#[derive(Default)]
pub struct ModuleList {
    modules: Vec<Arc<dyn Module>>,
    training: TrainingFlag,
}

/// Builds a [`ModuleList`] from modules of any types, as
/// `nn.ModuleList([a, b, …])`.
///
/// ```
/// use nn_core::prelude::*;
/// let layers = module_list![Linear::new(2, 4), ReLU::new(), Linear::new(4, 1)];
/// assert_eq!(layers.len(), 3);
/// ```
#[macro_export]
macro_rules! module_list {
    ($($module:expr),* $(,)?) => {
        $crate::nn::ModuleList::new()$(.add($module))*
    };
}

impl ModuleList {
    /// An empty list, as `nn.ModuleList()`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(ModuleList::new().to_string(), "ModuleList()");
    /// ```
    pub fn new() -> ModuleList {
        ModuleList::default()
    }

    /// Appends a module, as a builder step.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let layers = ModuleList::new().add(Linear::new(2, 2)).add(Tanh::new());
    /// assert_eq!(layers.len(), 2);
    /// ```
    #[allow(clippy::should_implement_trait)] // a builder step, as Sequential::add
    pub fn add(mut self, module: impl Module) -> ModuleList {
        self.push_shared(Arc::new(module));
        self
    }

    /// Appends a module in place, as `layers.append(module)`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let mut layers = ModuleList::new();
    /// for _ in 0..3 {
    ///     layers.append(Linear::new(4, 4));
    /// }
    /// assert_eq!(layers.to_string(), "ModuleList(\n  (0-2): 3 x Linear(in_features=4, out_features=4, bias=True)\n)");
    /// ```
    pub fn append(&mut self, module: impl Module) -> &mut ModuleList {
        self.push_shared(Arc::new(module));
        self
    }

    /// Appends an already boxed module.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let mut layers = ModuleList::new();
    /// layers.push_boxed(Box::new(Sigmoid::new()));
    /// assert_eq!(layers[0].to_string(), "Sigmoid()");
    /// ```
    pub fn push_boxed(&mut self, module: Box<dyn Module>) {
        self.push_shared(Arc::from(module));
    }

    /// Appends a module that may also live elsewhere: both share its
    /// parameters (torch's weight sharing).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let a = module_list![Linear::new(2, 2)];
    /// let mut b = ModuleList::new();
    /// b.push_shared(a[0].clone());
    /// assert!(b[0].weight().is_same(&a[0].weight()));
    /// ```
    pub fn push_shared(&mut self, module: Arc<dyn Module>) {
        self.modules.push(module);
    }

    /// Inserts a module before position `index` (negative counts from the
    /// end), as `layers.insert(index, module)`.
    ///
    /// # Panics
    /// Outside `-len..=len`: `Index out of range: 7`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let mut layers = module_list![Linear::new(2, 2), Linear::new(2, 2)];
    /// layers.insert(1, Tanh::new());
    /// assert_eq!(layers[1].to_string(), "Tanh()");
    /// ```
    pub fn insert(&mut self, index: i64, module: impl Module) -> &mut ModuleList {
        let n = self.modules.len() as i64;
        if !(-n..=n).contains(&index) {
            panic!("Index out of range: {index}");
        }
        let at = if index < 0 { index + n } else { index } as usize;
        self.modules.insert(at, Arc::new(module));
        self
    }

    /// Appends every module of `other`, as `layers.extend(other)`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let mut layers = module_list![Linear::new(2, 2)];
    /// layers.extend((0..2).map(|_| Linear::new(2, 2)).collect());
    /// assert_eq!(layers.len(), 3);
    /// ```
    pub fn extend(&mut self, other: ModuleList) -> &mut ModuleList {
        self.modules.extend(other.modules);
        self
    }

    /// Removes and returns the module at `index` (negative counts from the
    /// end), as `layers.pop(index)`.
    ///
    /// # Panics
    /// If the index is out of range: `index 5 is out of range`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let mut layers = module_list![Linear::new(2, 2), ReLU::new()];
    /// assert_eq!(layers.pop(-1).to_string(), "ReLU()");
    /// assert_eq!(layers.len(), 1);
    /// ```
    pub fn pop(&mut self, index: i64) -> Arc<dyn Module> {
        match position(index, self.modules.len()) {
            Some(i) => self.modules.remove(i),
            None => panic!("index {index} is out of range"),
        }
    }

    /// A `ModuleList` of some of the modules, as `layers[1:]`: a range or a
    /// [`Slice`](crate::tensor::Slice). The modules are numbered from 0 again
    /// (as torch does) and shared with `self`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let layers = module_list![Linear::new(1, 2), ReLU::new(), Linear::new(2, 1)];
    /// let hidden = layers.slice(..-1);
    /// assert_eq!(hidden.len(), 2);
    /// assert_eq!(layers.slice(Slice::new(None, None, 2)).state_dict().keys(), ["0.weight", "0.bias", "1.weight", "1.bias"]);
    /// ```
    #[track_caller]
    pub fn slice(&self, index: impl Into<TensorIndex>) -> ModuleList {
        self.slice_at(index.into())
    }

    #[track_caller]
    fn slice_at(&self, index: TensorIndex) -> ModuleList {
        let modules = slice_positions(index, self.modules.len())
            .into_iter()
            .map(|i| self.modules[i].clone())
            .collect();
        ModuleList {
            modules,
            // A new container, as torch's `self.__class__(...)`: in
            // training mode whatever the modules' modes are.
            training: TrainingFlag::default(),
        }
    }

    /// The number of modules, as `len(layers)`.
    ///
    /// ```
    /// assert_eq!(nn_core::nn::ModuleList::new().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.modules.len()
    }

    /// Whether there are no modules.
    ///
    /// ```
    /// assert!(nn_core::nn::ModuleList::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.modules.is_empty()
    }

    /// The modules in order, as `for layer in self.layers`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let layers = module_list![Linear::new(2, 3), Linear::new(3, 1)];
    /// let mut x = Tensor::ones([4, 2]);
    /// for layer in layers.iter() {
    ///     x = layer.forward(&x);
    /// }
    /// assert_eq!(x.shape(), [4, 1]);
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = &dyn Module> {
        self.modules.iter().map(|m| m.as_ref())
    }

    /// The module at `index` as its concrete type.
    ///
    /// # Panics
    /// If the index is out of range or the module is another type.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let layers = module_list![Linear::new(2, 3)];
    /// let lin: &Linear = layers.get(0);
    /// assert_eq!(lin.out_features, 3);
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

    #[track_caller]
    fn at(&self, index: i64) -> &Arc<dyn Module> {
        match position(index, self.modules.len()) {
            Some(i) => &self.modules[i],
            None => panic!("index {index} is out of range"),
        }
    }
}

impl<M: Module> FromIterator<M> for ModuleList {
    /// `nn.ModuleList(nn.Linear(a, b) for a, b in …)`.
    fn from_iter<I: IntoIterator<Item = M>>(iter: I) -> ModuleList {
        let mut list = ModuleList::new();
        for m in iter {
            list.push_shared(Arc::new(m));
        }
        list
    }
}

/// `layers[i]`; `layers[-1]` is the last.
///
/// ```
/// use nn_core::prelude::*;
/// let layers = module_list![Linear::new(2, 3), ReLU::new()];
/// assert_eq!(layers[-1].to_string(), "ReLU()");
/// assert_eq!(layers[0].weight().shape(), [3, 2]);
/// ```
impl<I: PyIndex> Index<I> for ModuleList {
    type Output = Arc<dyn Module>;

    #[track_caller]
    fn index(&self, index: I) -> &Arc<dyn Module> {
        self.at(index.py_index())
    }
}

impl<'a> IntoIterator for &'a ModuleList {
    type Item = &'a dyn Module;
    type IntoIter = Box<dyn Iterator<Item = &'a dyn Module> + 'a>;

    /// `for layer in &self.layers`.
    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

impl ModuleInfo for ModuleList {
    fn class_name(&self) -> String {
        "ModuleList".into()
    }
    fn named_children(&self) -> Vec<(String, &dyn Module)> {
        self.modules
            .iter()
            .enumerate()
            .map(|(i, m)| (i.to_string(), m.as_ref()))
            .collect()
    }
    super::module::builtin_layer_state!();
}

impl Module for ModuleList {
    /// A `ModuleList` is not callable, as in torch: loop over it instead.
    ///
    /// # Panics
    /// Always: `Module [ModuleList] is missing the required "forward" function`.
    fn forward(&self, _input: &Tensor) -> Tensor {
        panic!("Module [ModuleList] is missing the required \"forward\" function")
    }

    /// torch's `ModuleList.__repr__`: runs of modules that print alike are
    /// one line, `(0-2): 3 x Linear(…)`.
    fn repr(&self) -> String {
        if self.modules.is_empty() {
            return "ModuleList()".into();
        }
        let reprs: Vec<String> = self.modules.iter().map(|m| m.repr()).collect();
        let mut lines = Vec::new();
        let mut start = 0;
        while start < reprs.len() {
            let mut end = start;
            while end + 1 < reprs.len() && reprs[end + 1] == reprs[start] {
                end += 1;
            }
            let line = if start == end {
                format!("({start}): {}", reprs[start])
            } else {
                format!("({start}-{end}): {} x {}", end - start + 1, reprs[start])
            };
            // container.py's own `_addindent`, which indents blank lines too.
            lines.push(line.replace('\n', "\n  "));
            start = end + 1;
        }
        format!("ModuleList(\n  {}\n)", lines.join("\n  "))
    }
    super::module::compiled_module_methods!(custom_repr);
}

crate::impl_module_display!(ModuleList);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::{Linear, ReLU};

    #[test]
    fn shared_modules_share_parameters_and_mode() {
        let layers = crate::module_list![Linear::new(2, 2), ReLU::new()];
        let tail = layers.slice(1..);
        layers.eval();
        assert!(!tail[0].training());
        assert!(layers.slice(..1)[0].weight().is_same(&layers[0].weight()));
    }

    #[test]
    fn summary_lists_every_layer() {
        let layers = crate::module_list![Linear::new(2, 3), Linear::new(3, 1)];
        let bundle = crate::display::module_bundle(&layers);
        let html = bundle.get("text/html").expect("an HTML summary");
        assert!(html.contains("ModuleList"));
        assert_eq!(html.matches("Linear").count(), 2);
    }
}
