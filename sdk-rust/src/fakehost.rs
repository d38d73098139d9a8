//! An in-memory model of the aios host for the host-side tests: a result table, scripted
//! replies per call, asynchronous calls that finish after a number of polls, streams, and
//! `last_error` records, as docs/ABI.md describes them.

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::rc::Rc;

use crate::sys::{Host, MsgInfoBuf, ResultBuf};

/// What a call answers: a result body, or an errno with the host's message.
#[derive(Clone, Debug)]
pub(crate) enum Reply {
    Ok(Vec<u8>),
    Err(u32, String),
}

/// Returns a successful reply with the JSON `body`.
pub(crate) fn ok(body: &str) -> Reply {
    Reply::Ok(body.as_bytes().to_vec())
}

/// Returns the reply of a `msg_recv_bytes` (ABI 1.4) that receives `body` from `from`.
pub(crate) fn mail(from: u64, body: &[u8]) -> Reply {
    let mut b = from.to_le_bytes().to_vec();
    b.extend_from_slice(body);
    Reply::Ok(b)
}

/// Returns a failure with errno `code` and `message`.
pub(crate) fn fail(code: u32, message: &str) -> Reply {
    Reply::Err(code, message.to_string())
}

/// A call started with submit.
struct Op {
    reply: Reply,
    chunks: VecDeque<String>,
    busy: u32,
    cancelled: bool,
}

impl Op {
    fn finished(&self) -> bool {
        self.cancelled || self.busy == 0
    }
}

/// The host's state, which tests script and inspect.
pub(crate) struct State {
    /// The newest ABI minor version the host implements.
    pub(crate) minor: u32,
    /// The host refuses every ABI version.
    pub(crate) refuse_abi: bool,
    pub(crate) versions_asked: Vec<u32>,
    pub(crate) input: Vec<u8>,
    pub(crate) output: Vec<u8>,
    pub(crate) logs: Vec<(u32, String)>,
    /// Replies by call name, used in order; a call with none left fails with EINTERNAL.
    pub(crate) replies: HashMap<String, VecDeque<Reply>>,
    /// Every request body the host received, with its call name.
    pub(crate) requests: Vec<(String, String)>,
    /// The chunks every streamed call gives.
    pub(crate) stream_chunks: Vec<String>,
    /// How many polls a submitted call answers EAGAIN before it finishes; u32::MAX: until it is
    /// cancelled.
    pub(crate) busy_polls: u32,
    /// The index the next successful wait reports instead of the true one.
    pub(crate) lie_index: Option<u32>,
    /// The length the next result struct reports instead of the true one.
    pub(crate) lie_len: Option<u32>,
    pub(crate) cancels: Vec<u32>,
    pub(crate) drops: Vec<u32>,
    /// The calls that reached the host through `agent_call` (the imports of ABI 1.3), in order.
    pub(crate) agent_calls: Vec<String>,
    results: HashMap<u32, Vec<u8>>,
    next_rid: u32,
    last_error: Option<Vec<u8>>,
    ops: HashMap<u32, Op>,
    next_handle: u32,
}

impl State {
    /// Returns the number of results the host holds unread.
    pub(crate) fn held(&self) -> usize {
        self.results.len()
    }

    /// Returns the number of handles not yet released.
    pub(crate) fn in_flight(&self) -> usize {
        self.ops.len()
    }

    /// Scripts the next reply of `call`.
    pub(crate) fn reply(&mut self, call: &str, r: Reply) {
        self.replies.entry(call.to_string()).or_default().push_back(r);
    }

    /// Returns the request bodies `call` received.
    pub(crate) fn bodies(&self, call: &str) -> Vec<String> {
        self.requests
            .iter()
            .filter(|(c, _)| c == call)
            .map(|(_, b)| b.clone())
            .collect()
    }

    fn next_reply(&mut self, call: &str, req: &[u8]) -> Reply {
        self.requests
            .push((call.to_string(), String::from_utf8_lossy(req).into_owned()));
        match self.replies.get_mut(call).and_then(|q| q.pop_front()) {
            Some(r) => r,
            None => fail(17, &format!("no reply scripted for {}", call)),
        }
    }

    fn store(&mut self, data: Vec<u8>, out: &mut ResultBuf) -> u32 {
        if self.results.len() >= 64 {
            return 12;
        }
        self.next_rid += 1;
        let len = self.lie_len.take().unwrap_or(data.len() as u32);
        out[..4].copy_from_slice(&self.next_rid.to_le_bytes());
        out[4..].copy_from_slice(&len.to_le_bytes());
        self.results.insert(self.next_rid, data);
        0
    }

