//! The agent's routes (docs/change-agent.md). Every request needs
//! `Authorization: Bearer <token>`, compared in constant time; the token is
//! never logged or echoed. File work runs on tokio's blocking pool.
//!
//! - `GET /v1/node`: host id, `cdc_raw`, usage (and `cdc_total_space` if told)
//! - `GET /v1/offsets[?from=S:P&max_bytes=N]`: earliest, and latest (within the budget past `from`)
//! - `GET /v1/pieces?from=S:P&to=S:P`: `[from, to)` cut at segment boundaries
//! - `GET /v1/segments/ID?to=S:P`: a piece's bytes; headers name the file and the walk's limit
//! - `GET /v1/consumers`: each consumer, its committed offset and lag
//! - `POST /v1/consumers/ID` `{"committed": [S, P]}`: register or move forward; deletes what all consumed
//! - `DELETE /v1/consumers/ID`: evict; deletes what the others consumed

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::{Method, Request, Response, StatusCode};
use pycassandra::cdc::{CdcDirectory, ChangeOffset, Consumers};
use serde_json::{json, Value};

/// What every request shares.
pub(crate) struct AgentState {
    pub(crate) directory: CdcDirectory,
    pub(crate) consumers: Mutex<Consumers>,
    pub(crate) token: String,
    pub(crate) host_id: String,
    pub(crate) cdc_total_space: Option<u64>,
}

type Answer = Response<Full<Bytes>>;

/// A refusal: the status and a message for the client (JSON `{"error": ...}`).
struct Refusal(StatusCode, String);

fn json_answer(status: StatusCode, value: &Value) -> Answer {
    let mut answer = Response::new(Full::new(Bytes::from(value.to_string())));
    *answer.status_mut() = status;
    answer.headers_mut().insert("content-type", hyper::header::HeaderValue::from_static("application/json"));
    answer
}

fn bad_request(what: impl Into<String>) -> Refusal {
    Refusal(StatusCode::BAD_REQUEST, what.into())
}

fn internal(what: impl std::fmt::Display) -> Refusal {
    Refusal(StatusCode::INTERNAL_SERVER_ERROR, what.to_string())
}

/// Answers one request.
pub(super) async fn handle(state: Arc<AgentState>, request: Request<Incoming>) -> Answer {
    if !authorized(&state.token, request.headers().get("authorization")) {
        let mut answer = json_answer(StatusCode::UNAUTHORIZED, &json!({"error": "missing or wrong bearer token"}));
        answer.headers_mut().insert("www-authenticate", hyper::header::HeaderValue::from_static("Bearer"));
        return answer;
    }
    match route(state, request).await {
        Ok(answer) => answer,
        Err(Refusal(status, message)) => {
            if status.is_server_error() {
                tracing::warn!("change agent: {message}");
            }
            json_answer(status, &json!({ "error": message }))
        }
    }
}

