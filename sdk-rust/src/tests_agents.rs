//! Host-side tests of the agent calls of ABI 1.3 (spawn, wait, kill, send, recv) against the
//! in-memory host of fakehost.rs.

use std::time::Duration;

use crate::fakehost::{fail, install, mail, ok};
use crate::*;

const RESULT: &str = r#"{"pid":7,"name":"worker","module":"worker.wasm","status":"exited","exit_code":0,"output":"bm90ZXM=","output_bytes":5,"usage":{"calls":4,"generations":1,"input_tokens":3,"output_tokens":2,"cost":0.5}}"#;

#[test]
fn spawn_sends_the_bodies_the_abi_names() {
    let host = install();
    host.borrow_mut()
        .reply("agent_spawn", ok(r#"{"pid":7,"name":"worker"}"#));
    let opts = SpawnOptions {
        input: b"topic".to_vec(),
        args: vec!["--fast".into()],
        env: vec!["K=V".into()],
        limits: ChildLimits {
            memory: 1 << 20,
            wall_time: Duration::from_micros(1500),
            cpu_time: Duration::from_micros(10),
            ..ChildLimits::default()
        },
        budget: Budget {
            tokens: 500,
            cost: 0.25,
        },
    };
    let child = spawn("worker.wasm", &opts).unwrap();
    assert_eq!(
        child,
        Child {
            pid: 7,
            name: "worker".into()
        }
    );
    assert_eq!(
        host.borrow().bodies("agent_spawn"),
        vec![
            r#"{"module":"worker.wasm","input":"dG9waWM=","args":["--fast"],"env":["K=V"],"limits":{"memory":1048576,"cpu_time_ms":1,"wall_time_ms":1},"budget":{"tokens":500,"cost":0.25}}"#
        ],
        "a positive time under a millisecond is one millisecond, not the parent's limit"
    );
    assert_eq!(
        host.borrow().agent_calls,
        vec!["agent_spawn"],
        "through its own import, not submit"
    );
    assert_eq!(host.borrow().held(), 0);

    // The default options send only the module: the parent's limits, what is left of its budget.
    host.borrow_mut().reply("agent_spawn", ok(r#"{"pid":8,"name":"w"}"#));
    spawn("w.wasm", &SpawnOptions::default()).unwrap();
    host.borrow_mut().reply("agent_spawn", ok(r#"{"pid":9,"name":"w"}"#));
    spawn("w.wasm", &SpawnOptions::input("x").tokens(30)).unwrap();
    let bodies = host.borrow().bodies("agent_spawn");
    assert_eq!(bodies[1], r#"{"module":"w.wasm","limits":{}}"#);
    assert_eq!(
        bodies[2],
        r#"{"module":"w.wasm","input":"eA==","limits":{},"budget":{"tokens":30,"cost":0.0}}"#
    );
}

#[test]
fn spawn_refuses_a_cost_that_is_no_amount_before_the_host() {
    let host = install();
    for cost in [-1.0, f64::NAN, f64::INFINITY] {
        let opts = SpawnOptions {
            budget: Budget { tokens: 0, cost },
            ..SpawnOptions::default()
        };
        let err = spawn("w.wasm", &opts).unwrap_err();
        assert_eq!(err.errno(), Errno::EINVAL);
        assert!(err.message().contains("is not a finite amount"), "{}", err);
    }
    assert!(host.borrow().requests.is_empty());
}

#[test]
fn spawn_errors_carry_the_hosts_reason() {
    let host = install();
    host.borrow_mut().reply(
        "agent_spawn",
        fail(10, r#"call "agent_spawn" is not granted to the agent by the operator"#),
    );
    let err = spawn("w.wasm", &SpawnOptions::default()).unwrap_err();
    assert_eq!(err.errno(), Errno::EPERM);
    assert_eq!(err.call(), "agent_spawn");
    assert!(err.message().contains("not granted"), "{}", err);

    host.borrow_mut().reply("agent_spawn", ok(r#"{"pid":"seven"}"#));
    let err = spawn("w.wasm", &SpawnOptions::default()).unwrap_err();
    assert_eq!(
        err.errno(),
        Errno::EINTERNAL,
        "a result in another shape is the host's fault"
    );
}

#[test]
fn a_1_2_host_refuses_agent_calls_locally() {
    let host = install();
    host.borrow_mut().minor = 2;
    let err = spawn("w.wasm", &SpawnOptions::default()).unwrap_err();
    assert_eq!(err.errno(), Errno::ENOTSUP);
    assert!(
        err.message()
            .contains("agents and messages needs aios ABI 1.3; the host implements 1.2"),
        "{}",
        err
    );
    assert_eq!(send(1, b"x").unwrap_err().errno(), Errno::ENOTSUP);
    assert_eq!(recv(None).unwrap_err().errno(), Errno::ENOTSUP);
    assert!(host.borrow().requests.is_empty(), "nothing reached the host");
    assert_eq!(host.borrow().versions_asked, vec![4, 3, 2]);
}

#[test]
fn wait_decodes_how_the_child_ended() {
    let host = install();
    host.borrow_mut().reply("agent_wait", ok(RESULT));
    let child = Child {
        pid: 7,
        name: "worker".into(),
    };
    let res = child.wait().unwrap();
    assert!(res.success());
    assert_eq!(res.output, b"notes");
    assert_eq!(res.output_bytes, 5);
    assert_eq!(res.usage.input_tokens + res.usage.output_tokens, 5);
    assert_eq!(res.usage.cost, 0.5);
    assert_eq!(host.borrow().bodies("agent_wait"), vec![r#"{"pid":7}"#]);

    // A zero timeout only checks; a positive one is a deadline.
    host.borrow_mut()
        .reply("agent_wait", fail(6, "the agent is still running"));
    host.borrow_mut()
        .reply("agent_wait", fail(7, "the agent is still running after 2000ms"));
    assert_eq!(child.wait_timeout(Duration::ZERO).unwrap_err().errno(), Errno::EAGAIN);
    assert_eq!(
        child.wait_timeout(Duration::from_secs(2)).unwrap_err().errno(),
        Errno::ETIMEDOUT
    );
    let bodies = host.borrow().bodies("agent_wait");
    assert_eq!(
        bodies[1..],
        [r#"{"pid":7,"timeout_ms":0}"#, r#"{"pid":7,"timeout_ms":2000}"#]
    );

    // A host that ended the child says why; the output may be absent.
    host.borrow_mut().reply(
        "agent_wait",
        ok(r#"{"pid":7,"status":"failed","exit_code":-1,"error":"limit exceeded: memory"}"#),
    );
    let res = child.wait().unwrap();
    assert!(!res.success());
    assert_eq!((res.exit_code, res.error.as_str()), (-1, "limit exceeded: memory"));
    assert!(res.output.is_empty());

    host.borrow_mut()
        .reply("agent_wait", ok(r#"{"pid":7,"output":"not base64!"}"#));
    assert_eq!(child.wait().unwrap_err().errno(), Errno::EINTERNAL);
}

#[test]
fn start_wait_goes_through_submit_and_wait_any() {
    let host = install();
    host.borrow_mut().busy_polls = 2;
    host.borrow_mut().reply("agent_wait", ok(RESULT));
    host.borrow_mut().reply("msg_recv", ok(r#"{"from":7,"body":"aGk="}"#));
    let child = Child {
        pid: 7,
        name: "worker".into(),
    };
    let mut waiting = child.start_wait().unwrap();
    let mut mail = start_recv(Some(Duration::from_secs(1))).unwrap();
    assert_eq!(host.borrow().in_flight(), 2);
    let first = wait_any(&[&waiting, &mail]).unwrap();
    assert!(first < 2);
    assert_eq!(
        mail.wait().unwrap(),
        Mail {
            from: 7,
            body: b"hi".to_vec()
        }
    );
    assert_eq!(waiting.wait().unwrap().pid, 7);
    assert_eq!(host.borrow().in_flight(), 0);
    assert!(host.borrow().agent_calls.is_empty(), "both went through submit");
    assert_eq!(host.borrow().bodies("agent_wait"), vec![r#"{"pid":7}"#]);
    assert_eq!(host.borrow().bodies("msg_recv"), vec![r#"{"timeout_ms":1000}"#]);
}

#[test]
fn kill_and_its_errors() {
    let host = install();
    host.borrow_mut().reply("agent_kill", ok("{}"));
    host.borrow_mut()
        .reply("agent_kill", fail(16, "no such agent among the caller's children"));
    let child = Child {
        pid: 3,
        name: "w".into(),
    };
    child.kill().unwrap();
    let err = child.kill().unwrap_err();
    assert_eq!(err.errno(), Errno::ENOENT);
    assert_eq!(host.borrow().bodies("agent_kill"), vec![r#"{"pid":3}"#, r#"{"pid":3}"#]);
    assert_eq!(host.borrow().held(), 0);
}

#[test]
fn send_and_recv_carry_bytes() {
    let host = install();
    host.borrow_mut().minor = 3; // msg_send and msg_recv, JSON bodies
    host.borrow_mut().reply("msg_send", ok("{}"));
    host.borrow_mut()
        .reply("msg_send", fail(6, "the mailbox of agent 1 is full"));
    host.borrow_mut().reply(
        "msg_send",
        fail(3, "a message of 70000 bytes is over the limit of 65536"),
    );
    send(1, &[0, 255, b'\n']).unwrap();
    assert_eq!(send(1, b"x").unwrap_err().errno(), Errno::EAGAIN);
    assert_eq!(send(1, &vec![0; 70000]).unwrap_err().errno(), Errno::E2BIG);
    assert_eq!(host.borrow().bodies("msg_send")[0], r#"{"to":1,"body":"AP8K"}"#);

    host.borrow_mut().reply("msg_recv", ok(r#"{"from":1,"body":"AP8K"}"#));
    host.borrow_mut().reply("msg_recv", ok(r#"{"from":2}"#));
    host.borrow_mut().reply("msg_recv", fail(6, "no message is waiting"));
    host.borrow_mut().reply("msg_recv", fail(7, "no message in time"));
    assert_eq!(
        recv(None).unwrap(),
        Mail {
            from: 1,
            body: vec![0, 255, b'\n']
        }
    );
    assert_eq!(
        recv(None).unwrap(),
        Mail {
            from: 2,
            body: Vec::new()
        }
    );
    assert_eq!(recv(Some(Duration::ZERO)).unwrap_err().errno(), Errno::EAGAIN);
    assert_eq!(
        recv(Some(Duration::from_nanos(1))).unwrap_err().errno(),
        Errno::ETIMEDOUT
    );
    assert_eq!(
        host.borrow().bodies("msg_recv"),
        vec!["{}", "{}", r#"{"timeout_ms":0}"#, r#"{"timeout_ms":1}"#]
    );
    assert_eq!(host.borrow().held(), 0);
}

#[test]
fn huge_timeouts_saturate() {
    let host = install();
    host.borrow_mut().minor = 3;
    host.borrow_mut().reply("msg_recv", ok(r#"{"from":1,"body":""}"#));
    recv(Some(Duration::MAX)).unwrap();
    assert_eq!(
        host.borrow().bodies("msg_recv"),
        vec![format!(r#"{{"timeout_ms":{}}}"#, i64::MAX)]
    );
    let host = install();
    host.borrow_mut().reply("msg_recv_bytes", mail(1, b""));
    recv(Some(Duration::MAX)).unwrap();
    assert_eq!(host.borrow().bodies("msg_recv_bytes"), vec![i64::MAX.to_string()]);
}

#[test]
fn send_and_recv_bytes_on_a_1_4_host() {
    let host = install();
    host.borrow_mut().reply("msg_send_bytes", ok(""));
    host.borrow_mut()
        .reply("msg_send_bytes", fail(6, "the mailbox of agent 1 is full"));
    send(1, &[0, 255, b'\n']).unwrap();
    let err = send(1, b"x").unwrap_err();
    assert_eq!(err.errno(), Errno::EAGAIN);
    assert_eq!(err.call(), "msg_send_bytes");
    assert!(err.message().contains("full"), "{}", err);
    assert_eq!(host.borrow().bodies("msg_send_bytes")[0], "1:\u{0}\u{fffd}\n");
    assert!(host.borrow().bodies("msg_send").is_empty());

    let long = vec![7u8; 5000]; // longer than the inbox: kept as a result
    host.borrow_mut().reply("msg_recv_bytes", mail(1, &[0, 255, b'\n']));
    host.borrow_mut().reply("msg_recv_bytes", mail(2, &long));
    host.borrow_mut().reply("msg_recv_bytes", mail(3, b""));
    host.borrow_mut()
        .reply("msg_recv_bytes", fail(6, "no message is waiting"));
    host.borrow_mut().reply("msg_recv_bytes", fail(7, "no message in time"));
    assert_eq!(
        recv(None).unwrap(),
        Mail {
            from: 1,
            body: vec![0, 255, b'\n']
        }
    );
    assert_eq!(recv(None).unwrap(), Mail { from: 2, body: long });
    assert_eq!(
        recv(None).unwrap(),
        Mail {
            from: 3,
            body: Vec::new()
        }
    );
    assert_eq!(recv(Some(Duration::ZERO)).unwrap_err().errno(), Errno::EAGAIN);
    assert_eq!(
        recv(Some(Duration::from_nanos(1))).unwrap_err().errno(),
        Errno::ETIMEDOUT
    );
    assert_eq!(host.borrow().bodies("msg_recv_bytes"), vec!["-1", "-1", "-1", "0", "1"]);
    assert!(host.borrow().bodies("msg_recv").is_empty());
    assert_eq!(host.borrow().held(), 0);
}

#[test]
fn parent_comes_from_the_environment() {
    // Tests share the process's environment; this is the only test that sets AIOS_PARENT.
    std::env::remove_var("AIOS_PARENT");
    assert_eq!(parent(), None);
    std::env::set_var("AIOS_PARENT", "12");
    assert_eq!(parent(), Some(12));
    for bad in ["0", "-1", "x", ""] {
        std::env::set_var("AIOS_PARENT", bad);
        assert_eq!(parent(), None, "{:?}", bad);
    }
    std::env::remove_var("AIOS_PARENT");
}
