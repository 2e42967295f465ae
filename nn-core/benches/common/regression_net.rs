// Notebook 02's regression nets, shared by the workloads benchmark
// (`include!`d by benches/workloads.rs) and the unit test that counts a
// step's interrupt points (nn-core/src/notebook/interrupt.rs), so that the
// step counted is the step timed. Names come from the includer's
// `prelude::*`.

/// Linear-ReLU layers of the widths in `hidden` between one input and one
/// output, and its optimizer: SGD(lr=0.2), or Adam(lr=0.01) with `adam`.
fn regression_net(hidden: &[usize], adam: bool) -> (Sequential, Box<dyn Optimizer>) {
    let mut net = Sequential::new();
    let mut prev = 1;
    for &h in hidden {
        net = net.add(Linear::new(prev, h)).add(ReLU::new());
        prev = h;
    }
    net = net.add(Linear::new(prev, 1));
    let optimizer: Box<dyn Optimizer> = if adam {
        Box::new(Adam::new(net.parameters(), 0.01))
    } else {
        Box::new(SGD::new(net.parameters(), 0.2))
    };
    (net, optimizer)
}
