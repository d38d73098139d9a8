//! Host-side tests of the SDK against the in-memory host of fakehost.rs.

use std::time::Duration;

use serde::Serialize;

use crate::fakehost::{fail, install, ok};
use crate::*;

const RESPONSE: &str = r#"{"text":"hi there","finish_reason":"stop","model":"m","core":"echo","usage":{"input_tokens":3,"output_tokens":2}}"#;

#[test]
fn errno_names_and_meanings() {
    assert_eq!(Errno::EPERM.name(), "EPERM");
    assert_eq!(Errno::E2BIG.code(), 3);
    assert_eq!(Errno::EINTERNAL.name(), "EINTERNAL");
    assert_eq!(Errno(99).name(), "errno 99");
    assert_eq!(Errno::EQUOTA.to_string(), "budget exhausted (EQUOTA)");
    assert_eq!(Errno(99).to_string(), "errno 99");
    let names: Vec<String> = (1..=17).map(|c| Errno(c).name()).collect();
    assert_eq!(
        names.join(" "),
        "EINVAL EFAULT E2BIG ENOSYS ENOTSUP EAGAIN ETIMEDOUT ECANCELED EBADF EPERM EQUOTA ELIMIT EBACKEND EEOF ERANGE ENOENT EINTERNAL"
    );
}

#[test]
fn outside_aios_every_call_fails_plainly() {
    // A test thread that installs no fake has the host of a non-wasm build: none.
    let err = input().unwrap_err();
    assert!(err.is_not_in_aios());
    assert_eq!(err.errno(), Errno::ENOSYS);
    assert!(err.to_string().contains("only inside an aios agent"), "{}", err);
    assert!(generate(&Request::prompt("x")).unwrap_err().is_not_in_aios());
}

#[test]
fn handshake_asks_for_1_4_once() {
    let host = install();
    host.borrow_mut().input = b"question".to_vec();
    assert_eq!(input().unwrap(), b"question");
    output("answer\n").unwrap();
    assert_eq!(host.borrow().versions_asked, vec![4]);
    assert_eq!(host.borrow().output, b"answer\n");
    assert_eq!(host.borrow().held(), 0, "results are released after reading");
}

#[test]
fn older_host_refuses_newer_features_locally() {
    let host = install();
    host.borrow_mut().minor = 1;
    let err = memory().add("x", &Metadata::new()).unwrap_err();
    assert_eq!(err.errno(), Errno::ENOTSUP);
    assert_eq!(err.call(), "memory_add");
    assert!(
        err.message().contains("needs aios ABI 1.2; the host implements 1.1"),
        "{}",
        err
    );
    assert_eq!(host.borrow().versions_asked, vec![4, 3, 2, 1]);
    assert!(host.borrow().requests.is_empty(), "nothing reached the host");

    let host = install();
    host.borrow_mut().minor = 0;
    let err = generate(&Request::prompt("x").class("fast")).unwrap_err();
    assert_eq!(err.errno(), Errno::ENOTSUP);
    assert!(err.message().contains("a model class needs aios ABI 1.1"), "{}", err);
    assert_eq!(embed("", &["a"]).unwrap_err().errno(), Errno::ENOTSUP);
}

#[test]
fn host_without_abi_1_fails_every_call() {
    let host = install();
    host.borrow_mut().refuse_abi = true;
    let err = output("x").unwrap_err();
    assert_eq!(err.errno(), Errno::ENOTSUP);
    assert_eq!(err.call(), "abi_version");
    assert_eq!(input().unwrap_err(), err, "the handshake's outcome is kept");
    assert_eq!(host.borrow().versions_asked, vec![4, 3, 2, 1, 0]);
    assert!(host.borrow().output.is_empty());
}

#[test]
fn log_levels_and_macros() {
    let host = install();
    log(Level::Warn, "careful").unwrap();
    info!("asking: {}", "why?");
    debug!("{} chunks", 6);
    error!("bad");
    warn!("w");
    assert_eq!(
        host.borrow().logs,
        vec![
            (2, "careful".to_string()),
            (1, "asking: why?".to_string()),
            (0, "6 chunks".to_string()),
            (3, "bad".to_string()),
            (2, "w".to_string())
        ]
    );
}

