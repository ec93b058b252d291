//! Options that are missing, malformed or contradict each other.

use std::fmt;

/// "unknown option 'wher'; did you mean 'where'? (options of a read: …)".
fn unknown_options(options: &[(String, Option<&'static str>)], direction: &str, known: &[&str]) -> String {
    let listed = known.join(", ");
    match options {
        [(name, Some(nearest))] => {
            format!("unknown option '{name}'; did you mean '{nearest}'? (options of a {direction}: {listed})")
        }
        [(name, None)] => format!("unknown option '{name}' (options of a {direction}: {listed})"),
        _ => {
            let named: Vec<String> = options
                .iter()
                .map(|(name, nearest)| match nearest {
                    Some(nearest) => format!("'{name}' (did you mean '{nearest}'?)"),
                    None => format!("'{name}'"),
                })
                .collect();
            format!("unknown options {} (options of a {direction}: {listed})", named.join(", "))
        }
    }
}

/// A problem found in the options before connecting.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// Required options are absent.
    #[error("missing required options: {}", .options.join(", "))]
    Missing {
        /// The absent options.
        options: Vec<&'static str>,
    },
    /// An option's value does not parse.
    #[error("option '{option}' has invalid value '{value}': expected {expected}")]
    InvalidValue {
        /// The option.
        option: &'static str,
        /// What was given (never a password: passwords are not parsed).
        value: String,
        /// What is accepted.
        expected: String,
    },
    /// Options this crate does not know, probably misspelt.
    #[error("{}", unknown_options(.options, .direction, .known))]
    Unknown {
        /// The unknown option names, each with the nearest option of the
        /// job's direction when one is near enough to be the one meant.
        options: Vec<(String, Option<&'static str>)>,
        /// `read` or `write`.
        direction: &'static str,
        /// The options a job of this direction takes.
        known: Vec<&'static str>,
    },
    /// Options of the other direction: a write option given to a read, or the reverse.
    #[error("options {} apply to {applies_to} only", .options.join(", "))]
    WrongDirection {
        /// The misplaced options.
        options: Vec<String>,
        /// `reads` or `writes`.
        applies_to: &'static str,
    },
    /// Two options that are given together or not at all.
    #[error("'{a}' and '{b}' must be given together")]
    RequiresTogether {
        /// One option.
        a: &'static str,
        /// The other.
        b: &'static str,
    },
    /// An option given without the one it needs.
    #[error("{needed} must be provided when {given} is specified")]
    Requires {
        /// The option given.
        given: &'static str,
        /// The option it needs.
        needed: &'static str,
    },
    /// Two options that, when given, must both have a value.
    #[error("'{a}' and '{b}' must both be non-empty")]
    BothNonEmpty {
        /// One option.
        a: &'static str,
        /// The other.
        b: &'static str,
    },
    /// An option and its other name were given different values.
    #[error(
        "'{alias}' and '{option}' are two names of one option and were given different values \
         ('{alias_value}' and '{option_value}'); give one of them"
    )]
    AliasDisagrees {
        /// The other name.
        alias: &'static str,
        /// The option's name.
        option: &'static str,
        /// The value given to `alias`.
        alias_value: String,
        /// The value given to `option`.
        option_value: String,
    },
    /// Options that only `write_mode` = `update` uses.
    #[error("{} need 'write_mode' = 'update'", Quoted(.options, " and "))]
    NeedsUpdateMode {
        /// The options of update mode.
        options: &'static [&'static str],
    },
    /// One column listed in two options that say the opposite.
    #[error("column '{column}' is in both '{a}' and '{b}'")]
    ColumnInBoth {
        /// The column.
        column: String,
        /// One option.
        a: &'static str,
        /// The other.
        b: &'static str,
    },
    /// Two options (or an option and a value of another) that cannot be combined.
    #[error("'{a}' cannot be combined with {}: {why}", OptionValue(.b, .b_value))]
    Excludes {
        /// The option refused.
        a: &'static str,
        /// The option it cannot be combined with.
        b: &'static str,
        /// The value of `b` that excludes `a`, when only one does.
        b_value: Option<&'static str>,
        /// Why.
        why: &'static str,
    },
    /// TLS options given while `ssl_enabled` is not `true`.
    #[error("{} given but 'ssl_enabled' is not 'true'", .options.join(", "))]
    TlsNotEnabled {
        /// The TLS options given.
        options: Vec<&'static str>,
    },
    /// No CA certificate was given and the system trust store has none.
    #[error(
        "no CA certificate found in the system trust store{}; give '{option}'",
        if .errors.is_empty() { String::new() } else { format!(" ({})", .errors.join("; ")) }
    )]
    NoSystemCaCertificates {
        /// What went wrong reading the store.
        errors: Vec<String>,
        /// The option that names a CA file instead.
        option: &'static str,
    },
    /// The TLS library refused the configuration.
    #[error("cannot initialise TLS: {reason}")]
    Tls {
        /// The library's reason.
        reason: String,
    },
    /// An option of batch writes given to a streaming write.
    #[error("option '{option}' does not apply to a streaming write: {why}; remove the option")]
    NotForStreaming {
        /// The option.
        option: &'static str,
        /// Why it has no meaning there.
        why: &'static str,
    },
    /// Several of the above at once.
    #[error("{}", DisplayList(.problems))]
    Several {
        /// Each problem.
        problems: Vec<ConfigError>,
    },
}

impl ConfigError {
    pub(crate) fn from_problems(mut problems: Vec<ConfigError>) -> Self {
        if problems.len() == 1 {
            problems.remove(0)
        } else {
            ConfigError::Several { problems }
        }
    }
}

/// `'a' and 'b'`: option names quoted, joined by `separator`.
struct Quoted<'a>(&'a [&'a str], &'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, name) in self.0.iter().enumerate() {
            if index > 0 {
                f.write_str(self.1)?;
            }
            write!(f, "'{name}'")?;
        }
        Ok(())
    }
}

/// `'option'`, or `'option' = 'value'`.
struct OptionValue<'a>(&'a str, &'a Option<&'a str>);

impl fmt::Display for OptionValue<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.1 {
            Some(value) => write!(f, "'{}' = '{value}'", self.0),
            None => write!(f, "'{}'", self.0),
        }
    }
}

struct DisplayList<'a, T>(&'a [T]);

impl<T: fmt::Display> fmt::Display for DisplayList<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, item) in self.0.iter().enumerate() {
            if index > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{item}")?;
        }
        Ok(())
    }
}
