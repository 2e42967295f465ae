//! Where a cell's time went, reported in its `execute_reply`'s metadata as
//! `nn_kernel.timing` (milliseconds): front ends ignore it; `bench/cells.py
//! --breakdown` prints it, and `NN_KERNEL_DEBUG=1` logs it to stderr.
//!
//! * `queue`: the request waited for the engine (an earlier cell, start-up);
//! * `analysis`: rust-analyzer inferred the types of new variables;
//! * `compile`: every compile of the cell (`compiles` names the attempts:
//!   evcxr retries after fixing what it can, e.g. a variable moved);
//! * `run`: loading and running the compiled cell;
//! * `output`: publishing what the cell printed on stderr (the `sync`);
//! * `total`: from the request reaching the engine's queue to the reply.

use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// evcxr's phase names (`PhaseDetails`) that are not compiles.
const ANALYSIS: &str = "Analysis";
const RUN: &str = "Execution";

/// The timing of one cell.
#[derive(Debug, Clone, Default)]
pub struct Timing {
    pub queue: Duration,
    pub analysis: Duration,
    pub compile: Duration,
    pub compiles: Vec<String>,
    pub run: Duration,
    pub output: Duration,
    pub total: Duration,
}

impl Timing {
    /// From evcxr's phases of the cell (empty when it failed).
    pub fn new(queued: Instant, started: Instant, phases: &[(String, Duration)]) -> Timing {
        let mut timing = Timing {
            queue: started.duration_since(queued),
            ..Timing::default()
        };
        for (name, duration) in phases {
            match name.as_str() {
                ANALYSIS => timing.analysis += *duration,
                RUN => timing.run += *duration,
                _ => {
                    timing.compile += *duration;
                    timing.compiles.push(name.clone());
                }
            }
        }
        timing
    }

    /// The metadata of the `execute_reply`.
    pub fn metadata(&self) -> Value {
        let ms = |d: Duration| (d.as_secs_f64() * 1e4).round() / 10.0;
        json!({ "nn_kernel": { "timing": {
            "queue_ms": ms(self.queue),
            "analysis_ms": ms(self.analysis),
            "compile_ms": ms(self.compile),
            "compiles": self.compiles,
            "run_ms": ms(self.run),
            "output_ms": ms(self.output),
            "total_ms": ms(self.total),
        }}})
    }

    /// One line for the debug log.
    pub fn summary(&self) -> String {
        format!(
            "total {:.1?} (queue {:.1?}, analysis {:.1?}, compile {:.1?} [{}], run {:.1?}, output {:.1?})",
            self.total,
            self.queue,
            self.analysis,
            self.compile,
            self.compiles.join(", "),
            self.run,
            self.output
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_are_sorted_into_analysis_compiles_and_run() {
        let queued = Instant::now();
        let ms = Duration::from_millis;
        let phases = [
            ("Analysis".to_owned(), ms(30)),
            ("Captured value".to_owned(), ms(80)),
            ("Final compile".to_owned(), ms(70)),
            ("Execution".to_owned(), ms(5)),
        ];
        let timing = Timing::new(queued, queued + ms(2), &phases);
        assert_eq!(timing.queue, ms(2));
        assert_eq!(timing.analysis, ms(30));
        assert_eq!(timing.compile, ms(150));
        assert_eq!(timing.compiles, ["Captured value", "Final compile"]);
        assert_eq!(timing.run, ms(5));
        let meta = timing.metadata();
        assert_eq!(meta["nn_kernel"]["timing"]["compile_ms"], 150.0);
        assert_eq!(meta["nn_kernel"]["timing"]["compiles"][1], "Final compile");
    }
}
