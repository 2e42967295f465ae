fn main() {
    let _ = evcxr::runtime_hook;
}
