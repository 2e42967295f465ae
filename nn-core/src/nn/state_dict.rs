//! `state_dict()` / `load_state_dict()`: a model's parameters by torch's key
//! names, and two files to keep them in — JSON, and `.safetensors` that
//! PyTorch reads with `safetensors.torch.load_file`.

use crate::dtype::DType;
use crate::error::{Result, TensorError};
use crate::tensor::Tensor;
use crate::tensor::storage::Storage;
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::Value;
use std::fmt;
use std::path::Path;

/// A model's parameters by name, in registration order, as the
/// `OrderedDict` torch's `model.state_dict()` returns (`0.weight`,
/// `0.bias`, `l1.weight`, …).
///
/// The tensors are detached snapshots: training the model afterwards does
/// not change them (torch's share memory with the parameters, so there one
/// writes `copy.deepcopy(model.state_dict())` to get this).
///
/// ```
/// use nn_core::prelude::*;
/// manual_seed(0);
/// let net = sequential![Linear::new(2, 3), ReLU::new(), Linear::new(3, 1)];
/// let sd = net.state_dict();
/// assert_eq!(sd.keys(), vec!["0.weight", "0.bias", "2.weight", "2.bias"]);
/// assert_eq!(sd["0.weight"].shape(), [3, 2]);
/// assert!(!sd["0.weight"].requires_grad());
///
/// // Another model with the same structure takes the values over.
/// let copy = sequential![Linear::new(2, 3), ReLU::new(), Linear::new(3, 1)];
/// copy.load_state_dict(&sd);
/// assert_eq!(copy[2].bias().to_vec::<f32>(), net[2].bias().to_vec::<f32>());
/// ```
#[derive(Clone, Default)]
pub struct StateDict {
    entries: Vec<(String, Tensor)>,
}

impl StateDict {
    /// An empty state dict.
    ///
    /// ```
    /// assert!(nn_core::nn::StateDict::new().is_empty());
    /// ```
    pub fn new() -> StateDict {
        StateDict::default()
    }

