//! calls is a test agent that exercises every family of system calls the SDK wraps (memory,
//! storage, tools, embeddings, asynchronous calls) and their error paths, and writes one line
//! per step to its output: what the Go integration test (internal/cli, rust_calls.txtar)
//! checks through `aios run`. Its input names the steps to run, separated by spaces
//! (`memory storage tools async errors`); `all` runs them all. The step `agents` (ABI 1.3)
//! starts the research team's researcher and writer (samples/research) as children, so it
//! needs a bundle that declares agent_spawn and an agents directory holding them
//! (research_calls.txtar).
//!
//! ```text
//! cargo build --example calls --target wasm32-wasi
//! aios run target/wasm32-wasi/debug/examples/calls.wasm --input all
//! ```

use aios::{Errno, Memory, Message, Request, Search};

fn main() {
    let input = aios::input().unwrap_or_default();
    let input = String::from_utf8_lossy(&input).into_owned();
    let steps: Vec<&str> = match input.trim() {
        "all" => vec!["memory", "storage", "tools", "async", "errors"],
        s => s.split_whitespace().collect(),
    };
    for step in steps {
        let outcome = match step {
            "memory" => memory(),
            "storage" => storage(),
            "tools" => tools(),
            "async" => asynchronous(),
            "errors" => errors(),
            "agents" => agents(),
            other => Err(format!("unknown step {:?}", other)),
        };
        if let Err(e) = outcome {
            aios::error!("{}: {}", step, e);
            std::process::exit(1);
        }
    }
}

/// Writes one line to the run output.
fn say(line: String) {
    aios::output(line + "\n").expect("output");
}

/// Returns the outcome of a call as "ok" or its errno's name and message.
fn outcome<T>(r: &aios::Result<T>) -> String {
    match r {
        Ok(_) => "ok".to_string(),
        Err(e) => format!("{} ({})", e.name(), e.message()),
    }
}

fn memory() -> Result<(), String> {
    let mem = aios::memory();
    let id = mem
        .add("Rust agents run in aios.", &aios::metadata([("lang", "rust")]))
        .map_err(|e| e.to_string())?;
    mem.add("Go agents run in aios too.", &aios::metadata([("lang", "go")]))
        .map_err(|e| e.to_string())?;
    say(format!("memory add: id of {} hex digits", id.len()));
    let entry = mem.get(&id).map_err(|e| e.to_string())?;
    say(format!("memory get: {:?} lang={}", entry.text, entry.metadata["lang"]));
    mem.update(
        &id,
        "Rust agents run in aios, safely.",
        &aios::metadata([("lang", "rust"), ("v", "2")]),
    )
    .map_err(|e| e.to_string())?;
    let hits = mem
        .search(&Search::new("agents").filter("lang", "rust").top_k(5))
        .map_err(|e| e.to_string())?;
    say(format!(
        "memory search keyword: {} hit: {:?} v={}",
        hits.len(),
        hits[0].text,
        hits[0].metadata["v"]
    ));
    let hits = mem
        .search(&Search::new("Go agents run in aios too.").vector().top_k(1))
        .map_err(|e| e.to_string())?;
    say(format!("memory search vector: best {:?}", hits[0].text));
    mem.delete(&id).map_err(|e| e.to_string())?;
    say(format!("memory get deleted: {}", outcome(&mem.get(&id))));
    say(format!("memory get malformed id: {}", outcome(&mem.get("../x"))));
    say(format!(
        "memory shared not granted: {}",
        outcome(&Memory::shared("team").add("x", &aios::Metadata::new()))
    ));
    say(format!(
        "memory shared bad name: {}",
        outcome(&Memory::shared("a/b").add("x", &aios::Metadata::new()))
    ));
    Ok(())
}

