//! `pycassandra._native.ChangeAgent`: the change agent that runs beside one
//! Cassandra node (`python -m pycassandra.agent`) and serves its `cdc_raw`
//! over HTTP(S) to change streams whose executors cannot see the node's disk:
//! offsets and plans ([`CdcDirectory`]), segment bytes up to their durable
//! offset, and the consumers' commits ([`Consumers`]), deleting a segment once
//! every registered consumer has committed past it. Every request needs the
//! bearer token. docs/change-agent.md has the interface.

mod http;
mod routes;
mod tls;

use std::collections::HashMap;
use std::net::{SocketAddr, TcpListener, ToSocketAddrs};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use pycassandra::cdc::{CdcDirectory, Consumers};
use pycassandra::config::ChangeOptions;
use pyo3::exceptions::{PyOSError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;

use crate::errors::to_py;
use crate::runtime::session;

/// One node's agent: bound at construction, serving in [`ChangeAgent::serve`].
#[pyclass(name = "ChangeAgent", module = "pycassandra._native")]
pub(crate) struct ChangeAgent {
    listener: Option<TcpListener>,
    url: String,
    state: Arc<routes::AgentState>,
    tls: Option<tokio_rustls::TlsAcceptor>,
}

#[pymethods]
impl ChangeAgent {
    /// Checks the settings, opens the consumers' state and binds `listen`
    /// (`HOST:PORT`; port 0 picks one, see `url`). Without a certificate only
    /// a loopback address is allowed: the token would cross the network in clear.
    #[new]
    #[pyo3(signature = (cdc_raw, state_dir, listen, token, host_id, tls_cert=None, tls_key=None, cdc_total_space=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        cdc_raw: PathBuf,
        state_dir: PathBuf,
        listen: &str,
        token: String,
        host_id: String,
        tls_cert: Option<PathBuf>,
        tls_key: Option<PathBuf>,
        cdc_total_space: Option<u64>,
    ) -> PyResult<Self> {
        if token.trim().is_empty() {
            return Err(PyValueError::new_err("change agent: the token is empty"));
        }
        if !cdc_raw.is_dir() {
            return Err(PyValueError::new_err(format!(
                "change agent: cdc_raw {} is not a directory",
                cdc_raw.display()
            )));
        }
        let address = listen_address(listen)?;
        let tls = match (tls_cert, tls_key) {
            (Some(cert), Some(key)) => Some(tls::acceptor(&cert, &key).map_err(PyValueError::new_err)?),
            (None, None) if address.ip().is_loopback() => None,
            (None, None) => {
                return Err(PyValueError::new_err(format!(
                    "change agent: {address} is not a loopback address: serving it needs --tls-cert and --tls-key \
                     (plain HTTP would send the token in clear)"
                )))
            }
            _ => return Err(PyValueError::new_err("change agent: tls_cert and tls_key go together")),
        };
        let listener = TcpListener::bind(address)
            .map_err(|e| PyOSError::new_err(format!("change agent: cannot listen on {address}: {e}")))?;
        let bound = listener.local_addr().map_err(|e| PyOSError::new_err(e.to_string()))?;
        let scheme = if tls.is_some() { "https" } else { "http" };
        let consumers = Consumers::open(&state_dir).map_err(|e| PyOSError::new_err(e.to_string()))?;
        let state = routes::AgentState {
            directory: CdcDirectory::new(&cdc_raw),
            consumers: Mutex::new(consumers),
            token,
            host_id,
            cdc_total_space,
        };
        Ok(ChangeAgent { listener: Some(listener), url: format!("{scheme}://{bound}"), state: Arc::new(state), tls })
    }

    /// The URL the agent serves on (`http(s)://HOST:PORT`).
    #[getter]
    fn url(&self) -> String {
        self.url.clone()
    }

    /// Serves until SIGTERM or SIGINT (the GIL released); once per agent.
    fn serve(&mut self, py: Python<'_>) -> PyResult<()> {
        let listener = self.listener.take().ok_or_else(|| PyRuntimeError::new_err("change agent: already served"))?;
        let (state, tls) = (Arc::clone(&self.state), self.tls.clone());
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| PyOSError::new_err(e.to_string()))?;
        py.detach(|| runtime.block_on(http::serve(listener, state, tls)))
            .map_err(|e| PyOSError::new_err(format!("change agent: {e}")))
    }

    /// The host id of the node at `host` (and `port`, with the other
    /// connection options), from the driver's view of the ring: a query of
    /// `system.local` would be answered by whichever node the driver picks.
    #[staticmethod]
    fn node_host_id(py: Python<'_>, options: HashMap<String, String>) -> PyResult<String> {
        let mut options = options;
        let host = options.get("host").cloned().unwrap_or_default();
        let port = options.get("port").cloned().unwrap_or_else(|| "9042".into());
        let wanted: Vec<std::net::IpAddr> = format!("{host}:{port}")
            .to_socket_addrs()
            .map_err(|e| PyValueError::new_err(format!("change agent: host {host:?}: {e}")))?
            .map(|address| address.ip())
            .collect();
        // The connection rules are the change stream's; these three only make the map parse.
        options.insert("keyspace".into(), "system".into());
        options.insert("table".into(), "local".into());
        options.insert("cdc_raw_directory".into(), ".".into());
        let parsed = ChangeOptions::from_options(&options).map_err(|e| to_py(e.into()))?;
        let session = session(py, &parsed.connection, "system")?;
        let state = session.get_cluster_state();
        let found = state.get_nodes_info().iter().find(|node| wanted.contains(&node.address.ip()));
        match found {
            Some(node) => Ok(node.host_id.to_string()),
            None => Err(PyValueError::new_err(format!(
                "change agent: no node of the cluster has the address {host}; give the node's own CQL address \
                 (its rpc_address) as --host, or --host-id"
            ))),
        }
    }

    fn __repr__(&self) -> String {
        format!("ChangeAgent({} on {})", self.state.directory.path().display(), self.url)
    }
}

fn listen_address(listen: &str) -> PyResult<SocketAddr> {
    let invalid = || PyValueError::new_err(format!("change agent: listen {listen:?} is not HOST:PORT"));
    listen.to_socket_addrs().map_err(|_| invalid())?.next().ok_or_else(invalid)
}