    /// Sets `key` to a detached copy of `value`: replaced in place if the
    /// key is there, appended otherwise, as `sd[key] = value`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let mut sd = StateDict::new();
    /// sd.insert("weight", tensor![1.0, 2.0]);
    /// sd.insert("bias", tensor![0.5]);
    /// sd.insert("weight", tensor![3.0]);
    /// assert_eq!(sd.keys(), vec!["weight", "bias"]);
    /// assert_eq!(sd["weight"].item(), 3.0);
    /// ```
    pub fn insert(&mut self, key: impl Into<String>, value: Tensor) {
        let (key, value) = (key.into(), value.detach());
        match self.entries.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.entries.push((key, value)),
        }
    }

    /// Removes `key` and returns its tensor, as `sd.pop(key, None)`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let mut sd = Linear::new(2, 1).state_dict();
    /// assert!(sd.remove("bias").is_some());
    /// assert_eq!(sd.keys(), vec!["weight"]);
    /// ```
    pub fn remove(&mut self, key: &str) -> Option<Tensor> {
        let i = self.entries.iter().position(|(k, _)| k == key)?;
        Some(self.entries.remove(i).1)
    }

    /// The tensor stored under `key`, as `sd.get(key)`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let sd = Linear::new(2, 1).state_dict();
    /// assert_eq!(sd.get("weight").unwrap().shape(), [1, 2]);
    /// assert!(sd.get("0.weight").is_none());
    /// ```
    pub fn get(&self, key: &str) -> Option<&Tensor> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, t)| t)
    }

    /// Whether `key` is present, as `key in sd`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert!(Linear::new(2, 1).state_dict().contains_key("bias"));
    /// ```
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// The keys in order, as `list(sd.keys())`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(Linear::with_bias(2, 1, false).state_dict().keys(), vec!["weight"]);
    /// ```
    pub fn keys(&self) -> Vec<&str> {
        self.entries.iter().map(|(k, _)| k.as_str()).collect()
    }

    /// `(key, tensor)` pairs in order, as `sd.items()`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let sd = Linear::new(3, 2).state_dict();
    /// let numel: usize = sd.iter().map(|(_, t)| t.numel()).sum();
    /// assert_eq!(numel, 8);
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Tensor)> {
        self.entries.iter().map(|(k, t)| (k.as_str(), t))
    }

    /// The number of entries, as `len(sd)`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(Linear::new(3, 2).state_dict().len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no entries.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert!(!Linear::new(3, 2).state_dict().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    // ------------------------------------------------------------ JSON

    /// The state dict as JSON, in order: one object per key with `dtype`
    /// (`float32`, `float64`, `int64`, `bool`), `shape` and row-major
    /// `values`. Floats are written exactly (a float32 widened to double, in
    /// the shortest digits that read back to it); NaN and infinities, which
    /// JSON lacks, are the strings `"nan"`, `"inf"`, `"-inf"`. In Python:
    /// `{k: torch.tensor(v["values"], dtype=getattr(torch, v["dtype"])).reshape(v["shape"]) for k, v in json.load(f).items()}`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let mut sd = StateDict::new();
    /// sd.insert("w", tensor![[0.1, -2.0]]);
    /// sd.insert("steps", tensor![3]);
    /// assert_eq!(
    ///     sd.to_json(),
    ///     r#"{"w": {"dtype": "float32", "shape": [1, 2], "values": [0.10000000149011612, -2.0]}, "steps": {"dtype": "int64", "shape": [1], "values": [3]}}"#
    /// );
    /// ```
    pub fn to_json(&self) -> String {
        let entries: Vec<String> = self
            .entries
            .iter()
            .map(|(key, t)| {
                let data = t.storage().contiguous();
                let values: Vec<String> = match &data {
                    Storage::F32(a) => a.iter().map(|&v| json_float(f64::from(v))).collect(),
                    Storage::F64(a) => a.iter().map(|&v| json_float(v)).collect(),
                    Storage::I64(a) => a.iter().map(i64::to_string).collect(),
                    Storage::Bool(a) => a.iter().map(bool::to_string).collect(),
                };
                let shape: Vec<String> = t.shape().iter().map(usize::to_string).collect();
                format!(
                    "{}: {{\"dtype\": \"{}\", \"shape\": [{}], \"values\": [{}]}}",
                    Value::from(key.as_str()),
                    dtype_name(t.dtype()),
                    shape.join(", "),
                    values.join(", ")
                )
            })
            .collect();
        format!("{{{}}}", entries.join(", "))
    }

    /// Reads what [`to_json`](Self::to_json) writes, keeping the file's order.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let sd = StateDict::from_json(r#"{"b": {"dtype": "float32", "shape": [2], "values": [1.5, "-inf"]}, "a": {"dtype": "bool", "shape": [], "values": [true]}}"#).unwrap();
    /// assert_eq!(sd.keys(), vec!["b", "a"]);
    /// assert_eq!(sd["b"].to_vec::<f32>(), vec![1.5, f32::NEG_INFINITY]);
    /// assert_eq!(sd["a"].to_string(), "tensor(True)");
    /// let err = StateDict::from_json("[1]").unwrap_err();
    /// assert!(err.to_string().starts_with("not a state dict"));
    /// ```
    pub fn from_json(text: &str) -> Result<StateDict> {
        let bad = |e: String| TensorError::value(format!("not a state dict in JSON: {e}"));
        let mut de = serde_json::Deserializer::from_str(text);
        let entries = OrderedObject::deserialize(&mut de).map_err(|e| bad(e.to_string()))?;
        de.end().map_err(|e| bad(e.to_string()))?;
        let mut sd = StateDict::new();
        for (key, v) in entries.0 {
            let shape: Vec<usize> = v["shape"]
                .as_array()
                .and_then(|a| {
                    a.iter()
                        .map(|d| d.as_u64().map(|d| d as usize))
                        .collect::<Option<Vec<_>>>()
                })
                .ok_or_else(|| bad(format!("{key}: no \"shape\" list")))?;
            let values = v["values"]
                .as_array()
                .ok_or_else(|| bad(format!("{key}: no \"values\" list")))?;
            let dtype = v["dtype"].as_str().unwrap_or("");
            let float = |x: &Value| -> Option<f64> {
                match x {
                    Value::String(s) => match s.as_str() {
                        "nan" => Some(f64::NAN),
                        "inf" => Some(f64::INFINITY),
                        "-inf" => Some(f64::NEG_INFINITY),
                        _ => None,
                    },
                    _ => x.as_f64(),
                }
            };
            let bad_value = || bad(format!("{key}: a value is not a {dtype}"));
            let t = match dtype {
                "float32" => Tensor::try_from_vec(
                    values
                        .iter()
                        .map(|x| float(x).map(|v| v as f32))
                        .collect::<Option<Vec<_>>>()
                        .ok_or_else(bad_value)?,
                    &shape,
                ),
                "float64" => Tensor::try_from_vec(
                    values
                        .iter()
                        .map(float)
                        .collect::<Option<Vec<_>>>()
                        .ok_or_else(bad_value)?,
                    &shape,
                ),
                "int64" => Tensor::try_from_vec(
                    values
                        .iter()
                        .map(Value::as_i64)
                        .collect::<Option<Vec<_>>>()
                        .ok_or_else(bad_value)?,
                    &shape,
                ),
                "bool" => Tensor::try_from_vec(
                    values
                        .iter()
                        .map(Value::as_bool)
                        .collect::<Option<Vec<_>>>()
                        .ok_or_else(bad_value)?,
                    &shape,
                ),
                other => return Err(bad(format!("{key}: unknown dtype {other:?}"))),
            }?;
            sd.insert(key, t);
        }
        Ok(sd)
    }

    /// Writes [`to_json`](Self::to_json) to a file.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let path = std::env::temp_dir().join("nn_core_doc_state_dict.json");
    /// let net = sequential![Linear::new(1, 2)];
    /// net.state_dict().save_json(&path).unwrap();
    /// let back = StateDict::load_json(&path).unwrap();
    /// assert_eq!(back["0.weight"].to_vec::<f32>(), net[0].weight().to_vec::<f32>());
    /// # std::fs::remove_file(&path).unwrap();
    /// ```
    pub fn save_json(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        std::fs::write(path, self.to_json()).map_err(|e| io_error(path, e))
    }

    /// Reads a file written by [`save_json`](Self::save_json).
    ///
    /// ```
    /// use nn_core::nn::StateDict;
    /// let err = StateDict::load_json("/no/such/file.json").unwrap_err();
    /// assert!(err.to_string().contains("No such file or directory"));
    /// ```
    pub fn load_json(path: impl AsRef<Path>) -> Result<StateDict> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| io_error(path, e))?;
        StateDict::from_json(&text)
    }

    // ------------------------------------------------------ safetensors

    /// The state dict in the safetensors format: an 8-byte little-endian
    /// header length, a JSON header giving each tensor's `dtype` (`F32`,
    /// `F64`, `I64`, `BOOL`), `shape` and `data_offsets`, then the raw
    /// little-endian values. As in every safetensors writer, tensors are
    /// laid out by dtype size and then by name, not in the state dict's order.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let mut sd = StateDict::new();
    /// sd.insert("a", tensor![1.0, 2.0]);
    /// let bytes = sd.to_safetensors();
    /// let header = br#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#;
    /// assert_eq!(u64::from_le_bytes(bytes[..8].try_into().unwrap()), 56); // padded to 8
    /// assert_eq!(&bytes[8..8 + header.len()], header);
    /// assert_eq!(&bytes[64..], &[0, 0, 128, 63, 0, 0, 0, 64]); // 1.0f32, 2.0f32
    /// ```
    pub fn to_safetensors(&self) -> Vec<u8> {
        let raw: Vec<(&str, safetensors::Dtype, Vec<usize>, Vec<u8>)> = self
            .entries
            .iter()
            .map(|(key, t)| {
                let data = t.storage().contiguous();
                let (dtype, bytes) = match &data {
                    Storage::F32(a) => (
                        safetensors::Dtype::F32,
                        a.iter().flat_map(|v| v.to_le_bytes()).collect(),
                    ),
                    Storage::F64(a) => (
                        safetensors::Dtype::F64,
                        a.iter().flat_map(|v| v.to_le_bytes()).collect(),
                    ),
                    Storage::I64(a) => (
                        safetensors::Dtype::I64,
                        a.iter().flat_map(|v| v.to_le_bytes()).collect(),
                    ),
                    Storage::Bool(a) => (
                        safetensors::Dtype::BOOL,
                        a.iter().map(|&v| u8::from(v)).collect(),
                    ),
                };
                (key.as_str(), dtype, t.shape().to_vec(), bytes)
            })
            .collect();
        let views = raw.iter().map(|(key, dtype, shape, bytes)| {
            let view = safetensors::tensor::TensorView::new(*dtype, shape.clone(), bytes)
                .expect("the byte count follows from the shape");
            (*key, view)
        });
        safetensors::serialize(views, None).expect("a state dict's header fits the format's limit")
    }

    /// Reads a safetensors file's bytes (from [`to_safetensors`](Self::to_safetensors)
    /// or PyTorch's `safetensors.torch.save_file`), in the file's order.
    ///
    /// # Errors
    /// A malformed file, with the safetensors library's message; a dtype
    /// other than F32, F64, I64 and BOOL.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let net = sequential![Linear::new(2, 2)];
    /// let back = StateDict::from_safetensors(&net.state_dict().to_safetensors()).unwrap();
    /// assert_eq!(back["0.bias"].to_vec::<f32>(), net[0].bias().to_vec::<f32>());
    /// assert!(StateDict::from_safetensors(b"short").is_err());
    /// ```
    pub fn from_safetensors(bytes: &[u8]) -> Result<StateDict> {
        let header_error = |e: safetensors::SafeTensorError| {
            TensorError::runtime(format!("Error while deserializing header: {e}"))
        };
        let (_, metadata) = safetensors::SafeTensors::read_metadata(bytes).map_err(header_error)?;
        let file = safetensors::SafeTensors::deserialize(bytes).map_err(header_error)?;
        let mut sd = StateDict::new();
        for key in metadata.offset_keys() {
            let view = file.tensor(&key).map_err(header_error)?;
            let (shape, data) = (view.shape().to_vec(), view.data());
            let t = match view.dtype() {
                safetensors::Dtype::F32 => {
                    Tensor::try_from_vec(le_values(data, f32::from_le_bytes), &shape)
                }
                safetensors::Dtype::F64 => {
                    Tensor::try_from_vec(le_values(data, f64::from_le_bytes), &shape)
                }
                safetensors::Dtype::I64 => {
                    Tensor::try_from_vec(le_values(data, i64::from_le_bytes), &shape)
                }
                safetensors::Dtype::BOOL => {
                    Tensor::try_from_vec(data.iter().map(|&b| b != 0).collect(), &shape)
                }
                other => {
                    return Err(TensorError::type_error(format!(
                        "tensor {key} has dtype {other}; only F32, F64, I64 and BOOL are supported"
                    )));
                }
            }?;
            sd.insert(key, t);
        }
        Ok(sd)
    }

    /// Writes [`to_safetensors`](Self::to_safetensors) to a file, which
    /// PyTorch loads with `model.load_state_dict(safetensors.torch.load_file(path))`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let path = std::env::temp_dir().join("nn_core_doc_model.safetensors");
    /// let net = sequential![Linear::new(3, 2), ReLU::new(), Linear::new(2, 1)];
    /// net.state_dict().save_safetensors(&path).unwrap();
    /// let other = sequential![Linear::new(3, 2), ReLU::new(), Linear::new(2, 1)];
    /// other.load_state_dict(&StateDict::load_safetensors(&path).unwrap());
    /// assert_eq!(other[0].weight().to_vec::<f32>(), net[0].weight().to_vec::<f32>());
    /// # std::fs::remove_file(&path).unwrap();
    /// ```
    pub fn save_safetensors(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        std::fs::write(path, self.to_safetensors()).map_err(|e| io_error(path, e))
    }

    /// Reads a `.safetensors` file.
    ///
    /// ```
    /// use nn_core::nn::StateDict;
    /// assert!(StateDict::load_safetensors("/no/such/model.safetensors").is_err());
    /// ```
    pub fn load_safetensors(path: impl AsRef<Path>) -> Result<StateDict> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| io_error(path, e))?;
        StateDict::from_safetensors(&bytes)
    }
}