fn storage() -> Result<(), String> {
    let store = aios::storage();
    let v1 = store.put("notes/today", b"first\0draft").map_err(|e| e.to_string())?;
    let v2 = store.put("notes/today", b"second draft").map_err(|e| e.to_string())?;
    store.put("notes/other", b"").map_err(|e| e.to_string())?;
    say(format!("storage put: versions {} and {}", v1.version, v2.version));
    let item = store.get("notes/today").map_err(|e| e.to_string())?;
    say(format!(
        "storage get: {:?} version {}",
        String::from_utf8_lossy(&item.value),
        item.version
    ));
    let old = store.get_version("notes/today", 1).map_err(|e| e.to_string())?;
    say(format!("storage get version 1: {:?}", old.value));
    let rev = store.rollback("notes/today", 1).map_err(|e| e.to_string())?;
    let item = store.get("notes/today").map_err(|e| e.to_string())?;
    say(format!(
        "storage rollback: version {} holds {:?}",
        rev.version,
        String::from_utf8_lossy(&item.value)
    ));
    let history: Vec<i64> = store
        .history("notes/today")
        .map(|r| r.map(|v| v.version))
        .collect::<aios::Result<_>>()
        .map_err(|e| e.to_string())?;
    say(format!("storage history: {:?}", history));
    let keys: Vec<String> = store
        .list("notes/")
        .map(|r| r.map(|e| e.key))
        .collect::<aios::Result<_>>()
        .map_err(|e| e.to_string())?;
    say(format!("storage list: {:?}", keys));
    let del = store.delete("notes/today").map_err(|e| e.to_string())?;
    say(format!(
        "storage delete: version {} deleted={}",
        del.version, del.deleted
    ));
    say(format!("storage get deleted: {}", outcome(&store.get("notes/today"))));
    say(format!("storage get never written: {}", outcome(&store.get("nothing"))));
    say(format!(
        "storage bad version: {}",
        outcome(&store.get_version("notes/today", 0))
    ));
    Ok(())
}

