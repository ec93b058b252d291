//! The agent's HTTP/1.1 server (hyper), plain on loopback or TLS, until
//! SIGTERM or SIGINT.

use std::convert::Infallible;
use std::net::TcpListener;
use std::sync::Arc;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;

use super::routes::{self, AgentState};

/// Serves `listener` until a signal asks the process to stop.
pub(super) async fn serve(
    listener: TcpListener,
    state: Arc<AgentState>,
    tls: Option<tokio_rustls::TlsAcceptor>,
) -> std::io::Result<()> {
    listener.set_nonblocking(true)?;
    let listener = tokio::net::TcpListener::from_std(listener)?;
    let stop = stop_signal();
    tokio::pin!(stop);
    loop {
        let (stream, peer) = tokio::select! {
            stopped = &mut stop => {
                tracing::info!("change agent: stopping");
                return stopped;
            }
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: the next accept may work.
                    tracing::warn!("change agent: accept failed: {error}");
                    continue;
                }
            },
        };
        let (state, tls) = (Arc::clone(&state), tls.clone());
        tokio::spawn(async move {
            let service = service_fn(move |request| {
                let state = Arc::clone(&state);
                async move { Ok::<_, Infallible>(routes::handle(state, request).await) }
            });
            let served = match tls {
                Some(acceptor) => match acceptor.accept(stream).await {
                    Ok(stream) => http1::Builder::new().serve_connection(TokioIo::new(stream), service).await,
                    Err(error) => {
                        // Plain HTTP sent to the TLS port lands here, refused.
                        tracing::info!("change agent: TLS handshake with {peer} failed: {error}");
                        return;
                    }
                },
                None => http1::Builder::new().serve_connection(TokioIo::new(stream), service).await,
            };
            if let Err(error) = served {
                tracing::debug!("change agent: connection from {peer}: {error}");
            }
        });
    }
}

#[cfg(unix)]
async fn stop_signal() -> std::io::Result<()> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut terminate = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    tokio::select! {
        _ = terminate.recv() => Ok(()),
        _ = interrupt.recv() => Ok(()),
    }
}

#[cfg(not(unix))]
async fn stop_signal() -> std::io::Result<()> {
    tokio::signal::ctrl_c().await
}