#[test]
fn generate_encodes_exactly_a_1_0_request() {
    let host = install();
    host.borrow_mut().reply("llm_generate", ok(RESPONSE));
    let resp = generate(&Request::prompt("hello")).unwrap();
    assert_eq!(
        host.borrow().bodies("llm_generate"),
        vec![
            r#"{"model":"","messages":[{"role":"user","content":"hello"}],"max_tokens":0,"temperature":null,"stream":false}"#
        ]
    );
    assert_eq!(resp.text, "hi there");
    assert_eq!(
        resp.usage,
        Usage {
            input_tokens: 3,
            output_tokens: 2
        }
    );
    assert_eq!(resp.core, "echo");
}

#[test]
fn generate_encodes_the_fields_of_1_1_when_set() {
    let host = install();
    host.borrow_mut().reply("llm_generate", ok(RESPONSE));
    let tool = Tool {
        name: "sum".into(),
        description: "adds".into(),
        parameters: Some(serde_json::json!({"type": "object"})),
    };
    let call = ToolCall {
        id: "c1".into(),
        name: "sum".into(),
        arguments: "{}".into(),
    };
    let mut assistant = Message::assistant("");
    assistant.tool_calls = vec![call];
    let req = Request::new(vec![Message::system("s"), assistant, Message::tool("c1", "5")])
        .class("fast")
        .max_tokens(7)
        .temperature(0.5)
        .tools(vec![tool])
        .tool_choice("auto")
        .priority(-1);
    generate(&req).unwrap();
    assert_eq!(
        host.borrow().bodies("llm_generate")[0],
        concat!(
            r#"{"model":"","class":"fast","messages":[{"role":"system","content":"s"},"#,
            r#"{"role":"assistant","content":"","tool_calls":[{"id":"c1","name":"sum","arguments":"{}"}]},"#,
            r#"{"role":"tool","content":"5","tool_call_id":"c1"}],"max_tokens":7,"temperature":0.5,"stream":false,"#,
            r#""tools":[{"name":"sum","description":"adds","parameters":{"type":"object"}}],"tool_choice":"auto","priority":-1}"#
        )
    );
}

#[test]
fn requests_the_host_would_refuse_fail_locally() {
    let host = install();
    let cases = [
        (Request::new(vec![]), "at least one message"),
        (Request::prompt("x").max_tokens(-1), "max tokens -1 is negative"),
        (
            Request::prompt("x").model("m").class("c"),
            "a model or a class, not both",
        ),
    ];
    for (req, want) in cases {
        let err = generate(&req).unwrap_err();
        assert_eq!(err.errno(), Errno::EINVAL);
        assert!(err.message().contains(want), "{} lacks {}", err, want);
    }
    assert!(host.borrow().requests.is_empty());
}

#[test]
fn failures_carry_the_hosts_last_error() {
    let host = install();
    host.borrow_mut()
        .reply("llm_generate", fail(10, "rule deny_big: too many tokens"));
    let err = generate(&Request::prompt("x")).unwrap_err();
    assert_eq!(err.errno(), Errno::EPERM);
    assert_eq!(err.name(), "EPERM");
    assert_eq!(err.call(), "llm_generate");
    assert_eq!(err.message(), "rule deny_big: too many tokens");
    assert_eq!(
        err.to_string(),
        "aios: llm_generate: EPERM: rule deny_big: too many tokens"
    );
    assert_eq!(Errno::from(err), Errno::EPERM);
    assert_eq!(host.borrow().held(), 0, "the last_error result is released");
}

#[test]
fn a_failure_without_a_record_is_bare() {
    let host = install();
    // An unknown log level: the fake's record names code 1; a newer code with no record
    // stays bare and keeps its number.
    let err = log_raw(7);
    assert_eq!(err.errno(), Errno::EINVAL);
    assert!(err.message().contains("unknown log level 7"));
    host.borrow_mut()
        .reply("tool_list", crate::fakehost::Reply::Err(42, String::new()));
    // The record's code (42) matches, so it is used; its name is the fake's "errno 42".
    let err = list_tools().unwrap_err();
    assert_eq!(err.errno(), Errno(42));
    assert_eq!(err.to_string(), "aios: tool_list: errno 42");
}