fn authorized(token: &str, header: Option<&hyper::header::HeaderValue>) -> bool {
    let Some(given) = header.and_then(|h| h.to_str().ok()).and_then(|h| h.strip_prefix("Bearer ")) else {
        return false;
    };
    let (given, token) = (given.trim().as_bytes(), token.as_bytes());
    // Constant time in the token's bytes: no early exit on the first difference.
    given.len() == token.len() && given.iter().zip(token).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

async fn route(state: Arc<AgentState>, request: Request<Incoming>) -> Result<Answer, Refusal> {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let query = query_pairs(request.uri().query().unwrap_or(""));
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    match (method, parts.as_slice()) {
        (Method::GET, ["v1", "node"]) => blocking(state, node).await,
        (Method::GET, ["v1", "offsets"]) => blocking(state, move |state| offsets(state, &query)).await,
        (Method::GET, ["v1", "pieces"]) => blocking(state, move |state| pieces(state, &query)).await,
        (Method::GET, ["v1", "segments", id]) => {
            let id: i64 = id.parse().map_err(|_| bad_request(format!("segment id {id:?} is not an integer")))?;
            let to = offset_param(&query, "to")?;
            let state2 = Arc::clone(&state);
            let served = tokio::task::spawn_blocking(move || state2.directory.segment_bytes(id, to))
                .await
                .map_err(internal)?
                .map_err(internal)?;
            let Some(piece) = served else {
                return Err(Refusal(StatusCode::NOT_FOUND, format!("segment {id} is not in cdc_raw")));
            };
            let mut answer = Response::new(Full::new(Bytes::from(piece.bytes)));
            let headers = answer.headers_mut();
            headers.insert("content-type", hyper::header::HeaderValue::from_static("application/octet-stream"));
            headers.insert("x-pycassandra-segment", piece.name.parse().map_err(internal)?);
            headers.insert("x-pycassandra-limit", piece.limit.to_string().parse().map_err(internal)?);
            Ok(answer)
        }
        (Method::GET, ["v1", "consumers"]) => blocking(state, consumers).await,
        (Method::POST, ["v1", "consumers", id]) => {
            let id = (*id).to_string();
            let body = Limited::new(request.into_body(), 64 * 1024)
                .collect()
                .await
                .map_err(|e| bad_request(format!("request body: {e}")))?
                .to_bytes();
            let value: Value =
                serde_json::from_slice(&body).map_err(|e| bad_request(format!("body is not JSON: {e}")))?;
            let offset = json_offset(&value["committed"])
                .ok_or_else(|| bad_request("body: expected {\"committed\": [segment, position]}"))?;
            blocking(state, move |state| commit(state, &id, offset)).await
        }
        (Method::DELETE, ["v1", "consumers", id]) => {
            let id = (*id).to_string();
            blocking(state, move |state| evict(state, &id)).await
        }
        (_, _) => Err(Refusal(StatusCode::NOT_FOUND, format!("no route {path}"))),
    }
}

async fn blocking(
    state: Arc<AgentState>,
    work: impl FnOnce(&AgentState) -> Result<Value, Refusal> + Send + 'static,
) -> Result<Answer, Refusal> {
    let value = tokio::task::spawn_blocking(move || work(&state)).await.map_err(internal)??;
    Ok(json_answer(StatusCode::OK, &value))
}

fn query_pairs(query: &str) -> HashMap<String, String> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (k.to_string(), v.replace("%3A", ":").replace("%3a", ":")))
        .collect()
}

fn offset_param(query: &HashMap<String, String>, name: &str) -> Result<ChangeOffset, Refusal> {
    let value = query.get(name).ok_or_else(|| bad_request(format!("missing ?{name}=segment:position")))?;
    parse_offset(value).ok_or_else(|| bad_request(format!("?{name}={value}: expected segment:position")))
}

fn parse_offset(value: &str) -> Option<ChangeOffset> {
    let (segment, position) = value.split_once(':')?;
    Some(ChangeOffset { segment: segment.parse().ok()?, position: position.parse().ok()? })
}

fn json_offset(value: &Value) -> Option<ChangeOffset> {
    let pair = value.as_array()?;
    let [segment, position] = pair.as_slice() else { return None };
    Some(ChangeOffset { segment: segment.as_i64()?, position: position.as_u64()? })
}

fn pair(offset: ChangeOffset) -> Value {
    json!([offset.segment, offset.position])
}

fn node(state: &AgentState) -> Result<Value, Refusal> {
    let usage = state.directory.usage().map_err(internal)?;
    Ok(json!({
        "host_id": state.host_id,
        "cdc_raw": state.directory.path().display().to_string(),
        "usage_bytes": usage.bytes,
        "segments": usage.segments,
        "cdc_total_space": state.cdc_total_space,
    }))
}

fn offsets(state: &AgentState, query: &HashMap<String, String>) -> Result<Value, Refusal> {
    let earliest = state.directory.earliest().map_err(internal)?;
    let latest = match (query.contains_key("from"), query.get("max_bytes")) {
        (true, Some(budget)) => {
            let budget: u64 = budget.parse().map_err(|_| bad_request(format!("?max_bytes={budget}: not a number")))?;
            let from = offset_param(query, "from")?;
            state.directory.latest_within(from, budget).map_err(internal)?.max(from)
        }
        (true, None) => {
            let from = offset_param(query, "from")?;
            state.directory.latest().map_err(internal)?.max(from)
        }
        (false, _) => state.directory.latest().map_err(internal)?,
    };
    Ok(json!({ "earliest": pair(earliest), "latest": pair(latest) }))
}

