//! The agent calls of ABI 1.3 (docs/ABI.md, section 4.2): starting child agents, waiting for
//! them and ending them.

use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::abi::{decode, encode, with};
use crate::pending::{start, Pending};
use crate::sys::Host;
use crate::{Errno, Error, Result};

/// Checks that the host implements ABI 1.3 and returns the JSON body of agent call `name`.
pub(crate) fn body<B: Serialize + ?Sized>(name: &str, req: &B) -> Result<Vec<u8>> {
    with(|a| a.require(3, name, "agents and messages"))?;
    encode(name, req)
}

/// Runs agent call `name` blocking and decodes its result.
pub(crate) fn run<B: Serialize + ?Sized, T: DeserializeOwned>(name: &'static str, req: &B) -> Result<T> {
    let body = body(name, req)?;
    let b = with(|a| a.call_result(name, &[], |h, out| h.agent_call(name, &body, out)))?;
    decode(name, &b)
}

/// Starts agent call `name` through `submit` and returns at once.
pub(crate) fn start_agent_call<B: Serialize + ?Sized, T: DeserializeOwned>(
    name: &'static str,
    req: &B,
) -> Result<Pending<T>> {
    let body = body(name, req)?;
    start(name, &body, false, decode::<T>)
}

/// Returns a timeout as the ABI's `timeout_ms`: `None` (no deadline) for `None`; a positive
/// duration under a millisecond is one millisecond, so it never becomes a mere check.
pub(crate) fn millis(timeout: Option<Duration>) -> Option<u64> {
    timeout.map(|d| {
        let ms = u64::try_from(d.as_millis()).unwrap_or(u64::MAX).min(i64::MAX as u64);
        if ms == 0 && !d.is_zero() {
            1
        } else {
            ms
        }
    })
}

/// What a child agent is started with ([`spawn`]). The default starts the module with no
/// input, under its parent's limits, with all that is left of its parent's budget.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SpawnOptions {
    /// The child's run input ([`input`](crate::input)).
    pub input: Vec<u8>,
    /// The child's arguments (`std::env::args` after its name).
    pub args: Vec<String>,
    /// The child's environment, `KEY=VALUE`; the host adds `AIOS_PARENT` ([`parent`]).
    pub env: Vec<String>,
    /// Limits below the parent's; a zero field keeps the parent's, and one above the parent's
    /// is lowered to it.
    pub limits: ChildLimits,
    /// A budget set aside from the parent's own for as long as the child runs; the parent is
    /// then charged what the child actually spent. A zero part takes all the parent has left
    /// of it (none, when the parent has no budget of its own). Past it, the child's
    /// generations fail with [`Errno::EQUOTA`].
    pub budget: Budget,
}

impl SpawnOptions {
    /// Returns options that start the child with `input`.
    pub fn input(input: impl Into<Vec<u8>>) -> SpawnOptions {
        SpawnOptions {
            input: input.into(),
            ..SpawnOptions::default()
        }
    }

    /// Returns the options with a budget of `tokens` input and output tokens.
    pub fn tokens(mut self, tokens: u64) -> SpawnOptions {
        self.budget.tokens = tokens;
        self
    }
}

/// The limits a parent may lower for a child (docs/ABI.md, section 1.2). Zero keeps the
/// parent's.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ChildLimits {
    /// Bytes of linear memory.
    pub memory: u64,
    /// CPU time.
    pub cpu_time: Duration,
    /// Wall-clock time.
    pub wall_time: Duration,
    /// Bytes of run output.
    pub output: u64,
    /// Bytes of log.
    pub log: u64,
}

/// A token and money budget; `cost` is in the currency of the host's prices.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Budget {
    /// Input and output tokens.
    pub tokens: u64,
    /// Money, such as dollars: finite and not negative.
    pub cost: f64,
}

/// A child agent this agent started with [`spawn`]. It runs beside its parent on the same
/// models, policy and budgets, and ends when its parent ends, if not before.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Child {
    /// The child's process id: what [`send`](crate::send) takes, and what the run summary shows.
    pub pid: u64,
    /// The name it runs under: its module's file name without `.wasm`.
    #[serde(default)]
    pub name: String,
}

/// How a child ended ([`Child::wait`]).
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct ChildResult {
    /// The child's process id.
    pub pid: u64,
    /// The name it ran under.
    pub name: String,
    /// The module it ran, as [`spawn`] named it.
    pub module: String,
    /// `"exited"` (it returned or called `std::process::exit`), `"failed"` (the host ended it:
    /// a trap or a limit, which `error` names), `"killed"` ([`Child::kill`]) or `"canceled"`.
    pub status: String,
    /// Its exit code; -1 when the host ended it.
    pub exit_code: i32,
    /// Why the host ended it, when `status` is `"failed"`.
    pub error: String,
    /// The start of its run output, at most 64 KiB; `output_bytes` is the size of the whole.
    #[serde(with = "crate::base64::serde_bytes")]
    pub output: Vec<u8>,
    /// The size of its whole run output.
    pub output_bytes: u64,
    /// What it consumed.
    pub usage: ChildUsage,
}

impl ChildResult {
    /// Reports whether the child returned normally with exit code 0.
    pub fn success(&self) -> bool {
        self.status == "exited" && self.exit_code == 0
    }
}