fn log_raw(level: u32) -> Error {
    crate::abi::with(|a| a.call("log", &[], |h| h.log(level, b"x"))).unwrap_err()
}

#[test]
fn a_result_the_agent_cannot_read_is_dropped_not_leaked() {
    let host = install();
    host.borrow_mut().reply("llm_generate", ok(RESPONSE));
    host.borrow_mut().lie_len = Some(4); // shorter than the result: result_read gives ERANGE
    let err = generate(&Request::prompt("x")).unwrap_err();
    assert_eq!(err.errno(), Errno::ERANGE);
    assert_eq!(err.call(), "llm_generate");
    assert!(err.message().starts_with("read result: ERANGE: buffer of 4 bytes for a result of "), "{}", err);
    assert_eq!(host.borrow().drops, vec![1]);
    assert_eq!(host.borrow().held(), 0);
}

#[test]
fn a_result_that_does_not_decode_is_einternal() {
    let host = install();
    host.borrow_mut().reply("llm_generate", ok("not json"));
    let err = generate(&Request::prompt("x")).unwrap_err();
    assert_eq!(err.errno(), Errno::EINTERNAL);
    assert!(err.message().starts_with("decode result"), "{}", err);
}

#[test]
fn stream_yields_chunks_then_the_response() {
    let host = install();
    host.borrow_mut().stream_chunks = vec!["hi ".into(), "there".into()];
    host.borrow_mut().reply("llm_generate", ok(RESPONSE));
    let mut s = stream(&Request::prompt("x")).unwrap();
    let chunks: Vec<String> = (&mut s).map(|c| c.unwrap().text).collect();
    assert_eq!(chunks, vec!["hi ", "there"]);
    assert_eq!(s.result().unwrap().text, "hi there");
    assert!(host.borrow().bodies("llm_generate")[0].contains(r#""stream":true"#));
    assert_eq!(host.borrow().in_flight(), 0);
}

#[test]
fn stream_result_skips_unread_chunks() {
    let host = install();
    host.borrow_mut().stream_chunks = vec!["a".into(), "b".into(), "c".into()];
    host.borrow_mut().busy_polls = 5;
    host.borrow_mut().reply("llm_generate", ok(RESPONSE));
    let mut s = stream(&Request::prompt("x")).unwrap();
    assert_eq!(s.next().unwrap().unwrap().text, "a");
    assert_eq!(s.result().unwrap().text, "hi there");
    assert!(s.next().is_none());
}

#[test]
fn submit_poll_and_wait_any() {
    let host = install();
    host.borrow_mut().busy_polls = 2;
    host.borrow_mut().reply("llm_generate", ok(RESPONSE));
    host.borrow_mut().reply(
        "memory_search",
        ok(r#"{"hits":[{"id":"a","text":"t","metadata":{"k":"v"},"score":1.5}]}"#),
    );
    let mut call = submit(&Request::prompt("x")).unwrap();
    let mut search = memory().start_search(&Search::new("t")).unwrap();
    assert!(call.poll().is_none(), "still running");
    assert_eq!(host.borrow().in_flight(), 2);
    let i = wait_any(&[&call, &search]).unwrap();
    assert_eq!(i, 0);
    assert_eq!(call.wait().unwrap().text, "hi there");
    assert!(call.is_done());
    assert_eq!(
        wait_any(&[&call, &search]).unwrap(),
        0,
        "a finished call is reported at once"
    );
    let hits = search.wait().unwrap();
    assert_eq!(hits[0].metadata["k"], "v");
    assert_eq!(hits[0].score, 1.5);
    assert_eq!(call.poll().unwrap().unwrap().text, "hi there", "the outcome stays");
    assert_eq!(host.borrow().in_flight(), 0);
}

#[test]
fn wait_any_refuses_nothing_and_checks_the_hosts_index() {
    let host = install();
    assert_eq!(wait_any(&[]).unwrap_err().errno(), Errno::EINVAL);
    host.borrow_mut().reply("llm_generate", ok(RESPONSE));
    let mut call = submit(&Request::prompt("x")).unwrap();
    host.borrow_mut().lie_index = Some(u32::MAX);
    let err = wait_any(&[&call]).unwrap_err();
    assert_eq!(err.errno(), Errno::EINTERNAL);
    assert_eq!(err.message(), "host returned index 4294967295 of 1 handles");
    assert_eq!(call.wait().unwrap().text, "hi there");
}

#[test]
fn wait_timeout_cancels_and_releases() {
    let host = install();
    host.borrow_mut().busy_polls = u32::MAX;
    host.borrow_mut().reply("llm_generate", ok(RESPONSE));
    let err = generate_timeout(&Request::prompt("x"), Duration::from_millis(5)).unwrap_err();
    assert_eq!(err.errno(), Errno::ETIMEDOUT);
    assert!(
        err.message().contains("llm_generate gave no result within 5ms"),
        "{}",
        err
    );
    assert_eq!(host.borrow().cancels, vec![1]);
    assert_eq!(host.borrow().in_flight(), 0);
}

#[test]
fn dropping_an_unfinished_call_cancels_and_releases_it() {
    let host = install();
    host.borrow_mut().busy_polls = u32::MAX;
    host.borrow_mut().reply("tool_call", ok(r#"{"content":"x"}"#));
    let pending = start_tool_call("t", &()).unwrap();
    assert_eq!(host.borrow().in_flight(), 1);
    drop(pending);
    assert_eq!(host.borrow().cancels, vec![1]);
    assert_eq!(host.borrow().in_flight(), 0);
}

#[test]
fn cancelled_call_reports_ecanceled() {
    let host = install();
    host.borrow_mut().busy_polls = u32::MAX;
    host.borrow_mut().reply("llm_generate", ok(RESPONSE));
    let mut call = submit(&Request::prompt("x")).unwrap();
    call.cancel().unwrap();
    let err = call.wait().unwrap_err();
    assert_eq!(err.errno(), Errno::ECANCELED);
    assert_eq!(err.message(), "cancelled by the agent");
    call.cancel().unwrap(); // a finished call: nothing to do
}

#[test]
fn embed_returns_one_vector_per_input() {
    let host = install();
    host.borrow_mut().reply(
        "llm_embed",
        ok(r#"{"model":"e","vectors":[[0.5,1],[0,0]],"usage":{"input_tokens":2}}"#),
    );
    let v = embed("e", &["a", "b"]).unwrap();
    assert_eq!(v, vec![vec![0.5, 1.0], vec![0.0, 0.0]]);
    assert_eq!(
        host.borrow().bodies("llm_embed"),
        vec![r#"{"model":"e","input":["a","b"]}"#]
    );

    host.borrow_mut().reply("llm_embed", ok(r#"{"vectors":[[1]]}"#));
    let err = embed("", &["a", "b"]).unwrap_err();
    assert!(err.message().contains("1 vectors for 2 inputs"), "{}", err);
    assert_eq!(embed::<&str>("", &[]).unwrap_err().errno(), Errno::EINVAL);
}

#[test]
fn memory_bodies_and_results() {
    let host = install();
    let mut h = host.borrow_mut();
    h.reply("memory_add", ok(r#"{"id":"0123456789abcdef0123456789abcdef"}"#));
    h.reply("memory_get", ok(r#"{"id":"i","text":"t","metadata":{"a":"b"},"created":"2026-01-01T00:00:00Z","updated":"2026-01-02T00:00:00Z"}"#));
    h.reply("memory_update", ok(r#"{"id":"i"}"#));
    h.reply("memory_delete", ok("{}"));
    h.reply("memory_search", ok(r#"{"hits":[]}"#));
    drop(h);
    let shared = Memory::shared("team.notes");
    let id = shared
        .add("text\nwith newline", &metadata([("kind", "pref"), ("a", "z")]))
        .unwrap();
    assert_eq!(id, "0123456789abcdef0123456789abcdef");
    let e = memory().get("i").unwrap();
    assert_eq!(e.updated, "2026-01-02T00:00:00Z");
    memory().update("i", "new", &Metadata::new()).unwrap();
    memory().delete("i").unwrap();
    assert!(memory()
        .search(&Search::new("q").hybrid().top_k(3).filter("kind", "pref"))
        .unwrap()
        .is_empty());
    let h = host.borrow();
    assert_eq!(
        h.bodies("memory_add"),
        vec![r#"{"text":"text\nwith newline","metadata":{"a":"z","kind":"pref"},"space":"team.notes"}"#]
    );
    assert_eq!(h.bodies("memory_get"), vec![r#"{"id":"i"}"#]);
    assert_eq!(
        h.bodies("memory_update"),
        vec![r#"{"id":"i","text":"new","metadata":{}}"#]
    );
    assert_eq!(h.bodies("memory_delete"), vec![r#"{"id":"i"}"#]);
    assert_eq!(
        h.bodies("memory_search"),
        vec![r#"{"query":"q","mode":"hybrid","k":3,"filter":{"kind":"pref"}}"#]
    );
}

#[test]
fn memory_refuses_bad_spaces_and_k_before_the_host() {
    let host = install();
    for name in ["", "a/b", "x".repeat(65).as_str(), "nul\0"] {
        let err = Memory::shared(name).add("t", &Metadata::new()).unwrap_err();
        assert_eq!(err.errno(), Errno::EINVAL, "{:?}", name);
    }
    let err = memory().search(&Search::new("q").top_k(0)).unwrap_err();
    assert_eq!(err.message(), "k 0 is not 1 or more");
    assert!(host.borrow().requests.is_empty());
    host.borrow_mut().reply("memory_add", ok(r#"{"id":"i"}"#));
    assert_eq!(Memory::shared("x".repeat(64)).add("t", &Metadata::new()).unwrap(), "i");
}

#[test]
fn storage_bodies_values_and_versions() {
    let host = install();
    let mut h = host.borrow_mut();
    h.reply(
        "storage_put",
        ok(r#"{"version":1,"time":"2026-01-01T00:00:00Z","size":5,"deleted":false}"#),
    );
    h.reply(
        "storage_get",
        ok(r#"{"key":"k","version":1,"time":"t","size":5,"value":"aGVsbG8="}"#),
    );
    h.reply("storage_get", ok(r#"{"key":"k","version":1,"size":0,"value":""}"#));
    h.reply("storage_get", ok(r#"{"key":"k","value":"not base64!"}"#));
    h.reply("storage_delete", ok(r#"{"version":2,"deleted":true}"#));
    h.reply("storage_rollback", ok(r#"{"version":3}"#));
    h.reply("storage_rollback", ok(r#"{"version":4}"#));
    drop(h);
    let s = storage();
    assert_eq!(s.put("k", b"hello").unwrap().version, 1);
    assert_eq!(s.get("k").unwrap().value, b"hello");
    assert_eq!(s.get_version("k", 1).unwrap().value, b"");
    let err = s.get("k").unwrap_err();
    assert_eq!(err.errno(), Errno::EINTERNAL);
    assert!(err.message().contains("base64"), "{}", err);
    assert!(s.delete("k").unwrap().deleted);
    assert_eq!(s.rollback("k", 1).unwrap().version, 3);
    assert_eq!(s.rollback_to("k", "2026-01-01T00:00:00Z").unwrap().version, 4);
    let h = host.borrow();
    assert_eq!(h.bodies("storage_put"), vec![r#"{"key":"k","value":"aGVsbG8="}"#]);
    assert_eq!(
        h.bodies("storage_get"),
        vec![r#"{"key":"k"}"#, r#"{"key":"k","version":1}"#, r#"{"key":"k"}"#]
    );
    assert_eq!(h.bodies("storage_delete"), vec![r#"{"key":"k"}"#]);
    assert_eq!(
        h.bodies("storage_rollback"),
        vec![
            r#"{"key":"k","version":1}"#,
            r#"{"key":"k","time":"2026-01-01T00:00:00Z"}"#
        ]
    );
}

#[test]
fn storage_refuses_bad_numbers_before_the_host() {
    let host = install();
    let s = storage();
    assert_eq!(
        s.get_version("k", 0).unwrap_err().message(),
        "version 0 is not 1 or more"
    );
    assert_eq!(
        s.rollback("k", -5).unwrap_err().message(),
        "version -5 is not 1 or more"
    );
    assert_eq!(s.list_page("", "", -1).unwrap_err().message(), "limit -1 is negative");
    assert_eq!(
        s.history_page("k", -1, 0).unwrap_err().message(),
        "before -1 is negative"
    );
    assert_eq!(s.rollback_to("k", "").unwrap_err().errno(), Errno::EINVAL);
    assert!(host.borrow().requests.is_empty());
}

#[test]
fn storage_list_and_history_read_every_page() {
    let host = install();
    let mut h = host.borrow_mut();
    h.reply(
        "storage_list",
        ok(r#"{"entries":[{"key":"a/1","version":1},{"key":"a/2","version":3}],"next":"a/2"}"#),
    );
    h.reply(
        "storage_list",
        ok(r#"{"entries":[{"key":"a/3","version":1}],"next":""}"#),
    );
    h.reply("storage_history", ok(r#"{"versions":[{"version":5},{"version":4}]}"#));
    h.reply(
        "storage_history",
        ok(r#"{"versions":[{"version":3},{"version":2},{"version":1}]}"#),
    );
    h.reply("storage_list", fail(10, "no"));
    drop(h);
    let keys: Vec<String> = storage().list("a/").map(|e| e.unwrap().key).collect();
    assert_eq!(keys, vec!["a/1", "a/2", "a/3"]);
    let versions: Vec<i64> = storage().history("k").map(|r| r.unwrap().version).collect();
    assert_eq!(versions, vec![5, 4, 3, 2, 1]);
    let failed: Vec<Result<StorageEntry>> = storage().list("").collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].as_ref().unwrap_err().errno(), Errno::EPERM);
    let h = host.borrow();
    assert_eq!(
        h.bodies("storage_list"),
        vec![
            r#"{"prefix":"a/"}"#,
            r#"{"prefix":"a/","after":"a/2"}"#,
            r#"{"prefix":""}"#
        ]
    );
    assert_eq!(
        h.bodies("storage_history"),
        vec![r#"{"key":"k"}"#, r#"{"key":"k","before":4}"#]
    );
}

#[derive(Serialize)]
struct Sum {
    a: i32,
    b: i32,
}

#[test]
fn tool_calls_pass_objects_and_model_strings() {
    let host = install();
    let mut h = host.borrow_mut();
    h.reply(
        "tool_list",
        ok(r#"{"tools":[{"name":"get-sum","description":"adds","parameters":{"type":"object"}}]}"#),
    );
    h.reply("tool_call", ok(r#"{"content":"5","is_error":false}"#));
    h.reply("tool_call", ok(r#"{"content":"x","truncated":true,"bytes":2000000}"#));
    h.reply("tool_call", ok(r#"{"content":"bad args","is_error":true}"#));
    h.reply("tool_call", fail(1, "arguments: missing property b"));
    drop(h);
    let tools = list_tools().unwrap();
    assert_eq!(tools[0].name, "get-sum");
    assert_eq!(call_tool("get-sum", &Sum { a: 2, b: 3 }).unwrap().content, "5");
    let r = call_tool("get-sum", &()).unwrap();
    assert!(r.truncated);
    assert_eq!(r.bytes, 2_000_000);
    let call = ToolCall {
        id: "c9".into(),
        name: "get-sum".into(),
        arguments: r#"{"a":1}"#.into(),
    };
    let r = run_tool_call(&call).unwrap();
    assert!(r.is_error);
    assert_eq!(r.message("c9"), Message::tool("c9", "bad args"));
    let err = run_tool_call(&ToolCall {
        arguments: String::new(),
        ..call
    })
    .unwrap_err();
    assert_eq!(err.errno(), Errno::EINVAL);
    assert_eq!(err.message(), "arguments: missing property b");
    let h = host.borrow();
    assert_eq!(h.bodies("tool_list"), vec!["{}"]);
    assert_eq!(
        h.bodies("tool_call"),
        vec![
            r#"{"name":"get-sum","arguments":{"a":2,"b":3}}"#,
            r#"{"name":"get-sum","arguments":{}}"#,
            r#"{"name":"get-sum","arguments":"{\"a\":1}"}"#,
            r#"{"name":"get-sum","arguments":{}}"#,
        ]
    );
}

#[test]
fn tool_arguments_must_be_an_object() {
    let host = install();
    let err = call_tool("t", &[1, 2, 3]).unwrap_err();
    assert_eq!(err.errno(), Errno::EINVAL);
    assert_eq!(err.message(), "arguments of t: not a JSON object: [1,2,3]");
    let long = vec!["é"; 100];
    let err = call_tool("t", &long).unwrap_err();
    assert!(err.message().ends_with('…'), "{}", err);
    assert!(host.borrow().requests.is_empty());
    // A string is a JSON object as text, passed on for the host to check.
    host.borrow_mut().reply("tool_call", ok(r#"{"content":"1"}"#));
    call_tool("t", r#"{"text":"x"}"#).unwrap();
    assert_eq!(
        host.borrow().bodies("tool_call"),
        vec![r#"{"name":"t","arguments":"{\"text\":\"x\"}"}"#]
    );
}

#[test]
fn tool_call_arguments_decode() {
    #[derive(Debug, serde::Deserialize)]
    struct Args {
        a: i32,
    }
    let c = ToolCall {
        id: "1".into(),
        name: "t".into(),
        arguments: r#"{"a":4}"#.into(),
    };
    assert_eq!(c.decode::<Args>().unwrap().a, 4);
    let bad = ToolCall {
        arguments: "{".into(),
        ..c
    };
    assert_eq!(bad.decode::<Args>().unwrap_err().errno(), Errno::EINVAL);
}

#[test]
fn response_message_continues_the_conversation() {
    let resp = Response {
        text: "let me add".into(),
        tool_calls: vec![ToolCall {
            id: "c".into(),
            name: "sum".into(),
            arguments: "{}".into(),
        }],
        ..Response::default()
    };
    let m = resp.message();
    assert_eq!(m.role, Role::Assistant);
    assert_eq!(m.tool_calls.len(), 1);
}

#[test]
fn base64_round_trips_and_refuses_garbage() {
    use crate::base64::{decode, encode};
    for s in [
        &b""[..],
        b"f",
        b"fo",
        b"foo",
        b"foob",
        b"fooba",
        b"foobar",
        &[0, 255, 128, 7],
    ] {
        assert_eq!(decode(&encode(s)).unwrap(), s);
    }
    assert_eq!(encode(b"foobar"), "Zm9vYmFy");
    assert_eq!(encode(b"fo"), "Zm8=");
    for bad in ["Zm8", "Zm=8", "Z===", "Zg==Zg==", "Zm9v!mFy"] {
        assert!(decode(bad).is_none(), "{}", bad);
    }
}

#[test]
fn result_table_full_is_elimit() {
    let host = install();
    for _ in 0..64 {
        host.borrow_mut().reply("tool_call", ok("{}"));
    }
    // Fill the fake's table behind the SDK's back, then see the SDK report ELIMIT.
    for _ in 0..64 {
        let mut out = [0u8; 8];
        let mut fake = crate::fakehost::FakeHost::from(host.clone());
        use crate::sys::Host;
        assert_eq!(fake.call("tool_call", b"{}", &mut out), 0);
    }
    host.borrow_mut().reply("tool_call", ok("{}"));
    let err = call_tool("t", &()).unwrap_err();
    assert_eq!(err.errno(), Errno::ELIMIT);
}

#[test]
fn a_result_length_the_allocator_refuses_is_e2big_not_an_abort() {
    for len in [usize::MAX, isize::MAX as usize, isize::MAX as usize / 2] {
        let err = crate::abi::zeroed(len).unwrap_err();
        assert_eq!(err.errno(), Errno::E2BIG);
        assert!(
            err.message().ends_with("bytes does not fit in the agent's memory"),
            "{}",
            err
        );
    }
    assert!(crate::abi::zeroed(0).unwrap().is_empty());
    assert_eq!(crate::abi::zeroed(3).unwrap(), vec![0, 0, 0]);
}
