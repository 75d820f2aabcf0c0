//! The binary itself: it binds the address asked for and says where.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

/// Kills the server when the test ends, even by a failed assertion.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn listens_on_a_free_port_and_prints_the_bound_address() {
    let data_dir = tempfile::tempdir().unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_tapedeck-intake"))
        .args(["--listen", "127.0.0.1:0"])
        .env("TAPEDECK_DATA_DIR", data_dir.path())
        .env("RUST_LOG", "off")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut server = Server(child);

    let mut line = String::new();
    BufReader::new(server.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let address = line
        .trim()
        .strip_prefix("tapedeck-intake listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"));
    assert!(!address.ends_with(":0"), "{address}");
    assert!(
        data_dir.path().join("sessions").is_dir(),
        "the data dir comes from the environment"
    );

    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains(r#""status":"ok""#), "{answer}");
}

fn start(data_dir: &std::path::Path) -> (Server, String) {
    let child = Command::new(env!("CARGO_BIN_EXE_tapedeck-intake"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--read-token",
            "crash-test-token",
        ])
        .env("TAPEDECK_DATA_DIR", data_dir)
        .env("RUST_LOG", "off")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut server = Server(child);
    let mut line = String::new();
    BufReader::new(server.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let address = line
        .trim()
        .strip_prefix("tapedeck-intake listening on http://")
        .unwrap()
        .to_owned();
    (server, address)
}

fn http(address: &str, head: &str, body: &[u8]) -> Option<String> {
    let mut stream = TcpStream::connect(address).ok()?;
    stream.write_all(head.as_bytes()).ok()?;
    stream.write_all(body).ok()?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).ok()?;
    Some(answer)
}

#[test]
fn a_kill_9_during_uploads_leaves_only_whole_sessions() {
    let data_dir = tempfile::tempdir().unwrap();
    let (mut server, address) = start(data_dir.path());

    // Upload as fast as possible from two threads, then kill -9 mid-stream.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writers: Vec<_> = (0..2)
        .map(|thread| {
            let (address, stop) = (address.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut index = 0u32;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let session = format!("crash{thread}-{}", index / 5);
                    let mut upload = crate::support::Upload::new(
                        &session,
                        "v",
                        index % 5,
                        &crate::support::events(1000, 200),
                    );
                    upload.set_application("demo");
                    let body = upload.body();
                    let head = format!(
                        "POST /api/v1/replay HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\
                         Content-Type: multipart/form-data; boundary=----tapedeck-test-boundary\r\n\
                         Content-Length: {}\r\n\r\n",
                        body.len()
                    );
                    if http(&address, &head, &body).is_none() {
                        break;
                    }
                    index += 1;
                }
            })
        })
        .collect();
    std::thread::sleep(std::time::Duration::from_millis(400));
    server.0.kill().unwrap(); // SIGKILL
    server.0.wait().unwrap();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for writer in writers {
        writer.join().unwrap();
    }

    // Simulate the worst moment too: a half-written temporary file.
    let sessions = data_dir.path().join("sessions");
    std::fs::create_dir_all(sessions.join("crash9-0")).unwrap();
    std::fs::write(sessions.join("crash9-0/.tmp-v-000000.json-1"), b"{\"meta").unwrap();

    let (_server, address) = start(data_dir.path());
    let auth = "Authorization: Bearer crash-test-token\r\n";
    let list = http(
        &address,
        &format!("GET /api/v1/sessions?limit=1000 HTTP/1.1\r\nHost: x\r\n{auth}Connection: close\r\n\r\n"),
        b"",
    )
    .unwrap();
    assert!(list.starts_with("HTTP/1.1 200"), "{list}");
    let body = &list[list.find("\r\n\r\n").unwrap() + 4..];
    let sessions_listed: serde_json::Value = serde_json::from_str(body).unwrap();
    let listed = sessions_listed.as_array().unwrap();
    assert!(!listed.is_empty(), "some uploads finished before the kill");
    for session in listed {
        let id = session["session_id"].as_str().unwrap();
        let answer = http(
            &address,
            &format!("GET /api/v1/sessions/{id}/events HTTP/1.1\r\nHost: x\r\n{auth}Connection: close\r\n\r\n"),
            b"",
        )
        .unwrap();
        assert!(answer.starts_with("HTTP/1.1 200"), "{id}: {answer}");
    }
    let leftovers = walk_names(&sessions)
        .into_iter()
        .filter(|name| name.starts_with(".tmp-") || name.starts_with(".deleted-"))
        .count();
    assert_eq!(leftovers, 0, "a restart sweeps temporary files away");
}

fn walk_names(folder: &std::path::Path) -> Vec<String> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(folder).unwrap().flatten() {
        names.push(entry.file_name().to_string_lossy().into_owned());
        if entry.file_type().unwrap().is_dir() {
            names.extend(walk_names(&entry.path()));
        }
    }
    names
}
