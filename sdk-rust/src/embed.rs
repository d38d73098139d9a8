use serde::{Deserialize, Serialize};

use crate::abi::{decode, encode, with};
use crate::sys::Host;
use crate::{Errno, Error, Result};

#[derive(Serialize)]
struct EmbedRequest<'a> {
    model: &'a str,
    input: Vec<&'a str>,
}

#[derive(Deserialize)]
struct EmbedResponse {
    #[serde(default)]
    vectors: Vec<Vec<f32>>,
}

/// Returns one embedding vector per input, in order, computed by `model` (empty: the host's
/// default) with one `llm_embed` call (ABI 1.1). A host that implements only ABI 1.0 gives
/// [`Errno::ENOTSUP`]; one whose models compute no embeddings [`Errno::ENOENT`].
pub fn embed<S: AsRef<str>>(model: &str, inputs: &[S]) -> Result<Vec<Vec<f32>>> {
    if inputs.is_empty() {
        return Err(Error::new(
            Errno::EINVAL,
            "llm_embed",
            "embedding needs at least one input",
        ));
    }
    with(|a| a.require(1, "llm_embed", "embeddings"))?;
    let body = encode(
        "llm_embed",
        &EmbedRequest {
            model,
            input: inputs.iter().map(|s| s.as_ref()).collect(),
        },
    )?;
    let b = with(|a| a.call_result("llm_embed", &[], |h, out| h.llm_embed(&body, out)))?;
    let resp: EmbedResponse = decode("llm_embed", &b)?;
    if resp.vectors.len() != inputs.len() {
        return Err(Error::new(
            Errno::EINTERNAL,
            "llm_embed",
            format!(
                "the host answered {} vectors for {} inputs",
                resp.vectors.len(),
                inputs.len()
            ),
        ));
    }
    Ok(resp.vectors)
}
