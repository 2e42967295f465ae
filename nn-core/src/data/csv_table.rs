//! Reading a CSV file into tensors: [`read_csv`] and [`CsvTable`]. The csv
//! crate does the parsing (quotes, line numbers); this file turns columns
//! into tensors and says where a bad value is.

use std::collections::BTreeMap;
use std::fmt;
use std::fs::File;
use std::io::Read;

use crate::tensor::Tensor;

/// How to read a CSV file: whether its first line names the columns, and
/// the separator.
///
/// ```
/// use nn_core::data::{CsvOptions, CsvTable};
///
/// let options = CsvOptions { header: false, delimiter: b';' };
/// let t = CsvTable::parse("1;2\n3;4\n", &options).unwrap();
/// assert_eq!(t.headers(), ["0", "1"]);
/// assert_eq!(t.to_tensor().to_string(), "tensor([[1., 2.],\n        [3., 4.]])");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CsvOptions {
    /// The first line holds the column names (pandas' `header=0`); when
    /// `false` the columns are named `"0"`, `"1"`, … (`header=None`).
    pub header: bool,
    /// The byte between fields.
    pub delimiter: u8,
}

/// A header line and commas, as `pd.read_csv`'s defaults.
///
/// ```
/// use nn_core::data::CsvOptions;
///
/// assert_eq!(CsvOptions::default(), CsvOptions { header: true, delimiter: b',' });
/// ```
impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            header: true,
            delimiter: b',',
        }
    }
}

/// A CSV file that could not be read or a value that is not a number,
/// with where it is.
///
/// ```
/// use nn_core::data::{CsvOptions, CsvTable};
///
/// let t = CsvTable::parse("x,y\n1,2\n3,oops\n", &CsvOptions::default()).unwrap();
/// let err = t.try_columns(&["x", "y"]).unwrap_err();
/// assert_eq!((err.line, err.column), (Some(3), Some(2)));
/// assert_eq!(
///     err.to_string(),
///     "<string>, line 3, column 2 (\"y\"): could not convert string to float: 'oops'"
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsvError {
    /// The whole message, naming the file, line and column.
    pub message: String,
    /// The line of the file (1-based, the header line included), if the
    /// error is at one.
    pub line: Option<u64>,
    /// The column (1-based), if the error is at one.
    pub column: Option<usize>,
}

impl fmt::Display for CsvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CsvError {}

/// The text of a CSV file, read once: column names and rows of fields.
/// Turn columns into tensors with [`column`](Self::column),
/// [`columns`](Self::columns), [`to_tensor`](Self::to_tensor) and
/// [`labels`](Self::labels).
///
/// Numbers become float32 tensors, parsed as Python's `float()` (a double)
/// and rounded once to float32, as `torch.tensor(df.values,
/// dtype=torch.float32)` gives after `pd.read_csv`. Spaces around fields are
/// ignored.
///
/// ```
/// use nn_core::data::{CsvOptions, CsvTable};
///
/// let text = "\
/// sepal_length,sepal_width,species
/// 5.1,3.5,setosa
/// 7.0,3.2,versicolor
/// 6.3,3.3,virginica
/// 4.9,3.0,setosa
/// ";
/// let iris = CsvTable::parse(text, &CsvOptions::default()).unwrap();
/// let x = iris.columns(&["sepal_length", "sepal_width"]);
/// let (y, species) = iris.labels("species");
/// assert_eq!(x.shape(), [4, 2]);
/// assert_eq!(y.to_string(), "tensor([0, 1, 2, 0])");
/// assert_eq!(species, ["setosa", "versicolor", "virginica"]);
/// ```
#[derive(Clone)]
pub struct CsvTable {
    source: String,
    headers: Vec<String>,
    rows: Vec<::csv::StringRecord>,
    /// The line each row starts on (1-based).
    lines: Vec<u64>,
}

/// Reads the CSV file at `path`, whose first line names the columns (as
/// `pd.read_csv(path)`); see [`CsvTable`] for turning it into tensors.
///
/// # Panics
/// If the file cannot be opened or is not well-formed CSV, with a message
/// naming the file (and the line). [`CsvTable::read`] returns the error
/// instead.
///
/// ```no_run
/// use nn_core::prelude::*;
///
/// let iris = data::read_csv("iris.csv");
/// let x = iris.columns(&["sepal_length", "sepal_width", "petal_length", "petal_width"]);
/// let (y, species) = iris.labels("species");
/// ```
#[track_caller]
pub fn read_csv(path: &str) -> CsvTable {
    match CsvTable::read(path, &CsvOptions::default()) {
        Ok(table) => table,
        Err(e) => panic!("{e}"),
    }
}

