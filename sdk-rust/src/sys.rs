//! The raw system calls of the `aios` namespace (docs/ABI.md, section 4) behind a safe trait.
//!
//! [`Host`] takes slices and `&mut` places where the ABI takes `(ptr, len)` pairs and `out`
//! pointers, so no other module touches a raw pointer. On `wasm32` the real imports implement
//! it; elsewhere there is no host (every call fails with "not in aios"), and the tests put an
//! in-memory model of the host in its place.

/// The 8 bytes a call that produces a result writes at its `out` pointer:
/// `struct result { u32 rid; u32 len; }`, little-endian.
pub(crate) type ResultBuf = [u8; 8];

/// Returns the result id and length stored in `out`.
pub(crate) fn decode_result(out: &ResultBuf) -> (u32, u32) {
    let rid = u32::from_le_bytes([out[0], out[1], out[2], out[3]]);
    let len = u32::from_le_bytes([out[4], out[5], out[6], out[7]]);
    (rid, len)
}

/// The 16 bytes `msg_recv_bytes` (ABI 1.4) writes at its `info_out` pointer:
/// `struct msg_info { u64 from; u32 len; u32 rid; }`, little-endian.
pub(crate) type MsgInfoBuf = [u8; 16];

/// Returns the sender, body length and result id (0: the body is in the buffer) in `info`.
pub(crate) fn decode_msg_info(info: &MsgInfoBuf) -> (u64, u32, u32) {
    let mut from = [0; 8];
    from.copy_from_slice(&info[..8]);
    let len = u32::from_le_bytes([info[8], info[9], info[10], info[11]]);
    let rid = u32::from_le_bytes([info[12], info[13], info[14], info[15]]);
    (u64::from_le_bytes(from), len, rid)
}

/// The `aios` namespace with slices in place of pointers. Every method returns the call's
/// errno (0 for success).
pub(crate) trait Host {
    fn abi_version(&mut self, major: u32, minor: u32) -> u32;
    fn input(&mut self, out: &mut ResultBuf) -> u32;
    fn output(&mut self, b: &[u8]) -> u32;
    fn log(&mut self, level: u32, msg: &[u8]) -> u32;
    fn llm_generate(&mut self, req: &[u8], out: &mut ResultBuf) -> u32;
    fn llm_embed(&mut self, req: &[u8], out: &mut ResultBuf) -> u32;
    fn submit(&mut self, call: &[u8], req: &[u8], handle: &mut u32) -> u32;
    fn poll(&mut self, handle: u32, out: &mut ResultBuf) -> u32;
    fn wait(&mut self, handles: &[u32], timeout_ns: i64, index: &mut u32) -> u32;
    fn cancel(&mut self, handle: u32) -> u32;
    fn stream_next(&mut self, handle: u32, out: &mut ResultBuf) -> u32;
    fn result_read(&mut self, rid: u32, buf: &mut [u8]) -> u32;
    fn result_drop(&mut self, rid: u32) -> u32;
    fn last_error(&mut self, out: &mut ResultBuf) -> u32;
    /// Runs one of the calls of ABI 1.2 (section 4.1), all `(req_ptr, req_len, out)`, by
    /// name; an unknown name is `ENOSYS`.
    fn call(&mut self, name: &str, req: &[u8], out: &mut ResultBuf) -> u32;
    /// Runs one of the agent calls of ABI 1.3 (section 4.2), all `(req_ptr, req_len, out)`, by
    /// name; an unknown name is `ENOSYS`. Apart from `call`, so that an agent that starts and
    /// messages no agent imports none of them and loads on a 1.2 host.
    fn agent_call(&mut self, name: &str, req: &[u8], out: &mut ResultBuf) -> u32;
    /// `msg_send_bytes` (ABI 1.4): `msg_send` with the body as bytes.
    fn msg_send_bytes(&mut self, to: u64, body: &[u8]) -> u32;
    /// `msg_recv_bytes` (ABI 1.4): `msg_recv` into `buf`, the message described in `info`.
    fn msg_recv_bytes(&mut self, timeout_ns: i64, buf: &mut [u8], info: &mut MsgInfoBuf) -> u32;
}

