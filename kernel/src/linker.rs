//! Linking cells with `rust-lld` directly. rustc links a cell through the C
//! compiler driver (`cc` → `collect2` → `ld.lld` → `rust-lld`): four programs
//! started for a library of a few kilobytes, ~40 ms of a cell's ~100 on a
//! 2-core machine. Called directly, `rust-lld` takes ~20 ms. It then needs
//! the folders where `cc` finds the C libraries that Rust's standard library
//! names (`-lc`, `-lgcc_s`, ...). Used only for cells compiled with rustc
//! directly (evcxr patch 2), and dropped for the session if a compile with
//! it fails for a reason that is not the cell's (evcxr falls back to the
//! usual link). `NN_KERNEL_LINKER=cc` turns it off.

use std::path::{Path, PathBuf};
use std::process::Command;

/// rustc arguments that link with `rust-lld` directly, or none when this
/// toolchain or machine cannot (no `rust-lld`, no `cc` to ask for the
/// library folders) or `NN_KERNEL_LINKER=cc`.
pub fn direct_link_args() -> Vec<String> {
    if std::env::var("NN_KERNEL_LINKER").is_ok_and(|v| v == "cc") {
        return Vec::new();
    }
    let Some(libdir) = rustc_target_libdir() else {
        return Vec::new();
    };
    if !libdir.join("../bin/rust-lld").is_file() {
        return Vec::new();
    }
    let Ok(output) = Command::new("cc").arg("-print-search-dirs").output() else {
        return Vec::new();
    };
    let dirs = library_dirs(&String::from_utf8_lossy(&output.stdout));
    if dirs.is_empty() {
        return Vec::new();
    }
    let mut args = vec!["-C".to_owned(), "linker=rust-lld".to_owned()];
    for dir in dirs {
        args.push("-L".to_owned());
        args.push(format!("native={}", dir.display()));
    }
    args
}

fn rustc_target_libdir() -> Option<PathBuf> {
    let output = Command::new("rustc")
        .args(["--print", "target-libdir"])
        .output()
        .ok()?;
    Some(PathBuf::from(String::from_utf8(output.stdout).ok()?.trim()))
}

/// The existing folders of the `libraries: =` line of `cc -print-search-dirs`,
/// each once.
fn library_dirs(search_dirs: &str) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = Vec::new();
    for line in search_dirs.lines() {
        let Some(list) = line.strip_prefix("libraries: =") else {
            continue;
        };
        for dir in list.split(':').map(Path::new) {
            if let Ok(dir) = dir.canonicalize()
                && dir.is_dir()
                && !dirs.contains(&dir)
            {
                dirs.push(dir);
            }
        }
    }
    dirs
}

#[cfg(test)]
mod tests {
    use super::library_dirs;

    #[test]
    fn library_folders_come_from_cc() {
        let tmp = std::env::temp_dir();
        let text = format!(
            "install: /usr/lib/gcc/x86_64-linux-gnu/12/\nprograms: =/nowhere\nlibraries: ={}:/no/such/dir:{}/\n",
            tmp.display(),
            tmp.display()
        );
        assert_eq!(library_dirs(&text), vec![tmp.canonicalize().unwrap()]);
        assert!(library_dirs("programs: =/bin").is_empty());
    }
}