impl CsvTable {
    /// Reads the CSV file at `path` with `options`.
    ///
    /// ```
    /// use nn_core::data::{CsvOptions, CsvTable};
    ///
    /// let err = CsvTable::read("no-such-file.csv", &CsvOptions::default()).unwrap_err();
    /// assert!(err.to_string().starts_with("could not open no-such-file.csv: "));
    /// ```
    pub fn read(path: &str, options: &CsvOptions) -> Result<CsvTable, CsvError> {
        let file = File::open(path).map_err(|e| CsvError {
            message: format!("could not open {path}: {e}"),
            line: None,
            column: None,
        })?;
        CsvTable::from_reader(Box::new(file), path, options)
    }

    /// Reads CSV text held in a string (named `<string>` in errors).
    ///
    /// ```
    /// use nn_core::data::{CsvOptions, CsvTable};
    ///
    /// let t = CsvTable::parse("a,b\n1,2\n", &CsvOptions::default()).unwrap();
    /// assert_eq!(t.len(), 1);
    /// ```
    pub fn parse(text: &str, options: &CsvOptions) -> Result<CsvTable, CsvError> {
        CsvTable::from_reader(Box::new(text.as_bytes()), "<string>", options)
    }

    /// Reads CSV from any reader; `source` names it in errors. Not generic,
    /// so that a notebook cell does not compile the csv parser again.
    pub(crate) fn from_reader(
        reader: Box<dyn Read + '_>,
        source: &str,
        options: &CsvOptions,
    ) -> Result<CsvTable, CsvError> {
        // Read whole (a course's files are small): the csv crate dates a
        // record from where the previous one ended, before any blank lines,
        // and the text is needed to give the record's own line.
        let mut text = Vec::new();
        let mut reader = reader;
        reader.read_to_end(&mut text).map_err(|e| CsvError {
            message: format!("could not read {source}: {e}"),
            line: None,
            column: None,
        })?;
        let mut csv = ::csv::ReaderBuilder::new()
            .has_headers(options.header)
            .delimiter(options.delimiter)
            .trim(::csv::Trim::All)
            .from_reader(&text[..]);
        let error = |e: ::csv::Error| csv_error(source, &text, &e, options.header);
        let mut headers: Vec<String> = if options.header {
            csv.headers()
                .map_err(error)?
                .iter()
                .map(str::to_string)
                .collect()
        } else {
            Vec::new()
        };
        if options.header && headers.is_empty() {
            return Err(CsvError {
                message: format!("{source}: No columns to parse from file"),
                line: Some(1),
                column: None,
            });
        }
        let mut rows = Vec::new();
        let mut lines = Vec::new();
        for record in csv.records() {
            let record = record.map_err(error)?;
            lines.push(record.position().map_or(0, |p| line_of(&text, p)));
            rows.push(record);
        }
        if !options.header {
            let width = rows.first().map_or(0, |r| r.len());
            headers = (0..width).map(|i| i.to_string()).collect();
        }
        Ok(CsvTable {
            source: source.to_string(),
            headers,
            rows,
            lines,
        })
    }

    /// The column names, as `df.columns`.
    ///
    /// ```
    /// use nn_core::data::{CsvOptions, CsvTable};
    ///
    /// let t = CsvTable::parse("x, y\n1, 2\n", &CsvOptions::default()).unwrap();
    /// assert_eq!(t.headers(), ["x", "y"]);
    /// ```
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// The number of rows (the header line not counted), as `len(df)`.
    ///
    /// ```
    /// use nn_core::data::{CsvOptions, CsvTable};
    ///
    /// let t = CsvTable::parse("x\n1\n2\n3\n", &CsvOptions::default()).unwrap();
    /// assert_eq!(t.len(), 3);
    /// ```
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether there are no rows.
    ///
    /// ```
    /// use nn_core::data::{CsvOptions, CsvTable};
    ///
    /// assert!(CsvTable::parse("x,y\n", &CsvOptions::default()).unwrap().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// One column as a float32 tensor of shape `[rows]`, as
    /// `torch.tensor(df[name].values, dtype=torch.float32)`.
    ///
    /// # Panics
    /// If there is no such column, or a value is not a number (the message
    /// names the line and column).
    ///
    /// ```
    /// use nn_core::data::{CsvOptions, CsvTable};
    ///
    /// let t = CsvTable::parse("x,y\n1,2\n3,4\n", &CsvOptions::default()).unwrap();
    /// assert_eq!(t.column("y").to_string(), "tensor([2., 4.])");
    /// ```
    #[track_caller]
    pub fn column(&self, name: &str) -> Tensor {
        let t = self.columns(&[name]);
        let rows = self.len();
        t.view([rows as i64])
    }

