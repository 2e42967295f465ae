//! The colour maps of image grids: grays (black to white, as `cmap="gray"`)
//! for images, and a diverging map (matplotlib's `RdBu_r`: blue, white,
//! red) centred on 0 for signed values — a convolution's weights, a layer's
//! outputs — so that the sign of a value reads at a glance.

use super::svg;

/// ColorBrewer's `RdBu` (matplotlib's `RdBu_r`), its eleven anchor colours
/// from the most negative (dark blue) through 0 (near white) to the most
/// positive (dark red).
const RD_BU_R: [(u8, u8, u8); 11] = [
    (0x05, 0x30, 0x61),
    (0x21, 0x66, 0xac),
    (0x43, 0x93, 0xc3),
    (0x92, 0xc5, 0xde),
    (0xd1, 0xe5, 0xf0),
    (0xf7, 0xf7, 0xf7),
    (0xfd, 0xdb, 0xc7),
    (0xf4, 0xa5, 0x82),
    (0xd6, 0x60, 0x4d),
    (0xb2, 0x18, 0x2b),
    (0x67, 0x00, 0x1f),
];

/// How the values of an image grid become colours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ColourMap {
    /// The smallest value black, the largest white (256 grays).
    Gray,
    /// Centred on 0: 0 is white, `-m` dark blue and `+m` dark red, where
    /// `m` is the largest absolute value (255 colours, so that 0 is one of
    /// them exactly).
    Diverging,
}

impl ColourMap {
    /// The range of values the map spans, from the smallest and largest
    /// finite values: themselves for grays, `±max(|lo|, |hi|)` centred on 0.
    pub(crate) fn range(self, (lo, hi): (f64, f64)) -> (f64, f64) {
        match self {
            ColourMap::Gray => (lo, hi),
            ColourMap::Diverging => {
                let m = lo.abs().max(hi.abs());
                (-m, m)
            }
        }
    }

    /// The number of colours (levels) of the map.
    fn levels(self) -> usize {
        match self {
            ColourMap::Gray => 256,
            ColourMap::Diverging => 255,
        }
    }

    /// The level of `v` in `range` (`0..levels`), `None` for NaN. A range
    /// of one value gives black for grays (as torchvision) and white (0)
    /// for the diverging map.
    pub(crate) fn level(self, v: f64, (lo, hi): (f64, f64)) -> Option<u8> {
        if v.is_nan() {
            return None;
        }
        let t = if hi > lo {
            (v - lo) / (hi - lo)
        } else {
            match self {
                ColourMap::Gray => 0.0,
                ColourMap::Diverging => 0.5,
            }
        };
        let top = (self.levels() - 1) as f64;
        Some((t.clamp(0.0, 1.0) * top).round() as u8)
    }

    /// The `#RRGGBB` of a level.
    pub(crate) fn hex(self, level: u8) -> String {
        match self {
            ColourMap::Gray => svg::hex((level, level, level)),
            ColourMap::Diverging => {
                svg::hex(rd_bu_r(f64::from(level) / (self.levels() - 1) as f64))
            }
        }
    }

    /// The colour of a pixel that is not a number: one the map never
    /// draws, so that it does not read as a value (red on grays, green on
    /// blue-white-red).
    pub(crate) fn nan(self) -> &'static str {
        match self {
            ColourMap::Gray => "#D62728",
            ColourMap::Diverging => "#2CA02C",
        }
    }
}

/// The colour of `t` in 0..=1 on [`RD_BU_R`], interpolated between anchors.
fn rd_bu_r(t: f64) -> (u8, u8, u8) {
    let x = t.clamp(0.0, 1.0) * (RD_BU_R.len() - 1) as f64;
    let i = (x.floor() as usize).min(RD_BU_R.len() - 2);
    let f = x - i as f64;
    let (a, b) = (RD_BU_R[i], RD_BU_R[i + 1]);
    let mix = |p: u8, q: u8| (f64::from(p) + (f64::from(q) - f64::from(p)) * f).round() as u8;
    (mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// A value for the colour bar's labels: three significant digits at most,
/// without trailing zeros (`0.333`, `-1.5`, `12`, `1e-05`).
pub(crate) fn short(v: f64) -> String {
    if v == 0.0 {
        return "0".to_owned();
    }
    let a = v.abs();
    if !(1e-3..1e5).contains(&a) {
        return format!("{v:.0e}");
    }
    let decimals = (2 - a.log10().floor() as i32).max(0) as usize;
    let s = format!("{v:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_is_white_and_the_ends_are_blue_and_red() {
        let d = ColourMap::Diverging;
        let range = d.range((-0.2, 0.5));
        assert_eq!(range, (-0.5, 0.5));
        assert_eq!(d.level(0.0, range), Some(127));
        assert_eq!(d.hex(d.level(0.0, range).unwrap()), "#F7F7F7");
        assert_eq!(d.hex(d.level(-0.5, range).unwrap()), "#053061");
        assert_eq!(d.hex(d.level(0.5, range).unwrap()), "#67001F");
        assert_eq!(d.hex(d.level(-9.0, range).unwrap()), "#053061", "clamped");
        assert_eq!(d.level(f64::NAN, range), None);
        // An all-zero tensor: white, not blue.
        assert_eq!(d.level(0.0, d.range((0.0, 0.0))), Some(127));
    }

    #[test]
    fn grays_run_black_to_white() {
        let g = ColourMap::Gray;
        assert_eq!(g.range((3.0, 7.0)), (3.0, 7.0));
        assert_eq!(g.hex(g.level(3.0, (3.0, 7.0)).unwrap()), "#000000");
        assert_eq!(g.hex(g.level(7.0, (3.0, 7.0)).unwrap()), "#FFFFFF");
        assert_eq!(g.level(5.0, (3.0, 7.0)), Some(128));
        assert_eq!(g.level(1.0, (1.0, 1.0)), Some(0));
    }

    #[test]
    fn interpolated_colours_lie_between_anchors() {
        assert_eq!(rd_bu_r(0.05), (0x13, 0x4b, 0x87));
        assert_eq!(rd_bu_r(1.0), RD_BU_R[10]);
    }

    #[test]
    fn labels_are_short() {
        assert_eq!(short(0.0), "0");
        assert_eq!(short(1.0 / 3.0), "0.333");
        assert_eq!(short(-1.5), "-1.5");
        assert_eq!(short(12.04), "12");
        assert_eq!(short(0.5773), "0.577");
        assert_eq!(short(-0.0123456), "-0.0123");
        assert_eq!(short(123.4), "123");
        assert_eq!(short(0.00001), "1e-5");
    }
}
