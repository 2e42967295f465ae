use nn_core::prelude::*;
fn main() {
    let x = tensor![[1.0, -1.0], [0.0, 1.0], [0.0, 0.0]];
    println!("{x}");
    println!("{}", x.size());
    let w = Tensor::parameter(tensor![[0.1, 0.2], [0.3, 0.4]]);
    let y = x.linear(&w, None);
    println!("{y}");
    let l = y.sum();
    l.backward();
    println!("{:?}", w.grad());
    println!("{}", Tensor::linspace(-1.0, 1.0, 5));
    println!("{}", x.i((.., 1)));
    println!("{:?}", x.tolist().to_string());
}
