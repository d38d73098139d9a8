//! hello-rust is the smallest useful aios agent, in Rust: it asks an LLM to answer its input
//! with streaming and writes the answer as its output. It does what samples/hello does in Go.
//!
//! ```text
//! cargo build --release --target wasm32-wasi
//! aios run target/wasm32-wasi/release/hello-rust.wasm --input 'Why is the sky blue?'
//! ```

/// What the agent asks when its run input is empty.
const DEFAULT_PROMPT: &str = "Say hello";

fn main() {
    if let Err(err) = run() {
        aios::error!("hello-rust: {}", err);
        std::process::exit(1);
    }
}

fn run() -> aios::Result<()> {
    let input = aios::input()?;
    let input = String::from_utf8_lossy(&input);
    let prompt = match input.trim() {
        "" => DEFAULT_PROMPT,
        p => p,
    };
    aios::info!("asking: {}", prompt);

    let mut stream = aios::stream(&aios::Request::prompt(prompt))?;
    // The host shows each token in the live log as it arrives, so the agent only consumes the
    // stream here; an agent could act on partial text in this loop.
    let mut chunks = 0;
    for chunk in &mut stream {
        chunk?;
        chunks += 1;
    }
    let resp = stream.result()?;
    aios::debug!(
        "{} chunks, {} input and {} output tokens, model {} on core {}",
        chunks,
        resp.usage.input_tokens,
        resp.usage.output_tokens,
        resp.model,
        resp.core
    );
    aios::output(format!("{}\n", resp.text))
}