fn pieces(state: &AgentState, query: &HashMap<String, String>) -> Result<Value, Refusal> {
    let (from, to) = (offset_param(query, "from")?, offset_param(query, "to")?);
    if to <= from {
        return Ok(json!({ "pieces": [] }));
    }
    let pieces = state.directory.segments_between(from, to).map_err(internal)?;
    Ok(json!({ "pieces": pieces.into_iter().map(|(a, b)| json!([pair(a), pair(b)])).collect::<Vec<_>>() }))
}

fn consumers(state: &AgentState) -> Result<Value, Refusal> {
    let sizes = state.directory.segment_sizes().map_err(internal)?;
    let latest = state.directory.latest().map_err(internal)?;
    let list = state.consumers.lock().map_err(|_| internal("consumer state lock poisoned"))?.list();
    let entries: Vec<Value> = list
        .into_iter()
        .map(|(id, committed)| {
            let (lag_bytes, lag_segments) = lag(&sizes, committed, latest);
            json!({ "id": id, "committed": pair(committed), "lag_bytes": lag_bytes, "lag_segments": lag_segments })
        })
        .collect();
    Ok(json!({ "consumers": entries }))
}

/// Bytes and segments between a consumer's committed offset and `latest`.
fn lag(sizes: &[(i64, u64)], committed: ChangeOffset, latest: ChangeOffset) -> (u64, usize) {
    let mut bytes = 0u64;
    let mut segments = 0usize;
    for &(id, size) in sizes.iter().filter(|(id, _)| *id >= committed.segment && *id <= latest.segment) {
        let start = if id == committed.segment { committed.position.min(size) } else { 0 };
        let end = if id == latest.segment { latest.position.min(size) } else { size };
        if end > start {
            bytes += end - start;
            segments += 1;
        }
    }
    (bytes, segments)
}

fn commit(state: &AgentState, id: &str, offset: ChangeOffset) -> Result<Value, Refusal> {
    let mut consumers = state.consumers.lock().map_err(|_| internal("consumer state lock poisoned"))?;
    let committed = consumers.commit(id, offset).map_err(|e| bad_request(e.to_string()))?;
    let deleted = match consumers.consumed_by_all() {
        Some(all) => state.directory.delete_consumed(all).map_err(internal)?,
        None => Vec::new(),
    };
    Ok(json!({ "committed": pair(committed.offset), "registered": committed.registered, "deleted": deleted }))
}

fn evict(state: &AgentState, id: &str) -> Result<Value, Refusal> {
    let mut consumers = state.consumers.lock().map_err(|_| internal("consumer state lock poisoned"))?;
    let offset = consumers.evict(id).map_err(|e| Refusal(StatusCode::NOT_FOUND, e.to_string()))?;
    let deleted = match consumers.consumed_by_all() {
        Some(all) => state.directory.delete_consumed(all).map_err(internal)?,
        None => Vec::new(),
    };
    Ok(json!({ "evicted": id, "committed": pair(offset), "deleted": deleted }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lag_counts_bytes_up_to_latest_only() {
        let sizes = [(1, 1000), (2, 1000), (3, 1000)];
        let at = |segment, position| ChangeOffset { segment, position };
        assert_eq!(lag(&sizes, at(1, 400), at(2, 500)), (600 + 500, 2));
        assert_eq!(lag(&sizes, at(2, 500), at(2, 500)), (0, 0), "a consumer at latest lags nothing");
    }

    #[test]
    fn the_token_must_match_exactly() {
        let header = |v: &'static str| hyper::header::HeaderValue::from_static(v);
        assert!(authorized("s3cret", Some(&header("Bearer s3cret"))));
        assert!(!authorized("s3cret", Some(&header("Bearer s3cre"))));
        assert!(!authorized("s3cret", Some(&header("Basic s3cret"))));
        assert!(!authorized("s3cret", None));
    }
}
