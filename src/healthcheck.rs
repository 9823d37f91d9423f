//! `herald healthcheck`: asks a running server's `/healthz`, for container health checks
//! (the runtime image has no curl).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use anyhow::{Context, bail};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Succeeds when the server listening on `listen` answers `/healthz` with 200.
pub async fn check(listen: SocketAddr) -> anyhow::Result<()> {
    let target = SocketAddr::new(loopback_for(listen.ip()), listen.port());
    let exchange = async {
        let mut stream = TcpStream::connect(target).await?;
        stream
            .write_all(b"GET /healthz HTTP/1.0\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            .await?;
        let mut head = Vec::with_capacity(64);
        (&mut stream).take(64).read_to_end(&mut head).await?;
        Ok::<_, std::io::Error>(head)
    };
    let head = tokio::time::timeout(Duration::from_secs(5), exchange)
        .await
        .context("no answer within 5 s")?
        .with_context(|| format!("cannot reach {target}"))?;
    let status_line = String::from_utf8_lossy(&head);
    let status_line = status_line.lines().next().unwrap_or_default();
    if status_line.split_whitespace().nth(1) != Some("200") {
        bail!("unhealthy: {status_line}");
    }
    Ok(())
}

/// A wildcard listen address is reached through loopback.
fn loopback_for(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        other => other,
    }
}
