//! The few pieces of HTML that tensors, modules and progress lines share:
//! JupyterLab's theme colours, with fallbacks that read on light and dark
//! backgrounds alike (for VS Code, Colab and nbconvert pages without
//! JupyterLab's CSS variables).
//!
//! Everything is inline `style` attributes: no `<style>` element, no class
//! names, no script, so an output looks the same wherever it is pasted. The
//! HTML is also well-formed XML (every tag closed, attributes quoted, no named
//! entities but the XML ones), which the tests check by parsing it.

pub(crate) use crate::notebook::html_escape as escape;

/// Body text: the theme's content colour, else whatever the page uses.
pub(crate) const TEXT: &str = "var(--jp-content-font-color1, inherit)";
/// Secondary text (indices, settings, totals' labels): a mid grey.
pub(crate) const MUTED: &str = "var(--jp-content-font-color2, #8a8a8a)";
/// Hairlines: the theme's border colour, else a translucent grey.
pub(crate) const BORDER: &str = "var(--jp-border-color2, rgba(128, 128, 128, 0.35))";
/// Header rows: the theme's second layout colour, else a faint grey wash.
pub(crate) const SHADE: &str = "var(--jp-layout-color2, rgba(128, 128, 128, 0.12))";
/// Accent (badges for autograd, the progress bar): the theme's brand blue.
pub(crate) const ACCENT: &str = "var(--jp-brand-color1, #2a7ab8)";
/// Monospace text, as in code cells.
pub(crate) const MONO: &str =
    "var(--jp-code-font-family, SFMono-Regular, Menlo, Consolas, monospace)";
/// The size of code text.
pub(crate) const MONO_SIZE: &str = "var(--jp-code-font-size, 13px)";
/// Proportional text, as in the notebook's interface.
pub(crate) const SANS: &str =
    "var(--jp-ui-font-family, system-ui, -apple-system, 'Segoe UI', sans-serif)";

/// A small rounded label: `<span …>text</span>`, escaped. `accent` draws it in
/// the accent colour (autograd state), else in the muted one.
pub(crate) fn badge(out: &mut String, text: &str, accent: bool) {
    let colour = if accent { ACCENT } else { MUTED };
    out.push_str(&format!(
        "<span style=\"display: inline-block; margin-left: 6px; padding: 0 5px; border: 1px solid {colour}; \
         border-radius: 3px; color: {colour}; font-size: 0.85em; line-height: 1.45;\">{}</span>",
        escape(text)
    ));
}

/// An integer with thousands separators, as torchinfo prints counts:
/// `1234567` → `1,234,567`.
pub(crate) fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(100_480), "100,480");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
