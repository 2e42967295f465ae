//! The Jupyter wire protocol: the connection file, the five sockets, and
//! reading and writing signed messages.
//!
//! Signing, verification and framing are `jupyter-zmq-client`'s. Requests are
//! read with their content as plain JSON rather than `jupyter-protocol`'s typed
//! structs, which reject some valid requests (a `history_request` of type
//! `search` without `n`, for one), and replies are built as JSON too.

use anyhow::{Context as _, Result};
use jupyter_protocol::{
    ConnectionInfo, Header, JupyterMessage, JupyterMessageContent, Transport, UnknownMessage,
};
use jupyter_zmq_client::{Connection, RawMessage, RuntimeError};
use serde_json::{Value, json};
use std::path::Path;
use zeromq::{Socket as _, SocketRecv};

/// A request from a client, with its content as JSON.
pub struct Request {
    /// The message, kept whole to be the parent of what answers it.
    pub message: JupyterMessage,
    /// The message's content.
    pub content: Value,
}

impl Request {
    /// `execute_request`, `kernel_info_request`, ...
    pub fn msg_type(&self) -> &str {
        &self.message.header.msg_type
    }

    /// A string field of the content, or `""`.
    pub fn str(&self, key: &str) -> &str {
        self.content[key].as_str().unwrap_or("")
    }

    /// A boolean field of the content, or `default`.
    pub fn bool(&self, key: &str, default: bool) -> bool {
        self.content[key].as_bool().unwrap_or(default)
    }
}

/// A message of type `msg_type` answering or caused by `parent`.
pub fn child_of(parent: &JupyterMessage, msg_type: &str, content: Value) -> JupyterMessage {
    let mut message = JupyterMessage::new(
        UnknownMessage {
            msg_type: msg_type.to_owned(),
            content,
        },
        Some(parent),
    );
    message.header.username = "nn-kernel".to_owned();
    message
}

/// The reply to `request`: `kernel_info_request` → `kernel_info_reply`, ...
pub fn reply_to(request: &Request, content: Value) -> JupyterMessage {
    let msg_type = request.msg_type().replace("_request", "_reply");
    child_of(&request.message, &msg_type, content)
}

/// A message with no parent (the `starting` status).
pub fn orphan(msg_type: &str, content: Value) -> JupyterMessage {
    let mut message = JupyterMessage::new(
        UnknownMessage {
            msg_type: msg_type.to_owned(),
            content,
        },
        None,
    );
    message.header.username = "nn-kernel".to_owned();
    message
}

/// A `status` message.
pub fn status(parent: Option<&JupyterMessage>, state: &str) -> JupyterMessage {
    let content = json!({ "execution_state": state });
    match parent {
        Some(parent) => child_of(parent, "status", content),
        None => orphan("status", content),
    }
}

/// Reads the connection file that Jupyter passes to the kernel; returns it
/// parsed and as text.
pub fn read_connection_file(path: &Path) -> Result<(ConnectionInfo, String)> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read connection file {}", path.display()))?;
    let info: ConnectionInfo = serde_json::from_str(&text)
        .with_context(|| format!("malformed connection file {}", path.display()))?;
    if !info.key.is_empty() && info.signature_scheme != "hmac-sha256" {
        anyhow::bail!(
            "unsupported signature scheme `{}` (only hmac-sha256)",
            info.signature_scheme
        );
    }
    Ok((info, text))
}

/// The address of the socket on `port`, as jupyter_client writes it: with
/// `transport: "ipc"` the `ip` is a path and the port its suffix
/// (`ipc:///tmp/kernel-1-5`: Unix sockets, no TCP port to race for on a
/// host with many kernels), else `tcp://IP:PORT`.
pub fn endpoint(info: &ConnectionInfo, port: u16) -> String {
    match info.transport {
        Transport::IPC => format!("ipc://{}-{}", info.ip, port),
        Transport::TCP => format!("tcp://{}:{}", info.ip, port),
    }
}

/// Binds a socket of type `S` on `port`, signing with the connection's key.
pub async fn bind<S: zeromq::Socket>(
    info: &ConnectionInfo,
    port: u16,
    session: &str,
) -> Result<Connection<S>> {
    let endpoint = endpoint(info, port);
    let mut socket = S::new();
    socket
        .bind(&endpoint)
        .await
        .with_context(|| format!("cannot bind {endpoint}"))?;
    Ok(Connection::new(socket, &info.key, session))
}

