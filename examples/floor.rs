//! The benchmark's floor: the least a server can do to answer a create. It checks the token,
//! parses the same body, stores it in a locked map and answers 201 with a similar body. The
//! emulator is measured against it in the same run (see `bench/run.sh`).
//!
//!     floor [PORT] [tls]
//!
//! With `tls`, it serves HTTPS as the emulator's `--tls` does — rustls with ring, its safe
//! default versions and suites, a fresh self-signed certificate — with hyper's HTTP/1 on each
//! connection: the floor over the same transport.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use parking_lot::Mutex;
use serde::Deserialize;
use tower::ServiceExt;

#[derive(Deserialize)]
struct Body {
    instance_id: String,
    name: String,
    #[serde(default)]
    #[expect(dead_code, reason = "stored, as the emulator stores it, never read")]
    description: Option<String>,
}

#[derive(Default)]
struct Floor {
    next: AtomicU64,
    backups: Mutex<HashMap<u64, Body>>,
}

async fn create(State(floor): State<Arc<Floor>>, headers: HeaderMap, body: Bytes) -> Response {
    if headers.get("x-auth-token").is_none_or(|t| t.is_empty()) {
        return (StatusCode::UNAUTHORIZED, "{}").into_response();
    }
    let Ok(body) = serde_json::from_slice::<Body>(&body) else {
        return (StatusCode::BAD_REQUEST, "{}").into_response();
    };
    let id = floor.next.fetch_add(1, Ordering::Relaxed);
    let answer = format!(
        r#"{{"backup":{{"id":"{id:032x}br07","name":"{}","description":"","begin_time":"2026-04-24T10:19:57+0000","status":"BUILDING","type":"manual","instance_id":"{}"}},"job_id":"00000000-0000-4000-8000-{id:012x}"}}"#,
        body.name, body.instance_id
    );
    floor.backups.lock().insert(id, body);
    (
        StatusCode::CREATED,
        [(header::CONTENT_TYPE, "application/json;charset=UTF-8")],
        answer,
    )
        .into_response()
}

#[tokio::main]
async fn main() {
    let port: u16 = std::env::args()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    let tls = std::env::args().nth(2).is_some_and(|a| a == "tls");
    let app = Router::new()
        .route("/v3/{project_id}/backups/create", post(create))
        .with_state(Arc::new(Floor::default()));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    if !tls {
        println!("floor listening on http://{address}");
        axum::serve(listener, app).await.expect("serve");
        return;
    }
    let acceptor = tokio_rustls::TlsAcceptor::from(tls_config());
    println!("floor listening on https://{address}");
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let (acceptor, app) = (acceptor.clone(), app.clone());
        tokio::spawn(async move {
            let Ok(stream) = acceptor.accept(stream).await else {
                return;
            };
            let service = hyper::service::service_fn(move |request| app.clone().oneshot(request));
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                .await;
        });
    }
}

/// A server configuration as the emulator's, with a self-signed certificate for 127.0.0.1.
fn tls_config() -> Arc<rustls::ServerConfig> {
    let key = rcgen::KeyPair::generate().expect("a key");
    let cert = rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned()])
        .expect("a name")
        .self_signed(&key)
        .expect("a certificate");
    let key = rustls::pki_types::PrivateKeyDer::try_from(key.serialize_der()).expect("the key");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(vec![cert.der().clone()], key)
        .expect("the certificate fits the key");
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Arc::new(config)
}
