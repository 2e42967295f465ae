use nn_core::prelude::*;

#[derive(Module)]
struct MyNet {
    l1: Linear,
    act1: ReLU,
}
impl Module for MyNet {
    fn forward(&self, x: &Tensor) -> Tensor {
        self.act1.forward(&self.l1.forward(x))
    }
}

fn main() {
    manual_seed(0);
    let lin = Linear::new(2, 5);
    println!("{}\n{}\n{}", lin, lin.weight, lin.bias.as_ref().unwrap());
    let x = tensor![[1.0, -1.0], [0.0, 1.0], [0.0, 0.0]];
    let y = lin.forward(&x);
    println!("{y}");
    manual_seed(0);
    let lin = Linear::new(2, 3);
    let x = tensor![1.0, -1.0];
    let y = lin.forward(&x);
    println!("{y}\n{}", F::relu(&y));
    let y2 = &x.matmul(&lin.weight.t()) + lin.bias.as_ref().unwrap();
    println!("{}\n{}\n{}", lin.weight.t(), x.matmul(&lin.weight.t()), y2);
    println!("{}", y.equal(&y2));
    manual_seed(0);
    let net = MyNet {
        l1: Linear::new(2, 3),
        act1: ReLU::new(),
    };
    println!("{net}\n{}", net.forward(&x));
    for (n, p) in net.named_parameters() {
        println!("{n} {:?}", p.shape());
    }
    manual_seed(0);
    let ffn = sequential![
        Linear::new(1, 4),
        Sigmoid::new(),
        Linear::new(4, 6),
        Sigmoid::new(),
        Linear::new(6, 1)
    ];
    println!("{ffn}\n{}", ffn.num_parameters());
    println!("{}", ffn.forward(&tensor![[1.0], [2.0], [3.0]]));
    println!("{}", ffn[2].bias());
}
