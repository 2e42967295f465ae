//! A memory limit for the process that runs the cells, so that one
//! student's cell cannot take the whole server's memory.
//!
//! `NN_KERNEL_MEMORY_LIMIT`: bytes, with an optional binary suffix (`4G`,
//! `512M`, `2GiB`), a share of the machine's memory (`25%`), or `0`/`none`
//! for no limit; unset (or not understood), half the machine's memory.
//!
//! How: evcxr starts the cells' process by running this executable again
//! with `EVCXR_IS_RUNTIME` set; `main` calls [`apply_in_cells_process`]
//! there, before evcxr's runtime loads any cell, and it sets the process's
//! own soft `RLIMIT_DATA` (no `pre_exec` in the kernel, which would need
//! `unsafe`, and nothing to change in evcxr's spawning; a restarted cells'
//! process sets it again). `RLIMIT_DATA` counts the heap and private
//! anonymous mappings (Linux ≥ 4.7), which is what tensors use, but not the
//! shared libraries mapped or address space only reserved (`RLIMIT_AS`
//! would count glibc's 64 MB arenas per thread, rayon's threads, and fail
//! early). Past the limit an allocation fails: nn-core's tensor
//! constructors then raise torch's `DefaultCPUAllocator: can't allocate
//! memory` as the cell's error (variables kept); any other allocation
//! aborts the process, and the kernel says that the cell ran out of memory
//! and that the variables were lost. The rustc and rust-analyzer of the
//! kernel itself are not limited.

/// The environment variable.
pub const ENV: &str = "NN_KERNEL_MEMORY_LIMIT";

/// The limit in bytes from the environment; `None`: no limit.
pub fn from_env() -> Option<u64> {
    parse(std::env::var(ENV).ok().as_deref(), total_memory())
}

/// Sets the limit on this process (the cells' process, before any cell).
pub fn apply_in_cells_process() {
    let Some(limit) = from_env() else { return };
    use rustix::process::{Resource, getrlimit, setrlimit};
    let mut data = getrlimit(Resource::Data);
    if data.maximum.is_some_and(|hard| hard < limit) {
        return;
    }
    data.current = Some(limit);
    if let Err(error) = setrlimit(Resource::Data, data) {
        eprintln!("nn-kernel: could not limit the cells' memory to {limit} bytes: {error}");
    }
}

/// `value` of [`ENV`] in bytes, given the machine's memory `total`.
fn parse(value: Option<&str>, total: Option<u64>) -> Option<u64> {
    let default = total.map(|t| t / 2);
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return default;
    };
    let lower = value.to_ascii_lowercase();
    if matches!(lower.as_str(), "0" | "none" | "off" | "unlimited") {
        return None;
    }
    if let Some(percent) = lower.strip_suffix('%') {
        return match (percent.trim().parse::<f64>(), total) {
            (Ok(p), Some(total)) if p > 0.0 => Some((total as f64 * p / 100.0) as u64),
            _ => default,
        };
    }
    let number = lower.trim_end_matches(['b', 'i']);
    let (digits, unit) = match number.char_indices().last() {
        Some((i, c @ ('k' | 'm' | 'g' | 't'))) => (&number[..i], c),
        _ => (number, ' '),
    };
    let shift = match unit {
        'k' => 10,
        'm' => 20,
        'g' => 30,
        't' => 40,
        _ => 0,
    };
    match digits.trim().parse::<f64>() {
        Ok(n) if n > 0.0 => Some((n * (1u64 << shift) as f64) as u64),
        _ => default,
    }
}

/// The machine's memory (`MemTotal` of `/proc/meminfo`).
fn total_memory() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// `bytes` for people: `1.5 GB`, `512 MB` (powers of 1024, as the suffixes).
pub fn human(bytes: u64) -> String {
    let units = [("TB", 40), ("GB", 30), ("MB", 20), ("KB", 10)];
    for (name, shift) in units {
        let unit = 1u64 << shift;
        if bytes >= unit {
            let value = bytes as f64 / unit as f64;
            return if value >= 100.0 || value.fract() < 0.05 {
                format!("{value:.0} {name}")
            } else {
                format!("{value:.1} {name}")
            };
        }
    }
    format!("{bytes} bytes")
}

#[cfg(test)]
mod tests {
    use super::*;

    const GIB: u64 = 1 << 30;

    #[test]
    fn default_is_half_the_machine() {
        assert_eq!(parse(None, Some(24 * GIB)), Some(12 * GIB));
        assert_eq!(parse(Some(""), Some(24 * GIB)), Some(12 * GIB));
        assert_eq!(parse(None, None), None);
    }

    #[test]
    fn sizes_shares_and_none() {
        let total = Some(16 * GIB);
        assert_eq!(parse(Some("4G"), total), Some(4 * GIB));
        assert_eq!(parse(Some("2GiB"), total), Some(2 * GIB));
        assert_eq!(parse(Some("512M"), total), Some(512 << 20));
        assert_eq!(parse(Some("1.5g"), total), Some(3 * GIB / 2));
        assert_eq!(parse(Some("1000000"), total), Some(1_000_000));
        assert_eq!(parse(Some("25%"), total), Some(4 * GIB));
        assert_eq!(parse(Some("0"), total), None);
        assert_eq!(parse(Some("none"), total), None);
        // Not understood: the default.
        assert_eq!(parse(Some("lots"), total), Some(8 * GIB));
    }

    #[test]
    fn human_sizes() {
        assert_eq!(human(12 * GIB), "12 GB");
        assert_eq!(human(3 * GIB / 2), "1.5 GB");
        assert_eq!(human(512 << 20), "512 MB");
        assert_eq!(human(10), "10 bytes");
    }
}
