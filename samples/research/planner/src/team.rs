//! The team: researchers started all at once, their notes collected from the planner's mailbox,
//! and the writer that turns them into the report.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use aios::{Child, Errno, SpawnOptions};

/// How long one receive waits before the planner looks for researchers that ended without
/// sending their notes.
const POLL: Duration = Duration::from_secs(1);

/// One researcher's question and what came of it.
pub struct Finding {
    pub question: String,
    pub notes: String,
}

/// Starts one researcher per question, each with a budget of `tokens`, and returns their
/// findings in the order of the questions. Each researcher sends its notes to the planner; one
/// that ends without sending them (it failed, or its budget ran out) is represented by its
/// output, or by how it ended. Every researcher has ended when this returns.
pub fn research(questions: &[String], tokens: u64, timeout: Duration) -> Result<Vec<Finding>, String> {
    let mut team: Vec<(Child, &String)> = Vec::with_capacity(questions.len());
    for q in questions {
        let child = aios::spawn("researcher.wasm", &SpawnOptions::input(q.as_str()).tokens(tokens))
            .map_err(|e| format!("start a researcher: {}", e))?;
        aios::info!("researcher[{}]: {}", child.pid, q);
        team.push((child, q));
    }

    let mut notes: BTreeMap<u64, String> = BTreeMap::new();
    let deadline = Instant::now() + timeout;
    while notes.len() < team.len() {
        if Instant::now() > deadline {
            return Err(format!(
                "{} of {} researchers sent no notes in {:?}",
                team.len() - notes.len(),
                team.len(),
                timeout
            ));
        }
        match aios::recv(Some(POLL)) {
            Ok(m) if team.iter().any(|(c, _)| c.pid == m.from) => {
                notes
                    .entry(m.from)
                    .or_insert_with(|| String::from_utf8_lossy(&m.body).into_owned());
            }
            Ok(m) => aios::warn!("ignored a message from agent {}, not a researcher of this team", m.from),
            Err(e) if e.errno() == Errno::ETIMEDOUT => {
                for (c, _) in &team {
                    if notes.contains_key(&c.pid) {
                        continue;
                    }
                    match c.wait_timeout(Duration::ZERO) {
                        Ok(res) => {
                            notes.insert(c.pid, ended_without_message(&res));
                        }
                        Err(e) if e.errno() == Errno::EAGAIN => {}
                        Err(e) => return Err(format!("check researcher {}: {}", c.pid, e)),
                    }
                }
            }
            Err(e) => return Err(format!("receive notes: {}", e)),
        }
    }

    let mut findings = Vec::with_capacity(team.len());
    for (c, q) in &team {
        let res = c.wait().map_err(|e| format!("wait for researcher {}: {}", c.pid, e))?;
        aios::info!(
            "researcher[{}] {} {}, {} tokens",
            c.pid,
            res.status,
            res.exit_code,
            res.usage.input_tokens + res.usage.output_tokens
        );
        findings.push(Finding {
            question: q.to_string(),
            notes: notes.remove(&c.pid).unwrap_or_default(),
        });
    }
    Ok(findings)
}

/// Returns the notes of a researcher that ended before sending any.
fn ended_without_message(res: &aios::ChildResult) -> String {
    if res.success() && !res.output.is_empty() {
        return String::from_utf8_lossy(&res.output).trim().to_string();
    }
    aios::warn!(
        "researcher[{}] ended {} {} without notes: {}",
        res.pid,
        res.status,
        res.exit_code,
        res.error
    );
    format!(
        "(no notes: the researcher ended {} with exit code {})",
        res.status, res.exit_code
    )
}

/// Starts the writer with the topic and the findings, and a budget of `tokens`, and returns
/// the report it writes.
pub fn write(topic: &str, findings: &[Finding], tokens: u64) -> Result<String, String> {
    let brief = serde_json::json!({
        "topic": topic,
        "findings": findings
            .iter()
            .map(|f| serde_json::json!({"question": f.question, "notes": f.notes}))
            .collect::<Vec<_>>(),
    });
    let writer = aios::spawn("writer.wasm", &SpawnOptions::input(brief.to_string()).tokens(tokens))
        .map_err(|e| format!("start the writer: {}", e))?;
    aios::info!("writer[{}]: {} findings", writer.pid, findings.len());
    let res = writer.wait().map_err(|e| format!("wait for the writer: {}", e))?;
    if !res.success() {
        return Err(format!(
            "the writer ended {} with exit code {}: {}",
            res.status, res.exit_code, res.error
        ));
    }
    if res.output_bytes > res.output.len() as u64 {
        aios::warn!(
            "the report is {} bytes; its first {} are kept",
            res.output_bytes,
            res.output.len()
        );
    }
    Ok(String::from_utf8_lossy(&res.output).into_owned())
}
