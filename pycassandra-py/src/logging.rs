//! Forwards `tracing` events of the Rust core to Python's
//! `logging.getLogger("pycassandra")`. The level is read once at import, so
//! filtered events never take the GIL.

use std::fmt::Write as _;

use pyo3::prelude::*;
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::Layer;

struct PythonLogging {
    /// Most verbose level forwarded.
    max_level: Level,
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
        let level = python_level(*metadata.level());
        Python::attach(|py| {
            let logged = py
                .import("logging")
                .and_then(|logging| logging.call_method1("getLogger", ("pycassandra",)))
                .and_then(|logger| logger.call_method1("log", (level, format!("{}: {}", metadata.target(), message.0))));
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
    let subscriber = tracing_subscriber::registry().with(PythonLogging { max_level });
    // Another subscriber may already be set (a host application's): keep it.
    let _ = tracing::subscriber::set_global_default(subscriber);
    Ok(())
}