    /// Columns as a float32 tensor of shape `[rows, names.len()]`, in the
    /// order given, as `torch.tensor(df[names].values, dtype=torch.float32)`.
    ///
    /// # Panics
    /// As [`try_columns`](Self::try_columns) errs.
    ///
    /// ```
    /// use nn_core::data::{CsvOptions, CsvTable};
    ///
    /// let t = CsvTable::parse("x,y,z\n1,2,3\n4,5,6\n", &CsvOptions::default()).unwrap();
    /// assert_eq!(t.columns(&["z", "x"]).to_string(), "tensor([[3., 1.],\n        [6., 4.]])");
    /// ```
    #[track_caller]
    pub fn columns(&self, names: &[&str]) -> Tensor {
        match self.try_columns(names) {
            Ok(t) => t,
            Err(e) => panic!("{e}"),
        }
    }

    /// Fallible form of [`columns`](Self::columns): an error names the file,
    /// line and column of the first value that is not a number, or the
    /// column that is not there.
    ///
    /// ```
    /// use nn_core::data::{CsvOptions, CsvTable};
    ///
    /// let t = CsvTable::parse("x,y\n1,2\n", &CsvOptions::default()).unwrap();
    /// let err = t.try_columns(&["w"]).unwrap_err();
    /// assert_eq!(err.to_string(), "<string> has no column 'w'; its columns are: x, y");
    /// ```
    pub fn try_columns(&self, names: &[&str]) -> Result<Tensor, CsvError> {
        let indices = names
            .iter()
            .map(|name| self.index_of(name))
            .collect::<Result<Vec<usize>, CsvError>>()?;
        let mut values = Vec::with_capacity(self.len() * indices.len());
        for r in 0..self.rows.len() {
            for &c in &indices {
                values.push(self.number(r, c)?);
            }
        }
        Ok(Tensor::from_vec(values, [self.len(), indices.len()]))
    }

    /// Every column as a float32 tensor of shape `[rows, columns]`, as
    /// `torch.tensor(df.values, dtype=torch.float32)`.
    ///
    /// # Panics
    /// If a value is not a number, naming its line and column.
    ///
    /// ```
    /// use nn_core::data::{CsvOptions, CsvTable};
    ///
    /// let t = CsvTable::parse("x,y\n1,2\n3,4\n", &CsvOptions::default()).unwrap();
    /// assert_eq!(t.to_tensor().shape(), [2, 2]);
    /// ```
    #[track_caller]
    pub fn to_tensor(&self) -> Tensor {
        let names: Vec<&str> = self.headers.iter().map(String::as_str).collect();
        self.columns(&names)
    }

    /// A column of class names as class indices (int64, shape `[rows]`)
    /// and the names in index order — sorted, as scikit-learn's
    /// `LabelEncoder` sorts them. Labels for `CrossEntropyLoss`.
    ///
    /// A column that already holds class numbers is a
    /// [`column`](Self::column) and `.long()`.
    ///
    /// # Panics
    /// If there is no such column.
    ///
    /// ```
    /// use nn_core::data::{CsvOptions, CsvTable};
    ///
    /// let t = CsvTable::parse("pet\ndog\ncat\ndog\n", &CsvOptions::default()).unwrap();
    /// let (y, classes) = t.labels("pet");
    /// assert_eq!(y.to_string(), "tensor([1, 0, 1])");
    /// assert_eq!(classes, ["cat", "dog"]);
    /// ```
    #[track_caller]
    pub fn labels(&self, name: &str) -> (Tensor, Vec<String>) {
        let c = match self.index_of(name) {
            Ok(c) => c,
            Err(e) => panic!("{e}"),
        };
        let mut classes: BTreeMap<&str, i64> = self.rows.iter().map(|r| (&r[c], 0)).collect();
        for (code, slot) in classes.values_mut().enumerate() {
            *slot = code as i64;
        }
        let codes: Vec<i64> = self.rows.iter().map(|r| classes[&r[c]]).collect();
        let names = classes.keys().map(|s| s.to_string()).collect();
        (Tensor::from_vec(codes, [self.len()]), names)
    }

    fn index_of(&self, name: &str) -> Result<usize, CsvError> {
        self.headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| CsvError {
                message: format!(
                    "{} has no column '{name}'; its columns are: {}",
                    self.source,
                    self.headers.join(", ")
                ),
                line: None,
                column: None,
            })
    }

    /// Field `c` of `row` as float32: parsed as a double, as Python's
    /// `float()` and pandas do, then rounded once.
    fn number(&self, r: usize, c: usize) -> Result<f32, CsvError> {
        let text = &self.rows[r][c];
        text.parse::<f64>().map(|v| v as f32).map_err(|_| {
            let line = self.lines[r];
            CsvError {
                message: format!(
                    "{}, line {line}, column {} (\"{}\"): could not convert string to float: '{text}'",
                    self.source,
                    c + 1,
                    self.headers[c]
                ),
                line: Some(line),
                column: Some(c + 1),
            }
        })
    }
}

