//! The cost of filling placeholders: a 100 KB body for 1 and 5,000 recipients, with the
//! one-pass `message_text::fill` and, for contrast in the same run, the quadratic fill the
//! outbox had before (each `{` searched to the end of the text), on a normal body and on
//! the hostile one (100 KB of `{`) that cost 29 s of CPU for 200 recipients.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use domain::outbox::message_text::fill;

/// The fill as it was: at each `{`, `find('}')` scans the rest of the text.
fn quadratic_fill(text: &str, values: &BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) if values.contains_key(&after[..end].to_lowercase()) => {
                out.push_str(&values[&after[..end].to_lowercase()]);
                rest = &after[end + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn time(
    recipients: usize,
    text: &str,
    f: fn(&str, &BTreeMap<String, String>) -> String,
) -> Duration {
    let started = Instant::now();
    for i in 0..recipients {
        let values = BTreeMap::from([
            ("nom".to_owned(), format!("Famille {i}")),
            ("eleve".to_owned(), "Léa".to_owned()),
        ]);
        std::hint::black_box(f(text, &values));
    }
    started.elapsed()
}

pub fn run() {
    let paragraph = "Bonjour {nom},\n\nVoici le bulletin de {eleve} pour le trimestre. ";
    let normal: String = paragraph.repeat(100 * 1024 / paragraph.len());
    let hostile = "{".repeat(100 * 1024);
    println!("Placeholder filling, 100 KB body (same run):");
    println!("| body | recipients | one pass (ms) | quadratic, before (ms) |");
    println!("| --- | ---: | ---: | ---: |");
    for (label, body, recipients, quadratic_too) in [
        ("normal", &normal, 1, true),
        ("normal", &normal, 5_000, true),
        ("100 KB of `{`", &hostile, 1, true),
        ("100 KB of `{`", &hostile, 5_000, false),
    ] {
        let linear = time(recipients, body, fill);
        let before = match quadratic_too {
            true => format!(
                "{:.1}",
                time(recipients, body, quadratic_fill).as_secs_f64() * 1e3
            ),
            // About 5,000 × one recipient's time: minutes; not run.
            false => "not run (≈ 5,000 × the line above)".to_owned(),
        };
        println!(
            "| {label} | {recipients} | {:.1} | {before} |",
            linear.as_secs_f64() * 1e3
        );
    }
    println!();
}