/// The host as the rest of the crate holds it. On `wasm32` it is the concrete [`Host`] of the
/// imports, called statically, so the linker keeps only the imports an agent can reach (a
/// `dyn Host` would keep every one through its vtable, and an agent that uses no call of ABI
/// 1.2 would then not load on a 1.1 host). Elsewhere it is any `Host`: the tests' model.
#[cfg(target_arch = "wasm32")]
pub(crate) type Platform = wasm::WasmHost;

/// The host as the rest of the crate holds it: any [`Host`] outside `wasm32`.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) type Platform = Box<dyn Host>;

/// Returns the host this program runs in: the real imports on `wasm32`.
#[cfg(target_arch = "wasm32")]
pub(crate) fn platform() -> Option<Platform> {
    Some(wasm::WasmHost)
}

/// Returns the host this program runs in: none outside `wasm32`.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn platform() -> Option<Platform> {
    None
}

#[cfg(not(target_arch = "wasm32"))]
impl Host for Box<dyn Host> {
    fn abi_version(&mut self, major: u32, minor: u32) -> u32 {
        (**self).abi_version(major, minor)
    }
    fn input(&mut self, out: &mut ResultBuf) -> u32 {
        (**self).input(out)
    }
    fn output(&mut self, b: &[u8]) -> u32 {
        (**self).output(b)
    }
    fn log(&mut self, level: u32, msg: &[u8]) -> u32 {
        (**self).log(level, msg)
    }
    fn llm_generate(&mut self, req: &[u8], out: &mut ResultBuf) -> u32 {
        (**self).llm_generate(req, out)
    }
    fn llm_embed(&mut self, req: &[u8], out: &mut ResultBuf) -> u32 {
        (**self).llm_embed(req, out)
    }
    fn submit(&mut self, call: &[u8], req: &[u8], handle: &mut u32) -> u32 {
        (**self).submit(call, req, handle)
    }
    fn poll(&mut self, handle: u32, out: &mut ResultBuf) -> u32 {
        (**self).poll(handle, out)
    }
    fn wait(&mut self, handles: &[u32], timeout_ns: i64, index: &mut u32) -> u32 {
        (**self).wait(handles, timeout_ns, index)
    }
    fn cancel(&mut self, handle: u32) -> u32 {
        (**self).cancel(handle)
    }
    fn stream_next(&mut self, handle: u32, out: &mut ResultBuf) -> u32 {
        (**self).stream_next(handle, out)
    }
    fn result_read(&mut self, rid: u32, buf: &mut [u8]) -> u32 {
        (**self).result_read(rid, buf)
    }
    fn result_drop(&mut self, rid: u32) -> u32 {
        (**self).result_drop(rid)
    }
    fn last_error(&mut self, out: &mut ResultBuf) -> u32 {
        (**self).last_error(out)
    }
    fn call(&mut self, name: &str, req: &[u8], out: &mut ResultBuf) -> u32 {
        (**self).call(name, req, out)
    }
    fn agent_call(&mut self, name: &str, req: &[u8], out: &mut ResultBuf) -> u32 {
        (**self).agent_call(name, req, out)
    }
    fn msg_send_bytes(&mut self, to: u64, body: &[u8]) -> u32 {
        (**self).msg_send_bytes(to, body)
    }
    fn msg_recv_bytes(&mut self, timeout_ns: i64, buf: &mut [u8], info: &mut MsgInfoBuf) -> u32 {
        (**self).msg_recv_bytes(timeout_ns, buf, info)
    }
}

#[cfg(target_arch = "wasm32")]
mod wasm {
    use super::{Host, MsgInfoBuf, ResultBuf};