    fn answer(&mut self, call: &str, r: Reply, out: &mut ResultBuf) -> u32 {
        match r {
            Reply::Ok(b) => self.store(b, out),
            Reply::Err(code, message) => self.fail(call, code, &message),
        }
    }

    fn fail(&mut self, call: &str, code: u32, message: &str) -> u32 {
        let rec =
            serde_json::json!({"code": code, "name": crate::Errno(code).name(), "call": call, "message": message});
        self.last_error = Some(rec.to_string().into_bytes());
        code
    }
}

/// The host side of [`State`].
pub(crate) struct FakeHost(Rc<RefCell<State>>);

/// Installs a fake host implementing ABI 1.4 as this thread's host and returns its state.
pub(crate) fn install() -> Rc<RefCell<State>> {
    let state = Rc::new(RefCell::new(State {
        minor: 4,
        refuse_abi: false,
        versions_asked: Vec::new(),
        input: Vec::new(),
        output: Vec::new(),
        logs: Vec::new(),
        replies: HashMap::new(),
        requests: Vec::new(),
        stream_chunks: Vec::new(),
        busy_polls: 0,
        lie_len: None,
        lie_index: None,
        cancels: Vec::new(),
        drops: Vec::new(),
        agent_calls: Vec::new(),
        results: HashMap::new(),
        next_rid: 0,
        last_error: None,
        ops: HashMap::new(),
        next_handle: 0,
    }));
    crate::abi::install(Box::new(FakeHost(state.clone())));
    state
}

