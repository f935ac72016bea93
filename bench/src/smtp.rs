//! SMTP per-message cost over one reused connection into the same loopback sink: lettre's
//! transport as shipped (it writes the body and the final "." separately without
//! TCP_NODELAY, so each message waits for the peer's delayed ACK) against the project's
//! client (`domain::smtp`: TCP_NODELAY, one write per message).

use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

const MESSAGE: &str = "From: a@ecole.fr\r\nTo: b@ecole.fr\r\nSubject: Bench\r\n\r\nBonjour.\r\n";

/// A minimal SMTP sink that answers at once and keeps nothing: like Postfix's smtp-sink.
async fn sink() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                let _ = write.write_all(b"220 sink ESMTP\r\n").await;
                let mut in_data = false;
                while let Ok(Some(line)) = lines.next_line().await {
                    let reply: &[u8] = if in_data {
                        if line != "." {
                            continue;
                        }
                        in_data = false;
                        b"250 2.0.0 queued\r\n"
                    } else {
                        match line.get(..4).map(str::to_ascii_uppercase).as_deref() {
                            Some("EHLO") => b"250-sink\r\n250 8BITMIME\r\n",
                            Some("DATA") => {
                                in_data = true;
                                b"354 go on\r\n"
                            }
                            Some("QUIT") => {
                                let _ = write.write_all(b"221 bye\r\n").await;
                                break;
                            }
                            _ => b"250 ok\r\n",
                        }
                    };
                    if write.write_all(reply).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    port
}

async fn lettre_as_shipped(port: u16, count: usize) -> Duration {
    use lettre::transport::smtp::PoolConfig;
    use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor, address::Envelope};
    let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
        .port(port)
        .pool_config(PoolConfig::new().max_size(1))
        .build();
    let envelope = Envelope::new(
        Some("a@ecole.fr".parse().expect("from")),
        vec!["b@ecole.fr".parse().expect("to")],
    )
    .expect("envelope");
    let started = Instant::now();
    for _ in 0..count {
        transport
            .send_raw(&envelope, MESSAGE.as_bytes())
            .await
            .expect("lettre send");
    }
    started.elapsed()
}

async fn project_client(port: u16, count: usize) -> Duration {
    use domain::smtp::{Endpoint, Policy, Security, Transcript, connect};
    let endpoint = Endpoint {
        host: "127.0.0.1".into(),
        port,
        security: Security::None,
        username: None,
        password: None,
        token: None,
    };
    let policy = Policy {
        allow_private_hosts: true,
        any_port: true,
        ..Policy::default()
    };
    let mut transcript = Transcript::default();
    let mut connection = connect(&endpoint, &policy, &mut transcript)
        .await
        .expect("connect");
    let to = vec!["b@ecole.fr".to_owned()];
    let started = Instant::now();
    for _ in 0..count {
        connection
            .send("a@ecole.fr", &to, MESSAGE.as_bytes(), &mut transcript)
            .await
            .expect("send");
    }
    let elapsed = started.elapsed();
    connection.quit(&mut transcript).await;
    elapsed
}

fn rate(count: usize, elapsed: Duration) -> f64 {
    count as f64 / elapsed.as_secs_f64()
}

/// Prints the lettre-versus-own-client figures.
pub async fn run() {
    let port = sink().await;
    // Warm both paths once, then measure.
    lettre_as_shipped(port, 5).await;
    project_client(port, 5).await;
    let (lettre_count, ours_count) = (200, 5_000);
    let lettre = lettre_as_shipped(port, lettre_count).await;
    let ours = project_client(port, ours_count).await;
    let (lettre_rate, ours_rate) = (rate(lettre_count, lettre), rate(ours_count, ours));
    println!("SMTP, one reused connection, loopback sink, small messages (same run):");
    println!(
        "  lettre 0.11 transport as shipped : {lettre_count:>5} messages in {:>7.3} s = {lettre_rate:>8.1} msg/s ({:.2} ms/message)",
        lettre.as_secs_f64(),
        1000.0 / lettre_rate
    );
    println!(
        "  domain::smtp (nodelay, 1 write) : {ours_count:>5} messages in {:>7.3} s = {ours_rate:>8.1} msg/s ({:.3} ms/message)",
        ours.as_secs_f64(),
        1000.0 / ours_rate
    );
    println!("  ratio: {:.0}x", ours_rate / lettre_rate);
}