/// The number of rows and the columns, e.g. `CsvTable(iris.csv: 150 rows × 5
/// columns: sepal_length, …)`.
///
/// ```
/// use nn_core::data::{CsvOptions, CsvTable};
///
/// let t = CsvTable::parse("x,y\n1,2\n", &CsvOptions::default()).unwrap();
/// assert_eq!(format!("{t:?}"), "CsvTable(<string>: 1 rows × 2 columns: x, y)");
/// ```
impl fmt::Debug for CsvTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "CsvTable({}: {} rows × {} columns: {})",
            self.source,
            self.len(),
            self.headers.len(),
            self.headers.join(", ")
        )
    }
}

/// The line a record starts on. The csv crate's position is where the
/// previous record ended; empty lines between the two are skipped by the
/// parser, so they are counted here.
fn line_of(text: &[u8], position: &::csv::Position) -> u64 {
    let mut line = position.line();
    for &b in text.iter().skip(position.byte() as usize) {
        match b {
            b'\n' => line += 1,
            b'\r' => {}
            _ => break,
        }
    }
    line
}

/// A csv crate error in this file's words: the file and line first.
fn csv_error(source: &str, text: &[u8], e: &::csv::Error, header: bool) -> CsvError {
    let line = e.position().map(|p| line_of(text, p));
    let at = line.map_or(String::new(), |l| format!(", line {l}"));
    let message = match e.kind() {
        ::csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            let first = if header {
                "the header"
            } else {
                "the first line"
            };
            format!("{source}{at}: {len} fields, but {first} has {expected_len}")
        }
        ::csv::ErrorKind::Utf8 { .. } => format!("{source}{at}: not UTF-8 text"),
        _ => format!("{source}{at}: {e}"),
    };
    CsvError {
        message,
        line,
        column: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> CsvTable {
        CsvTable::parse(text, &CsvOptions::default()).unwrap()
    }

    #[test]
    fn a_ragged_line_is_named() {
        let err = CsvTable::parse("a,b\n1,2\n3\n", &CsvOptions::default()).unwrap_err();
        assert_eq!(
            err.message,
            "<string>, line 3: 1 fields, but the header has 2"
        );
        assert_eq!(err.line, Some(3));
        // Blank lines before it still count.
        let err = CsvTable::parse("a,b\n1,2\n\r\n\n3\n", &CsvOptions::default()).unwrap_err();
        assert_eq!(err.line, Some(5));
    }

    #[test]
    fn a_bad_value_names_line_and_column() {
        let t = parse("a,b,c\n1,2,3\n\n4,,6\n");
        let err = t.try_columns(&["c", "b"]).unwrap_err();
        // The blank line 3 is skipped but still counted.
        assert_eq!(
            err.message,
            "<string>, line 4, column 2 (\"b\"): could not convert string to float: ''"
        );
        assert_eq!((err.line, err.column), (Some(4), Some(2)));
    }

    #[test]
    fn quoted_fields_and_spaces() {
        let t = parse("\"a, quoted\",b\n\"1.5\", 2 \n");
        assert_eq!(t.headers(), ["a, quoted", "b"]);
        assert_eq!(t.to_tensor().to_vec::<f32>(), [1.5, 2.0]);
    }

    #[test]
    fn values_round_through_a_double() {
        // 1.00000005960464477539062500001 rounds up as a float32 directly,
        // but to exactly 1 + 2⁻²⁴ as a double, which then ties to even: 1.0.
        let t = parse("x\n1.00000005960464477539062500001\n");
        assert_eq!(t.column("x").to_vec::<f32>(), [1.0]);
    }

    #[test]
    fn an_empty_file_has_no_columns() {
        let err = CsvTable::parse("", &CsvOptions::default()).unwrap_err();
        assert_eq!(err.message, "<string>: No columns to parse from file");
    }

    #[test]
    fn without_a_header_the_first_line_is_data() {
        let t = CsvTable::parse(
            "1,2\n3,4\n",
            &CsvOptions {
                header: false,
                delimiter: b',',
            },
        )
        .unwrap();
        assert_eq!(t.len(), 2);
        assert_eq!(t.column("1").to_vec::<f32>(), [2.0, 4.0]);
    }

    #[test]
    fn reads_a_file() {
        let path = std::env::temp_dir().join(format!("nn-core-csv-{}.csv", std::process::id()));
        std::fs::write(&path, "x,y\n1,2\n").unwrap();
        let t = read_csv(path.to_str().unwrap());
        std::fs::remove_file(&path).unwrap();
        assert_eq!(t.columns(&["y", "x"]).to_vec::<f32>(), [2.0, 1.0]);
    }
}