impl Host for FakeHost {
    fn abi_version(&mut self, major: u32, minor: u32) -> u32 {
        let mut s = self.0.borrow_mut();
        s.versions_asked.push(minor);
        if major == 1 && minor <= s.minor && !s.refuse_abi {
            0
        } else {
            5
        }
    }
    fn input(&mut self, out: &mut ResultBuf) -> u32 {
        let mut s = self.0.borrow_mut();
        let input = s.input.clone();
        s.store(input, out)
    }
    fn output(&mut self, b: &[u8]) -> u32 {
        self.0.borrow_mut().output.extend_from_slice(b);
        0
    }
    fn log(&mut self, level: u32, msg: &[u8]) -> u32 {
        let mut s = self.0.borrow_mut();
        if level > 3 {
            return s.fail("log", 1, &format!("unknown log level {}", level));
        }
        s.logs.push((level, String::from_utf8_lossy(msg).into_owned()));
        0
    }
    fn llm_generate(&mut self, req: &[u8], out: &mut ResultBuf) -> u32 {
        self.call("llm_generate", req, out)
    }
    fn llm_embed(&mut self, req: &[u8], out: &mut ResultBuf) -> u32 {
        self.call("llm_embed", req, out)
    }
    fn submit(&mut self, call: &[u8], req: &[u8], handle: &mut u32) -> u32 {
        let mut s = self.0.borrow_mut();
        let call = String::from_utf8_lossy(call).into_owned();
        let reply = s.next_reply(&call, req);
        let stream = String::from_utf8_lossy(req).contains("\"stream\":true");
        let chunks = if stream {
            s.stream_chunks.iter().cloned().collect()
        } else {
            VecDeque::new()
        };
        s.next_handle += 1;
        *handle = s.next_handle;
        let busy = s.busy_polls;
        s.ops.insert(
            *handle,
            Op {
                reply,
                chunks,
                busy,
                cancelled: false,
            },
        );
        0
    }
    fn poll(&mut self, handle: u32, out: &mut ResultBuf) -> u32 {
        let mut s = self.0.borrow_mut();
        let op = match s.ops.get_mut(&handle) {
            Some(op) => op,
            None => return s.fail("poll", 9, &format!("unknown handle {}", handle)),
        };
        if !op.finished() {
            if op.busy != u32::MAX {
                op.busy -= 1;
            }
            return 6;
        }
        let op = s.ops.remove(&handle).expect("op present");
        s.answer("poll", op.reply, out)
    }
    fn wait(&mut self, handles: &[u32], timeout_ns: i64, index: &mut u32) -> u32 {
        let mut s = self.0.borrow_mut();
        for (i, h) in handles.iter().enumerate() {
            match s.ops.get(h) {
                None => return s.fail("wait", 9, &format!("unknown handle {}", h)),
                Some(op) if op.finished() || !op.chunks.is_empty() => {
                    *index = s.lie_index.take().unwrap_or(i as u32);
                    return 0;
                }
                Some(_) => {}
            }
        }
        // Nothing is ready: time passes, and every call that can finish does.
        for (i, h) in handles.iter().enumerate() {
            let op = s.ops.get_mut(h).expect("checked above");
            if op.busy != u32::MAX {
                op.busy = 0;
                *index = i as u32;
                return 0;
            }
        }
        if timeout_ns < 0 {
            return s.fail("wait", 17, "the fake host would wait forever");
        }
        s.fail("wait", 7, "deadline passed")
    }
    fn cancel(&mut self, handle: u32) -> u32 {
        let mut s = self.0.borrow_mut();
        s.cancels.push(handle);
        match s.ops.get_mut(&handle) {
            None => s.fail("cancel", 9, &format!("unknown handle {}", handle)),
            Some(op) => {
                if !op.finished() {
                    op.cancelled = true;
                    op.reply = fail(8, "cancelled by the agent");
                    op.chunks.clear();
                }
                0
            }
        }
    }
    fn stream_next(&mut self, handle: u32, out: &mut ResultBuf) -> u32 {
        let mut s = self.0.borrow_mut();
        let chunk = match s.ops.get_mut(&handle) {
            None => return s.fail("stream_next", 9, &format!("unknown handle {}", handle)),
            Some(op) => op.chunks.pop_front(),
        };
        match chunk {
            Some(text) => s.store(serde_json::json!({ "text": text }).to_string().into_bytes(), out),
            None => 14,
        }
    }
    fn result_read(&mut self, rid: u32, buf: &mut [u8]) -> u32 {
        let mut s = self.0.borrow_mut();
        let n = match s.results.get(&rid) {
            None => return s.fail("result_read", 9, &format!("unknown result {}", rid)),
            Some(data) => data.len(),
        };
        if buf.len() < n {
            return s.fail(
                "result_read",
                15,
                &format!("buffer of {} bytes for a result of {}", buf.len(), n),
            );
        }
        let data = s.results.remove(&rid).expect("checked above");
        buf[..n].copy_from_slice(&data);
        0
    }
    fn result_drop(&mut self, rid: u32) -> u32 {
        let mut s = self.0.borrow_mut();
        s.drops.push(rid);
        match s.results.remove(&rid) {
            Some(_) => 0,
            None => 9,
        }
    }
    fn last_error(&mut self, out: &mut ResultBuf) -> u32 {
        let mut s = self.0.borrow_mut();
        match s.last_error.take() {
            Some(rec) => s.store(rec, out),
            None => 16,
        }
    }
    fn call(&mut self, name: &str, req: &[u8], out: &mut ResultBuf) -> u32 {
        let mut s = self.0.borrow_mut();
        let reply = s.next_reply(name, req);
        s.answer(name, reply, out)
    }
    fn agent_call(&mut self, name: &str, req: &[u8], out: &mut ResultBuf) -> u32 {
        let mut s = self.0.borrow_mut();
        s.agent_calls.push(name.to_string());
        let reply = s.next_reply(name, req);
        s.answer(name, reply, out)
    }
    /// Records the request as "TO:BODY"; a successful reply's body is ignored.
    fn msg_send_bytes(&mut self, to: u64, body: &[u8]) -> u32 {
        const CALL: &str = "msg_send_bytes";
        let mut s = self.0.borrow_mut();
        if s.minor < 4 {
            return s.fail(CALL, 4, "no such call");
        }
        s.agent_calls.push(CALL.to_string());
        let req = [to.to_string().as_bytes(), b":", body].concat();
        match s.next_reply(CALL, &req) {
            Reply::Ok(_) => 0,
            Reply::Err(code, message) => s.fail(CALL, code, &message),
        }
    }
    /// Records the request as its timeout; a successful reply is a [`mail`].
    fn msg_recv_bytes(&mut self, timeout_ns: i64, buf: &mut [u8], info: &mut MsgInfoBuf) -> u32 {
        const CALL: &str = "msg_recv_bytes";
        let mut s = self.0.borrow_mut();
        if s.minor < 4 {
            return s.fail(CALL, 4, "no such call");
        }
        if s.results.len() >= 64 {
            return s.fail(CALL, 12, "64 results are unread");
        }
        s.agent_calls.push(CALL.to_string());
        let m = match s.next_reply(CALL, timeout_ns.to_string().as_bytes()) {
            Reply::Ok(m) => m,
            Reply::Err(code, message) => return s.fail(CALL, code, &message),
        };
        let (from, body) = m.split_at(8);
        let mut rid = 0;
        if body.len() <= buf.len() {
            buf[..body.len()].copy_from_slice(body);
        } else {
            s.next_rid += 1;
            rid = s.next_rid;
            s.results.insert(rid, body.to_vec());
        }
        info[..8].copy_from_slice(from);
        info[8..12].copy_from_slice(&(body.len() as u32).to_le_bytes());
        info[12..].copy_from_slice(&rid.to_le_bytes());
        0
    }
}

impl From<Rc<RefCell<State>>> for FakeHost {
    fn from(s: Rc<RefCell<State>>) -> FakeHost {
        FakeHost(s)
    }
}
