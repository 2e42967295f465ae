//! Replays `tests/reference/data-cases.json` (written by
//! `tools/reference/data_cases.py` with torch 2.15): `DataLoader` batch
//! orders (shuffle on and off, `drop_last`, several seeds and epochs, partial
//! epochs, a generator of the loader's own), `random_split` indices, the
//! data set generators (float32 bits) and the embedded digits.
//!
//! Every case ends with a probe of the default generator, so a case passes
//! only if nn-core drew exactly as many random numbers as torch, in the
//! same order. Everything here is exact: indices, labels and bits.

mod common;

use nn_core::data::{self, CsvOptions};
use nn_core::prelude::*;
use nn_core::random::with_default_generator;
use serde_json::Value;
use sha2::{Digest, Sha256};

const CASES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/reference/data-cases.json"
);

fn doc() -> Value {
    let text =
        std::fs::read_to_string(CASES).expect("tests/reference/data-cases.json is committed");
    serde_json::from_str(&text).expect("data-cases.json is valid JSON")
}

/// `torch.empty(4, dtype=torch.int64).random_()`: the numbers the default
/// generator gives after a case.
fn probe() -> Vec<i64> {
    with_default_generator(|g| {
        let mut x = [0i64; 4];
        g.fill_random_i64(&mut x);
        x.to_vec()
    })
}

fn i64s(v: &Value) -> Vec<i64> {
    v.as_array()
        .expect("a list")
        .iter()
        .map(|x| x.as_i64().expect("an integer"))
        .collect()
}

fn usize_of(case: &Value, key: &str) -> usize {
    case[key]
        .as_u64()
        .unwrap_or_else(|| panic!("{key} missing")) as usize
}

/// The steps' batches as text, one line per step, then the probe.
fn render(steps: &[Vec<Vec<i64>>], probe: &[i64]) -> String {
    let mut out = String::new();
    for (k, step) in steps.iter().enumerate() {
        let batches: Vec<String> = step.iter().map(|b| format!("{b:?}")).collect();
        out.push_str(&format!("step {k}: {}\n", batches.join(" ")));
    }
    out.push_str(&format!("probe: {probe:?}\n"));
    out
}