/// Reads one request, checking its signature. An error means a message was
/// dropped (bad signature, malformed JSON), not that the socket is unusable;
/// one without the connection key's signature is dropped before anything
/// of it is used, and the error names its type.
pub async fn read<S: SocketRecv + Send>(connection: &mut Connection<S>) -> Result<Request> {
    let frames = connection.socket.recv().await?;
    let claimed_type = claimed_msg_type(&frames);
    let unsigned = frames
        .iter()
        .skip_while(|frame| &frame[..] != b"<IDS|MSG>")
        .nth(1)
        .is_some_and(|signature| signature.is_empty());
    let raw = RawMessage::from_multipart(frames, &connection.mac).map_err(|error| {
        let why = match error {
            RuntimeError::VerifyError(_) if unsigned => "no signature".to_owned(),
            RuntimeError::VerifyError(_) => "wrong signature".to_owned(),
            RuntimeError::MissingHmac => "no signature".to_owned(),
            RuntimeError::DecodeError(_) => "malformed signature".to_owned(),
            other => other.to_string(),
        };
        anyhow::anyhow!("rejected a `{claimed_type}` message: {why}")
    })?;
    let header: Header = serde_json::from_slice(&raw.jparts[0]).context("bad header")?;
    let parent_header = serde_json::from_slice::<Header>(&raw.jparts[1]).ok();
    let metadata = serde_json::from_slice(&raw.jparts[2]).unwrap_or_else(|_| json!({}));
    let content: Value = serde_json::from_slice(&raw.jparts[3]).context("bad content")?;
    let message = JupyterMessage {
        zmq_identities: raw.zmq_identities,
        content: JupyterMessageContent::UnknownMessage(UnknownMessage {
            msg_type: header.msg_type.clone(),
            content: content.clone(),
        }),
        header,
        parent_header,
        metadata,
        buffers: raw.jparts[4..].to_vec(),
        channel: None,
    };
    Ok(Request { message, content })
}

/// The `msg_type` that a message's (not yet verified) header claims, to
/// name a rejected message in the log; `?` if it has none.
fn claimed_msg_type(frames: &zeromq::ZmqMessage) -> String {
    let header = frames
        .iter()
        .skip_while(|frame| &frame[..] != b"<IDS|MSG>")
        .nth(2);
    header
        .and_then(|header| serde_json::from_slice::<Value>(header).ok())
        .and_then(|header| {
            // Unverified: kept short and escaped, to stay one log line.
            let claimed = header["msg_type"].as_str()?.chars().take(64);
            Some(claimed.flat_map(char::escape_debug).collect())
        })
        .unwrap_or_else(|| "?".to_owned())
}

/// Echoes every heartbeat ping back unchanged, as the protocol asks
/// (`jupyter-zmq-client`'s helper answers `pong` instead).
pub async fn heartbeat(mut socket: zeromq::RepSocket) {
    use zeromq::SocketSend as _;
    loop {
        match socket.recv().await {
            Ok(ping) => {
                if let Err(error) = socket.send(ping).await {
                    eprintln!("nn-kernel: heartbeat: {error}");
                }
            }
            Err(error) => {
                eprintln!("nn-kernel: heartbeat: {error}");
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
        }
    }
}

/// Binds the heartbeat socket.
pub async fn bind_heartbeat(info: &ConnectionInfo) -> Result<zeromq::RepSocket> {
    let endpoint = endpoint(info, info.hb_port);
    let mut socket = zeromq::RepSocket::new();
    socket
        .bind(&endpoint)
        .await
        .with_context(|| format!("cannot bind {endpoint}"))?;
    Ok(socket)
}

/// 128 random bits as hex, for the session id and the interrupt token
/// (from `std`'s randomly keyed hasher: no extra dependency).
pub fn random_hex() -> String {
    use std::hash::{BuildHasher as _, Hasher as _};
    let mut out = String::new();
    for i in 0..2u8 {
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u8(i);
        hasher.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default(),
        );
        out.push_str(&format!("{:016x}", hasher.finish()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(parts: &[&[u8]]) -> zeromq::ZmqMessage {
        let mut message = zeromq::ZmqMessage::from(parts[0].to_vec());
        for part in &parts[1..] {
            message.push_back(part.to_vec().into());
        }
        message
    }

    #[test]
    fn endpoints_are_jupyter_clients() {
        let info = |transport: &str, ip: &str| -> ConnectionInfo {
            serde_json::from_value(serde_json::json!({
                "transport": transport, "ip": ip, "shell_port": 1, "iopub_port": 2,
                "stdin_port": 3, "control_port": 4, "hb_port": 5, "key": "",
                "signature_scheme": "hmac-sha256", "kernel_name": "rust-nn",
            }))
            .unwrap()
        };
        assert_eq!(endpoint(&info("tcp", "127.0.0.1"), 5), "tcp://127.0.0.1:5");
        assert_eq!(
            endpoint(&info("ipc", "/tmp/kernel-x"), 5),
            "ipc:///tmp/kernel-x-5"
        );
    }

    #[test]
    fn a_rejected_message_is_named_by_its_claimed_type() {
        let header = br#"{"msg_type":"execute_request","msg_id":"1"}"#;
        let message = frames(&[b"id", b"<IDS|MSG>", b"", header, b"{}", b"{}", b"{}"]);
        assert_eq!(claimed_msg_type(&message), "execute_request");
        let forged = br#"{"msg_type":"a\nb"}"#;
        let message = frames(&[b"<IDS|MSG>", b"sig", forged, b"{}", b"{}", b"{}"]);
        assert_eq!(claimed_msg_type(&message), "a\\nb");
        assert_eq!(claimed_msg_type(&frames(&[b"<IDS|MSG>"])), "?");
    }
}
