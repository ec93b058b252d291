//! Forwards `tracing` events of the Rust core to Python's
//! `logging.getLogger("pycassandra")`. The level is read once at import, so
//! filtered events never take the GIL. A driver message repeated within a
//! minute (digits aside) is counted, not forwarded: a node warns on every unlogged
//! batch that spans partitions, and forwarding each warning took the GIL once
//! per request, which cost more than writing the rows.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use pyo3::prelude::*;
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::Layer;

struct PythonLogging {
    /// Most verbose level forwarded.
    max_level: Level,
    repeats: Mutex<Repeats>,
}

const REPEAT_WINDOW: Duration = Duration::from_secs(60);
const MOST_REMEMBERED: usize = 1024;

/// Messages forwarded lately, by their text with digits removed: when each
/// was last forwarded and how many like it were held back since.
#[derive(Default)]
struct Repeats(HashMap<String, (Instant, u64)>);

impl Repeats {
    /// Whether to forward the message now, and how many like it were held back before it.
    fn admit(&mut self, target: &str, message: &str, now: Instant) -> Option<u64> {
        let key: String = target.chars().chain(message.chars()).filter(|c| !c.is_ascii_digit()).collect();
        if let Some((last, held)) = self.0.get_mut(&key) {
            if now.duration_since(*last) < REPEAT_WINDOW {
                *held += 1;
                return None;
            }
            let before = *held;
            *last = now;
            *held = 0;
            return Some(before);
        }
        if self.0.len() >= MOST_REMEMBERED {
            self.0.clear();
        }
        self.0.insert(key, (now, 0));
        Some(0)
    }
}

/// Collects the message and the other fields of an event as `message k=v`.
#[derive(Default)]
struct Message(String);

impl Visit for Message {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.0, "{value:?}");
        } else {
            let _ = write!(self.0, " {}={value:?}", field.name());
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.0.push_str(value);
        } else {
            let _ = write!(self.0, " {}={value}", field.name());
        }
    }
}

impl<S: Subscriber> Layer<S> for PythonLogging {
    fn on_event(&self, event: &Event<'_>, _context: Context<'_, S>) {
        let metadata = event.metadata();
        let ours = metadata.target().starts_with("pycassandra");
        // The driver's own chatter is forwarded from WARN up only.
        let max = if ours { self.max_level } else { self.max_level.min(Level::WARN) };
        if *metadata.level() > max {
            return;
        }
        let mut message = Message::default();
        event.record(&mut message);
        // Only the driver's messages are deduplicated: pycassandra's own
        // (such as each job's summary line) are all forwarded.
        let admitted = match self.repeats.lock() {
            Ok(mut repeats) if !ours => repeats.admit(metadata.target(), &message.0, Instant::now()),
            _ => Some(0),
        };
        let Some(held_back) = admitted else { return };
        if held_back > 0 {
            let _ = write!(message.0, " ({held_back} like it in the last minute not logged)");
        }
        let level = python_level(*metadata.level());
        Python::attach(|py| {
            let logged =
                py.import("logging").and_then(|logging| logging.call_method1("getLogger", ("pycassandra",))).and_then(
                    |logger| logger.call_method1("log", (level, format!("{}: {}", metadata.target(), message.0))),
                );
            if let Err(error) = logged {
                error.print(py);
            }
        });
    }
}

fn python_level(level: Level) -> u8 {
    match level {
        Level::ERROR => 40,
        Level::WARN => 30,
        Level::INFO => 20,
        _ => 10,
    }
}

/// Installs the bridge with the effective level of the `pycassandra` logger.
pub(crate) fn install(py: Python<'_>) -> PyResult<()> {
    let effective: u8 = py
        .import("logging")?
        .call_method1("getLogger", ("pycassandra",))?
        .call_method0("getEffectiveLevel")?
        .extract()?;
    let max_level = match effective {
        0..=10 => Level::DEBUG,
        11..=20 => Level::INFO,
        21..=30 => Level::WARN,
        _ => Level::ERROR,
    };
    let subscriber = tracing_subscriber::registry().with(PythonLogging { max_level, repeats: Mutex::default() });
    // Another subscriber may already be set (a host application's): keep it.
    let _ = tracing::subscriber::set_global_default(subscriber);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_repeated_within_the_window_is_counted_then_reported_once() {
        let mut repeats = Repeats::default();
        let start = Instant::now();
        assert_eq!(repeats.admit("scylla", "batch covering 50 partitions", start), Some(0));
        assert_eq!(repeats.admit("scylla", "batch covering 37 partitions", start + Duration::from_secs(1)), None);
        assert_eq!(repeats.admit("scylla", "batch covering 12 partitions", start + Duration::from_secs(2)), None);
        assert_eq!(repeats.admit("scylla", "another message", start + Duration::from_secs(2)), Some(0));
        assert_eq!(
            repeats.admit("scylla", "batch covering 9 partitions", start + REPEAT_WINDOW + Duration::from_secs(1)),
            Some(2)
        );
    }
}
