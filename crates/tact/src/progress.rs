//! Progress on long CLI work (issue 12): a bar on standard error while a person watches,
//! nothing at all when the output is not a terminal (a script, a pipe, a log), so nothing
//! it prints can be mistaken for a result.

use indicatif::{ProgressBar, ProgressStyle};

/// A bar counting `len` steps of `what` ("people", "messages").
pub fn bar(len: usize, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(len as u64);
    let style = ProgressStyle::with_template(&format!(
        "{{spinner}} {{bar:30}} {{pos}}/{{len}} {what} ({{elapsed}}, about {{eta}} to go)"
    ))
    .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar
}
