//! Golden files for figures: the SVG of two plots and of the pictures of
//! the classification lesson is compared with `tests/golden/*.svg`, byte
//! for byte (`plot_pictures.rs` reads the pictures' structure back).
//!
//! After a deliberate change to how figures look, look at the new pictures
//! (docs/display.md says how), then update the files with
//!
//! ```text
//! UPDATE_GOLDEN=1 cargo test -p nn-core --test plot_golden
//! ```
//!
//! and review `git diff nn-core/tests/golden`.
//!
//! Every figure of the gallery (`tests/plots/mod.rs`, shared with
//! `plot_png.rs`) is also written to `target/tmp/plot-gallery/` on each run,
//! to be looked at.

mod plots;

use std::path::{Path, PathBuf};

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

/// Compares `svg` with the golden file `name`, or rewrites it when
/// `UPDATE_GOLDEN` is set. On a mismatch the message shows the first
/// differing lines with context, as a diff would.
fn check_golden(name: &str, svg: &str) {
    let path = golden_dir().join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(golden_dir()).unwrap();
        std::fs::write(&path, svg).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e}\nCreate it with: UPDATE_GOLDEN=1 cargo test -p nn-core --test plot_golden",
            path.display()
        )
    });
    if want != svg {
        panic!(
            "{name} differs from {}:\n{}\nIf the change is intended, look at the picture, then run:\n  \
             UPDATE_GOLDEN=1 cargo test -p nn-core --test plot_golden",
            path.display(),
            line_diff(&want, svg)
        );
    }
}

/// The first differing region of two texts, `-` for expected lines and `+`
/// for actual ones, with three lines of context.
fn line_diff(want: &str, got: &str) -> String {
    let (a, b): (Vec<&str>, Vec<&str>) = (want.lines().collect(), got.lines().collect());
    let first = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let (mut ea, mut eb) = (a.len(), b.len());
    while ea > first && eb > first && a[ea - 1] == b[eb - 1] {
        ea -= 1;
        eb -= 1;
    }
    let mut out = format!(
        "@@ line {} ({} lines expected, {} got) @@\n",
        first + 1,
        a.len(),
        b.len()
    );
    for line in &a[first.saturating_sub(3)..first] {
        out.push_str(&format!("  {line}\n"));
    }
    const MAX: usize = 20;
    for line in a[first..ea].iter().take(MAX) {
        out.push_str(&format!("- {line}\n"));
    }
    for line in b[first..eb].iter().take(MAX) {
        out.push_str(&format!("+ {line}\n"));
    }
    if ea - first > MAX || eb - first > MAX {
        out.push_str("  … (more differing lines)\n");
    }
    for line in a.iter().skip(ea).take(3) {
        out.push_str(&format!("  {line}\n"));
    }
    out
}

#[test]
fn relu_activation_matches_golden() {
    check_golden("relu.svg", &plots::relu().to_svg());
}

#[test]
fn regression_fit_matches_golden() {
    check_golden("fit.svg", &plots::fit().to_svg());
}

/// The classification lesson's pictures: image grid, confusion matrix,
/// network diagram, decision boundary, training curves.
#[test]
fn pictures_match_golden() {
    for (name, figure) in plots::pictures() {
        check_golden(&format!("{name}.svg"), &figure.to_svg());
    }
}

#[test]
fn golden_diff_is_readable() {
    let diff = line_diff("a\nb\nc\nd\n", "a\nb\nX\nd\n");
    assert_eq!(
        diff,
        "@@ line 3 (4 lines expected, 4 got) @@\n  a\n  b\n- c\n+ X\n  d\n"
    );
}

/// Writes every kind of figure to `target/tmp/plot-gallery/` for review
/// (docs/display.md; `plot_png`'s `gallery_png` writes them as PNG).
#[test]
fn gallery() {
    let dir = plots::gallery_dir();
    for (name, figure) in plots::gallery() {
        let svg = figure.to_svg();
        roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{name}.svg: {e}"));
        std::fs::write(dir.join(format!("{name}.svg")), svg).unwrap();
    }
}
