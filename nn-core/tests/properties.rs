//! Property tests: broadcasting, shape round trips and reductions agree
//! with simple reference computations on random shapes and values.

use nn_core::prelude::*;
use proptest::prelude::*;

/// A shape of 0–4 dimensions of size 1–4.
fn shape() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(1usize..5, 0..5)
}

/// Two shapes that broadcast: per aligned dimension equal, or one of them 1,
/// and possibly fewer dimensions on one side.
fn broadcastable() -> impl Strategy<Value = (Vec<usize>, Vec<usize>)> {
    (shape(), prop::collection::vec(0u8..3, 0..5), 0usize..3).prop_map(|(base, choice, drop)| {
        let mut a = base.clone();
        let mut b = base.clone();
        for (i, c) in choice.iter().enumerate().take(base.len()) {
            match c {
                0 => a[i] = 1,
                1 => b[i] = 1,
                _ => {}
            }
        }
        let drop = drop.min(b.len());
        (a, b[drop..].to_vec())
    })
}

fn ints(shape: &[usize], seed: i64) -> Tensor {
    let n: usize = shape.iter().product();
    let v: Vec<i64> = (0..n as i64)
        .map(|i| (i * 7 + seed).rem_euclid(19) - 9)
        .collect();
    Tensor::from_vec(v, shape)
}

fn floats(shape: &[usize], seed: i64) -> Tensor {
    ints(shape, seed).to_dtype(DType::Float32)
}

/// Row-major index → multi-index.
fn unravel(mut k: usize, shape: &[usize]) -> Vec<usize> {
    let mut idx = vec![0; shape.len()];
    for d in (0..shape.len()).rev() {
        idx[d] = k % shape[d];
        k /= shape[d];
    }
    idx
}

/// The element of `values` (shape `s`) that broadcasting maps `out_idx` to.
fn broadcast_get(values: &[f32], s: &[usize], out_idx: &[usize]) -> f32 {
    let lead = out_idx.len() - s.len();
    let mut k = 0;
    for (d, &n) in s.iter().enumerate() {
        let i = if n == 1 { 0 } else { out_idx[lead + d] };
        k = k * n + i;
    }
    values[k]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn broadcasting_matches_the_index_rule((sa, sb) in broadcastable()) {
        let (a, b) = (floats(&sa, 1), floats(&sb, 5));
        let sum = &a + &b;
        let prod = &a * &b;
        let (va, vb) = (a.to_vec::<f32>(), b.to_vec::<f32>());
        let out_shape = sum.shape().to_vec();
        let (vs, vp) = (sum.to_vec::<f32>(), prod.to_vec::<f32>());
        for k in 0..vs.len() {
            let idx = unravel(k, &out_shape);
            let (x, y) = (broadcast_get(&va, &sa, &idx), broadcast_get(&vb, &sb, &idx));
            prop_assert_eq!(vs[k], x + y);
            prop_assert_eq!(vp[k], x * y);
        }
        // Commutative, bit for bit.
        prop_assert!((&b + &a).equal(&sum));
    }

    #[test]
    fn gradients_of_broadcast_operands_have_their_shapes((sa, sb) in broadcastable()) {
        let a = floats(&sa, 2).requires_grad_(true);
        let b = floats(&sb, 3).requires_grad_(true);
        (&a * &b).sum().backward();
        prop_assert_eq!(a.grad().unwrap().shape(), a.shape());
        prop_assert_eq!(b.grad().unwrap().shape(), b.shape());
    }

    #[test]
    fn reshape_and_transpose_round_trip(s in shape(), seed in 0i64..10) {
        let t = ints(&s, seed);
        let n = t.numel() as i64;
        prop_assert!(t.reshape([n]).reshape(t.size()).equal(&t));
        prop_assert!(t.flatten().equal(&t.reshape([-1])));
        if t.dim() >= 2 {
            prop_assert!(t.transpose(0, -1).transpose(0, -1).equal(&t));
            let perm: Vec<i64> = (0..t.dim() as i64).rev().collect();
            prop_assert!(t.permute(&perm).permute(&perm).equal(&t));
            // A transposed tensor reshapes through a copy, keeping row-major order.
            let tt = t.transpose(0, 1);
            let flat = tt.reshape([-1]).to_vec::<i64>();
            prop_assert_eq!(flat, tt.contiguous().to_vec::<i64>());
        }
        if t.dim() <= 2 {
            prop_assert!(t.t().t().equal(&t));
        }
        prop_assert!(t.unsqueeze(0).squeeze_dim(0).equal(&t));
    }

    #[test]
    fn reductions_agree(s in shape(), seed in 0i64..10) {
        let t = ints(&s, seed);
        let total = t.sum().item_as::<i64>();
        let reference: i64 = t.to_vec::<i64>().iter().sum();
        prop_assert_eq!(total, reference);
        for d in 0..t.dim() as i64 {
            // Summing one dimension first, then the rest, gives the same total.
            prop_assert_eq!(t.sum_dim(d, false).sum().item_as::<i64>(), total);
            prop_assert_eq!(t.sum_dim(d, true).dim(), t.dim());
            let (values, indices) = t.max_dim(d, true).into();
            // Each maximum is the element its index points at, and no element is larger.
            let picked = Tensor::cat(
                &(0..t.size()[d as usize]).map(|i| t.select(d, i as i64).unsqueeze(d)).collect::<Vec<_>>(),
                d,
            );
            prop_assert!(picked.equal(&t));
            prop_assert!(t.le(&values).to_vec::<bool>().iter().all(|&x| x));
            let idx = indices.to_vec::<i64>();
            prop_assert!(idx.iter().all(|&i| i >= 0 && (i as usize) < t.size()[d as usize]));
        }
        let f = t.to_dtype(DType::Float64);
        let mean = f.mean().item();
        prop_assert!((mean * t.numel() as f64 - total as f64).abs() < 1e-9);
    }
}
