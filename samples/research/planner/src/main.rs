//! planner is the research team's lead (samples/research), in Rust: it reads a topic from its
//! input, asks the LLM to split it into sub-questions (deriving them from the topic when the
//! answer holds too few), starts one researcher agent per sub-question, all at once, each with
//! a budget carved from its own, collects the notes they send it, then starts a writer agent
//! that combines the notes into a report, which it writes as its output.
//!
//! ```text
//! aios run --config samples/research/aios.toml planner.bundle.wasm --input 'WebAssembly' -- --researchers 3
//! ```
//!
//! Arguments: `--researchers N` (1 to 100, default 3) and `--tokens N`, each researcher's
//! budget in tokens (default 2000; the writer gets twice as much).

mod plan;
mod team;

use std::time::Duration;

/// What the planner researches when its input is empty.
const DEFAULT_TOPIC: &str = "WebAssembly as a sandbox for AI agents";

/// The most researchers one planner starts.
const MAX_RESEARCHERS: usize = 100;

/// How long the planner waits for all the researchers' notes.
const NOTES_TIMEOUT: Duration = Duration::from_secs(600);

fn main() {
    if let Err(err) = run() {
        aios::error!("planner: {}", err);
        std::process::exit(1);
    }
}

/// The planner's arguments.
struct Args {
    researchers: usize,
    tokens: u64,
}

fn run() -> Result<(), String> {
    let args = parse_args(std::env::args().skip(1))?;
    let input = aios::input().map_err(|e| e.to_string())?;
    let topic = match plan::one_line(&String::from_utf8_lossy(&input)) {
        t if t.is_empty() => DEFAULT_TOPIC.to_string(),
        t => t,
    };
    aios::info!("topic: {}", topic);

    let questions = sub_questions(&topic, args.researchers)?;
    let findings = team::research(&questions, args.tokens, NOTES_TIMEOUT)?;
    let report = team::write(&topic, &findings, args.tokens * 2)?;
    aios::output(report).map_err(|e| e.to_string())
}

/// Asks the LLM for `n` sub-questions of `topic` and completes them with derived ones.
fn sub_questions(topic: &str, n: usize) -> Result<Vec<String>, String> {
    let req = aios::Request::prompt(plan::prompt(topic, n)).max_tokens(256);
    let parsed = match aios::generate(&req) {
        Ok(resp) => plan::parse(&resp.text),
        Err(e) if e.errno() == aios::Errno::EQUOTA => return Err(format!("plan: {}", e)),
        Err(e) => {
            aios::warn!(
                "plan: the LLM failed ({}); deriving the sub-questions from the topic",
                e
            );
            Vec::new()
        }
    };
    let from_llm = parsed.len().min(n);
    let questions = plan::complete(topic, parsed, n);
    aios::info!(
        "{} sub-questions: {} from the LLM, {} derived from the topic",
        n,
        from_llm,
        n - from_llm
    );
    Ok(questions)
}

fn parse_args(mut it: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut a = Args {
        researchers: 3,
        tokens: 2000,
    };
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{} needs a value", flag))?;
        match flag.as_str() {
            "--researchers" => {
                a.researchers = value
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (1..=MAX_RESEARCHERS).contains(n))
                    .ok_or_else(|| format!("--researchers {:?}: want 1 to {}", value, MAX_RESEARCHERS))?;
            }
            "--tokens" => {
                a.tokens = value
                    .parse::<u64>()
                    .ok()
                    .filter(|&n| n > 0 && n <= 1 << 40)
                    .ok_or_else(|| format!("--tokens {:?}: want a positive number of tokens", value))?;
            }
            _ => {
                return Err(format!(
                    "unknown argument {:?} (want --researchers N or --tokens N)",
                    flag
                ))
            }
        }
    }
    Ok(a)
}