    // The raw imports, exactly as docs/ABI.md, section 4, and hostcalls' table list them
    // (every pointer and length an `i32`, `wait`'s timeout an `i64`, every result an `i32`
    // errno). The linker keeps only the imports a program can reach, so an agent that uses
    // no call of ABI 1.1, 1.2, 1.3 or 1.4 loads on an older host.
    #[link(wasm_import_module = "aios")]
    extern "C" {
        fn abi_version(major: u32, minor: u32) -> u32;
        fn input(out: *mut u8) -> u32;
        fn output(ptr: *const u8, len: u32) -> u32;
        fn log(level: u32, ptr: *const u8, len: u32) -> u32;
        fn llm_generate(req_ptr: *const u8, req_len: u32, out: *mut u8) -> u32;
        fn llm_embed(req_ptr: *const u8, req_len: u32, out: *mut u8) -> u32;
        fn submit(call_ptr: *const u8, call_len: u32, req_ptr: *const u8, req_len: u32, handle_out: *mut u32) -> u32;
        fn poll(handle: u32, out: *mut u8) -> u32;
        fn wait(handles_ptr: *const u32, count: u32, timeout_ns: i64, index_out: *mut u32) -> u32;
        fn cancel(handle: u32) -> u32;
        fn stream_next(handle: u32, out: *mut u8) -> u32;
        fn result_read(rid: u32, buf_ptr: *mut u8, buf_len: u32) -> u32;
        fn result_drop(rid: u32) -> u32;
        fn last_error(out: *mut u8) -> u32;
        fn memory_add(req_ptr: *const u8, req_len: u32, out: *mut u8) -> u32;
        fn memory_get(req_ptr: *const u8, req_len: u32, out: *mut u8) -> u32;
        fn memory_update(req_ptr: *const u8, req_len: u32, out: *mut u8) -> u32;
        fn memory_delete(req_ptr: *const u8, req_len: u32, out: *mut u8) -> u32;
        fn memory_search(req_ptr: *const u8, req_len: u32, out: *mut u8) -> u32;
        fn storage_put(req_ptr: *const u8, req_len: u32, out: *mut u8) -> u32;
        fn storage_get(req_ptr: *const u8, req_len: u32, out: *mut u8) -> u32;
        fn storage_list(req_ptr: *const u8, req_len: u32, out: *mut u8) -> u32;
        fn storage_delete(req_ptr: *const u8, req_len: u32, out: *mut u8) -> u32;
        fn storage_history(req_ptr: *const u8, req_len: u32, out: *mut u8) -> u32;
        fn storage_rollback(req_ptr: *const u8, req_len: u32, out: *mut u8) -> u32;
        fn tool_list(req_ptr: *const u8, req_len: u32, out: *mut u8) -> u32;
        fn tool_call(req_ptr: *const u8, req_len: u32, out: *mut u8) -> u32;
        fn agent_spawn(req_ptr: *const u8, req_len: u32, out: *mut u8) -> u32;
        fn agent_wait(req_ptr: *const u8, req_len: u32, out: *mut u8) -> u32;
        fn agent_kill(req_ptr: *const u8, req_len: u32, out: *mut u8) -> u32;
        fn msg_send(req_ptr: *const u8, req_len: u32, out: *mut u8) -> u32;
        fn msg_recv(req_ptr: *const u8, req_len: u32, out: *mut u8) -> u32;
        fn msg_send_bytes(to: i64, body_ptr: *const u8, body_len: u32) -> u32;
        fn msg_recv_bytes(timeout_ns: i64, buf_ptr: *mut u8, buf_len: u32, info_out: *mut u8) -> u32;
    }

    /// E2BIG: a slice longer than the ABI's 32-bit lengths (impossible on wasm32, where a
    /// slice cannot pass 4 GiB, but checked rather than truncated).
    const E2BIG: u32 = 3;

    /// Returns the ABI length of a slice.
    fn len<T>(s: &[T]) -> Option<u32> {
        u32::try_from(s.len()).ok()
    }

    /// The aios host this module runs in. Every method hands the host pointers into live
    /// slices and places borrowed for the length of the call, which the host reads or writes
    /// only within their bounds (it checks every range against the memory: section 2).
    pub(crate) struct WasmHost;