/// What a child consumed, its own children included.
#[derive(Clone, Copy, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct ChildUsage {
    /// System calls.
    pub calls: u64,
    /// LLM generations.
    pub generations: u64,
    /// Input tokens.
    pub input_tokens: u64,
    /// Output tokens.
    pub output_tokens: u64,
    /// Money, in the currency of the host's prices.
    pub cost: f64,
}

#[derive(Serialize)]
struct SpawnRequest<'a> {
    module: &'a str,
    #[serde(skip_serializing_if = "<[u8]>::is_empty", with = "crate::base64::serde_bytes")]
    input: &'a [u8],
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    args: &'a [String],
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    env: &'a [String],
    limits: SpawnLimits,
    #[serde(skip_serializing_if = "Option::is_none")]
    budget: Option<SpawnBudget>,
}

#[derive(Serialize)]
struct SpawnLimits {
    #[serde(skip_serializing_if = "is_zero")]
    memory: u64,
    #[serde(skip_serializing_if = "is_zero")]
    cpu_time_ms: u64,
    #[serde(skip_serializing_if = "is_zero")]
    wall_time_ms: u64,
    #[serde(skip_serializing_if = "is_zero")]
    output: u64,
    #[serde(skip_serializing_if = "is_zero")]
    log: u64,
}

#[derive(Serialize)]
struct SpawnBudget {
    tokens: u64,
    cost: f64,
}

#[derive(Serialize)]
pub(crate) struct AgentRef {
    pub(crate) pid: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) timeout_ms: Option<u64>,
}

#[derive(Deserialize)]
struct Empty {}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// Starts `module`, a `.wasm` path relative to the agents directory the operator configured
/// (`[agents] dir`), as a child of this agent, and returns once it runs (ABI 1.3).
///
/// Policy decides: the agent's manifest declares `calls = ["agent_spawn"]` and the operator
/// grants it, or the error is [`Errno::EPERM`]. An unknown module is [`Errno::ENOENT`]; a
/// host with no agents directory [`Errno::ENOSYS`]; past the host's bounds on children,
/// depth or agents per run [`Errno::ELIMIT`]; a budget larger than what is left of this
/// agent's [`Errno::EQUOTA`].
///
/// ```no_run
/// # fn demo() -> aios::Result<()> {
/// let child = aios::spawn("summarize.wasm", &aios::SpawnOptions::input("some text").tokens(2000))?;
/// let res = child.wait()?;
/// aios::output(res.output)?;
/// # Ok(()) }
/// ```
pub fn spawn(module: &str, opts: &SpawnOptions) -> Result<Child> {
    let b = opts.budget;
    if !b.cost.is_finite() || b.cost < 0.0 {
        return Err(Error::new(
            Errno::EINVAL,
            "agent_spawn",
            format!("budget cost {} is not a finite amount of at least 0", b.cost),
        ));
    }
    let ms = |d: Duration| millis(Some(d)).unwrap_or(0);
    let l = opts.limits;
    let req = SpawnRequest {
        module,
        input: &opts.input,
        args: &opts.args,
        env: &opts.env,
        limits: SpawnLimits {
            memory: l.memory,
            cpu_time_ms: ms(l.cpu_time),
            wall_time_ms: ms(l.wall_time),
            output: l.output,
            log: l.log,
        },
        budget: if b.tokens == 0 && b.cost == 0.0 {
            None
        } else {
            Some(SpawnBudget {
                tokens: b.tokens,
                cost: b.cost,
            })
        },
    };
    run("agent_spawn", &req)
}

impl Child {
    /// Blocks until the child has ended and returns how. It may be asked again, with the same
    /// answer.
    pub fn wait(&self) -> Result<ChildResult> {
        self.wait_for(None)
    }

    /// Like [`wait`](Child::wait) for at most `timeout`: a child still running then gives
    /// [`Errno::ETIMEDOUT`]. A zero timeout only checks, and gives [`Errno::EAGAIN`] while the
    /// child runs.
    pub fn wait_timeout(&self, timeout: Duration) -> Result<ChildResult> {
        self.wait_for(Some(timeout))
    }

    fn wait_for(&self, timeout: Option<Duration>) -> Result<ChildResult> {
        run(
            "agent_wait",
            &AgentRef {
                pid: self.pid,
                timeout_ms: millis(timeout),
            },
        )
    }

    /// Starts [`wait`](Child::wait) asynchronously, so the agent can wait for several children
    /// (and other calls) at once with [`wait_any`](crate::wait_any).
    pub fn start_wait(&self) -> Result<Pending<ChildResult>> {
        start_agent_call(
            "agent_wait",
            &AgentRef {
                pid: self.pid,
                timeout_ms: None,
            },
        )
    }

    /// Ends the child, and with it its own children. Killing a child that has ended does
    /// nothing; [`wait`](Child::wait) still tells how it ended.
    pub fn kill(&self) -> Result<()> {
        run::<_, Empty>(
            "agent_kill",
            &AgentRef {
                pid: self.pid,
                timeout_ms: None,
            },
        )
        .map(|_| ())
    }
}

/// Returns the process id of the agent that started this one, to [`send`](crate::send) to it;
/// `None` for a run's first agent. The host passes it in the environment as `AIOS_PARENT`.
pub fn parent() -> Option<u64> {
    std::env::var("AIOS_PARENT")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .filter(|&p| p > 0)
}