fn tools() -> Result<(), String> {
    let tools = aios::list_tools().map_err(|e| e.to_string())?;
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_str()).collect();
    say(format!("tools: {:?}", names));
    let res =
        aios::call_tool("word_count", &serde_json::json!({"text": "one two three"})).map_err(|e| e.to_string())?;
    say(format!("tool word_count: {}", res.content.trim()));
    say(format!(
        "tool bad arguments: {}",
        outcome(&aios::call_tool("word_count", &serde_json::json!({"text": 3})))
    ));
    say(format!(
        "tool unknown: {}",
        outcome(&aios::call_tool("no_such_tool", &()))
    ));
    say(format!(
        "tool not an object: {}",
        outcome(&aios::call_tool("word_count", &[1, 2]))
    ));

    // The echo core asks for a tool when the last user message is "call NAME {json}".
    let req = Request::prompt(r#"call word_count {"text":"a b"}"#).tools(tools);
    let resp = aios::generate(&req).map_err(|e| e.to_string())?;
    let call = resp.tool_calls.first().ok_or("the model called no tool")?;
    let res = aios::run_tool_call(call).map_err(|e| e.to_string())?;
    let next = Request::new(vec![
        Message::user(r#"call word_count {"text":"a b"}"#),
        resp.message(),
        res.message(&call.id),
    ]);
    let answer = aios::generate(&next).map_err(|e| e.to_string())?;
    say(format!(
        "model tool call: {} {} -> answer {}",
        call.name,
        call.arguments,
        answer.text.trim()
    ));
    Ok(())
}

fn asynchronous() -> Result<(), String> {
    let mut gen = aios::submit(&Request::prompt("first")).map_err(|e| e.to_string())?;
    let mut search = aios::memory()
        .start_search(&Search::new("agents"))
        .map_err(|e| e.to_string())?;
    let mut get = aios::storage().start_get("nothing").map_err(|e| e.to_string())?;
    let mut tool =
        aios::start_tool_call("word_count", &serde_json::json!({"text": "x y"})).map_err(|e| e.to_string())?;
    // wait_any reports a finished call at once, so each round passes only the unfinished.
    loop {
        let mut which = Vec::new();
        let mut waiting: Vec<&dyn aios::Waiter> = Vec::new();
        for (i, w, done) in [
            (0, &gen as &dyn aios::Waiter, gen.is_done()),
            (1, &search, search.is_done()),
            (2, &get, get.is_done()),
            (3, &tool, tool.is_done()),
        ] {
            if !done {
                which.push(i);
                waiting.push(w);
            }
        }
        if waiting.is_empty() {
            break;
        }
        let i = which[aios::wait_any(&waiting).map_err(|e| e.to_string())?];
        drop(waiting);
        match i {
            0 => drop(gen.poll()),
            1 => drop(search.poll()),
            2 => drop(get.poll()),
            _ => drop(tool.poll()),
        }
    }
    say(format!(
        "async generate: {}",
        gen.wait().map_err(|e| e.to_string())?.text
    ));
    say(format!("async search: {}", outcome(&search.wait())));
    say(format!("async get: {}", outcome(&get.wait())));
    say(format!(
        "async tool: {}",
        tool.wait().map_err(|e| e.to_string())?.content.trim()
    ));
    let vectors = aios::embed("", &["rust", "go"]).map_err(|e| e.to_string())?;
    say(format!(
        "embed: {} vectors of {} dimensions",
        vectors.len(),
        vectors[0].len()
    ));
    let mut s = aios::stream(&Request::prompt("one two three")).map_err(|e| e.to_string())?;
    let chunks = (&mut s).count();
    say(format!(
        "stream: {} chunks, then {:?}",
        chunks,
        s.result().map_err(|e| e.to_string())?.text
    ));
    Ok(())
}

fn errors() -> Result<(), String> {
    let ghost = Request::prompt("x")
        .tools(vec![aios::Tool {
            name: "t".into(),
            ..Default::default()
        }])
        .tool_choice("ghost");
    match aios::generate(&ghost) {
        Err(e) => say(format!(
            "host refusal: errno {} {} in {}: {}",
            e.errno().code(),
            e.name(),
            e.call(),
            e.message()
        )),
        Ok(r) => return Err(format!("a tool choice naming no tool was answered: {:?}", r.text)),
    }
    let err = aios::generate(&Request::new(vec![])).unwrap_err();
    say(format!("no messages: {}", err));
    let mut call = aios::submit(&Request::prompt("to cancel")).map_err(|e| e.to_string())?;
    call.cancel().map_err(|e| e.to_string())?;
    let cancelled = match call.wait() {
        Err(e) if e.errno() == Errno::ECANCELED => "ECANCELED",
        Ok(_) => "finished first",
        Err(_) => "another error",
    };
    say(format!("cancel: {}", cancelled));
    Ok(())
}

fn agents() -> Result<(), String> {
    let s = |e: aios::Error| e.to_string();
    say(format!("parent: {:?}", aios::parent()));

    // A researcher sends its notes to its parent, then ends: wait for both at once.
    let child = aios::spawn(
        "researcher.wasm",
        &aios::SpawnOptions::input("What is a kernel?").tokens(5000),
    )
    .map_err(s)?;
    say(format!("spawned: {}", child.name));
    let mut ended = child.start_wait().map_err(s)?;
    let mut mail = aios::start_recv(Some(std::time::Duration::from_secs(600))).map_err(s)?;
    aios::wait_any(&[&ended, &mail]).map_err(s)?;
    let m = mail.wait().map_err(s)?;
    say(format!(
        "mail from the child: {}, {:?}",
        m.from == child.pid,
        String::from_utf8_lossy(&m.body).lines().next().unwrap_or("")
    ));
    let res = ended.wait().map_err(s)?;
    say(format!(
        "child ended: {} {}, output {} bytes, {} generations",
        res.status, res.exit_code, res.output_bytes, res.usage.generations
    ));

    // An ended child: killing it does nothing, and messages to it have no one to reach.
    child.kill().map_err(s)?;
    say(format!("wait after kill: {}", child.wait().map_err(s)?.status));
    say(format!(
        "send to the ended child: {}",
        outcome(&aios::send(child.pid, b"hi"))
    ));
    say(format!(
        "recv, empty mailbox: {}",
        outcome(&aios::recv(Some(std::time::Duration::ZERO)))
    ));

    // A writer with no brief fails on its own: exit code 1, seen by the parent.
    let writer = aios::spawn("writer.wasm", &aios::SpawnOptions::default()).map_err(s)?;
    let res = writer.wait().map_err(s)?;
    say(format!("writer without a brief: {} {}", res.status, res.exit_code));

    // Refusals.
    let none = aios::SpawnOptions::default();
    say(format!(
        "spawn missing: {}",
        outcome(&aios::spawn("missing.wasm", &none))
    ));
    say(format!(
        "spawn outside: {}",
        outcome(&aios::spawn("../calls.wasm", &none))
    ));
    let rich = aios::SpawnOptions::input("x").tokens(1 << 40);
    say(format!(
        "spawn past the budget: {}",
        outcome(&aios::spawn("researcher.wasm", &rich))
    ));
    Ok(())
}