    impl Host for WasmHost {
        fn abi_version(&mut self, major: u32, minor: u32) -> u32 {
            unsafe { abi_version(major, minor) }
        }
        fn input(&mut self, out: &mut ResultBuf) -> u32 {
            unsafe { input(out.as_mut_ptr()) }
        }
        fn output(&mut self, b: &[u8]) -> u32 {
            match len(b) {
                Some(n) => unsafe { output(b.as_ptr(), n) },
                None => E2BIG,
            }
        }
        fn log(&mut self, level: u32, msg: &[u8]) -> u32 {
            match len(msg) {
                Some(n) => unsafe { log(level, msg.as_ptr(), n) },
                None => E2BIG,
            }
        }
        fn llm_generate(&mut self, req: &[u8], out: &mut ResultBuf) -> u32 {
            match len(req) {
                Some(n) => unsafe { llm_generate(req.as_ptr(), n, out.as_mut_ptr()) },
                None => E2BIG,
            }
        }
        fn llm_embed(&mut self, req: &[u8], out: &mut ResultBuf) -> u32 {
            match len(req) {
                Some(n) => unsafe { llm_embed(req.as_ptr(), n, out.as_mut_ptr()) },
                None => E2BIG,
            }
        }
        fn submit(&mut self, call: &[u8], req: &[u8], handle: &mut u32) -> u32 {
            match (len(call), len(req)) {
                (Some(c), Some(r)) => unsafe { submit(call.as_ptr(), c, req.as_ptr(), r, handle) },
                _ => E2BIG,
            }
        }
        fn poll(&mut self, handle: u32, out: &mut ResultBuf) -> u32 {
            unsafe { poll(handle, out.as_mut_ptr()) }
        }
        fn wait(&mut self, handles: &[u32], timeout_ns: i64, index: &mut u32) -> u32 {
            match len(handles) {
                Some(n) => unsafe { wait(handles.as_ptr(), n, timeout_ns, index) },
                None => E2BIG,
            }
        }
        fn cancel(&mut self, handle: u32) -> u32 {
            unsafe { cancel(handle) }
        }
        fn stream_next(&mut self, handle: u32, out: &mut ResultBuf) -> u32 {
            unsafe { stream_next(handle, out.as_mut_ptr()) }
        }
        fn result_read(&mut self, rid: u32, buf: &mut [u8]) -> u32 {
            match len(buf) {
                Some(n) => unsafe { result_read(rid, buf.as_mut_ptr(), n) },
                None => E2BIG,
            }
        }
        fn result_drop(&mut self, rid: u32) -> u32 {
            unsafe { result_drop(rid) }
        }
        fn last_error(&mut self, out: &mut ResultBuf) -> u32 {
            unsafe { last_error(out.as_mut_ptr()) }
        }
        fn call(&mut self, name: &str, req: &[u8], out: &mut ResultBuf) -> u32 {
            let raw: unsafe extern "C" fn(*const u8, u32, *mut u8) -> u32 = match name {
                "memory_add" => memory_add,
                "memory_get" => memory_get,
                "memory_update" => memory_update,
                "memory_delete" => memory_delete,
                "memory_search" => memory_search,
                "storage_put" => storage_put,
                "storage_get" => storage_get,
                "storage_list" => storage_list,
                "storage_delete" => storage_delete,
                "storage_history" => storage_history,
                "storage_rollback" => storage_rollback,
                "tool_list" => tool_list,
                "tool_call" => tool_call,
                _ => return 4, // ENOSYS
            };
            match len(req) {
                Some(n) => unsafe { raw(req.as_ptr(), n, out.as_mut_ptr()) },
                None => E2BIG,
            }
        }
        fn agent_call(&mut self, name: &str, req: &[u8], out: &mut ResultBuf) -> u32 {
            let raw: unsafe extern "C" fn(*const u8, u32, *mut u8) -> u32 = match name {
                "agent_spawn" => agent_spawn,
                "agent_wait" => agent_wait,
                "agent_kill" => agent_kill,
                "msg_send" => msg_send,
                "msg_recv" => msg_recv,
                _ => return 4, // ENOSYS
            };
            match len(req) {
                Some(n) => unsafe { raw(req.as_ptr(), n, out.as_mut_ptr()) },
                None => E2BIG,
            }
        }
        fn msg_send_bytes(&mut self, to: u64, body: &[u8]) -> u32 {
            // A pid past i64::MAX arrives negative, which the host refuses (EINVAL).
            match len(body) {
                Some(n) => unsafe { msg_send_bytes(to as i64, body.as_ptr(), n) },
                None => E2BIG,
            }
        }
        fn msg_recv_bytes(&mut self, timeout_ns: i64, buf: &mut [u8], info: &mut MsgInfoBuf) -> u32 {
            match len(buf) {
                Some(n) => unsafe { msg_recv_bytes(timeout_ns, buf.as_mut_ptr(), n, info.as_mut_ptr()) },
                None => E2BIG,
            }
        }
    }
}
