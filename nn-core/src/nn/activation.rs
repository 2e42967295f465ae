//! Activation layers: `ReLU`, `Sigmoid`, `Tanh`, `LeakyReLU`, `Softmax`.

use super::module::{Module, ModuleInfo, TrainingFlag};
use crate::tensor::Tensor;

/// Defines a parameterless activation layer.
macro_rules! activation {
    ($(#[$doc:meta])* $name:ident { $($field:ident : $ty:ty),* } extra = |$s:ident| $extra:expr, forward = |$m:ident, $x:ident| $body:expr) => {
        $(#[$doc])*
        #[derive(Clone, Debug)]
        pub struct $name {
            $(#[doc = concat!("The `", stringify!($field), "` setting.")] pub $field: $ty,)*
            training: TrainingFlag,
        }

        impl ModuleInfo for $name {
            fn class_name(&self) -> String {
                stringify!($name).into()
            }
            fn extra_repr(&self) -> String {
                let $s = self;
                $extra
            }
            super::module::builtin_layer_state!();
        }

        impl Module for $name {
            fn forward(&self, input: &Tensor) -> Tensor {
                let ($m, $x) = (self, input);
                $body
            }
            super::module::compiled_module_methods!();
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&Module::repr(self))
            }
        }
    };
}

activation! {
    /// `max(0, x)`, as `nn.ReLU()`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let relu = ReLU::new();
    /// assert_eq!(relu.to_string(), "ReLU()");
    /// assert_eq!(relu.forward(&tensor![-1.0, 2.0]).to_vec::<f32>(), vec![0.0, 2.0]);
    /// ```
    ReLU { inplace: bool }
    extra = |s| if s.inplace { "inplace=True".into() } else { String::new() },
    forward = |_m, x| x.relu()
}

impl ReLU {
    /// `nn.ReLU()`.
    ///
    /// ```
    /// assert_eq!(nn_core::nn::ReLU::new().to_string(), "ReLU()");
    /// ```
    pub fn new() -> ReLU {
        ReLU {
            inplace: false,
            training: TrainingFlag::default(),
        }
    }

    /// `nn.ReLU(inplace=True)`. The flag only changes how the layer prints:
    /// results are computed out of place either way.
    ///
    /// ```
    /// assert_eq!(nn_core::nn::ReLU::inplace().to_string(), "ReLU(inplace=True)");
    /// ```
    pub fn inplace() -> ReLU {
        ReLU {
            inplace: true,
            training: TrainingFlag::default(),
        }
    }
}

impl Default for ReLU {
    fn default() -> Self {
        ReLU::new()
    }
}

activation! {
    /// `1 / (1 + e^-x)`, as `nn.Sigmoid()`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(Sigmoid::new().forward(&tensor![0.0]).item(), 0.5);
    /// ```
    Sigmoid {}
    extra = |_s| String::new(),
    forward = |_m, x| x.sigmoid()
}

impl Sigmoid {
    /// `nn.Sigmoid()`.
    ///
    /// ```
    /// assert_eq!(nn_core::nn::Sigmoid::new().to_string(), "Sigmoid()");
    /// ```
    pub fn new() -> Sigmoid {
        Sigmoid {
            training: TrainingFlag::default(),
        }
    }
}

impl Default for Sigmoid {
    fn default() -> Self {
        Sigmoid::new()
    }
}

activation! {
    /// The hyperbolic tangent, as `nn.Tanh()`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(Tanh::new().forward(&tensor![0.0]).item(), 0.0);
    /// ```
    Tanh {}
    extra = |_s| String::new(),
    forward = |_m, x| x.tanh()
}

impl Tanh {
    /// `nn.Tanh()`.
    ///
    /// ```
    /// assert_eq!(nn_core::nn::Tanh::new().to_string(), "Tanh()");
    /// ```
    pub fn new() -> Tanh {
        Tanh {
            training: TrainingFlag::default(),
        }
    }
}

impl Default for Tanh {
    fn default() -> Self {
        Tanh::new()
    }
}

activation! {
    /// `x` for positive inputs, `negative_slope · x` otherwise, as `nn.LeakyReLU()`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let l = LeakyReLU::new();
    /// assert_eq!(l.to_string(), "LeakyReLU(negative_slope=0.01)");
    /// assert_eq!(l.forward(&tensor![-100.0]).item(), -1.0);
    /// ```
    LeakyReLU { negative_slope: f64 }
    extra = |s| format!("negative_slope={}", crate::print::python_float_repr(s.negative_slope)),
    forward = |m, x| x.leaky_relu(m.negative_slope)
}

impl LeakyReLU {
    /// `nn.LeakyReLU()` with torch's default slope 0.01.
    ///
    /// ```
    /// assert_eq!(nn_core::nn::LeakyReLU::new().negative_slope, 0.01);
    /// ```
    pub fn new() -> LeakyReLU {
        LeakyReLU::with_slope(0.01)
    }

    /// `nn.LeakyReLU(negative_slope)`.
    ///
    /// ```
    /// assert_eq!(nn_core::nn::LeakyReLU::with_slope(0.2).to_string(), "LeakyReLU(negative_slope=0.2)");
    /// ```
    pub fn with_slope(negative_slope: f64) -> LeakyReLU {
        LeakyReLU {
            negative_slope,
            training: TrainingFlag::default(),
        }
    }
}

impl Default for LeakyReLU {
    fn default() -> Self {
        LeakyReLU::new()
    }
}

activation! {
    /// `softmax` along `dim`, as `nn.Softmax(dim)`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let s = Softmax::new(1);
    /// assert_eq!(s.to_string(), "Softmax(dim=1)");
    /// assert_eq!(s.forward(&tensor![[0.0, 0.0]]).to_vec::<f32>(), vec![0.5, 0.5]);
    /// ```
    Softmax { dim: i64 }
    extra = |s| format!("dim={}", s.dim),
    forward = |m, x| x.softmax(m.dim)
}

impl Softmax {
    /// `nn.Softmax(dim)`.
    ///
    /// ```
    /// assert_eq!(nn_core::nn::Softmax::new(-1).dim, -1);
    /// ```
    pub fn new(dim: i64) -> Softmax {
        Softmax {
            dim,
            training: TrainingFlag::default(),
        }
    }
}
