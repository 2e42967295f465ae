//! Forwarding the output of the process that runs the cells. evcxr hands
//! its stdout and stderr over as lines; a thread publishes them through the
//! [`Sink`] as they come, consecutive lines of one stream batched into one
//! message. When a cell returns, the session asks for a flush: evcxr has
//! read the cell's stdout by then but reads stderr on another thread, so
//! stderr is drained up to the `sync` line nn-core was asked to write, and
//! a cell's last stderr lines never arrive after its reply.

use crate::display::transport::Message;
use crate::display::{Sink, Stream};
use evcxr::EvalContextOutputs;
use std::time::{Duration, Instant};

/// A request to the output thread: answer on `ack` once the cell's output
/// is published; `sync` is the number of the `sync` line nn-core was asked
/// to write to stderr, if it was.
pub struct Flush {
    pub ack: crossbeam_channel::Sender<()>,
    pub sync: Option<u64>,
}

/// Publishes the child's stdout and stderr as they come, a batch of
/// consecutive lines of one stream per message, and answers flush requests
/// once everything written so far is out.
pub fn forward_output(
    outputs: EvalContextOutputs,
    flush: &crossbeam_channel::Receiver<Flush>,
    sink: &Sink,
) {
    let EvalContextOutputs { stdout, stderr } = outputs;
    let take_batch = |first: String, rest: &crossbeam_channel::Receiver<String>| {
        let mut lines = vec![first];
        while lines.len() < 256 {
            match rest.try_recv() {
                Ok(line) => lines.push(line),
                Err(_) => break,
            }
        }
        lines
    };
    // The number of the last `sync` line seen on stderr.
    let last_sync = std::cell::Cell::new(0);
    let stderr_batch = |first: String| {
        let mut plain = Vec::new();
        for line in take_batch(first, &stderr) {
            match Message::find(&line) {
                Some((before, Message::Sync { id })) => {
                    sink.lines(Stream::Stderr, &std::mem::take(&mut plain));
                    sink.stream(Stream::Stderr, before);
                    last_sync.set(last_sync.get().max(id));
                }
                _ => plain.push(line),
            }
        }
        sink.lines(Stream::Stderr, &plain);
    };
    loop {
        crossbeam_channel::select! {
            recv(stdout) -> line => match line {
                Ok(line) => sink.lines(Stream::Stdout, &take_batch(line, &stdout)),
                Err(_) => return,
            },
            recv(stderr) -> line => match line {
                Ok(line) => stderr_batch(line),
                Err(_) => return,
            },
            recv(flush) -> request => {
                let Ok(Flush { ack, sync }) = request else { return };
                while let Ok(line) = stdout.try_recv() {
                    sink.lines(Stream::Stdout, &take_batch(line, &stdout));
                }
                match sync {
                    // Everything up to nn-core's `sync` line.
                    Some(id) => {
                        let deadline = Instant::now() + Duration::from_secs(2);
                        while last_sync.get() < id {
                            let left = deadline.saturating_duration_since(Instant::now());
                            match stderr.recv_timeout(left) {
                                Ok(line) => stderr_batch(line),
                                Err(_) => break,
                            }
                        }
                    }
                    // Without nn-core: whatever arrives in a moment.
                    None => {
                        while let Ok(line) = stderr.recv_timeout(Duration::from_millis(20)) {
                            stderr_batch(line);
                        }
                    }
                }
                let _ = ack.send(());
            }
        }
    }
}