/// `sd["0.weight"]`.
///
/// # Panics
/// If the key is missing, with Python's `KeyError: '…'`.
///
/// ```
/// use nn_core::prelude::*;
/// let sd = Linear::new(2, 1).state_dict();
/// assert_eq!(sd["bias"].shape(), [1]);
/// ```
impl std::ops::Index<&str> for StateDict {
    type Output = Tensor;

    #[track_caller]
    fn index(&self, key: &str) -> &Tensor {
        match self.get(key) {
            Some(t) => t,
            None => panic!("KeyError: '{key}'"),
        }
    }
}

impl<'a> IntoIterator for &'a StateDict {
    type Item = (&'a str, &'a Tensor);
    type IntoIter = Box<dyn Iterator<Item = (&'a str, &'a Tensor)> + 'a>;

    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

/// Prints as Python (3.12+) prints torch's `OrderedDict`:
/// `OrderedDict({'0.weight': tensor(…), …})`.
///
/// ```
/// use nn_core::prelude::*;
/// let lin = Linear::from_weights(tensor![[1.0, 2.0]], Some(tensor![0.5]));
/// assert_eq!(
///     lin.state_dict().to_string(),
///     "OrderedDict({'weight': tensor([[1., 2.]]), 'bias': tensor([0.5000])})"
/// );
/// ```
impl fmt::Display for StateDict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.entries.is_empty() {
            return f.write_str("OrderedDict()");
        }
        let items: Vec<String> = self
            .entries
            .iter()
            .map(|(k, t)| format!("'{k}': {t}"))
            .collect();
        write!(f, "OrderedDict({{{}}})", items.join(", "))
    }
}