/// Checks every case, collecting the failures into one readable report.
fn check_all(kind: &str, cases: &[Value], run: impl Fn(&Value) -> Result<(), String>) {
    let failures: Vec<String> = cases.iter().filter_map(|c| run(c).err()).collect();
    println!(
        "{kind}: {} of {} cases exact",
        cases.len() - failures.len(),
        cases.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} {kind} cases differ from torch:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn data_loader_batches_are_torchs() {
    let doc = doc();
    let cases = doc["loader"].as_array().unwrap();
    let _lock = common::rng_lock();
    check_all("DataLoader", cases, |case| {
        let n = usize_of(case, "n");
        let batch_size = usize_of(case, "batch_size");
        let shuffle = case["shuffle"].as_bool().unwrap();
        let drop_last = case["drop_last"].as_bool().unwrap();
        let generator_seed = case["generator_seed"].as_u64();
        let program: Vec<&str> = case["program"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap())
            .collect();
        let id = format!(
            "manual_seed({}); DataLoader(TensorDataset(arange({n})), batch_size={batch_size}, shuffle={shuffle}, drop_last={drop_last}, generator={generator_seed:?}); program {program:?}",
            case["seed"]
        );

        manual_seed(case["seed"].as_u64().unwrap());
        let ds = TensorDataset::new(Tensor::arange(n as i64));
        let mut loader = DataLoader::new(&ds, batch_size)
            .shuffle(shuffle)
            .drop_last(drop_last);
        if let Some(g) = generator_seed {
            loader = loader.generator(Generator::new(g));
        }
        let mut steps = Vec::new();
        for step in &program {
            steps.push(match *step {
                "epoch" => loader.iter().map(|b| b.to_vec::<i64>()).collect(),
                "next" => vec![loader.iter().next().unwrap().to_vec::<i64>()],
                "rand" => {
                    Tensor::rand([3]);
                    vec![]
                }
                other => return Err(format!("{id}: unknown step {other}")),
            });
        }
        let got = render(&steps, &probe());
        let expected_steps: Vec<Vec<Vec<i64>>> = case["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_array().unwrap().iter().map(i64s).collect())
            .collect();
        let expected = render(&expected_steps, &i64s(&case["probe"]));
        if loader.len() != usize_of(case, "len") {
            return Err(format!(
                "{id}\n  len {} instead of {}",
                loader.len(),
                case["len"]
            ));
        }
        if got != expected {
            return Err(format!("{id}\n{}", common::diff(&expected, &got)));
        }
        Ok(())
    });
}

#[test]
fn two_tensor_batches_print_as_torchs() {
    let doc = doc();
    let cases = doc["pair_loader"].as_array().unwrap();
    let _lock = common::rng_lock();
    check_all("DataLoader of (x, y)", cases, |case| {
        manual_seed(case["seed"].as_u64().unwrap());
        let x = Tensor::arange(21).float().view([7, 3]) / 4.0;
        let y = Tensor::from_vec(vec![0i64, 1, 2, 0, 1, 2, 0], [7]); // arange(7) % 3
        let loader = DataLoader::new(&TensorDataset::new((x, y)), usize_of(case, "batch_size"))
            .shuffle(true);
        let mut got = String::new();
        for (xb, yb) in &loader {
            got.push_str(&format!("{xb}\n{yb}\n"));
        }
        got.push_str(&format!("probe: {:?}\n", probe()));
        let mut expected = String::new();
        for b in case["batches"].as_array().unwrap() {
            expected.push_str(&format!(
                "{}\n{}\n",
                b[0].as_str().unwrap(),
                b[1].as_str().unwrap()
            ));
        }
        expected.push_str(&format!("probe: {:?}\n", i64s(&case["probe"])));
        if got != expected {
            return Err(format!(
                "seed {}\n{}",
                case["seed"],
                common::diff(&expected, &got)
            ));
        }
        Ok(())
    });
}

#[test]
fn random_split_indices_are_torchs() {
    let doc = doc();
    let cases = doc["random_split"].as_array().unwrap();
    let _lock = common::rng_lock();
    check_all("random_split", cases, |case| {
        let n = usize_of(case, "n");
        let lengths: Vec<&Value> = case["lengths"].as_array().unwrap().iter().collect();
        let generator_seed = case["generator_seed"].as_u64();
        let id = format!(
            "manual_seed({}); random_split(range({n}), {}, generator={generator_seed:?})",
            case["seed"], case["lengths"]
        );
        manual_seed(case["seed"].as_u64().unwrap());
        let ds = TensorDataset::new(Tensor::arange(n as i64));
        let mut generator = generator_seed.map(Generator::new);
        // Counts as integers and fractions as floats, as the Python list held them.
        let parts: Vec<Vec<usize>> = if lengths.iter().all(|l| l.is_u64()) {
            let counts: Vec<usize> = lengths
                .iter()
                .map(|l| l.as_u64().unwrap() as usize)
                .collect();
            split(&ds, &counts, generator.as_mut())
        } else {
            let fractions: Vec<f64> = lengths.iter().map(|l| l.as_f64().unwrap()).collect();
            split(&ds, &fractions, generator.as_mut())
        };
        let render = |parts: &[Vec<i64>], probe: &[i64]| {
            let mut s: String = parts.iter().map(|p| format!("{p:?}\n")).collect();
            s.push_str(&format!("probe: {probe:?}\n"));
            s
        };
        let got: Vec<Vec<i64>> = parts
            .iter()
            .map(|p| p.iter().map(|&i| i as i64).collect())
            .collect();
        let got = render(&got, &probe());
        let expected: Vec<Vec<i64>> = case["indices"]
            .as_array()
            .unwrap()
            .iter()
            .map(i64s)
            .collect();
        let expected = render(&expected, &i64s(&case["probe"]));
        if got != expected {
            return Err(format!("{id}\n{}", common::diff(&expected, &got)));
        }
        Ok(())
    });
}

/// `random_split` for the 2 or 3 parts the cases have (the array length is
/// a const generic).
fn split<L: data::SplitLength>(
    ds: &TensorDataset<Tensor>,
    lengths: &[L],
    generator: Option<&mut Generator>,
) -> Vec<Vec<usize>> {
    fn indices<const N: usize>(parts: [data::Subset<Tensor>; N]) -> Vec<Vec<usize>> {
        parts.iter().map(|p| p.indices().to_vec()).collect()
    }
    match (lengths, generator) {
        (&[a, b], None) => indices(random_split(ds, [a, b])),
        (&[a, b, c], None) => indices(random_split(ds, [a, b, c])),
        (&[a, b], Some(g)) => indices(random_split_with(ds, [a, b], g)),
        (&[a, b, c], Some(g)) => indices(random_split_with(ds, [a, b, c], g)),
        _ => panic!("cases have 2 or 3 lengths"),
    }
}

#[test]
fn generated_points_are_the_recipes() {
    let doc = doc();
    let cases = doc["generators"].as_array().unwrap();
    let _lock = common::rng_lock();
    check_all("data set generator", cases, |case| {
        let function = case["function"].as_str().unwrap();
        let args = case["args"].as_array().unwrap();
        let num = |i: usize| args[i].as_f64().unwrap();
        let id = format!("manual_seed({}); {function}{}", case["seed"], case["args"]);
        manual_seed(case["seed"].as_u64().unwrap());
        let (x, y) = match function {
            "make_moons" => data::make_moons(num(0) as usize, num(1)),
            "make_circles" => data::make_circles(num(0) as usize, num(1), num(2)),
            "make_spirals" => data::make_spirals(num(0) as usize, num(1) as usize, num(2)),
            other => return Err(format!("unknown generator {other}")),
        };
        let shape: Vec<usize> = i64s(&case["shape"]).iter().map(|&d| d as usize).collect();
        if x.shape()[..] != shape[..] {
            return Err(format!("{id}: shape {:?} instead of {shape:?}", x.shape()));
        }
        let got_bits: Vec<String> = x
            .to_vec::<f32>()
            .iter()
            .map(|v| format!("{:08x}", v.to_bits()))
            .collect();
        let expected_bits: Vec<String> = case["x_bits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b.as_str().unwrap().to_string())
            .collect();
        if let Some(k) = (0..got_bits.len()).find(|&k| got_bits[k] != expected_bits[k]) {
            let value = |bits: &str| f32::from_bits(u32::from_str_radix(bits, 16).unwrap());
            return Err(format!(
                "{id}: point {}, coordinate {}: {} ({}) instead of {} ({}); {} of {} values differ",
                k / 2,
                k % 2,
                value(&got_bits[k]),
                got_bits[k],
                value(&expected_bits[k]),
                expected_bits[k],
                (0..got_bits.len())
                    .filter(|&k| got_bits[k] != expected_bits[k])
                    .count(),
                got_bits.len()
            ));
        }
        let (got_y, expected_y) = (y.to_vec::<i64>(), i64s(&case["y"]));
        if got_y != expected_y {
            return Err(format!(
                "{id}: labels\n{}",
                common::diff(&format!("{expected_y:?}"), &format!("{got_y:?}"))
            ));
        }
        let (got_probe, expected_probe) = (probe(), i64s(&case["probe"]));
        if got_probe != expected_probe {
            return Err(format!(
                "{id}: drew a different number of random values (probe {got_probe:?} instead of {expected_probe:?})"
            ));
        }
        Ok(())
    });
}

#[test]
fn digits_are_the_files_numbers() {
    let doc = doc();
    let expected = &doc["digits"];
    let (x, y) = data::load_digits();
    assert_eq!(x.shape(), [usize_of(expected, "count"), 64]);
    let pixel_bytes: Vec<u8> = x
        .to_vec::<f32>()
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    let label_bytes: Vec<u8> = y
        .to_vec::<i64>()
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    let hex = |bytes: &[u8]| -> String {
        Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    };
    assert_eq!(
        hex(&pixel_bytes),
        expected["images_sha256"].as_str().unwrap()
    );
    assert_eq!(
        hex(&label_bytes),
        expected["labels_sha256"].as_str().unwrap()
    );
    assert_eq!(
        x.i(0)
            .to_vec::<f32>()
            .iter()
            .map(|&v| v as i64)
            .collect::<Vec<_>>(),
        i64s(&expected["first_image"])
    );
    assert_eq!(y.i(..20).to_vec::<i64>(), i64s(&expected["first_labels"]));
    let mut counts = vec![0i64; 10];
    for label in y.to_vec::<i64>() {
        counts[label as usize] += 1;
    }
    assert_eq!(counts, i64s(&expected["class_counts"]));
}

#[test]
fn csv_errors_name_the_line_and_column() {
    let text = "sepal_length,sepal_width,species\n5.1,3.5,setosa\n4.9,three,setosa\n";
    let table = data::CsvTable::parse(text, &CsvOptions::default()).unwrap();
    let err = table
        .try_columns(&["sepal_length", "sepal_width"])
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "<string>, line 3, column 2 (\"sepal_width\"): could not convert string to float: 'three'"
    );
    let caught = std::panic::catch_unwind(|| table.to_tensor()).unwrap_err();
    let message = caught.downcast_ref::<String>().unwrap();
    assert_eq!(
        message,
        "<string>, line 2, column 3 (\"species\"): could not convert string to float: 'setosa'"
    );
}