impl fmt::Debug for StateDict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// What [`Module::try_load_state_dict`](super::Module::try_load_state_dict)
/// did not match, as torch's `_IncompatibleKeys` (all empty under `strict`,
/// which reports them as an error instead).
///
/// ```
/// use nn_core::prelude::*;
/// let net = sequential![Linear::new(2, 2)];
/// let mut sd = net.state_dict();
/// sd.remove("0.bias");
/// let keys = net.try_load_state_dict(&sd, false).unwrap();
/// assert_eq!(keys.missing_keys, vec!["0.bias"]);
/// assert_eq!(keys.to_string(), "_IncompatibleKeys(missing_keys=['0.bias'], unexpected_keys=[])");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IncompatibleKeys {
    /// The model's keys the state dict lacks.
    pub missing_keys: Vec<String>,
    /// The state dict's keys the model lacks.
    pub unexpected_keys: Vec<String>,
}

impl fmt::Display for IncompatibleKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.missing_keys.is_empty() && self.unexpected_keys.is_empty() {
            return f.write_str("<All keys matched successfully>");
        }
        let list = |keys: &[String]| {
            keys.iter()
                .map(|k| format!("'{k}'"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        write!(
            f,
            "_IncompatibleKeys(missing_keys=[{}], unexpected_keys=[{}])",
            list(&self.missing_keys),
            list(&self.unexpected_keys)
        )
    }
}

/// `module.state_dict()` from the module's named parameters.
pub(super) fn state_dict_of(named_parameters: Vec<(String, Tensor)>) -> StateDict {
    let mut sd = StateDict::new();
    for (key, p) in named_parameters {
        sd.insert(key, p);
    }
    sd
}

/// `module.load_state_dict(state_dict, strict)`: copies every matching
/// entry into the parameter of that name (as `param.copy_(value)` under
/// `no_grad`), then reports what did not fit with torch's messages. As in
/// torch, the entries that fit are copied even when an error is returned.
pub(super) fn load_into(
    class_name: &str,
    named_parameters: Vec<(String, Tensor)>,
    sd: &StateDict,
    strict: bool,
) -> Result<IncompatibleKeys> {
    let mut errors = Vec::new();
    let mut keys = IncompatibleKeys::default();
    for (key, param) in &named_parameters {
        let Some(value) = sd.get(key) else {
            keys.missing_keys.push(key.clone());
            continue;
        };
        if value.shape() != param.shape() {
            errors.push(format!(
                "size mismatch for {key}: copying a param with shape {} from checkpoint, the shape in current model is {}.",
                value.shape(),
                param.shape()
            ));
            continue;
        }
        param.set_storage(value.storage().to_dtype(param.dtype()));
    }
    keys.unexpected_keys = sd
        .keys()
        .into_iter()
        .filter(|k| !named_parameters.iter().any(|(n, _)| n == k))
        .map(String::from)
        .collect();
    let quoted = |keys: &[String]| {
        keys.iter()
            .map(|k| format!("\"{k}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if strict {
        if !keys.unexpected_keys.is_empty() {
            errors.insert(
                0,
                format!(
                    "Unexpected key(s) in state_dict: {}. ",
                    quoted(&keys.unexpected_keys)
                ),
            );
        }
        if !keys.missing_keys.is_empty() {
            errors.insert(
                0,
                format!(
                    "Missing key(s) in state_dict: {}. ",
                    quoted(&keys.missing_keys)
                ),
            );
        }
    }
    if !errors.is_empty() {
        return Err(TensorError::runtime(format!(
            "Error(s) in loading state_dict for {class_name}:\n\t{}",
            errors.join("\n\t")
        )));
    }
    Ok(keys)
}

fn dtype_name(d: DType) -> &'static str {
    match d {
        DType::Float32 => "float32",
        DType::Float64 => "float64",
        DType::Int64 => "int64",
        DType::Bool => "bool",
    }
}

/// A float as JSON: the shortest digits that read back to it exactly.
fn json_float(v: f64) -> String {
    if v.is_nan() {
        "\"nan\"".into()
    } else if v.is_infinite() {
        if v > 0.0 {
            "\"inf\"".into()
        } else {
            "\"-inf\"".into()
        }
    } else {
        Value::from(v).to_string()
    }
}

fn le_values<T, const N: usize>(data: &[u8], from: fn([u8; N]) -> T) -> Vec<T> {
    data.chunks_exact(N)
        .map(|c| from(c.try_into().expect("chunks of N bytes")))
        .collect()
}

fn io_error(path: &Path, e: std::io::Error) -> TensorError {
    TensorError::runtime(format!("{}: {e}", path.display()))
}

/// A JSON object's entries in the file's order (`serde_json::Map` sorts
/// them unless a crate-wide feature is switched on).
struct OrderedObject(Vec<(String, Value)>);

impl<'de> Deserialize<'de> for OrderedObject {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        struct Entries;
        impl<'de> Visitor<'de> for Entries {
            type Value = OrderedObject;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of tensors")
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<OrderedObject, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry::<String, Value>()? {
                    entries.push(entry);
                }
                Ok(OrderedObject(entries))
            }
        }
        deserializer.deserialize_map(Entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_round_trip_keeps_bits_and_order() {
        let mut sd = StateDict::new();
        sd.insert(
            "z",
            Tensor::from_vec(vec![f32::from_bits(1), -0.0, f32::NAN, 1e30], [2, 2]),
        );
        sd.insert("a", Tensor::from_vec(vec![0.1f64, f64::INFINITY], [2]));
        sd.insert("n", Tensor::from_vec(vec![i64::MIN, 7], [2]));
        let back = StateDict::from_json(&sd.to_json()).unwrap();
        assert_eq!(back.keys(), vec!["z", "a", "n"]);
        let bits = |t: &Tensor| {
            t.to_vec::<f32>()
                .iter()
                .map(|v| v.to_bits())
                .collect::<Vec<_>>()
        };
        assert_eq!(bits(&back["z"]), bits(&sd["z"]));
        assert_eq!(back["a"].dtype(), DType::Float64);
        assert_eq!(back["a"].to_vec::<f64>(), vec![0.1, f64::INFINITY]);
        assert_eq!(back["n"].to_vec::<i64>(), vec![i64::MIN, 7]);
    }

    #[test]
    fn load_errors_read_like_torch() {
        let model = vec![
            ("0.weight".to_string(), Tensor::zeros([2, 2])),
            ("0.bias".to_string(), Tensor::zeros([2])),
        ];
        let mut sd = StateDict::new();
        sd.insert("0.weight", Tensor::ones([3, 2]));
        sd.insert("1.weight", Tensor::ones([1]));
        let err = load_into("Sequential", model.clone(), &sd, true).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Error(s) in loading state_dict for Sequential:\n\tMissing key(s) in state_dict: \"0.bias\". \n\tUnexpected key(s) in state_dict: \"1.weight\". \n\tsize mismatch for 0.weight: copying a param with shape torch.Size([3, 2]) from checkpoint, the shape in current model is torch.Size([2, 2])."
        );
        sd.insert("0.weight", Tensor::ones([2, 2]));
        let keys = load_into("Sequential", model.clone(), &sd, false).unwrap();
        assert_eq!(keys.unexpected_keys, vec!["1.weight"]);
        assert_eq!(model[0].1.to_vec::<f32>(), vec![1.0; 4]);
    }
}
